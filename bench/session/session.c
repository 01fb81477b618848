// SPDX-License-Identifier: GPL-2.0
/*
 * bench/session driver: ns per packet of session.bpf.o's programs by
 * BPF_PROG_TEST_RUN (REPEAT runs, median of ROUNDS rounds), on two frames
 * from the peer back to the gateway: the UDP reply and a TCP ACK of the
 * two connections run.sh opens from the gateway's namespace (the one this
 * runs in: the test run's device is that namespace's loopback, and
 * bpf_xdp_ct_lookup() looks in its conntrack table).
 *
 *   session [-r REPEAT] [-k ROUNDS] OBJ        the table
 *   session -c OBJ                             one ct lookup of each frame
 *
 * Every round must return the verdict its case expects (session.bpf.c:
 * XDP_PASS found or inserted, XDP_DROP not found), else the run aborts; a
 * ct "hit" case whose entry does not exist is reported and skipped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* run.sh's addresses and ports: the gateway opened both connections. */
#define GW_ADDR "10.211.0.1"
#define PEER_ADDR "10.211.0.2"
#define UDP_GW 40000
#define UDP_PEER 5353
#define TCP_GW 40001
#define TCP_PEER 8080
#define MISS_DELTA 1 /* the peer's port + 1: no session */

#define MAX_ROUNDS 64

enum { F_UDP, F_TCP, NR_FRAMES };
static const char *const frame_names[NR_FRAMES] = { "udp", "tcp-ack" };

struct frame {
	unsigned char b[128];
	__u32 len;
};

static struct frame hit[NR_FRAMES], miss[NR_FRAMES];
static unsigned int repeat = 200000, rounds = 7;

struct ses_key { /* session.bpf.c */
	__u8 family;
	__u8 proto;
	__u16 lport;
	__u16 rport;
	__u16 pad;
	__u32 laddr[4];
	__u32 raddr[4];
};

struct ses_val { /* session.bpf.c */
	__u64 first_ns, last_ns, bytes[2], pkts[2];
	__u32 id, flags;
	__u64 spare;
};

static void put16(unsigned char *p, __u32 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* Ethernet + IPv4 peer -> gateway + UDP (32 bytes) or TCP ACK (no data). */
static void build(struct frame *f, int tcp, __u16 sport, __u16 dport)
{
	unsigned char *ip = f->b + 14, *l4 = ip + 20;
	__u32 l4len = tcp ? 20 : 8 + 32;

	memset(f->b, 0, sizeof(f->b));
	memcpy(f->b, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00", 14);
	ip[0] = 0x45;
	put16(ip + 2, 20 + l4len);
	ip[8] = 64;
	ip[9] = tcp ? 6 : 17;
	inet_pton(AF_INET, PEER_ADDR, ip + 12);
	inet_pton(AF_INET, GW_ADDR, ip + 16);
	put16(l4, sport);
	put16(l4 + 2, dport);
	if (tcp) {
		put16(l4 + 8, 1); /* ack number */
		l4[12] = 5 << 4;
		l4[13] = 0x10; /* ACK */
		put16(l4 + 14, 64240);
	} else {
		put16(l4 + 4, l4len);
	}
	f->len = 14 + 20 + l4len;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static const char *xdp_action(__u32 a)
{
	static const char *const n[] = { "aborted", "drop", "pass", "tx",
					 "redirect" };

	return a < 5 ? n[a] : "?";
}

/* One run of @fd on @f: its verdict, or -1. */
static int run_once(int fd, const struct frame *f)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b,
		    .data_size_in = f->len, .repeat = 1);

	if (bpf_prog_test_run_opts(fd, &o))
		return -1;
	return (int)o.retval;
}

/* Delete every entry of @map; 0, or -1. */
static int empty_map(int map)
{
	static struct ses_key keys[1 << 18]; /* session.bpf.c's SES_ROOM */
	unsigned int n = 0, i;
	void *prev = NULL;

	while (n < sizeof(keys) / sizeof(keys[0]) &&
	       !bpf_map_get_next_key(map, prev, &keys[n]))
		prev = &keys[n++];
	for (i = 0; i < n; i++)
		if (bpf_map_delete_elem(map, &keys[i]))
			return -1;
	return bpf_map_get_next_key(map, NULL, &keys[0]) ? 0 : -1;
}

/*
 * Median ns of @fd on @f over the rounds; 0 if a round is not @want.
 * @empty: a map to empty before each round, or -1.
 */
static __u32 bench(int fd, const struct frame *f, __u32 want, const char *what,
		   int empty)
{
	__u32 v[MAX_ROUNDS];
	unsigned int k;

	for (k = 0; k < rounds; k++) {
		if (empty >= 0 && empty_map(empty)) {
			fprintf(stderr, "session: %s: cannot empty the map\n",
				what);
			return 0;
		}
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b,
			    .data_size_in = f->len, .repeat = repeat);

		if (bpf_prog_test_run_opts(fd, &o)) {
			fprintf(stderr, "session: %s: test run: %s\n", what,
				strerror(errno));
			return 0;
		}
		if (o.retval != want) {
			fprintf(stderr,
				"session: %s: verdict %s, expected %s\n", what,
				xdp_action(o.retval), xdp_action(want));
			return 0;
		}
		v[k] = o.duration;
	}
	qsort(v, rounds, sizeof(v[0]), cmp_u32);
	return v[rounds / 2];
}

