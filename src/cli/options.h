/* SPDX-License-Identifier: GPL-2.0 */
/* What the subcommands share in reading their command-line options. */
#ifndef LOCALIN_CLI_OPTIONS_H
#define LOCALIN_CLI_OPTIONS_H

#include <stdint.h>

/*
 * The value @arg of the numeric option @opt ("--trace-count"): decimal
 * digits only, at most @max (no sign, no spaces, no suffix). 0, or -EINVAL
 * after `localin: OPT: invalid number "ARG"` on stderr; the caller exits 2
 * like for any usage error.
 */
int cli_number(const char *opt, const char *arg, uint32_t max, uint32_t *out);

#endif
