// SPDX-License-Identifier: GPL-2.0
/*
 * The compile stage's entry points: one family at a time, policies and
 * their status and schedules, then each dimension (interface, source,
 * destination, service), then the shadow analysis over the finished
 * tables. Every table is malloc'd at its exact size so the loader can copy
 * it into a map as is and ruleset_free() can drop it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile/internal.h"

static int name_cmp(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

static bool intf_is_any(const struct obj_policy *p, size_t k)
{
	return !strcmp(p->intfs[k].name, "any");
}

/* A Linux interface name is at most 15 bytes; longer ones never match. */
static bool intf_usable(const char *name)
{
	return strlen(name) < LI_IFNAMSIZ;
}

static long intf_find(const char **names, size_t n, const char *name)
{
	const char **hit = bsearch(&name, names, n, sizeof(*names), name_cmp);

	return hit ? hit - names : -1;
}

static int intf_build(struct compile_ctx *c, const struct fam_build *fb)
{
	struct li_family *f = fb->f;
	const char **names = NULL;
	__u64 *anym = NULL, *rows = NULL;
	struct bm_table bt = { 0 };
	size_t n = 0, total = 0, i, k;
	int err = -ENOMEM;

	for (i = 0; i < fb->nr; i++)
		total += fb->pol[i]->nr_intfs;
	names = malloc((total ? total : 1) * sizeof(*names));
	anym = calloc(fb->words, sizeof(*anym));
	if (!names || !anym)
		goto out;
	for (i = 0; i < fb->nr; i++) {
		const struct obj_policy *p = fb->pol[i];

		if (p->intf_any)
			bm_set(anym, (uint32_t)i);
		for (k = 0; k < p->nr_intfs; k++) {
			if (intf_is_any(p, k))
				bm_set(anym, (uint32_t)i);
			else if (intf_usable(p->intfs[k].name))
				names[n++] = p->intfs[k].name;
			else
				diag_warn(
					c->dl, &p->intfs[k].loc,
					"interface \"%s\" is longer than %d characters: no Linux interface can match it",
					p->intfs[k].name, LI_IFNAMSIZ - 1);
		}
	}
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0, k = 0; i < n; i++)
		if (!k || strcmp(names[k - 1], names[i]))
			names[k++] = names[i];
	n = k;
	rows = calloc((n ? n : 1) * (size_t)fb->words, sizeof(*rows));
	f->intfs = calloc(n ? n : 1, sizeof(*f->intfs));
	if (!rows || !f->intfs)
		goto out;
	for (i = 0; i < n; i++)
		memcpy(rows + i * fb->words, anym, fb->words * sizeof(*rows));
	for (i = 0; i < fb->nr; i++) {
		const struct obj_policy *p = fb->pol[i];

		for (k = 0; k < p->nr_intfs; k++) {
			long at = intf_find(names, n, p->intfs[k].name);

			if (at >= 0)
				bm_set(rows + (size_t)at * fb->words,
				       (uint32_t)i);
		}
	}
	err = bm_table_init(&bt, fb->words);
	if (!err)
		err = bm_table_intern(&bt, anym, &f->intf_other);
	for (i = 0; i < n && !err; i++) {
		strncpy(f->intfs[i].name, names[i], LI_IFNAMSIZ - 1);
		err = bm_table_intern(&bt, rows + i * fb->words,
				      &f->intfs[i].cls);
	}
	f->nr_intfs = (__u32)n;
	if (!err)
		err = bm_table_finish(&bt, &f->bm_intf);
out:
	bm_table_release(&bt);
	free(names);
	free(anym);
	free(rows);
	return err;
}

static int policies_build(struct compile_ctx *c, const struct fam_build *fb)
{
	struct li_family *f = fb->f;
	uint32_t i;
	int err;

	f->policies = calloc(fb->nr ? fb->nr : 1, sizeof(*f->policies));
	f->enabled = calloc(fb->words, sizeof(*f->enabled));
	if (!f->policies || !f->enabled)
		return -ENOMEM;
	for (i = 0; i < fb->nr; i++) {
		const struct obj_policy *p = fb->pol[i];
		struct li_policy *lp = &f->policies[i];

		lp->id = p->id;
		lp->action = p->accept ? LI_ACT_ACCEPT : LI_ACT_DENY;
		lp->flags = (p->enabled ? LI_POL_ENABLED : 0) |
			    (p->logtraffic ? LI_POL_LOGTRAFFIC : 0);
		if (p->logtraffic ||
		    (p->accept ? c->rs->log_allow : c->rs->log_deny_unicast))
			lp->flags |= LI_POL_LOG_UNICAST;
		if (p->logtraffic ||
		    (p->accept ? c->rs->log_allow : c->rs->log_deny_broadcast))
			lp->flags |= LI_POL_LOG_BCAST;
		err = sched_index(c, p->sched, &lp->sched);
		if (err)
			return err;
		if (p->enabled)
			bm_set(f->enabled, i);
	}
	return 0;
}

