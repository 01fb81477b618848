/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the resolver's files (one per object kind) and nothing else:
 * the resolver context, name tables, value parsers. The public contract is
 * objects.h.
 */
#ifndef LOCALIN_OBJECTS_INTERNAL_H
#define LOCALIN_OBJECTS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/diag.h"
#include "conf/tree.h"
#include "conf/value.h"
#include "objects/objects.h"

/*
 * Open-addressing hash of name -> object. Configs with tens of thousands
 * of addresses are expected, so reference resolution must not be a
 * linear search per reference.
 */
struct name_slot {
	const char *name;
	void *obj;
};

struct name_table {
	struct name_slot *slots;
	size_t mask; /* capacity - 1, capacity a power of two */
	size_t nr;
};

void obj_names_init(struct name_table *nt, struct arena *a, size_t expect);
void *obj_names_get(const struct name_table *nt, const char *name);
/* Insert; returns the object already stored under @name (and inserts nothing) or NULL. */
void *obj_names_put(struct name_table *nt, struct arena *a, const char *name,
		    void *obj);

struct resolver {
	struct conf_tree *t;
	struct obj_config *cfg;
	struct diag_list *dl;
	struct arena *a;
	struct name_table addr[2]; /* [0] address + addrgrp, [1] the v6 ones */
	struct name_table svc;	   /* service custom + service group */
	struct name_table sched;   /* recurring + onetime + group */
	struct name_table intf;	   /* system interface */
	struct name_table zone;	   /* system zone, SD-WAN zones: obj_zone */
	/* Now in the config's zone, found once (policy.c) */
	int64_t now_local;
	bool have_now;
};

/* A zone and its member interfaces (zone.c). */
struct obj_zone {
	const char *name;
	struct conf_loc loc;
	struct obj_name_ref *members;
	size_t nr, cap;
};

static inline struct name_table *addr_table(struct resolver *r, int family)
{
	return &r->addr[family == 6];
}

/* Attribute access: the entry's value or the schema default. */
size_t obj_words(struct resolver *r, const struct conf_section *sec,
		 const struct conf_entry *e, const char *name,
		 const struct conf_word **out);
/* First word, NULL when unset and without default. */
const struct conf_word *obj_word(struct resolver *r,
				 const struct conf_section *sec,
				 const struct conf_entry *e, const char *name);
bool obj_word_is(struct resolver *r, const struct conf_section *sec,
		 const struct conf_entry *e, const char *name, const char *val);
/*
 * A file @w names that the daemon opens: warned at @w when relative, as
 * `@what "PATH" is relative: ...`. The daemon runs from / (run.c), while
 * check and replay read it from the current directory: the config would
 * check fine and then fail (or read another file) in the daemon.
 */
void obj_warn_relative(struct resolver *r, const struct conf_word *w,
		       const char *what);
/* All words joined by single spaces, and the span they cover. */
char *obj_join(struct resolver *r, const struct conf_word *w, size_t n);
struct conf_loc obj_span(const struct conf_word *w, size_t n);
/*
 * The password attribute: as written, or decoded from `ENC <base64>` as
 * `show` writes it. NULL when unset, or, with a warning at the value
 * ("@what password: this ENC value is not one localin wrote...; @then")
 * and *@refused set, when the ENC value does not decode to a password
 * (printable ASCII with @printable, else anything without a NUL): a
 * FortiGate's own, in a backup pasted as it is. The backup still loads:
 * what needs the password goes without a login, as @then says.
 */
const char *obj_password(struct resolver *r, const struct conf_section *sec,
			 const struct conf_entry *e, const char *what,
			 bool printable, const char *then, bool *refused);
/* Where to point at an attribute: its name after `set`, else the entry. */
struct conf_loc obj_attr_loc(const struct conf_entry *e, const char *name);
bool obj_loc_is_user(const struct conf_loc *loc);

/*
 * Value parsers (values.c) for what conf/value.h does not share; 0 or
 * -EINVAL. parse_u32(), parse_ip4() and mask_to_prefixlen() come from there.
 */
