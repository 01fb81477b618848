// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes through strongSwan's VICI as localin
 * reads it (src/ipsec/vici_wire.c, src/ipsec/vici.c).
 *
 * 1. The bytes as one message: the element reader and the tree must agree,
 *    and every name and value must lie inside the message.
 * 2. The bytes as a stream of packets, split one by one.
 * 3. The bytes as what charon sends on a fresh connection, through the SA
 *    source itself (a socketpair, then EOF): once as they are (the seeds
 *    from a real charon begin with the registrations' confirmations), once
 *    after six EVENT_CONFIRMs the target writes first, so that the bytes
 *    meet the source listing SAs and taking events. Every SA event must be
 *    believable, SYNC_BEGIN and SYNC_END must pair, and the EOF must end in
 *    exactly one SA_EV_DOWN.
 *
 * Any crash, leak, sanitizer report or abort() is a bug; every one found
 * becomes a case in tests/unit/test_vici.c.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipsec/vici.h"
#include "ipsec/vici_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_vici: %s\n", why);
	abort();
}

static void check_message(const uint8_t *data, size_t size)
{
	struct vici_reader r;
	struct vici_elem e;
	struct vici_tree t;
	size_t elems = 0, ends = 0;
	char name[64], value[64];
	__u32 i;
	int rc, trc;

	vici_reader_init(&r, data, size);
	while ((rc = vici_reader_next(&r, &e)) > 0) {
		if (e.depth > VICI_MAX_DEPTH)
			fail("reader: too deep");
		if (e.name && (e.name < (const char *)data ||
			       e.name + e.name_len > (const char *)data + size))
			fail("reader: name outside the message");
		if (e.value &&
		    (e.value < data || e.value + e.value_len > data + size))
			fail("reader: value outside the message");
		if (e.type == VICI_SECTION_END || e.type == VICI_LIST_END)
			ends++;
		else
			elems++;
	}
	if (rc != 0 && vici_reader_next(&r, &e) != rc)
		fail("reader: an error that does not stay");

	trc = vici_tree_parse(&t, data, size);
	if (trc == 0 && rc != 0)
		fail("tree: accepts what the reader refuses");
	if (trc == -EBADMSG && rc == 0)
		fail("tree: refuses what the reader accepts");
	if (trc == 0 && t.nr != elems + 1)
		fail("tree: not one node per element");
	if (trc == 0) {
		for (i = 1; i < t.nr; i++) {
			const struct vici_node *n = &t.nodes[i];

			if (n->parent >= i || (n->next && n->next <= i))
				fail("tree: links out of order");
			if ((size_t)n->name_off + n->name_len > size ||
			    (size_t)n->value_off + n->value_len > size)
				fail("tree: name or value outside the message");
			vici_tree_name(&t, i, name, sizeof(name));
			vici_tree_str(&t, n->parent, name, value,
				      sizeof(value));
			vici_tree_find(&t, i, 0, "child-sas");
		}
	}
	vici_tree_free(&t);
}

static void check_stream(const uint8_t *data, size_t size)
{
	struct vici_packet p;
	size_t off = 0;
	ssize_t n;

	while ((n = vici_packet_next(data + off, size - off, &p)) > 0) {
		if ((size_t)n > size - off)
			fail("packet: longer than the stream");
		if (p.msg + p.msg_len != data + off + (size_t)n)
			fail("packet: message does not end the segment");
		off += (size_t)n;
	}
}

struct watch {
	unsigned int down, begin, end;
	bool syncing;
};

static void on_sa(void *ctx, enum sa_event ev, const struct sa_entry *sa)
{
	struct watch *w = ctx;

	switch (ev) {
	case SA_EV_ADD:
	case SA_EV_DEL:
		if (!sa || (sa->family != 4 && sa->family != 6))
			fail("SA: family");
		if (sa->dir != SA_DIR_IN && sa->dir != SA_DIR_OUT)
			fail("SA: direction");
		if (!memchr(sa->tunnel, '\0', sizeof(sa->tunnel)))
			fail("SA: tunnel name not terminated");
		if (!sa->has_peer)
			fail("SA: no peer");
		if (!sa->encap && (sa->encap_sport || sa->encap_dport))
			fail("SA: ports without encapsulation");
		break;
	case SA_EV_SYNC_BEGIN:
		if (sa || w->syncing)
			fail("SYNC_BEGIN inside a listing");
		w->syncing = true;
		w->begin++;
		break;
	case SA_EV_SYNC_END:
		if (sa || !w->syncing)
			fail("SYNC_END without SYNC_BEGIN");
		w->syncing = false;
		w->end++;
		break;
	case SA_EV_DOWN:
		if (sa)
			fail("DOWN with an SA");
		w->syncing = false;
		w->down++;
		break;
	default:
		fail("unknown event");
	}
}

static void put_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			fail("write to the socketpair");
		p = (const char *)p + w;
		n -= (size_t)w;
	}
}

static void through_source(const uint8_t *data, size_t size,
			   unsigned int confirms)
{
	static const uint8_t confirm[] = { 0, 0, 0, 1, VICI_EVENT_CONFIRM };
	struct watch w = { 0 };
	struct vici_source *s;
	char st[200];
	unsigned int i;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		fail("socketpair");
	if (vici_source_open(&s, "/nonexistent/fuzz/charon.vici", on_sa, &w))
		fail("open");
	if (vici_source_attach(s, sv[0]))
		fail("attach");
	for (i = 0; i < confirms; i++)
		put_all(sv[1], confirm, sizeof(confirm));
	put_all(sv[1], data, size);
	shutdown(sv[1], SHUT_WR);
	/* 8 reads of 64 KiB a call: a few calls read it all, and the EOF */
	for (i = 0; i < 64 && vici_source_fd(s) >= 0; i++) {
		vici_source_handle(s, POLLIN);
		vici_source_state(s, st, sizeof(st));
	}
	if (vici_source_fd(s) >= 0)
		fail("still connected after the EOF");
	if (w.down != 1)
		fail("not exactly one DOWN for one connection lost");
	if (vici_source_up(s))
		fail("up after the EOF");
	vici_source_state(s, st, sizeof(st));
	if (strncmp(st, "down: ", 6))
		fail("state does not say down");
	vici_source_close(s);
	close(sv[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t none[1];

	if (!size)
		data = none;
	check_message(data, size);
	check_stream(data, size);
	through_source(data, size, 0);
	through_source(data, size, 6);
	return 0;
}