static int family_build(struct compile_ctx *c, int family,
			struct obj_policy *const *pol, size_t nr,
			struct li_family *f)
{
	struct fam_build fb = {
		.family = family,
		.width = family == 6 ? 128 : 32,
		.pol = pol,
		.nr = (uint32_t)nr,
		.words = nr ? (uint32_t)((nr + 63) / 64) : 1,
		.f = f,
	};
	uint32_t i;
	int err;

	if (nr >= LI_NEXT)
		return -E2BIG;
	f->nr_policies = fb.nr;
	f->bm_words = fb.words;
	err = policies_build(c, &fb);
	if (!err)
		err = intf_build(c, &fb);
	if (err)
		return err;
	fb.src_set = malloc((nr ? nr : 1) * sizeof(*fb.src_set));
	fb.dst_set = malloc((nr ? nr : 1) * sizeof(*fb.dst_set));
	if (!fb.src_set || !fb.dst_set) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < fb.nr && !err; i++) {
		addr_warn_unfilled_negate(c, pol[i]);
		err = addr_policy_set(c, pol[i]->src, pol[i]->nr_src,
				      &fb.src_set[i]);
		if (!err)
			err = addr_policy_set(c, pol[i]->dst, pol[i]->nr_dst,
					      &fb.dst_set[i]);
	}
	if (!err)
		err = addr_build_dim(c, &fb, fb.src_set, false, &f->src,
				     &f->bm_src, &fb.src_iv);
	if (!err)
		err = addr_build_dim(c, &fb, fb.dst_set, true, &f->dst,
				     &f->bm_dst, &fb.dst_iv);
	if (!err)
		err = svc_build(c, &fb);
	if (!err)
		err = shadow_check(c, &fb);
	if (!err)
		err = phase_build(f);
out:
	free(fb.src_set);
	free(fb.dst_set);
	free(fb.src_iv.lo);
	free(fb.src_iv.cls);
	free(fb.dst_iv.lo);
	free(fb.dst_iv.cls);
	return err;
}

static size_t family_bytes(const struct li_family *f)
{
	size_t b = 0;
	unsigned int pp;

	b += f->nr_policies * sizeof(*f->policies);
	b += f->nr_intfs * sizeof(*f->intfs);
	b += 2 * (size_t)LI_ROOT_SIZE * sizeof(__u32);
	b += ((size_t)f->src.nr_blocks + f->dst.nr_blocks) * LI_BLOCK_SIZE *
	     sizeof(__u32);
	for (pp = 0; pp < LI_NR_PORT_PROTOS; pp++) {
		if (!f->svc.dport_class[pp])
			continue;
		b += 2 * (size_t)LI_PORT_SPACE * sizeof(__u16);
		b += (size_t)f->svc.nr_dclass[pp] * f->svc.nr_sclass[pp] *
		     sizeof(__u32);
	}
	b += ((size_t)f->bm_intf.nr_classes + f->bm_src.nr_classes +
	      f->bm_dst.nr_classes + f->bm_svc.nr_classes + 1) *
	     f->bm_words * sizeof(__u64);
	if (f->phase.on)
		b += f->phase.need_bytes +
		     (size_t)f->phase.nr_c * f->bm_words * sizeof(__u64);
	return b;
}

int ruleset_compile(const struct obj_config *cfg, struct li_ruleset *rs,
		    struct diag_list *dl)
{
	struct compile_ctx c = { .cfg = cfg, .rs = rs, .dl = dl };
	const struct li_sched always = { .type = LI_SCHED_ALWAYS };
	size_t i;
	int err;

	memset(rs, 0, sizeof(*rs));
	rs->detect_unknown_esp = cfg->detect_unknown_esp;
	rs->esp_wrong_peer_drop = cfg->esp_wrong_peer_drop;
	rs->log_allow = cfg->log_local_in_allow;
	rs->log_deny_unicast = cfg->log_local_in_deny_unicast;
	rs->log_deny_broadcast = cfg->log_local_in_deny_broadcast;

