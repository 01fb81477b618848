// SPDX-License-Identifier: GPL-2.0
/*
 * The live SAs (DESIGN.md, step 2): the SA sources the config names in
 * `config system sa-source` (or, without that section, what the gateway
 * runs: the kernel's XFRM, and strongSwan's VICI socket at its default
 * path when it exists), their events merged in the SA registry
 * (ipsec/sa_registry.h), the registry mirrored into the data path.
 *
 * Never take the VPN down. Until every source that has to be read has
 * been read once, ESP is not SPI-checked (LI_SAS_UNCHECKED: it goes to the
 * policies) and the daemon says so, once per episode; a source that goes
 * down later keeps its SAs, which age out only after it is back and has
 * listed its SAs again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dataplane/sa_table.h"
#include "ipsec/retry.h"
#include "ipsec/vici.h"
#include "ipsec/xfrm.h"
#include "ipsec/sa_file.h"
#include "daemon/diag_fmt.h"
#include "daemon/internal.h"

/* How long `localin run` waits for the sources before it attaches. */
#define SAS_START_WAIT_MS 3000
/* How often a file source is checked for changes. */
#define SAS_FILE_CHECK_MS 1000

static const char *const type_names[] = {
	[OBJ_SA_XFRM] = "xfrm",
	[OBJ_SA_VICI] = "vici",
	[OBJ_SA_FILE] = "file",
};

const char *sas_type_name(const struct sa_src *s)
{
	return type_names[s->type];
}

bool sas_src_up(const struct sa_src *s)
{
	return s->synced && !s->down && !s->err[0];
}

static bool is_local(const struct daemon *d, int family, const __u32 *a)
{
	size_t i;

	for (i = 0; i < d->locals.nr; i++)
		if (d->locals.v[i].family == family &&
		    !memcmp(d->locals.v[i].addr, a, family == 6 ? 16 : 4))
			return true;
	return false;
}

static void on_sa_event(void *ctx, enum sa_event ev, const struct sa_entry *sa)
{
	struct sa_src *s = ctx;
	struct sa_entry e;

	/*
	 * XFRM before XFRMA_SA_DIR does not say which way an SA goes: in if
	 * it is addressed to us, out if it comes from us. (Only for what is
	 * shown: the data path looks SAs up by our address anyway.)
	 */
	if (sa && sa->dir == SA_DIR_UNKNOWN) {
		e = *sa;
		if (is_local(s->d, e.family, e.daddr))
			e.dir = SA_DIR_IN;
		else if (e.has_peer && is_local(s->d, e.family, e.peer))
			e.dir = SA_DIR_OUT;
		sa = &e;
	}
	sa_registry_event(&s->d->sa_reg, s->idx, ev, sa, sa_mono_ms());
	if (ev == SA_EV_SYNC_END) {
		if (!sas_src_up(s))
			s->up_ms = sa_mono_ms();
		s->synced = true;
		s->synced_ms = sa_mono_ms();
		if (s->down)
			s->d->sa_reg.dirty =
				true; /* its peers are checked again */
		s->down = false;
	} else if (ev == SA_EV_DOWN && s->synced && !s->down) {
		s->down = true;
		s->d->sa_reg.dirty = true; /* its peers pass unverified */
	}
}

