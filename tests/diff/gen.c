// SPDX-License-Identifier: GPL-2.0
/*
 * Seeded random configs and frames for the differential test (gen.h).
 * Everything is drawn from one generator, so a seed replays exactly.
 */
#include "gen.h"
#include "wire.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const svc_predef[] = {
	"ALL", "IKE", "ESP", "SSH", "HTTPS", "PING", "GRE", "DNS", "ALL_UDP",
	"ALL_ICMP", "PING6", "NTP", "BGP",
};
#define NR_PREDEF (sizeof(svc_predef) / sizeof(svc_predef[0]))

static const char *const intfs[] = { "wan1", "wan2", "any" };

static int out(struct gen_world *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(w->text + w->len, w->cap - w->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < w->cap - w->len)
			break;
		w->cap = w->cap ? w->cap * 2 : 1 << 16;
		w->text = realloc(w->text, w->cap);
		if (!w->text)
			return -ENOMEM;
	}
	w->len += (size_t)n;
	return 0;
}

static const char *ip4s(__u32 a, char *buf)
{
	sprintf(buf, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
		a & 255);
	return buf;
}

static __u32 mask4(int plen)
{
	return plen ? ~0u << (32 - plen) : 0;
}

/* Somewhere in the few blocks every config and packet draws from. */
static __u32 univ4(struct rng *r)
{
	static const __u32 base[] = { 0x0a010000, 0x0a020000, 0xc0000200,
				      0xc6336400, 0xcb007100 };
	static const __u32 size[] = { 65536, 65536, 256, 256, 256 };
	int i = (int)rng_below(r, 5);

	return base[i] + rng_below(r, size[i]);
}

static void univ6(struct rng *r, __u8 *a)
{
	__u64 x = rng_next(r), y = rng_next(r);

	memcpy(a, "\x20\x01\x0d\xb8", 4);
	a[4] = 0;
	a[5] = (__u8)rng_below(r, 4);
	memcpy(a + 6, &x, 2);
	memcpy(a + 8, &y, 8);
	if (rng_below(r, 2))
		memset(a + 8, 0, 7); /* ::1-like hosts, nearer the edges */
}

static void add_range4(struct gen_world *w, __u32 lo, __u32 hi)
{
	struct gen_range *g;

	if (w->nr_ranges >= GEN_MAX_RANGES)
		return;
	g = &w->ranges[w->nr_ranges++];
	g->family = 4;
	put32(g->lo, lo);
	put32(g->hi, hi);
}

static void add_port(struct gen_world *w, __u32 p)
{
	if (w->nr_ports < GEN_MAX_PORTS)
		w->ports[w->nr_ports++] = (__u16)p;
}

static __u32 pick_port_value(struct rng *r)
{
	static const __u16 known[] = { 0, 1, 22, 53, 123, 443, 500, 4500,
				       8080, 65535 };

	if (rng_below(r, 2))
		return known[rng_below(r, 10)];
	return rng_below(r, 65536);
}

/* New addresses for the gateway, or with @keep the ones it has. */
static int gen_interfaces(struct rng *r, struct gen_world *w, int keep)
{
	char a[16], m[16], b6[64];
	int i, err = 0;

	if (!keep) {
		w->plen4[0] = 16 + (int)rng_below(r, 15);
		w->plen4[1] = 24 + (int)rng_below(r, 9);
		univ6(r, w->gw6);
	}
	snprintf(b6, sizeof(b6), "2001:db8:%x:%x::%x", w->gw6[5],
		 w->gw6[6] << 8 | w->gw6[7], w->gw6[15]);
	/* the IPv6 address as written, and nothing else set */
	memset(w->gw6 + 8, 0, 8);
	w->gw6[15] = (__u8)strtoul(strrchr(b6, ':') + 1, NULL, 16);
	err |= out(w, "config system interface\n");
	for (i = 0; i < 2; i++) {
		if (!keep)
			w->gw4[i] = univ4(r);
		err |= out(w, "    edit \"wan%d\"\n        set ip %s %s\n", i + 1,
			   ip4s(w->gw4[i], a), ip4s(mask4(w->plen4[i]), m));
		if (!i)
			err |= out(w, "        config ipv6\n            set ip6-address %s/64\n        end\n",
				   b6);
		err |= out(w, "    next\n");
	}
	return err | out(w, "end\n");
}

