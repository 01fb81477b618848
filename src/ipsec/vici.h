/* SPDX-License-Identifier: GPL-2.0 */
/*
 * strongSwan's charon as an SA source (sa_source.h), over its VICI socket.
 *
 * Non-blocking, driven by the caller's poll loop, no threads. On connect
 * it registers for the events child-updown, child-rekey, ike-updown,
 * ike-rekey, list-sa and, if charon has it, ike-update (one request at a
 * time, as VICI wants), then lists the SAs: SA_EV_SYNC_BEGIN, an
 * SA_EV_ADD for each SA of each CHILD_SA, SA_EV_SYNC_END with the
 * list-sas response. Then the events keep the set
 * up to date: a CHILD_SA up adds its SAs, down deletes them; a rekey adds
 * the new CHILD_SA's SAs and deletes the old one's; an IKE_SA down deletes
 * the SAs of every CHILD_SA it had. Not every charon lists the SPIs of a
 * CHILD_SA going down (5.9.8 does; later ones list them only while it is
 * installed), and ike-updown lists no CHILD_SAs at all, so the source
 * remembers which SAs each CHILD_SA (by unique id) brought; an event it
 * cannot place makes it list everything again, and so does a timer
 * (VICI_RESYNC_MS). A listing does not add a CHILD_SA that is being
 * deleted (charon keeps a rekeyed one listed for a few seconds): its SAs
 * go into the registry's grace period instead. When MOBIKE or a NAT moves
 * an IKE_SA (ike-update), the SAs of its CHILD_SAs move with it: del at
 * the old addresses, add at the new.
 *
 * Each ESP CHILD_SA gives two SAs: in (destination the IKE_SA's local
 * address, SPI spi-in, peer the remote address) and out (destination the
 * remote address, SPI spi-out). AH CHILD_SAs and CHILD_SAs that are not
 * installed (no SPIs) give none. The tunnel name is the CHILD_SA's name,
 * "ike/child" when the IKE_SA's name differs and both fit.
 *
 * When the connection is lost (EOF, an error, a protocol error, no reply
 * in VICI_REPLY_TIMEOUT_MS): SA_EV_DOWN once, then reconnects with a
 * backoff from VICI_BACKOFF_MIN_MS doubling to VICI_BACKOFF_MAX_MS (back to
 * the minimum after each complete listing), and lists everything again. A
 * missing socket (charon not running) is no error: it is retried the same.
 * So is a socket whose listener is neither root nor this process's user
 * (SO_PEERCRED): refused, sent nothing, the uid and pid in the state.
 *
 * Times (now_ms) are CLOCK_MONOTONIC in milliseconds.
 */
#ifndef LOCALIN_IPSEC_VICI_H
#define LOCALIN_IPSEC_VICI_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include "ipsec/retry.h"
#include "ipsec/sa_source.h"

/*
 * Tries while charon's socket is gone or refuses: the shared backoff, but
 * at most a second apart. charon back from a restart, or started after
 * us, makes SAs at once, and until they are listed a new peer's ESP
 * passes only within its IKE window (dataplane/sa_slot.h); a connect to
 * a unix socket costs microseconds.
 */
#define VICI_BACKOFF_MIN_MS SA_RETRY_MIN_MS
#define VICI_BACKOFF_MAX_MS 1000
#define VICI_REPLY_TIMEOUT_MS 60000 /* since the last byte from charon */
#define VICI_RESYNC_MS 300000

struct vici_source;

/*
 * Allocate a source for the socket at @path (a "unix://" prefix is
 * allowed) and try to connect at once. Returns 0, -ENOMEM, or
 * -ENAMETOOLONG for a path no unix socket can have. @fn is called only
 * from vici_source_handle(), vici_source_tick() and vici_source_resync(),
 * never from here; it must not close the source.
 */
int vici_source_open(struct vici_source **out, const char *path,
		     sa_event_fn *fn, void *ctx);
void vici_source_close(struct vici_source *s);

/* The socket to poll: -1 while not connected. */
int vici_source_fd(const struct vici_source *s);
/* POLLIN, plus POLLOUT while output is queued. */
short vici_source_events(const struct vici_source *s);
/* The socket's revents: reads, writes, handles what came, never blocks. */
void vici_source_handle(struct vici_source *s, short revents);
/* Reconnects, timeouts, the periodic resync. */
void vici_source_tick(struct vici_source *s, __u64 now_ms);
/* ms until vici_source_tick() is next needed; -1 none. */
int vici_source_timeout_ms(const struct vici_source *s, __u64 now_ms);
/* Connected, and has listed the SAs at least once since it connected. */
bool vici_source_up(const struct vici_source *s);
/* List the SAs again (as soon as the request in flight is answered). */
void vici_source_resync(struct vici_source *s);
/*
 * One line for `localin status`: "up, 4 SAs, synced 12 s ago",
 * "down: connect: No such file or directory, retry in 2 s". Returns @buf.
 */
const char *vici_source_state(const struct vici_source *s, char *buf,
			      size_t size);

/*
 * Tests and the fuzzer: use @fd, a connected stream socket (one end of a
 * socketpair), as if it had just connected; any socket the source had is
 * closed first (without SA_EV_DOWN). The source owns @fd from then on.
 */
int vici_source_attach(struct vici_source *s, int fd);

#endif