static int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	return p ? bpf_program__fd(p) : -1;
}

/* The session of hit[@i] in our own table, as ses_lru's key makes it. */
static int put_session(int map, int i)
{
	const unsigned char *ip = hit[i].b + 14, *l4 = ip + 20;
	struct ses_key k = { .family = 4, .proto = ip[9] };
	struct ses_val v = { .id = (__u32)i + 1 };

	memcpy(&k.rport, l4, 2);
	memcpy(&k.lport, l4 + 2, 2);
	memcpy(&k.raddr[0], ip + 12, 4);
	memcpy(&k.laddr[0], ip + 16, 4);
	return bpf_map_update_elem(map, &k, &v, BPF_ANY);
}

static unsigned int count_entries(int map)
{
	struct ses_key k, next;
	unsigned int n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(map, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

enum {
	C_PASS,
	C_PARSE,
	C_CT_MISS,
	C_CT_HIT,
	C_LRU_MISS,
	C_LRU_HIT,
	C_LRU_HIT_JIF,
	C_LRU_NEW,
	C_LRU_NEW_PCPU,
	C_LRU_NEW_ROOM,
	NR_CASES
};

static const struct {
	const char *label, *prog;
	int on_hit; /* the frame: the session's (hit) or the other (miss) */
	__u32 want;
} cases[NR_CASES] = {
	[C_PASS] = { "1 XDP_PASS (floor)", "ses_pass", 1, XDP_PASS },
	[C_PARSE] = { "  parse only", "ses_parse", 1, XDP_PASS },
	[C_CT_MISS] = { "2 ct kfunc, miss", "ses_ct", 0, XDP_DROP },
	[C_CT_HIT] = { "3 ct kfunc, hit", "ses_ct", 1, XDP_PASS },
	[C_LRU_MISS] = { "4 own LRU, miss", "ses_lru", 0, XDP_DROP },
	[C_LRU_HIT] = { "5 own LRU, hit+upd", "ses_lru", 1, XDP_PASS },
	[C_LRU_HIT_JIF] = { "  own LRU, hit+upd jif", "ses_lru_jif", 1,
			    XDP_PASS },
	[C_LRU_NEW] = { "6 own LRU, insert", "ses_lru_new", 1, XDP_PASS },
	[C_LRU_NEW_PCPU] = { "  insert, LRU per CPU", "ses_lru_new_pcpu", 1,
			     XDP_PASS },
	[C_LRU_NEW_ROOM] = { "  insert, no eviction", "ses_lru_new_room", 1,
			     XDP_PASS },
};

static __u32 ns[NR_CASES][NR_FRAMES];

static void ratio(const char *what, int a, int b)
{
	int i;

	printf("  %-34s", what);
	for (i = 0; i < NR_FRAMES; i++) {
		if (ns[a][i] && ns[b][i])
			printf("  %-7s %5.2f", frame_names[i],
			       (double)ns[a][i] / ns[b][i]);
		else
			printf("  %-7s %5s", frame_names[i], "-");
	}
	printf("\n");
}

/* The table; -1 if a case did not return what it must. */
static int run_all(struct bpf_object *obj, int map, int room)
{
	struct utsname u;
	int c, i;

	/*
	 * Inserts first: they fill the table (every one evicts once it is
	 * full), so the lookups below meet a full table, as in service.
	 */
	for (c = C_LRU_NEW; c <= C_LRU_NEW_ROOM; c++)
		for (i = 0; i < NR_FRAMES; i++) {
			ns[c][i] = bench(prog_fd(obj, cases[c].prog), &hit[i],
					 XDP_PASS, cases[c].label,
					 c == C_LRU_NEW_ROOM ? room : -1);
			if (!ns[c][i])
				return -1;
		}
	for (i = 0; i < NR_FRAMES; i++)
		if (put_session(map, i)) {
			fprintf(stderr, "session: cannot add the session: %s\n",
				strerror(errno));
			return -1;
		}
	printf("own LRU table: %u of 65536 entries after %u inserts\n",
	       count_entries(map), NR_FRAMES * rounds * repeat);
	for (c = 0; c < NR_CASES; c++) {
		if (c >= C_LRU_NEW)
			continue;
		for (i = 0; i < NR_FRAMES; i++) {
			const struct frame *f =
				cases[c].on_hit ? &hit[i] : &miss[i];
			int fd = prog_fd(obj, cases[c].prog);

			if (c == C_CT_HIT && run_once(fd, f) != XDP_PASS) {
				printf("%s %s: no conntrack entry for the frame: not timed\n",
				       cases[c].label, frame_names[i]);
				continue;
			}
			ns[c][i] =
				bench(fd, f, cases[c].want, cases[c].label, -1);
			if (!ns[c][i])
				return -1;
		}
	}
	uname(&u);
	printf("\nns per packet, BPF_PROG_TEST_RUN, median of %u x %u runs, kernel %s\n",
	       rounds, repeat, u.release);
	printf("%-24s", "case");
	for (i = 0; i < NR_FRAMES; i++)
		printf("  %-7s %7s %6s", frame_names[i], "-floor", "xfloor");
	printf("\n");
	for (c = 0; c < NR_CASES; c++) {
		printf("%-24s", cases[c].label);
		for (i = 0; i < NR_FRAMES; i++) {
			__u32 x = ns[c][i], f = ns[C_PASS][i];

			if (!x) {
				printf("  %-7s %7s %6s", "-", "", "");
				continue;
			}
			printf("  %-7u %+7d %6.2f", x, (int)(x - f),
			       (double)x / f);
		}
		printf("\n");
	}
	printf("\nratios (same frame):\n");
	ratio("ct miss / own LRU miss", C_CT_MISS, C_LRU_MISS);
	ratio("ct hit / own LRU hit+upd", C_CT_HIT, C_LRU_HIT);
	ratio("ct hit / own LRU hit+upd jif", C_CT_HIT, C_LRU_HIT_JIF);
	ratio("own LRU insert / own LRU hit+upd", C_LRU_NEW, C_LRU_HIT);
	ratio("insert no eviction / hit+upd", C_LRU_NEW_ROOM, C_LRU_HIT);
	ratio("ct hit / ct miss", C_CT_HIT, C_CT_MISS);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_map *m, *room;
	int c, i, check = 0, err;

	while ((c = getopt(argc, argv, "cr:k:")) != -1) {
		if (c == 'c')
			check = 1;
		else if (c == 'r')
			repeat = (unsigned int)strtoul(optarg, NULL, 0);
		else if (c == 'k')
			rounds = (unsigned int)strtoul(optarg, NULL, 0);
	}
	/* More than the room table holds would evict: not what it times. */
	if (optind != argc - 1 || !rounds || rounds > MAX_ROUNDS || !repeat ||
	    repeat > 1 << 18) {
		fprintf(stderr,
			"usage: session [-c] [-r REPEAT (<= 262144)] [-k ROUNDS] SESSION.bpf.o\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	build(&hit[F_UDP], 0, UDP_PEER, UDP_GW);
	build(&hit[F_TCP], 1, TCP_PEER, TCP_GW);
	build(&miss[F_UDP], 0, UDP_PEER + MISS_DELTA, UDP_GW);
	build(&miss[F_TCP], 1, TCP_PEER + MISS_DELTA, TCP_GW);
	/* libbpf's own messages (a kfunc it cannot find) go to stderr. */
	obj = bpf_object__open_file(argv[optind], NULL);
	if (!obj) {
		fprintf(stderr, "session: cannot open %s\n", argv[optind]);
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "session: cannot load %s: %s\n", argv[optind],
			strerror(-err));
		return 1;
	}
	if (check) {
		for (i = 0; i < NR_FRAMES; i++) {
			int r = run_once(prog_fd(obj, "ses_ct"), &hit[i]);

			printf("ct lookup %s reply: %s\n", frame_names[i],
			       r == XDP_PASS ? "hit" :
			       r == XDP_DROP ? "miss" :
					       "error");
		}
		bpf_object__close(obj);
		return 0;
	}
	m = bpf_object__find_map_by_name(obj, "ses_map");
	room = bpf_object__find_map_by_name(obj, "ses_map_room");
	err = run_all(obj, bpf_map__fd(m), bpf_map__fd(room));
	bpf_object__close(obj);
	return err ? 1 : 0;
}