static int gen_addresses(struct rng *r, struct gen_world *w, int *nr4,
			 int *nr6)
{
	char a[16], b[16];
	int i, n = 1 + (int)rng_below(r, 20), err = 0;

	err |= out(w, "config firewall address\n");
	for (i = 0; i < n; i++) {
		__u32 lo = univ4(r), hi;
		int plen = 8 + (int)rng_below(r, 25);

		err |= out(w, "    edit \"a%d\"\n", i);
		if (rng_below(r, 10) < 7) {
			lo &= mask4(plen);
			hi = lo | ~mask4(plen);
			err |= out(w, "        set subnet %s %s\n", ip4s(lo, a),
				   ip4s(mask4(plen), b));
		} else {
			hi = lo + rng_below(r, 512);
			if (hi < lo)
				hi = ~0u;
			err |= out(w, "        set type iprange\n        set start-ip %s\n        set end-ip %s\n",
				   ip4s(lo, a), ip4s(hi, b));
		}
		add_range4(w, lo, hi);
		err |= out(w, "    next\n");
	}
	err |= out(w, "end\n");
	*nr4 = n;
	n = (int)rng_below(r, 8);
	err |= out(w, "config firewall address6\n");
	for (i = 0; i < n; i++) {
		struct gen_range *g = &w->ranges[w->nr_ranges];
		int plen = 16 + (int)rng_below(r, 113), k;
		__u8 x[16];

		univ6(r, x);
		for (k = 0; k < 16; k++) {
			int bits = plen - k * 8;
			__u8 m = bits >= 8 ? 0xff :
				 bits <= 0 ? 0 :
					     (__u8)(0xff << (8 - bits));

			x[k] &= m;
			if (w->nr_ranges < GEN_MAX_RANGES) {
				g->lo[k] = x[k];
				g->hi[k] = x[k] | (__u8)~m;
			}
		}
		if (w->nr_ranges < GEN_MAX_RANGES) {
			g->family = 6;
			w->nr_ranges++;
		}
		err |= out(w, "    edit \"b%d\"\n        set ip6 ", i);
		for (k = 0; k < 16; k += 2)
			err |= out(w, "%x%s", x[k] << 8 | x[k + 1],
				   k < 14 ? ":" : "");
		err |= out(w, "/%d\n    next\n", plen);
	}
	*nr6 = n;
	return err | out(w, "end\n");
}

static int gen_groups(struct rng *r, struct gen_world *w, int nr4, int *nr_g)
{
	int i, n = (int)rng_below(r, 4), err = 0;

	*nr_g = n;
	if (!n)
		return 0;
	err |= out(w, "config firewall addrgrp\n");
	for (i = 0; i < n; i++) {
		int a = (int)rng_below(r, (__u32)nr4),
		    b = (int)rng_below(r, (__u32)nr4);

		err |= out(w, "    edit \"g%d\"\n        set member \"a%d\"", i, a);
		if (b != a)
			err |= out(w, " \"a%d\"", b);
		err |= out(w, "\n");
		if (rng_below(r, 10) < 4) {
			b = (int)rng_below(r, (__u32)nr4);
			if (b != a)
				err |= out(w, "        set exclude enable\n        set exclude-member \"a%d\"\n",
					   b);
		}
		err |= out(w, "    next\n");
	}
	return err | out(w, "end\n");
}

static int gen_services(struct rng *r, struct gen_world *w)
{
	static const char *const l4[] = { "tcp", "udp", "sctp" };
	static const __u8 protos[] = { 47, 50, 17, 6, 132, 99, 1 };
	int i, k, n = (int)rng_below(r, 8), err = 0;

	err |= out(w, "config firewall service custom\n");
	for (i = 0; i < n; i++) {
		int kind = (int)rng_below(r, 10);

		err |= out(w, "    edit \"s%d\"\n", i);
		if (kind < 6) {
			err |= out(w, "        set %s-portrange", l4[kind % 3]);
			for (k = 0; k < 1 + (int)rng_below(r, 2); k++) {
				__u32 lo = pick_port_value(r),
				      hi = lo + rng_below(r, 100);

				hi = hi > 65535 ? 65535 : hi;
				lo = lo ? lo : 1;
				hi = hi < lo ? lo : hi;
				add_port(w, lo);
				add_port(w, hi);
				err |= out(w, " %u-%u", lo, hi);
				if (rng_below(r, 3) == 0) {
					__u32 s = 1 + rng_below(r, 65535);

					add_port(w, s);
					err |= out(w, ":%u-%u", s,
						   s + rng_below(r, 65536 - s));
				}
			}
			err |= out(w, "\n");
		} else if (kind < 8) {
			__u32 t = rng_below(r, 3) ? 8 : rng_below(r, 256);

			err |= out(w, "        set protocol %s\n        set icmptype %u\n",
				   kind == 6 ? "ICMP" : "ICMP6", t);
			add_port(w, t << 8);
			if (rng_below(r, 2))
				err |= out(w, "        set icmpcode %u\n",
					   rng_below(r, 3));
		} else {
			err |= out(w, "        set protocol IP\n        set protocol-number %u\n",
				   protos[rng_below(r, sizeof(protos))]);
		}
		err |= out(w, "    next\n");
	}
	err |= out(w, "end\n");
	return err ? -ENOMEM : n;
}

