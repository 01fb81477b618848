// SPDX-License-Identifier: GPL-2.0
/*
 * Geography addresses (`set type geography`, `set country "CN"`): the
 * country's networks from a database (geoip.h), for the addresses the
 * local-in policies use, directly or through groups. Only those: a full
 * backup's geography addresses for forward policies need no database.
 * `config system geoip-database` (localin's own) names the files; without
 * it, Debian's geoip-database. A missing database, a family it does not
 * hold, a country it does not know: each an error where it shows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objects/geoip.h"
#include "objects/internal.h"

struct geo_fam {
	const char *path;
	const struct conf_loc *path_loc; /* NULL: the default */
	bool tried;
	const struct geo_db *db; /* NULL: could not be read */
};

struct geo_shared { /* a country's ranges, copied once per family */
	int family;
	uint16_t cc;
	const struct ip_range *r;
	size_t nr;
};

struct geo_ctx {
	struct resolver *r;
	struct geo_fam fam[2];
	struct geo_shared *shared;
	size_t nr_shared, cap_shared;
};

static void geo_paths(struct geo_ctx *g)
{
	struct resolver *r = g->r;
	const struct conf_section *sec =
		conf_tree_section(r->t, "system geoip-database");
	const struct conf_entry *e = sec ? sec->entries : NULL;
	const struct conf_word *p4 = e ? obj_word(r, sec, e, "path") : NULL;
	const struct conf_word *p6 = e ? obj_word(r, sec, e, "path6") : NULL;

	if (p4 && !*p4->text)
		p4 = NULL;
	if (p6 && !*p6->text)
		p6 = NULL;
	obj_warn_relative(r, p4, "geoip-database path");
	obj_warn_relative(r, p6, "geoip-database path6");
	g->fam[0].path = p4 ? p4->text : GEOIP_DEFAULT_PATH4;
	g->fam[0].path_loc = p4 ? &p4->loc : NULL;
	/* One .mmdb holds both families: path alone serves IPv6 too. */
	if (!p6)
		p6 = p4;
	g->fam[1].path = p6 ? p6->text : GEOIP_DEFAULT_PATH6;
	g->fam[1].path_loc = p6 ? &p6->loc : NULL;
}

/* The database of @family, read on first use; NULL after an error. */
static const struct geo_db *geo_db_of(struct geo_ctx *g, int family,
				      const struct conf_loc *use)
{
	struct geo_fam *f = &g->fam[family == 6];
	struct obj_geoip_file *out = &g->r->cfg->geoip[family == 6];
	const struct conf_loc *loc = f->path_loc ? f->path_loc : use;
	const struct geo_db *db;
	char why[160];

	const struct geo_fam *o = &g->fam[family != 6];

	if (f->tried)
		return f->db;
	f->tried = true;
	/* One file for both families that did not read: said once. */
	if (o->tried && !o->db && !strcmp(o->path, f->path))
		return NULL;
	if (geo_db_get(f->path, &db, why, sizeof(why))) {
		diag_error(
			g->r->dl, loc,
			"cannot read the geoip database %s: %s%s", f->path, why,
			f->path_loc ?
				"" :
				" (Debian's geoip-database; `config system geoip-database` names another)");
		return NULL;
	}
	if (!db->has[family == 6]) {
		diag_error(
			g->r->dl, loc,
			"the geoip database %s (%s) holds no IPv%d networks: name one that does with `set path%s` in `config system geoip-database`",
			f->path, db->id.type, family, family == 6 ? "6" : "");
		return NULL;
	}
	*out = db->id;
	out->path = arena_strdup(g->r->a, f->path);
	out->nr_nets = db->nr[family == 6];
	f->db = db;
	return db;
}

static const struct geo_shared *geo_share(struct geo_ctx *g, int family,
					  uint16_t cc,
					  const struct geo_net *first, size_t n)
{
	struct geo_shared *s;
	struct ip_range *r;
	size_t i;

	for (i = 0; i < g->nr_shared; i++)
		if (g->shared[i].family == family && g->shared[i].cc == cc)
			return &g->shared[i];
	s = ARENA_PUSH(g->r->a, g->shared, g->nr_shared, g->cap_shared);
	r = arena_alloc(g->r->a, n * sizeof(*r));
	for (i = 0; i < n; i++) {
		r[i].lo = first[i].lo;
		r[i].hi = first[i].hi;
	}
	*s = (struct geo_shared){ .family = family, .cc = cc, .r = r, .nr = n };
	return s;
}