/* A file source: the whole file is one listing. */
static void file_read(struct sa_src *s)
{
	struct spi_table t;
	struct diag_list dl;
	struct arena a;
	struct stat st;
	size_t i;
	int err;

	if (stat(s->path, &st)) {
		snprintf(s->err, sizeof(s->err), "%.160s: %s", s->path,
			 strerror(errno));
		if (s->synced)
			on_sa_event(s, SA_EV_DOWN, NULL);
		return;
	}
	s->file_st = st;
	arena_init(&a);
	diag_init(&dl, &a);
	spi_table_init(&t);
	err = sa_file_load(&t, &a, s->path, SA_FILE_GUARDED, &dl);
	if (err) {
		/*
		 * Keep what the file said last time: the first error. Its
		 * words are not in it (SA_FILE_GUARDED): where, and what was
		 * wrong. One without a place (the file refused or unread)
		 * names the path itself, and why comes after it: all of it.
		 */
		const struct diag *dg = dl.nr ? &dl.items[0] : NULL;

		if (dg && !dg->loc.line)
			snprintf(s->err, sizeof(s->err), "%s", dg->msg);
		else
			snprintf(s->err, sizeof(s->err), "%.120s:%u: %.60s",
				 s->path, dg ? dg->loc.line : 0,
				 dg ? dg->msg : strerror(-err));
	} else {
		if (s->err[0]) /* up again: an SA may have come unseen */
			s->up_ms = sa_mono_ms();
		s->err[0] = '\0';
		on_sa_event(s, SA_EV_SYNC_BEGIN, NULL);
		for (i = 0; i < t.size; i++)
			if (t.slots[i].family) {
				struct sa_entry e = t.slots[i];

				e.dir = SA_DIR_IN;
				on_sa_event(s, SA_EV_ADD, &e);
			}
		on_sa_event(s, SA_EV_SYNC_END, NULL);
	}
	spi_table_free(&t);
	arena_free(&a);
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/*
 * Read again when the file changed: its contents (mtime, size), but also
 * its owner or mode (ctime: a file refused as another user's is read once
 * root has chowned it, without a reload), or another file in its place
 * (a link pointed elsewhere, a rename over it).
 */
static void file_check(struct sa_src *s, __u64 now)
{
	const struct stat *was = &s->file_st;
	struct stat st;

	if (now < s->file_checked_ms + SAS_FILE_CHECK_MS)
		return;
	s->file_checked_ms = now;
	if (stat(s->path, &st) || st.st_dev != was->st_dev ||
	    st.st_ino != was->st_ino || st.st_size != was->st_size ||
	    !same_time(&st.st_mtim, &was->st_mtim) ||
	    !same_time(&st.st_ctim, &was->st_ctim))
		file_read(s);
}

static int src_open(struct sa_src *s)
{
	int err = 0;

	switch (s->type) {
	case OBJ_SA_XFRM:
		err = xfrm_source_open(&s->x, on_sa_event, s);
		break;
	case OBJ_SA_VICI:
		err = vici_source_open(&s->v, s->path, on_sa_event, s);
		break;
	case OBJ_SA_FILE:
		file_read(s);
		break;
	}
	if (err)
		snprintf(s->err, sizeof(s->err), "%s", strerror(-err));
	return err;
}

static void src_close(struct sa_src *s)
{
	if (s->x)
		xfrm_source_close(s->x);
	if (s->v)
		vici_source_close(s->v);
	s->x = NULL;
	s->v = NULL;
}

/* List the SAs again. */
static void src_resync(struct sa_src *s)
{
	if (s->x)
		xfrm_source_resync(s->x);
	else if (s->v)
		vici_source_resync(s->v);
	else if (s->type == OBJ_SA_FILE)
		file_read(s);
}

/*
 * Must this source have been read before ESP is checked? A configured
 * one, always. Found on its own: XFRM when the kernel has it, VICI when
 * its socket exists (or it was read once).
 */
static bool src_required(const struct sa_src *s)
{
	struct stat st;

	if (!s->auto_found)
		return true;
	if (s->type == OBJ_SA_XFRM)
		return s->x != NULL;
	return s->synced || !stat(s->path, &st);
}

bool sas_src_present(const struct sa_src *s)
{
	return !s->auto_found || src_required(s);
}

/* ESP can be checked: every source that must be read has been. */
static bool checkable(const struct daemon *d, const char **why)
{
	size_t i, required = 0;

	for (i = 0; i < d->nr_srcs; i++) {
		const struct sa_src *s = d->srcs[i];

		if (!src_required(s))
			continue;
		required++;
		if (!s->synced) {
			*why = s->name;
			return false;
		}
	}
	*why = NULL;
	return required > 0;
}

static bool same_src(const struct sa_src *s, const struct obj_sa_source *o,
		     bool auto_found)
{
	return s->type == o->type && s->auto_found == auto_found &&
	       !strcmp(s->path, o->path ? o->path : "");
}

static int free_index(const struct daemon *d)
{
	unsigned int idx;
	size_t i;

	for (idx = 0; idx < SA_SOURCES_MAX; idx++) {
		for (i = 0; i < d->nr_srcs; i++)
			if (d->srcs[i]->idx == idx)
				break;
		if (i == d->nr_srcs)
			return (int)idx;
	}
	return -ENOSPC;
}

/*
 * The sources of the config in force: kept when the config still names
 * them (type and path), so a reload loses no SA; the others closed, their
 * SAs put into the grace period; new ones opened.
 */
int sas_configure(struct daemon *d)
{
	static const struct obj_sa_source auto_srcs[] = {
		{ .name = "kernel", .type = OBJ_SA_XFRM },
		{ .name = "charon",
		  .type = OBJ_SA_VICI,
		  .path = OBJ_VICI_DEFAULT_PATH },
	};
	const struct obj_config *c = &d->p->objs;
	const struct obj_sa_source *want[SA_SOURCES_MAX];
	struct sa_src *keep[SA_SOURCES_MAX] = { 0 };
	bool auto_found = !c->sa_sources_set;
	size_t i, j, n = 0;
	int idx, err;

	sa_registry_set_grace(&d->sa_reg, c->sa_grace_s);
	if (auto_found)
		for (i = 0; i < 2; i++)
			want[n++] = &auto_srcs[i];
	for (i = 0; !auto_found && i < c->nr_sa_sources; i++) {
		if (n == SA_SOURCES_MAX) {
			daemon_msg("only the first %d SA sources are read",
				   SA_SOURCES_MAX);
			break;
		}
		want[n++] = c->sa_sources[i];
	}
	/* Keep what is still wanted; close the rest. */
	for (i = 0; i < d->nr_srcs; i++) {
		struct sa_src *s = d->srcs[i];

		for (j = 0; j < n; j++)
			if (!keep[j] && same_src(s, want[j], auto_found))
				break;
		if (j < n) {
			keep[j] = s;
			snprintf(s->name, sizeof(s->name), "%s", want[j]->name);
			continue;
		}
		src_close(s);
		sa_registry_forget_source(&d->sa_reg, s->idx, sa_mono_ms());
		free(s);
	}
	d->nr_srcs = 0;
	for (j = 0; j < n; j++) {
		struct sa_src *s = keep[j];

		if (!s) {
			idx = free_index(d);
			s = calloc(1, sizeof(*s));
			if (!s || idx < 0) {
				free(s);
				return -ENOMEM;
			}
			s->d = d;
			s->idx = (unsigned int)idx;
			s->type = want[j]->type;
			s->auto_found = auto_found;
			snprintf(s->name, sizeof(s->name), "%s", want[j]->name);
			snprintf(s->path, sizeof(s->path), "%s",
				 want[j]->path ? want[j]->path : "");
			d->srcs[d->nr_srcs++] = s;
			err = src_open(s);
			if (err && !(auto_found && s->type == OBJ_SA_XFRM))
				daemon_msg("SA source %s (%s): %s", s->name,
					   type_names[s->type], s->err);
			continue;
		}
		d->srcs[d->nr_srcs++] = s;
		/* A reload re-reads a file: that is how its SAs change. */
		if (s->type == OBJ_SA_FILE)
			file_read(s);
	}
	return 0;
}

void sas_close(struct daemon *d)
{
	size_t i;

	for (i = 0; i < d->nr_srcs; i++) {
		src_close(d->srcs[i]);
		free(d->srcs[i]);
	}
	d->nr_srcs = 0;
}

int sas_pollfds(struct daemon *d, struct pollfd *pfd, int max)
{
	size_t i;
	int n = 0;

	for (i = 0; i < d->nr_srcs && n < max; i++) {
		struct sa_src *s = d->srcs[i];

		s->pfd = -1;
		if (s->x && xfrm_source_fd(s->x) >= 0) {
			pfd[n] = (struct pollfd){ .fd = xfrm_source_fd(s->x),
						  .events = POLLIN };
			s->pfd = n++;
		} else if (s->v && vici_source_fd(s->v) >= 0) {
			pfd[n] = (struct pollfd){ .fd = vici_source_fd(s->v),
						  .events = vici_source_events(
							  s->v) };
			s->pfd = n++;
		}
	}
	return n;
}

void sas_handle(struct daemon *d, const struct pollfd *pfd, int n)
{
	size_t i;

	for (i = 0; i < d->nr_srcs; i++) {
		struct sa_src *s = d->srcs[i];

		if (s->pfd < 0 || s->pfd >= n || !pfd[s->pfd].revents)
			continue;
		if (s->x)
			xfrm_source_handle(s->x);
		else if (s->v)
			vici_source_handle(s->v, pfd[s->pfd].revents);
	}
}

/* ms until sas_tick() is next due (-1: none). */
int sas_timeout_ms(struct daemon *d)
{
	__u64 now = sa_mono_ms();
	long long t, best = sa_registry_timeout_ms(&d->sa_reg, now);
	size_t i;

	for (i = 0; i < d->nr_srcs; i++) {
		struct sa_src *s = d->srcs[i];

		t = s->x		   ? xfrm_source_timeout_ms(s->x, now) :
		    s->v		   ? vici_source_timeout_ms(s->v, now) :
		    s->type == OBJ_SA_FILE ? SAS_FILE_CHECK_MS :
					     -1;
		if (t >= 0 && (best < 0 || t < best))
			best = t;
	}
	return best < 0 ? -1 : best > 60000 ? 60000 : (int)best;
}

/*
 * The sources down now (read once, then lost): charon restarting may make
 * SAs before we hear of them, so the peers of their SAs pass unverified.
 */
static __u32 down_mask(const struct daemon *d)
{
	__u32 m = 0;
	size_t i;

	for (i = 0; i < d->nr_srcs; i++)
		if (d->srcs[i]->down)
			m |= 1u << d->srcs[i]->idx;
	return m;
}

static const char *src_name(const struct daemon *d, unsigned int idx);

/* Why ESP is not SPI-checked (@src: checkable()'s unread source). */
static void unchecked_why(const struct daemon *d, const char *src, char *buf,
			  size_t size)
{
	if (src)
		snprintf(buf, size, "SA source %s has not been read yet", src);
	else if (d->sa_table_err)
		snprintf(
			buf, size,
			"the data path's SA table cannot hold the live SAs (%zu entries with their peers, at most %u: %s)",
			d->sa_table_n, LI_SA_SLOTS / 2,
			strerror(-d->sa_table_err));
	else if (d->sa_reg.refused_mask)
		snprintf(
			buf, size,
			"the SA table is full (%u SAs): SAs of source %s were refused",
			LI_SA_ID_UNVERIFIED,
			src_name(d, (unsigned int)__builtin_ctz(
					    d->sa_reg.refused_mask)));
	else
		snprintf(buf, size, "no SA source can be read");
}

/*
 * Say when SAs first use a NAT-T port the data path has no slot for (and
 * when all fit again): ESP in UDP to it meets the policies as plain UDP,
 * unchecked, as before localin knew of NAT-T ports besides 4500.
 */
static void natt_say(struct daemon *d, int lost, __u16 over)
{
	if (lost && over != d->natt_over)
		daemon_msg(
			"ESP in UDP to port %u is NOT SPI-checked: the live SAs use more than %d NAT-T ports besides 4500 (%d SAs on ports past them); it meets the local-in policies as plain UDP",
			over, LI_NATT_EXTRA, lost);
	else if (!lost && d->natt_over)
		daemon_msg(
			"ESP in UDP is SPI-checked on every NAT-T port of the live SAs again");
	d->natt_over = lost ? over : 0;
}

/* The NAT-T ports in force, 4500 first, each after @sep but the first. */
static void natt_list(const struct daemon *d, FILE *out, const char *sep)
{
	int i;

	fprintf(out, "%u", LI_NATT_PORT);
	for (i = 0; i < LI_NATT_EXTRA; i++)
		if (d->natt.port[i] && d->natt.port[i] != LI_NATT_PORT)
			fprintf(out, "%s%u", sep, d->natt.port[i]);
}

/*
 * The registry into the data path, and the check on or off. A table the
 * data path cannot hold turns the check off: the one in force lacks the
 * newest SAs, and checking against it would drop their tunnels' ESP.
 */
static int push(struct daemon *d, bool force)
{
	struct li_sa_slot *e;
	const char *why;
	char reason[200];
	__u32 *fresh;
	size_t n, nf, i;
	/* An SA refused (registry full) is as unknown to us as a stale one. */
	bool unchecked = !checkable(d, &why) || d->sa_reg.refused_mask;
	struct li_natt natt;
	__u16 over;
	int err, lost;

	bool gate = links_ike_gate(d);

	if (!force && !d->sa_reg.dirty &&
	    (unchecked || d->sa_table_err) == d->sa_unchecked &&
	    gate == d->ike_gate)
		return 0;
	err = sa_registry_slots(&d->sa_reg, down_mask(d), &e, &n, &fresh, &nf);
	if (err)
		return err;
	for (i = 0; i < nf; i++)
		li_loader_sa_stat_clear(d->l, fresh[i]);
	lost = sa_registry_natt(&d->sa_reg, &natt, &over);
	err = li_loader_set_sa_slots(d->l, e, n, &natt,
				     (unchecked ? LI_SAS_UNCHECKED : 0) |
					     (gate ? LI_SAS_IKE_GATE : 0));
	free(e);
	free(fresh);
	if (err == -E2BIG || err == -ENOSPC) {
		d->sa_table_err = err;
		d->sa_table_n = n;
		err = li_loader_set_sa_slots(d->l, NULL, 0, &natt,
					     LI_SAS_UNCHECKED);
		unchecked = true;
	} else if (!err) {
		d->sa_table_err = 0;
	}
	if (err) {
		if (!d->sa_push_failed)
			daemon_msg("cannot update the SA table: %s",
				   strerror(-err));
		d->sa_push_failed = true;
		return err;
	}
	d->sa_push_failed = false;
	d->sa_reg.dirty = false;
	d->ike_gate = gate;
	d->sa_pushes++;
	d->natt = natt;
	natt_say(d, lost, over);
	if (unchecked && (!d->sa_unchecked || force)) {
		unchecked_why(d, why, reason, sizeof(reason));
		daemon_msg(
			"ESP is NOT SPI-checked: %s; ESP goes to the local-in policies until then (detect-unknown-esp waits, so no tunnel loses a packet)",
			reason);
	} else if (!unchecked && d->sa_unchecked) {
		daemon_msg("ESP is SPI-checked: every SA source has been read");
	}
	d->sa_unchecked = unchecked;
	return 0;
}

void sas_tick(struct daemon *d)
{
	__u64 now = sa_mono_ms();
	size_t i, size;

	for (i = 0; i < d->nr_srcs; i++) {
		struct sa_src *s = d->srcs[i];

		if (s->x)
			xfrm_source_tick(s->x, now);
		else if (s->v)
			vici_source_tick(s->v, now);
		else if (s->type == OBJ_SA_FILE)
			file_check(s, now);
	}
	size = d->sa_reg.size;
	/* Room again: the sources whose SAs were refused list them again. */
	if (sa_registry_expire(&d->sa_reg, now) && d->sa_reg.refused_mask)
		for (i = 0; i < d->nr_srcs; i++)
			if (d->sa_reg.refused_mask & 1u << d->srcs[i]->idx)
				src_resync(d->srcs[i]);
	/*
	 * A burst of SAs gone (the registry shrank): what reading and
	 * pushing them took from the heap goes back (5 MB after five bursts
	 * of 2,000 SAs from a file, memory.sh).
	 */
	if (d->sa_reg.size < size)
		daemon_trim_soon(d);
	push(d, false);
	unverified_tick(d, now);
	/* At least once a second (the loop's longest sleep). */
	li_loader_sas_alive(d->l);
	d->sas_alive_ns = now * 1000000; /* the same clock */
}

/* At start, once: what ESP is checked against. */
static void say_sources(struct daemon *d)
{
	size_t live, grace, per[SA_SOURCES_MAX], i, len = 0;
	char list[512] = "";

	sa_registry_count(&d->sa_reg, &live, &grace, per);
	for (i = 0; i < d->nr_srcs && len < sizeof(list); i++) {
		const struct sa_src *s = d->srcs[i];

		if (!s->synced)
			continue;
		len += (size_t)snprintf(list + len, sizeof(list) - len,
					"%s%s (%s, %zu SAs)", len ? ", " : "",
					s->name, type_names[s->type],
					per[s->idx]);
	}
	daemon_msg("ESP is SPI-checked against %zu live SAs from %s%s", live,
		   list,
		   d->p->rs.detect_unknown_esp ?
			   "" :
			   " (detect-unknown-esp disable: not enforced)");
}

/*
 * At start, before any interface is attached: read the sources (up to
 * SAS_START_WAIT_MS), then the first push. The table is in the data path
 * before the program sees a packet.
 */
int sas_start(struct daemon *d)
{
	__u64 until = sa_mono_ms() + SAS_START_WAIT_MS;
	struct pollfd pfd[SA_SOURCES_MAX];
	const char *why;
	int n, err;

	err = sas_configure(d);
	if (err)
		return err;
	while (!checkable(d, &why) && why && sa_mono_ms() < until) {
		n = sas_pollfds(d, pfd, SA_SOURCES_MAX);
		if (poll(pfd, (nfds_t)n, 50) > 0)
			sas_handle(d, pfd, n);
		sas_tick(d);
	}
	sa_registry_expire(&d->sa_reg, sa_mono_ms());
	err = push(d, true);
	if (!err && !d->sa_unchecked)
		say_sources(d);
	return err;
}

/* After a reload: the config's sources, pushed at once. */
int sas_reload(struct daemon *d)
{
	int err = sas_configure(d);

	return err ?: push(d, true);
}

const struct sa_entry *sas_find(const struct daemon *d, int family,
				const __u32 *daddr, __u32 spi)
{
	const struct sa_record *r =
		sa_registry_find(&d->sa_reg, family, daddr, spi);

	return r ? &r->sa : NULL;
}

static const char *src_name(const struct daemon *d, unsigned int idx)
{
	size_t i;

	for (i = 0; i < d->nr_srcs; i++)
		if (d->srcs[i]->idx == idx)
			return d->srcs[i]->name;
	return "gone";
}

static void src_state(const struct sa_src *s, char *buf, size_t size)
{
	if (s->x)
		xfrm_source_state(s->x, buf, size);
	else if (s->v)
		vici_source_state(s->v, buf, size);
	else if (s->type == OBJ_SA_FILE && !s->err[0])
		snprintf(buf, size, "read");
	else if (s->auto_found && s->type == OBJ_SA_XFRM)
		snprintf(buf, size, "not on this kernel (%s)", s->err);
	else
		snprintf(buf, size, "down: %s", s->err);
}

void sas_status(struct daemon *d, FILE *out)
{
	size_t live, grace, per[SA_SOURCES_MAX], i, shown = 0;
	char state[256], reason[200];
	const char *why;

	sa_registry_count(&d->sa_reg, &live, &grace, per);
	checkable(d, &why);
	if (!d->p->rs.detect_unknown_esp)
		fputs("ESP SPI check: off (detect-unknown-esp disable)\n", out);
	else if (d->sa_unchecked) {
		unchecked_why(d, why, reason, sizeof(reason));
		fprintf(out,
			"ESP SPI check: SUSPENDED, ESP goes to the policies: %s\n",
			reason);
	} else {
		fputs("ESP SPI check: on\n", out);
	}
	fprintf(out,
		"SAs: %zu live, %zu in the grace period (%u s)%s; %llu updates of the data path\n",
		live, grace, d->p->objs.sa_grace_s,
		d->sa_reg.full ? "; TABLE FULL, SAs refused" : "",
		(unsigned long long)d->sa_pushes);
	fputs("NAT-T ports (ESP in UDP SPI-checked): ", out);
	natt_list(d, out, " ");
	if (d->natt_over)
		fprintf(out,
			"; port %u of the live SAs NOT (more than %d besides 4500)",
			d->natt_over, LI_NATT_EXTRA);
	fputc('\n', out);
	fputs(d->ike_gate ?
		      "IKE windows: opened by the gateway's own IKE that makes SAs, and its peer's answer (every interface's egress seen)\n" :
		      "IKE windows: opened by any IKE that makes SAs the policies let through (an interface up without the session program)\n",
	      out);
	fprintf(out,
		"ESP passed unverified, judged later: %llu SPIs had an SA, %llu had none (logged), %zu wait; %llu frames not judged (a source down, no daemon, too many at once)\n",
		(unsigned long long)d->unv.verified,
		(unsigned long long)d->unv.forged, d->unv.nr,
		(unsigned long long)d->unv.unjudged);
	fprintf(out, "SA sources (%s):\n",
		d->p->objs.sa_sources_set ? "config system sa-source" :
					    "found on this gateway");
	for (i = 0; i < d->nr_srcs; i++) {
		struct sa_src *s = d->srcs[i];

		if (!sas_src_present(s))
			continue;
		src_state(s, state, sizeof(state));
		fprintf(out, "  %s: %s%s%s: %s; %zu SAs%s\n", s->name,
			type_names[s->type], s->path[0] ? " " : "", s->path,
			state, per[s->idx],
			s->down ?
				" kept, ESP from their peers passes unverified until it is back" :
				"");
		shown++;
	}
	if (!shown)
		fputs("  none\n", out);
	/*
	 * What the daemon looks for and did not find is no source of this
	 * gateway (README: charon "when that socket exists"); said apart.
	 */
	for (i = 0; i < d->nr_srcs; i++) {
		struct sa_src *s = d->srcs[i];

		if (sas_src_present(s))
			continue;
		src_state(s, state, sizeof(state));
		if (s->type == OBJ_SA_XFRM)
			fprintf(out, "  not present: %s: %s\n", s->name, state);
		else
			fprintf(out,
				"  not present: %s: %s %s (read once it exists)\n",
				s->name, type_names[s->type], s->path);
	}
}

/* The status's "sa" object: the facts of sas_status(). */
void sas_status_json(struct daemon *d, FILE *out)
{
	size_t live, grace, per[SA_SOURCES_MAX], i, shown = 0;
	char state[256], reason[200];
	const char *why;
	bool off = !d->p->rs.detect_unknown_esp;

	sa_registry_count(&d->sa_reg, &live, &grace, per);
	checkable(d, &why);
	unchecked_why(d, why, reason, sizeof(reason));
	fprintf(out, "{\"check\":\"%s\",\"unread_source\":",
		off		? "off" :
		d->sa_unchecked ? "suspended" :
				  "on");
	diag_json_str(out, d->sa_unchecked ? why : NULL);
	/* status's words after "SUSPENDED, ESP goes to the policies: " */
	fputs(",\"reason\":", out);
	diag_json_str(out, !off && d->sa_unchecked ? reason : NULL);
	fprintf(out,
		",\"live\":%zu,\"grace\":%zu,\"grace_s\":%u,\"full\":%s,\"updates\":%llu,\"sources_from\":\"%s\",",
		live, grace, d->p->objs.sa_grace_s,
		d->sa_reg.full ? "true" : "false",
		(unsigned long long)d->sa_pushes,
		d->p->objs.sa_sources_set ? "config" : "found");
	fputs("\"natt_ports\":[", out);
	natt_list(d, out, ",");
	fputs("],\"natt_unchecked_port\":", out);
	if (d->natt_over)
		fprintf(out, "%u,", d->natt_over);
	else
		fputs("null,", out);
	fprintf(out, "\"ike_gate\":%s,", d->ike_gate ? "true" : "false");
	fprintf(out,
		"\"unverified\":{\"spis_had_sa\":%llu,\"spis_forged\":%llu,\"spis_waiting\":%zu,\"frames_unjudged\":%llu},",
		(unsigned long long)d->unv.verified,
		(unsigned long long)d->unv.forged, d->unv.nr,
		(unsigned long long)d->unv.unjudged);
	fputs("\"sources\":[", out);
	for (i = 0; i < d->nr_srcs; i++) {
		struct sa_src *s = d->srcs[i];

		if (!sas_src_present(s))
			continue;
		src_state(s, state, sizeof(state));
		fputs(shown++ ? ",{\"name\":" : "{\"name\":", out);
		diag_json_str(out, s->name);
		fprintf(out, ",\"type\":\"%s\",\"path\":", type_names[s->type]);
		diag_json_str(out, s->path[0] ? s->path : NULL);
		fputs(",\"state\":", out);
		diag_json_str(out, state);
		/*
		 * down is "not up", whatever the cause (never read yet, an
		 * error, lost): a script asking `down` must not miss a
		 * source in error. lost: listed once, then lost; its last
		 * SAs kept (the text's "kept, ESP from their peers passes
		 * unverified").
		 */
		fprintf(out,
			",\"up\":%s,\"sas\":%zu,\"down\":%s,\"read\":%s,\"lost\":%s,\"required\":%s",
			sas_src_up(s) ? "true" : "false", per[s->idx],
			sas_src_up(s) ? "false" : "true",
			s->synced ? "true" : "false",
			s->down ? "true" : "false",
			src_required(s) ? "true" : "false");
		/* as status -j's rtnetlink: what only the kernel may send */
		if (s->x) {
			struct xfrm_src_stats st;

			xfrm_source_stats(s->x, &st);
			fprintf(out,
				",\"netlink\":{\"foreign\":%llu,\"malformed\":%llu}",
				(unsigned long long)st.foreign,
				(unsigned long long)st.malformed);
		} else {
			fputs(",\"netlink\":null", out);
		}
		fputc('}', out);
	}
	/* Looked for on this gateway and not found (status's "not present"). */
	fputs("],\"sources_absent\":[", out);
	for (i = 0, shown = 0; i < d->nr_srcs; i++) {
		struct sa_src *s = d->srcs[i];

		if (sas_src_present(s))
			continue;
		fputs(shown++ ? ",{\"name\":" : "{\"name\":", out);
		diag_json_str(out, s->name);
		fprintf(out, ",\"type\":\"%s\",\"path\":", type_names[s->type]);
		diag_json_str(out, s->path[0] ? s->path : NULL);
		fputc('}', out);
	}
	fputs("]}", out);
}

/* --- diagnose vpn tunnel list ------------------------------------------ */

static int cmp_rec(const void *a, const void *b)
{
	const struct sa_record *x = *(const struct sa_record *const *)a;
	const struct sa_record *y = *(const struct sa_record *const *)b;
	int c = strcmp(x->sa.tunnel, y->sa.tunnel);

	if (c)
		return c;
	c = memcmp(x->sa.dir == SA_DIR_OUT ? x->sa.daddr : x->sa.peer,
		   y->sa.dir == SA_DIR_OUT ? y->sa.daddr : y->sa.peer, 16);
	if (c)
		return c;
	if (x->sa.dir != y->sa.dir)
		return x->sa.dir == SA_DIR_OUT ? 1 : -1;
	return x->added_ms < y->added_ms ? -1 : x->added_ms > y->added_ms;
}

static void put_ip(FILE *out, int family, const __u32 *a)
{
	char buf[INET6_ADDRSTRLEN];

	fputs(inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf, sizeof(buf)) ?:
		      "?",
	      out);
}