static int names(struct rng *r, struct gen_world *w, const char *attr,
		 int nr_a, const char *pa, int nr_g)
{
	int i, n = 1 + (int)rng_below(r, 2), err;
	__u32 prev = ~0u;

	err = out(w, "        set %s", attr);
	for (i = 0; i < n; i++) {
		__u32 k = rng_below(r, (__u32)(1 + nr_a + nr_g));

		if (k == prev)
			continue; /* a name may appear once */
		prev = k;
		if (!k)
			err |= out(w, " \"all\"");
		else if (k <= (__u32)nr_a)
			err |= out(w, " \"%s%u\"", pa, k - 1);
		else
			err |= out(w, " \"g%u\"", k - 1 - nr_a);
	}
	return err | out(w, "\n");
}

static int gen_policies(struct rng *r, struct gen_world *w, int six, int nr_a,
			int nr_g, int nr_s)
{
	int i, n = (int)rng_below(r, six ? 8 : 25), err = 0;
	const char *neg[] = { "srcaddr", "dstaddr", "service" };

	err |= out(w, "config firewall local-in-policy%s\n", six ? "6" : "");
	for (i = 0; i < n; i++) {
		__u32 k, a;

		err |= out(w, "    edit %d\n        set intf \"%s\"\n",
			   i * 3 + 1, intfs[rng_below(r, 3)]);
		err |= names(r, w, "srcaddr", nr_a, six ? "b" : "a", nr_g);
		err |= names(r, w, "dstaddr", nr_a, six ? "b" : "a", nr_g);
		err |= out(w, "        set service");
		for (k = 0, a = ~0u; k < 1 + rng_below(r, 2); k++) {
			__u32 s = rng_below(r, (__u32)(NR_PREDEF + nr_s));

			if (s == a)
				continue;
			a = s;
			if (s < NR_PREDEF)
				err |= out(w, " \"%s\"", svc_predef[s]);
			else
				err |= out(w, " \"s%u\"", s - NR_PREDEF);
		}
		err |= out(w, "\n        set schedule \"always\"\n");
		for (k = 0; k < 3; k++)
			if (rng_below(r, 100) < 15)
				err |= out(w, "        set %s-negate enable\n",
					   neg[k]);
		a = rng_below(r, 10);
		if (a < 4)
			err |= out(w, "        set action accept\n");
		else if (a < 7)
			err |= out(w, "        set action deny\n");
		if (rng_below(r, 10) == 0)
			err |= out(w, "        set status disable\n");
		err |= out(w, "    next\n");
	}
	return err | out(w, "end\n");
}

static void gen_sas(struct rng *r, struct gen_world *w)
{
	int i;

	w->nr_sas = (int)rng_below(r, GEN_MAX_SAS);
	for (i = 0; i < w->nr_sas; i++) {
		memset(w->sas[i].daddr, 0, 16);
		w->sas[i].family = rng_below(r, 4) ? 4 : 6;
		if (w->sas[i].family == 4)
			put32(w->sas[i].daddr, w->gw4[rng_below(r, 2)]);
		else
			memcpy(w->sas[i].daddr, w->gw6, 16);
		w->sas[i].spi = (__u32)rng_next(r) | 1;
		w->sas[i].natt =
			rng_below(r, 3) ?
				0 :
				(__u16)(GEN_NATT_FIRST + rng_below(r, GEN_NATT_NR));
	}
}

static int gen_text(struct rng *r, struct gen_world *w, int keep)
{
	int nr4, nr6, nr_g, nr_s, err = 0;

	w->len = 0;
	w->nr_ranges = 0;
	w->nr_ports = 0;
	err |= out(w, "# generated\n");
	if (rng_below(r, 10) < 3)
		err |= out(w, "config system settings\n    set detect-unknown-esp disable\nend\n");
	err |= gen_interfaces(r, w, keep);
	err |= gen_addresses(r, w, &nr4, &nr6);
	err |= gen_groups(r, w, nr4, &nr_g);
	nr_s = gen_services(r, w);
	if (err || nr_s < 0)
		return -ENOMEM;
	/* address groups are IPv4 only here: IPv6 policies get none */
	err |= gen_policies(r, w, 0, nr4, nr_g, nr_s);
	err |= gen_policies(r, w, 1, nr6, 0, nr_s);
	return err ? -ENOMEM : 0;
}

int gen_config(struct rng *r, struct gen_world *w)
{
	int err;

	w->nr_pending = 0;
	w->nr_flows = 0;
	w->recent = 0;
	if (!w->now_ns) /* late 2023, never 0: 0 is "no test time" */
		w->now_ns = 1700000000ull * 1000000000ull;
	err = gen_text(r, w, 0);
	if (!err)
		gen_sas(r, w);
	return err;
}

int gen_reload(struct rng *r, struct gen_world *w)
{
	return gen_text(r, w, 1);
}
