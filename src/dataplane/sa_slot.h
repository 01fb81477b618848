/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live inbound SAs as the data path reads them, written once for the
 * XDP program (in li_conf's value, maps.h) and the host (an array in
 * memory): the slot layout and the hash here, the probe in match.h
 * (li_sa_find, through the li_acc_sa_slot accessor). The table is built
 * in plain C by li_sa_table_build() (sa_table.c) for both.
 *
 * A table of 2^bits slots, bits the least that keeps the load at or below
 * 1/2 (at least LI_SA_BITS_MIN). In XDP, li_conf_val.sas holds two halves
 * of LI_SA_SLOTS; li_conf's state[LI_STATE_SAS] holds the half in bit 0,
 * bits in bits 8-15 and LI_SAS_UNCHECKED, one word, so the flip switches
 * all at once. Entries are placed Robin Hood style (an entry displaces one
 * nearer its home slot), which keeps every entry within LI_SA_PROBES of
 * its home even at load 1/2 (131072 random keys in 2^18 slots: at most
 * 9); a lookup probes until the key, an empty slot or LI_SA_PROBES slots.
 *
 * Every SA has an id below LI_SA_ID_UNVERIFIED that the daemon keeps for
 * its whole life, across flips: li_sa_stats[id] counts its packets and
 * bytes. An id is given to another SA only after the SA has left both
 * halves.
 */
#ifndef LOCALIN_DATAPLANE_SA_SLOT_H
#define LOCALIN_DATAPLANE_SA_SLOT_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define LI_SAS_MAX 131072
#define LI_SA_BITS_MIN 6
#define LI_SA_BITS_MAX 18
#define LI_SA_SLOTS (1u << LI_SA_BITS_MAX) /* per half */
#define LI_SA_PROBES 16

/*
 * No SA source can be read: ESP is not SPI-checked but goes to the
 * policies, as with detect-unknown-esp disable (never take the VPN down).
 */
#define LI_SAS_UNCHECKED (1u << 1)

/*
 * The gateway's own IKE is seen as it leaves (the egress program on
 * every interface, links.c): then an IKE message that makes SAs opens
 * its sender's window (below) only if the gateway sent that address such
 * a message within LI_IKE_SENT_TRUST_NS (li_ike_sent; match.h
 * li_ike_out): its own IKE_AUTH or CREATE_CHILD_SA answer, its rekey
 * request. The IKE daemon sends those only to a peer it shares an IKE SA
 * with; anyone may send us an IKE_AUTH header from an address he spoofs.
 * The gateway's message opens the window too: it comes just before the
 * peer may use the new SA (an answer), or just before the peer's answer.
 * Without the bit (an egress program missing somewhere, replay) any
 * such message the policies let through opens it, as before.
 */
#define LI_SAS_IKE_GATE (1u << 2)
#define LI_IKE_SENT_TRUST_NS 30000000000ull

/*
 * New SAs reach the data path a moment after the IKE daemon installs them
 * (its event, our read, the flip), and a peer may use one at once: after
 * a rekey it answered, or while the source that would tell us is down
 * (charon restarting). So every peer of a known SA has a slot of its own,
 * keyed on its address with SPI 0 (never a real SPI, RFC 4303) and this
 * id, which counts what it lets through: an unknown SPI from that peer
 * passes unverified while its SA source is down (LI_SA_F_DOWN), or within
 * LI_IKE_WINDOW_NS of an IKE message from it that was let through and
 * makes SAs (packet.h li_ike_makes_sa: the exchange of the new SA; a DPD
 * opens nothing; li_ike_seen).
 *
 * A peer with no SA yet (a road warrior's first connect, a site the daemon
 * has not read since its start) has no slot, and its first SA is as late:
 * its IKE that makes SAs let through is noted apart (li_ike_new, so that a scan the
 * policies let through cannot push the known peers' notes out), and an
 * unknown SPI from it passes unverified within the same window. Passing
 * hands the frame to the kernel, which checks the SPI itself; what is
 * given up is our log line for a forger who can speak IKE from the
 * address, for LI_IKE_WINDOW_NS. Forged ESP from an address whose IKE was
 * not let through lately is still dropped.
 */