	/* Entry 0 is "always": the builtin and a missing schedule map here. */
	rs->scheds = malloc(sizeof(*rs->scheds));
	if (!rs->scheds)
		return -ENOMEM;
	c.sched_cap = 1;
	rs->scheds[0] = always;
	rs->nr_scheds = 1;

	/* Every group with exclusions, used or not, gets its warning. */
	err = 0;
	for (i = 0; i < cfg->nr_addrs && !err; i++) {
		uint32_t id;

		if (cfg->addrs[i]->type == ADDR_GROUP && cfg->addrs[i]->exclude)
			err = addr_flatten(&c, cfg->addrs[i], &id);
	}
	if (!err)
		err = family_build(&c, 4, cfg->policies4, cfg->nr_policies4,
				   &rs->v4);
	if (!err)
		err = family_build(&c, 6, cfg->policies6, cfg->nr_policies6,
				   &rs->v6);
	/*
	 * A file cut short before its policies still parses: say that it
	 * enforces nothing, which the daemon refuses to switch to unforced.
	 */
	if (!err && !cfg->nr_policies4 && !cfg->nr_policies6)
		diag_warn(dl, NULL, "no local-in policy: nothing enforced");
	addr_store_release(&c.addrs);
	svc_store_release(&c.svcs);
	ptr_map_release(&c.sched_map);
	if (err) {
		ruleset_free(rs);
		return err;
	}
	if (rs->nr_sched_members) {
		__u32 *m = realloc(rs->sched_members,
				   rs->nr_sched_members * sizeof(*m));

		if (m)
			rs->sched_members = m;
	}
	if (rs->nr_scheds < c.sched_cap) {
		struct li_sched *s =
			realloc(rs->scheds, rs->nr_scheds * sizeof(*s));

		if (s)
			rs->scheds = s;
	}
	rs->bytes = family_bytes(&rs->v4) + family_bytes(&rs->v6) +
		    rs->nr_scheds * sizeof(*rs->scheds) +
		    rs->nr_sched_members * sizeof(*rs->sched_members);
	return 0;
}

static void family_free(struct li_family *f)
{
	unsigned int pp;

	free(f->policies);
	free(f->intfs);
	free(f->src.root);
	free(f->src.blocks);
	free(f->dst.root);
	free(f->dst.blocks);
	for (pp = 0; pp < LI_NR_PORT_PROTOS; pp++) {
		free(f->svc.dport_class[pp]);
		free(f->svc.sport_class[pp]);
		free(f->svc.cross[pp]);
	}
	free(f->bm_intf.words);
	free(f->bm_src.words);
	free(f->bm_dst.words);
	free(f->bm_svc.words);
	free(f->enabled);
	phase_free(&f->phase);
	memset(f, 0, sizeof(*f));
}

void ruleset_free(struct li_ruleset *rs)
{
	family_free(&rs->v4);
	family_free(&rs->v6);
	free(rs->scheds);
	free(rs->sched_members);
	memset(rs, 0, sizeof(*rs));
}

static void family_summary(const char *name, const struct li_family *f,
			   FILE *out)
{
	__u32 i, enabled = 0;

	for (i = 0; i < f->nr_policies; i++)
		enabled += !!(f->policies[i].flags & LI_POL_ENABLED);
	fprintf(out, "%s: %u policies (%u enabled), %u bitmap words\n", name,
		f->nr_policies, enabled, f->bm_words);
	fprintf(out,
		"  classes: interface %u, source %u, destination %u, service %u\n",
		f->bm_intf.nr_classes, f->bm_src.nr_classes,
		f->bm_dst.nr_classes, f->bm_svc.nr_classes);
	fprintf(out, "  trie blocks: source %u, destination %u\n",
		f->src.nr_blocks, f->dst.nr_blocks);
	if (!f->nr_policies)
		return;
	if (f->phase.on)
		fprintf(out, "  decision: phase tables, %.1f KiB\n",
			f->phase.need_bytes / 1024.0);
	else
		fprintf(out,
			"  decision: bitmap walk (tables would need %.1f MiB > budget %u MiB)\n",
			f->phase.need_bytes / (1024.0 * 1024.0),
			LI_PHASE_BUDGET >> 20);
}

void ruleset_summary(const struct li_ruleset *rs, FILE *out)
{
	family_summary("ipv4", &rs->v4, out);
	family_summary("ipv6", &rs->v6, out);
	fprintf(out, "schedules: %u\n", rs->nr_scheds);
	fprintf(out, "tables: %zu bytes (%.1f MiB)\n", rs->bytes,
		rs->bytes / (1024.0 * 1024.0));
}