/* The remote end of an SA: an inbound SA's peer, an outbound's target. */
static const __u32 *remote_of(const struct sa_record *r)
{
	return r->sa.dir == SA_DIR_OUT ? r->sa.daddr : r->sa.peer;
}

static void put_tunnel_head(FILE *out, const struct sa_record *r)
{
	const __u32 *local = r->sa.dir == SA_DIR_OUT ? r->sa.peer : r->sa.daddr;

	fputs("name=", out);
	fputs(r->sa.tunnel[0] ? r->sa.tunnel : "N/A", out);
	fprintf(out, " ver=%s ", "2");
	put_ip(out, r->sa.family, local);
	if (r->sa.encap)
		fprintf(out, ":%u",
			r->sa.dir == SA_DIR_OUT ? r->sa.encap_sport :
						  r->sa.encap_dport);
	fputs("->", out);
	put_ip(out, r->sa.family, remote_of(r));
	if (r->sa.encap)
		fprintf(out, ":%u",
			r->sa.dir == SA_DIR_OUT ? r->sa.encap_dport :
						  r->sa.encap_sport);
	fprintf(out, " encap=%s\n", r->sa.encap ? "udp" : "none");
}

static void put_sa(struct daemon *d, FILE *out, const struct sa_record *r,
		   __u64 now)
{
	struct li_sa_stat st = { 0 };
	bool out_sa = r->sa.dir == SA_DIR_OUT;

	fprintf(out, "  %s: spi=%08" PRIx32 " source=%s age=%llus",
		out_sa ? "enc" : "dec", r->sa.spi, src_name(d, r->src),
		(unsigned long long)((now - r->added_ms) / 1000));
	if (r->sa.reqid)
		fprintf(out, " reqid=%u", r->sa.reqid);
	if (r->gone_ms)
		fprintf(out, " state=grace expires=%llus",
			(unsigned long long)((r->gone_ms + d->sa_reg.grace_ms >
							      now ?
						      r->gone_ms +
							      d->sa_reg
								      .grace_ms -
							      now :
						      0) /
					     1000));
	else
		fputs(" state=live", out);
	if (r->sa.dir == SA_DIR_UNKNOWN)
		fputs(" dir=unknown", out);
	fputc('\n', out);
	if (out_sa)
		return; /* the data path sees only what comes in */
	li_loader_sa_stat(d->l, r->id, &st);
	fprintf(out, "  dec:pkts/bytes=%llu/%llu\n",
		(unsigned long long)st.packets, (unsigned long long)st.bytes);
}

