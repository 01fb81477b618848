/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What localin knows of the FortiOS configuration: the sections, their
 * attributes, each attribute's value type and default. The parser checks
 * `set` lines against it and stores values in canonical form; the printer
 * uses it to decide what `show` omits (defaults) and how to quote.
 *
 * Attributes localin reads carry SA_USED; the others are FortiOS attributes
 * accepted so a real backup loads, kept and printed, and without effect.
 */
#ifndef LOCALIN_CONF_SCHEMA_H
#define LOCALIN_CONF_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

enum schema_type {
	ST_STRING,     /* one word, printed quoted ("comment", "hostname") */
	ST_NAMES,      /* one or more names, each printed quoted (references) */
	ST_ENUM,       /* one word of ->enums, printed bare */
	ST_ENUMS,      /* one or more words of ->enums, printed bare */
	ST_INT,	       /* decimal in [min, max], printed bare */
	ST_IP4,	       /* a.b.c.d */
	ST_IP4MASK,    /* "a.b.c.d m.m.m.m" or "a.b.c.d/len"; stored dotted */
	ST_IP6,	       /* one IPv6 address */
	ST_IP6PREFIX,  /* addr/len; stored compressed lower case */
	ST_PORTRANGES, /* lo[-hi][:slo[-shi]] ... */
	ST_TIME,       /* hh:mm */
	ST_DATETIME,   /* "hh:mm yyyy/mm/dd" (two words) */
	ST_UUID,       /* 8-4-4-4-12 hex */
	ST_RAW,	       /* any words, printed as written (quoted if they were) */
};

/* Attribute flags */
#define SA_USED (1u << 0)     /* localin acts on it */
#define SA_REQUIRED (1u << 1) /* resolver reports a missing value */
#define SA_SECRET (1u << 2)   /* a password: `show` never prints it in clear */

struct schema_attr {
	const char *name;
	enum schema_type type;
	const char *const *enums; /* NULL-terminated, ST_ENUM/ST_ENUMS */
	/*
	 * Default in canonical printed form, words separated by one space
	 * ("0.0.0.0 0.0.0.0", "deny"); NULL means "no value" (`show full`
	 * prints `unset`-style nothing for it).
	 */
	const char *def;
	long long min, max; /* ST_INT range; ST_STRING/ST_NAMES max length */
	unsigned int flags;
};

enum schema_key {
	SK_NONE, /* singleton section: no edit */
	SK_NAME, /* edit "name" */
	SK_ID,	 /* edit <integer>; edit 0 takes the next free id */
};

struct schema_section {
	const char *
		path; /* words after `config`, one space between: "firewall address" */
	enum schema_key key;
	unsigned int max_key_len;	 /* SK_NAME */
	const struct schema_attr *attrs; /* sorted by name, for lookup */
	size_t nr_attrs;
	/*
	 * Every attribute's name in the order FortiOS prints them,
	 * NULL-terminated; NULL: the table's order.
	 */
	const char *const *order;
	/* Nested `config <name>` blocks allowed inside an entry (or the singleton). */
	const struct schema_section *const *subs;
	size_t nr_subs;
	/*
	 * A FortiOS section localin reads a few attributes of (SD-WAN): its
	 * other attributes and nested blocks are dropped without a word,
	 * where a closed section refuses what it does not know.
	 */
	bool open;
};

/* Top-level sections localin knows, for lookup by path. */
const struct schema_section *schema_find_section(const char *path);
/*
 * The section an abbreviated path names ("fire addr": "firewall
 * address"), each word completed as FortiOS's CLI does; NULL if none.
 */
const struct schema_section *schema_abbrev_section(const char *path);
/*
 * The known section whose path is closest to @path, at most
 * SCHEMA_SUGGEST_MAX edits away (a misspelling); NULL if none is.
 */
#define SCHEMA_SUGGEST_MAX 2
const struct schema_section *schema_suggest_section(const char *path);
const struct schema_section *schema_find_sub(const struct schema_section *s,
					     const char *name);
const struct schema_attr *schema_find_attr(const struct schema_section *s,
					   const char *name);

/* All top-level sections, in the order `show` prints them. */
extern const struct schema_section *const schema_sections[];
extern const size_t schema_nr_sections;

#endif