#define LI_SA_PEER_SPI 0
#define LI_SA_ID_UNVERIFIED (LI_SAS_MAX - 1)
#define LI_SA_F_DOWN 1u /* peer slot: its SA source is down */
#define LI_IKE_WINDOW_NS 2000000000ull
#define LI_IKE_SEEN_MAX 4096 /* peers remembered (LRU), and new ones */

/*
 * The daemon keeps the SA table current and says so at least once a
 * second (li_conf.sas_alive_ns, the monotonic clock). A daemon dead or
 * stuck for longer than this leaves a table that misses every SA made
 * since: the next rekey would cut its tunnel. So its peers' unknown SPIs
 * then pass unverified, as while their SA source is down (LI_SA_F_DOWN):
 * no daemon hears of SAs now. So do those of a new peer whose IKE was let
 * through since the daemon's last word (or within LI_IKE_WINDOW_NS
 * before it), however long ago: no daemon would add its SAs, and a
 * gateway whose daemon will not start (a config refused in a restart
 * loop) takes no new peer otherwise. ESP from an address that spoke no
 * IKE is dropped as ever. 0 in sas_alive_ns: no daemon keeps this table
 * (replay, test runs).
 */
#define LI_SAS_STALE_NS 3000000000ull

/*
 * A slot: family 0 is empty; IPv4 in daddr[0], the rest zero. 32 bytes,
 * so that no slot straddles two cache lines: with a table of 100k SAs in
 * use, a packet's one miss is its slot. The peer is kept folded to one
 * word (li_sa_fold): for IPv4 that is the address; for IPv6 a wrong peer
 * whose address folds to the same word would pass as the peer, which
 * only hides that one wrong-peer event (the key, daddr and SPI, is exact).
 */
struct li_sa_slot {
	__u8 family;
	__u8 has_peer; /* else any source address is the peer's */
	__u8 flags;    /* peer slots: LI_SA_F_* */
	__u8 pad;
	__u32 spi;  /* host order, as struct sa_entry */
	__u32 id;   /* < LI_SAS_MAX, see above */
	__u32 peer; /* li_sa_fold() of the peer's address */
	__u32 daddr[4];
};

/* An address folded to one word: itself for IPv4. */
static __always_inline __u32 li_sa_fold(__u8 family, const __u32 *a)
{
	return family == 6 ? a[0] ^ a[1] ^ a[2] ^ a[3] : a[0];
}

/*
 * li_ike_seen, li_ike_new and li_ike_sent key: an address whose IKE was
 * let through, or that the gateway sent its own.
 */
struct li_ike_key {
	__u8 family;
	__u8 pad[3];
	__u32 addr[4];
};

/* li_sa_stats[id], per CPU: what the data path let through for the SA. */
struct li_sa_stat {
	__u64 packets;
	__u64 bytes;
};

/* Home slot of an SA in a table of 2^@bits slots. */
static __always_inline __u32 li_sa_hash(__u8 family, const __u32 *daddr,
					__u32 spi, __u32 bits)
{
	__u32 x = spi ^ daddr[0] ^ family;

	if (family == 6)
		x ^= daddr[1] ^ daddr[2] ^ daddr[3];
	x *= 0x9e3779b1u;
	return x >> (32 - bits);
}

static __always_inline int li_sa_key_eq(const struct li_sa_slot *e, __u8 family,
					const __u32 *daddr, __u32 spi)
{
	return e->family == family && e->spi == spi &&
	       e->daddr[0] == daddr[0] &&
	       (family != 6 ||
		(e->daddr[1] == daddr[1] && e->daddr[2] == daddr[2] &&
		 e->daddr[3] == daddr[3]));
}

/* Is @saddr the SA's peer (or has the SA none to compare)? */
static __always_inline int li_sa_peer_ok(const struct li_sa_slot *e,
					 const __u32 *saddr)
{
	return !e->has_peer || e->peer == li_sa_fold(e->family, saddr);
}

#endif