/* `diagnose vpn tunnel list -j`: the SAs, flat (README "JSON output"). */
static size_t put_sas_json(struct daemon *d, FILE *out,
			   const struct sa_record **v, size_t n, __u64 now)
{
	size_t i;

	fputs("{\"localin\":1,\"sas\":[", out);
	for (i = 0; i < n; i++) {
		const struct sa_record *r = v[i];
		const __u32 *local =
			r->sa.dir == SA_DIR_OUT ? r->sa.peer : r->sa.daddr;
		struct li_sa_stat st = { 0 };
		__u64 left = 0;

		if (r->gone_ms && r->gone_ms + d->sa_reg.grace_ms > now)
			left = (r->gone_ms + d->sa_reg.grace_ms - now) / 1000;
		if (r->sa.dir != SA_DIR_OUT)
			li_loader_sa_stat(d->l, r->id, &st);
		fputs(i ? ",{\"tunnel\":" : "{\"tunnel\":", out);
		diag_json_str(out, r->sa.tunnel[0] ? r->sa.tunnel : NULL);
		fprintf(out, ",\"family\":%d,\"local\":\"", r->sa.family);
		put_ip(out, r->sa.family, local);
		fputs("\",\"remote\":\"", out);
		put_ip(out, r->sa.family, remote_of(r));
		fprintf(out,
			"\",\"encap\":%s,\"dir\":\"%s\",\"spi\":\"%08" PRIx32
			"\",\"source\":",
			r->sa.encap ? "true" : "false",
			r->sa.dir == SA_DIR_OUT	    ? "enc" :
			r->sa.dir == SA_DIR_UNKNOWN ? "unknown" :
						      "dec",
			r->sa.spi);
		diag_json_str(out, src_name(d, r->src));
		fprintf(out,
			",\"age_s\":%llu,\"reqid\":%u,\"state\":\"%s\",\"grace_left_s\":%llu,\"packets\":%llu,\"bytes\":%llu}",
			(unsigned long long)((now - r->added_ms) / 1000),
			r->sa.reqid, r->gone_ms ? "grace" : "live",
			(unsigned long long)left,
			(unsigned long long)st.packets,
			(unsigned long long)st.bytes);
	}
	fputs("]}\n", out);
	return n;
}

