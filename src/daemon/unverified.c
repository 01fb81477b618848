// SPDX-License-Identifier: GPL-2.0
/*
 * ESP the data path let through unverified (dataplane/sa_slot.h): a
 * peer's rekey, or a new peer's first SA, that we had not read yet; an SA
 * source down; a table left stale. Failing open is for the tunnels' sake,
 * so it is said twice over:
 *
 *  - the count of such frames, the first at once, then at most once a
 *    minute (unverified_tick);
 *  - each source and SPI that passed while every SA source was up, and
 *    that no SA had UNVERIFIED_CHECK_MS later: the SA we had not read yet
 *    never came, so the frames were forged by someone who spoke (or
 *    spoofed) IKE from the address. The kernel dropped them; we log the
 *    unknown SPI it was, with the first frame's time, as FortiOS logs one
 *    (0101037131), and esp_action="accept": it passed.
 *
 * The data path tells these frames as ESP error events (same bucket); an
 * SA read meanwhile takes its SPI off the list, silently. A frame passed
 * while a source was down, or told late (the daemon stopped), cannot be
 * judged: an SA may have come and gone unseen. It is only counted. Times
 * are CLOCK_MONOTONIC, the data path's clock (its coarse reading).
 */
#include <string.h>

#include "daemon/internal.h"
#include "daemon/logout.h"
#include "ipsec/retry.h"

/* The IKE window (LI_IKE_WINDOW_NS), then a second for our read of it. */
#define UNVERIFIED_CHECK_MS (LI_IKE_WINDOW_NS / 1000000 + 1000)
/* See unverified_on_event(). */
#define UNVERIFIED_STALE_MARGIN_NS 500000000ull
#define UNVERIFIED_SAY_MS 60000

static bool same_key(const struct li_pkt *a, const struct li_pkt *b)
{
	size_t n = a->family == 6 ? 16 : 4;

	return a->family == b->family && a->spi == b->spi &&
	       !memcmp(a->saddr, b->saddr, n) && !memcmp(a->daddr, b->daddr, n);
}

/*
 * Every SA source of this gateway up, and since before @ms: no SA came
 * and went unseen. One looked for and never found (charon's socket on a
 * gateway without charon) is none: it has no SAs; once found, it is up
 * only from its first listing on.
 */
static bool sources_up_since(const struct daemon *d, __u64 ms)
{
	size_t i;

	if (d->sa_unchecked || d->sa_push_failed)
		return false;
	for (i = 0; i < d->nr_srcs; i++) {
		const struct sa_src *s = d->srcs[i];

		if (!sas_src_present(s))
			continue;
		if (!sas_src_up(s) || s->up_ms > ms)
			return false;
	}
	return true;
}

void unverified_on_event(struct daemon *d, const struct li_event *ev,
			 const char *ifname, __u64 time_ns)
{
	struct unverified_list *u = &d->unv;
	__u64 at_ms = ev->ktime_ns / 1000000;
	struct unverified_spi *e;
	size_t i;

	/*
	 * Passed because no daemon kept the table (we were stopped, or are
	 * new), or while a source was down: not ours to judge. The data
	 * path's test is its clock past our last heartbeat by
	 * LI_SAS_STALE_NS; half a second less here, for its coarse clock.
	 */
	if (ev->ktime_ns + UNVERIFIED_STALE_MARGIN_NS >
		    d->sas_alive_ns + LI_SAS_STALE_NS ||
	    !sources_up_since(d, at_ms)) {
		u->unjudged++;
		return;
	}
	for (i = 0; i < u->nr; i++)
		if (same_key(&u->v[i].pkt, &ev->pkt)) {
			u->v[i].frames++;
			return;
		}
	if (u->nr == UNVERIFIED_MAX) {
		u->unjudged++;
		return;
	}
	e = &u->v[u->nr++];
	memset(e, 0, sizeof(*e));
	e->pkt = ev->pkt;
	e->verdict = ev->verdict;
	e->first_ms = at_ms;
	e->time_ns = time_ns;
	e->frames = 1;
	snprintf(e->ifname, sizeof(e->ifname), "%s", ifname ? ifname : "");
}

/*
 * The line of an SPI that no SA had: as the data path's unknown SPI, at
 * its first frame's time. The rate limit is asked at the time it is
 * written (@now, monotonic ms, as first_ms): lines of the source logged
 * since the frame moved its buckets on, and asked at the frame's time
 * they would refuse it as a burst.
 */
static void unverified_log(struct daemon *d, const struct unverified_spi *e,
			   __u64 now)
{
	__u64 rl_ns = e->time_ns + (now - e->first_ms) * 1000000ull;
	char line[LOG_LINE_MAX + 1];
	int n;

	d->unv.forged++;
	if (!rl_allow(&d->log.rl, RL_ESP_ERROR, e->pkt.family, e->pkt.saddr,
		      log_emitter_time(&d->log, rl_ns)))
		return;
	n = log_emit_format(&d->log, &e->pkt, &e->verdict, e->ifname, NULL,
			    e->time_ns, line, sizeof(line) - 1, true);
	if (n <= 0)
		return;
	line[n++] = '\n';
	log_out(d, line, (size_t)n,
		&(struct log_meta){ .cat = LOG_CAT_EVENT_VPN,
				    .level = LOG_LEVEL_ERROR,
				    .logid = "0101037131",
				    .time_ns = e->time_ns });
}

/*
 * The SPIs on the list: an SA read since takes one off; one still
 * unknown UNVERIFIED_CHECK_MS on is logged, unless a source went down
 * meanwhile (then it cannot be judged).
 */
static void unverified_judge(struct daemon *d, __u64 now)
{
	struct unverified_list *u = &d->unv;
	size_t i = 0;

	while (i < u->nr) {
		struct unverified_spi *e = &u->v[i];
		const struct li_pkt *p = &e->pkt;

		if (sas_find(d, p->family, p->daddr, p->spi)) {
			u->verified++;
		} else if (now < e->first_ms + UNVERIFIED_CHECK_MS) {
			i++;
			continue;
		} else if (sources_up_since(d, e->first_ms)) {
			unverified_log(d, e, now);
		} else {
			u->unjudged++;
		}
		*e = u->v[--u->nr];
	}
}

/*
 * The count: a count lower than last seen (its SA id's counters
 * cleared) is taken as the new base.
 */
void unverified_tick(struct daemon *d, __u64 now)
{
	struct unverified_list *u = &d->unv;
	struct li_sa_stat st;
	__u64 n;

	unverified_judge(d, now);
	if (li_loader_sa_stat(d->l, LI_SA_ID_UNVERIFIED, &st))
		return;
	if (!u->primed || st.packets < u->seen) {
		u->primed = true;
		u->seen = st.packets;
		return;
	}
	n = st.packets - u->seen;
	if (!n || (u->said_ms && now < u->said_ms + UNVERIFIED_SAY_MS))
		return;
	daemon_msg(
		"%llu ESP frame%s passed unverified%s: no SA localin has read has their SPI (a peer's rekey or a new peer just after its IKE, an SA source down, or the table left stale); the kernel checks their SPI. An SPI that no SA had %d s later is logged as an unknown SPI with esp_action=\"accept\" (%llu so far; %llu frames could not be judged). Said at most once a minute",
		(unsigned long long)n, n == 1 ? "" : "s",
		u->said_ms ? " since the last such line" : "",
		(int)(UNVERIFIED_CHECK_MS / 1000),
		(unsigned long long)u->forged, (unsigned long long)u->unjudged);
	u->seen = st.packets;
	u->said_ms = now;
}