/* Why @db has nothing for @cc in @family, as an error at the country. */
static void geo_missing(struct geo_ctx *g, const struct geo_db *db,
			const struct obj_addr *a, uint16_t cc)
{
	const struct conf_word *w = a->country;
	const char *path = g->fam[a->family == 6].path;
	const struct geo_net *first;
	int other = a->family == 6 ? 4 : 6;

	if (db->legacy_codes && !geo_legacy_code_known(cc))
		diag_error(
			g->r->dl, &w->loc,
			"unknown country code \"%s\" (not in libGeoIP's table)",
			w->text);
	else
		diag_error(
			g->r->dl, &w->loc,
			"country \"%s\" has no IPv%d network in the geoip database %s%s",
			w->text, a->family, path,
			db->has[other == 6] &&
					geo_db_country(db, other, cc, &first) ?
				other == 4 ? " (only IPv4 ones)" :
					     " (only IPv6 ones)" :
				"");
}

static void geo_fill(struct geo_ctx *g, struct obj_addr *a)
{
	const struct geo_shared *s;
	const struct geo_net *first;
	const struct geo_db *db;
	uint16_t cc;
	size_t n;

	if (!a->country)
		return; /* reported where it was defined */
	if (!geo_cc_parse(a->country->text, &cc)) {
		diag_error(g->r->dl, &a->country->loc,
			   "invalid country code \"%s\": two letters, ISO 3166",
			   a->country->text);
		return;
	}
	db = geo_db_of(g, a->family, &a->country->loc);
	if (!db)
		return;
	n = geo_db_country(db, a->family, cc, &first);
	if (!n) {
		geo_missing(g, db, a, cc);
		return;
	}
	s = geo_share(g, a->family, cc, first, n);
	a->geo = s->r;
	a->nr_geo = s->nr;
}

/*
 * Every address reachable from @list, groups opened (iteratively: the
 * nesting depth is the admin's), each geography address filled once.
 */
static int geo_walk(struct geo_ctx *g, struct obj_addr *const *list, size_t nr,
		    struct obj_addr ***stack, size_t *cap)
{
	size_t sp = 0, i;

	for (i = 0; i < nr; i++) {
		if (sp == *cap) {
			size_t c = *cap ? *cap * 2 : 64;
			struct obj_addr **v = realloc(*stack, c * sizeof(*v));

			if (!v)
				return -ENOMEM;
			*stack = v;
			*cap = c;
		}
		(*stack)[sp++] = list[i];
		while (sp) {
			struct obj_addr *a = (*stack)[--sp];
			size_t j, need;

			if (!a || a->geo_walked)
				continue;
			a->geo_walked = true;
			if (a->type == ADDR_GEOGRAPHY) {
				geo_fill(g, a);
				continue;
			}
			if (a->type != ADDR_GROUP)
				continue;
			need = sp + a->nr_members + a->nr_excludes;
			if (need > *cap) {
				size_t c = need * 2;
				struct obj_addr **v =
					realloc(*stack, c * sizeof(*v));

				if (!v)
					return -ENOMEM;
				*stack = v;
				*cap = c;
			}
			for (j = 0; j < a->nr_members; j++)
				(*stack)[sp++] = a->members[j];
			for (j = 0; j < a->nr_excludes; j++)
				(*stack)[sp++] = a->excludes[j];
		}
	}
	return 0;
}

void obj_resolve_geography(struct resolver *r)
{
	struct obj_config *cfg = r->cfg;
	struct geo_ctx g = { .r = r };
	struct obj_addr **stack = NULL;
	struct obj_policy *const *pols[2] = { cfg->policies4, cfg->policies6 };
	size_t nrp[2] = { cfg->nr_policies4, cfg->nr_policies6 }, cap = 0, i;
	int fam, err = 0;

	geo_paths(&g);
	for (fam = 0; fam < 2 && !err; fam++) {
		for (i = 0; i < nrp[fam] && !err; i++) {
			const struct obj_policy *p = pols[fam][i];

			err = geo_walk(&g, p->src, p->nr_src, &stack, &cap);
			if (!err)
				err = geo_walk(&g, p->dst, p->nr_dst, &stack,
					       &cap);
		}
	}
	free(stack);
	if (err)
		diag_error(r->dl, NULL,
			   "out of memory looking up geography addresses");
}

void obj_geoip_print(const struct obj_config *cfg, const char *prefix,
		     FILE *out)
{
	int i;

	for (i = 0; i < 2; i++) {
		const struct obj_geoip_file *f = &cfg->geoip[i];

		if (!f->path)
			continue;
		fprintf(out, "%sgeoip IPv%d: %s (%s, built %s, %zu ranges)\n",
			prefix, i ? 6 : 4, f->path, f->type,
			*f->date ? f->date : "on an unknown date", f->nr_nets);
	}
}
