/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Syntax of attribute values, one function per schema type: check the
 * words of a `set` line and turn them into canonical form (CIDR masks into
 * dotted ones, IPv6 compressed, times zero-padded), keeping each word's
 * location. Meaning across attributes (start before end, references) is
 * the resolver's job.
 */
#ifndef LOCALIN_CONF_VALUE_H
#define LOCALIN_CONF_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/diag.h"
#include "conf/tree.h"

/*
 * Check @in (@n words) against @sa and store the canonical words in @a
 * (appending to what it holds). Returns 0, or -EINVAL (-ENOMEM) with the
 * errors queued.
 */
int conf_value_set(struct arena *ar, struct conf_attr *a,
		   const struct schema_attr *sa, const struct conf_word *in,
		   size_t n, struct diag_list *dl);

/* Does attribute type @t hold a list that append/select/unselect edit? */
bool conf_value_is_list(enum schema_type t);

/* Shared parsers, also used by the resolver on canonical words. */
bool parse_ip4(const char *s, uint32_t *out); /* host order */
bool parse_u32(const char *s, uint32_t max, uint32_t *out);
int mask_to_prefixlen(uint32_t mask); /* -1 if not contiguous */

#endif