/* FortiOS's `diagnose vpn tunnel list [name NAME]`: a block per tunnel. */
bool sas_tunnel_list(struct daemon *d, const char *name, bool json, FILE *out)
{
	const struct sa_record **v, *prev = NULL;
	__u64 now = sa_mono_ms();
	size_t i, n = 0, shown = 0;

	v = calloc(d->sa_reg.nr ? d->sa_reg.nr : 1, sizeof(*v));
	if (!v) {
		fputs("out of memory\n", out);
		return false;
	}
	for (i = 0; i < d->sa_reg.size; i++) {
		const struct sa_record *r = &d->sa_reg.slots[i];

		if (r->sa.family && (!name || !strcmp(r->sa.tunnel, name)))
			v[n++] = r;
	}
	qsort(v, n, sizeof(*v), cmp_rec);
	if (json) {
		shown = put_sas_json(d, out, v, n, now);
		free(v);
		goto done;
	}
	fputs("list all ipsec tunnel in vd root\n", out);
	for (i = 0; i < n; i++) {
		const struct sa_record *r = v[i];

		if (!prev || strcmp(prev->sa.tunnel, r->sa.tunnel) ||
		    prev->sa.family != r->sa.family ||
		    memcmp(remote_of(prev), remote_of(r), 16)) {
			fputs("------------------------------------------------------\n",
			      out);
			put_tunnel_head(out, r);
			shown++;
		}
		put_sa(d, out, r, now);
		prev = r;
	}
	free(v);
done:
	if (name && !shown) {
		fprintf(out, "no tunnel named \"%s\"\n", name);
		return false;
	}
	return true;
}