int obj_parse_ip4mask(const char *s, uint32_t *ip, uint32_t *mask);
uint32_t obj_prefix_mask4(unsigned int len);
int obj_parse_ip6(const char *s, ip_u128 *out);
int obj_parse_ip6prefix(const char *s, ip_u128 *addr, unsigned int *len);
ip_u128 obj_prefix_mask6(unsigned int len);
void obj_format_ip4(uint32_t ip, char buf[16]);
void obj_format_ip6(ip_u128 ip, char buf[46]);
/* lo[-hi][:slo[-shi]]; out = dlo, dhi, slo, shi (source 0-65535 if absent) */
int obj_parse_portrange(const char *s, uint32_t out[4]);
int obj_parse_hhmm(const char *s, unsigned int *min);
int obj_parse_date(const char *s, int *y, unsigned int *m, unsigned int *d);
int64_t obj_days_from_civil(int y, unsigned int m, unsigned int d);
void obj_uuid_v8(const char *table, uint32_t id, char out[37]);

/* Cycle detection over groups of one kind (graph.c). */
struct graph_edge {
	size_t to;		    /* node index, SIZE_MAX: not a group */
	const struct conf_loc *loc; /* the member word */
	bool cut;		    /* closed a cycle: the caller drops it */
};

struct graph_node {
	const char *name;
	struct graph_edge *edges;
	size_t nr_edges;
};

/*
 * Report each cycle once as `<what> cycle: "a" -> "b" -> "a"` at the
 * member that closes it, and mark that edge cut so later walks terminate.
 * Returns the number of cycles found.
 */
size_t obj_find_cycles(struct resolver *r, struct graph_node *nodes, size_t nr,
		       const char *what);

/* Per-kind passes, in the order objects_resolve() runs them. */
void obj_resolve_system(struct resolver *r);
void obj_resolve_log_disk(struct resolver *r);
void obj_resolve_alertmail(struct resolver *r);
void obj_resolve_syslogd(struct resolver *r);
void obj_resolve_metrics(struct resolver *r); /* metrics.c */
void obj_resolve_addresses(struct resolver *r);
void obj_resolve_services(struct resolver *r);
void obj_resolve_schedules(struct resolver *r);
void obj_resolve_zones(struct resolver *r); /* zone.c */
/* After the policies: the services they use with iprange or fqdn. */
void obj_warn_services_not_enforced(struct resolver *r);
/* After the policies: the addresses they use with a stray value. */
void obj_warn_addresses_stray(struct resolver *r);
void obj_resolve_policies(struct resolver *r);
/* One word of a policy's intf: pushed on p->intfs, a zone as its members. */
void obj_policy_intf(struct resolver *r, struct obj_policy *p,
		     const struct conf_word *w, size_t *cap);

void obj_resolve_dyn(struct resolver *r); /* feed.c: feeds and DNS */
/* feed.c: each feed as an address of both families (after the plain ones) */
void obj_feed_addrs(struct resolver *r, size_t *cap);
void obj_addr_add(struct resolver *r, struct obj_addr *o, size_t *cap);
void obj_resolve_geography(struct resolver *r); /* geo.c, after policies */

/* Helpers for policies: resolve one reference, counting it. */
struct obj_addr *obj_addr_ref(struct resolver *r, int family,
			      const struct conf_word *w);
struct obj_service *obj_service_ref(struct resolver *r,
				    const struct conf_word *w);
struct obj_schedule *obj_schedule_ref(struct resolver *r,
				      const struct conf_word *w);
/*
 * Is @w, one of the @n names of @attr in @e, ''? Then said, with what to
 * write (obj_empty_name_error()), and to be skipped.
 */
bool obj_name_empty(struct resolver *r, const struct conf_section *sec,
		    const struct conf_entry *e, const char *attr,
		    const struct conf_word *w, size_t n);
bool obj_addr_is_none(const struct obj_addr *a);
bool obj_schedule_is_none(const struct obj_schedule *s);
const struct obj_schedule *obj_schedule_dayless(const struct obj_schedule *s);
/*
 * A onetime schedule, or a group of only such, whose windows end by
 * @now_local (local minutes; INT64_MIN: only empty windows, start = end,
 * as with neither set): NULL, or the (last) onetime member that makes it
 * so. Never active again, so a policy on it can never match.
 */
const struct obj_schedule *obj_schedule_over(const struct obj_schedule *s,
					     int64_t now_local);
/* Local minutes as a onetime's start and end write them: "hh:mm yyyy/mm/dd". */
void obj_local_text(int64_t min, char *buf, size_t len);

#endif
