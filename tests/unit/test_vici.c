// SPDX-License-Identifier: GPL-2.0
/*
 * strongSwan's VICI: the wire format both ways (the README's example byte
 * for byte, round trips, streams cut anywhere), malformed input rejected
 * (truncated lengths, bad element types, lists and sections out of place,
 * nesting past VICI_MAX_DEPTH, segments and messages too large), then the
 * SA source against a fake charon played by the test: messages shaped as
 * charon 5.9 builds them (list-sa, child-updown, child-rekey, ike-updown,
 * ike-rekey) into SA events, over a socketpair and over a unix socket of
 * the test's own with connect, reconnect, EOF, timeouts and resyncs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ipsec/vici.h"
#include "ipsec/vici_wire.h"

/* --- the wire format --------------------------------------------------------- */

/* The README's encoding example, as its C array. */
/* clang-format off */
static const unsigned char readme_msg[] = {
	3, 4, 'k', 'e', 'y', '1', 0, 6, 'v', 'a', 'l', 'u', 'e', '1',
	1, 8, 's', 'e', 'c', 't', 'i', 'o', 'n', '1',
	1, 11, 's', 'u', 'b', '-', 's', 'e', 'c', 't', 'i', 'o', 'n',
	3, 4, 'k', 'e', 'y', '2', 0, 6, 'v', 'a', 'l', 'u', 'e', '2',
	2,
	4, 5, 'l', 'i', 's', 't', '1',
	5, 0, 5, 'i', 't', 'e', 'm', '1',
	5, 0, 5, 'i', 't', 'e', 'm', '2',
	6,
	2,
};
/* clang-format on */

static void encode_readme(struct vici_buf *b, enum vici_type type,
			  const char *name)
{
	vici_begin(b, type, name);
	vici_kv_str(b, "key1", "value1");
	vici_section_start(b, "section1");
	vici_section_start(b, "sub-section");
	vici_kv_str(b, "key2", "value2");
	vici_section_end(b);
	vici_list_start(b, "list1");
	vici_list_item_str(b, "item1");
	vici_list_item_str(b, "item2");
	vici_list_end(b);
	vici_section_end(b);
}

static void test_encode_readme(void **state)
{
	struct vici_packet p;
	struct vici_buf b;
	size_t n = sizeof(readme_msg);

	vici_buf_init(&b);
	encode_readme(&b, VICI_CMD_RESPONSE, NULL);
	assert_int_equal(vici_end(&b), 0);
	/* length, type, message */
	assert_int_equal(b.len, 4 + 1 + n);
	assert_int_equal(b.data[0], 0);
	assert_int_equal(b.data[1], 0);
	assert_int_equal(b.data[2], (1 + n) >> 8);
	assert_int_equal(b.data[3], (1 + n) & 0xff);
	assert_int_equal(b.data[4], VICI_CMD_RESPONSE);
	assert_memory_equal(b.data + 5, readme_msg, n);

	assert_int_equal(vici_packet_next(b.data, b.len, &p), (ssize_t)b.len);
	assert_int_equal(p.type, VICI_CMD_RESPONSE);
	assert_null(p.name);
	assert_int_equal(p.msg_len, n);
	assert_memory_equal(p.msg, readme_msg, n);
	vici_buf_free(&b);

	/* A named packet: the name after the type. */
	vici_buf_init(&b);
	encode_readme(&b, VICI_EVENT, "list-sa");
	assert_int_equal(vici_end(&b), 0);
	assert_int_equal(b.data[4], VICI_EVENT);
	assert_int_equal(b.data[5], 7);
	assert_memory_equal(b.data + 6, "list-sa", 7);
	assert_memory_equal(b.data + 13, readme_msg, n);
	assert_int_equal(vici_packet_next(b.data, b.len, &p), (ssize_t)b.len);
	assert_true(vici_packet_is(&p, "list-sa"));
	assert_false(vici_packet_is(&p, "list-s"));
	assert_false(vici_packet_is(&p, "list-sas"));
	vici_buf_free(&b);
}

static void test_reader_and_tree(void **state)
{
	static const struct {
		__u8 type;
		const char *name, *value;
		unsigned int depth;
	} want[] = {
		{ VICI_KEY_VALUE, "key1", "value1", 0 },
		{ VICI_SECTION_START, "section1", NULL, 0 },
		{ VICI_SECTION_START, "sub-section", NULL, 1 },
		{ VICI_KEY_VALUE, "key2", "value2", 2 },
		{ VICI_SECTION_END, NULL, NULL, 1 },
		{ VICI_LIST_START, "list1", NULL, 1 },
		{ VICI_LIST_ITEM, NULL, "item1", 1 },
		{ VICI_LIST_ITEM, NULL, "item2", 1 },
		{ VICI_LIST_END, NULL, NULL, 1 },
		{ VICI_SECTION_END, NULL, NULL, 0 },
	};
	struct vici_reader r;
	struct vici_elem e;
	struct vici_tree t;
	char buf[16];
	__u32 sec, sub, list, item;
	size_t i;

	vici_reader_init(&r, readme_msg, sizeof(readme_msg));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(vici_reader_next(&r, &e), 1);
		assert_int_equal(e.type, want[i].type);
		assert_int_equal(e.depth, want[i].depth);
		if (want[i].name) {
			assert_int_equal(e.name_len, strlen(want[i].name));
			assert_memory_equal(e.name, want[i].name, e.name_len);
		}
		if (want[i].value) {
			assert_int_equal(e.value_len, strlen(want[i].value));
			assert_memory_equal(e.value, want[i].value,
					    e.value_len);
		}
	}
	assert_int_equal(vici_reader_next(&r, &e), 0);
	assert_int_equal(vici_reader_next(&r, &e), 0);

	assert_int_equal(vici_tree_parse(&t, readme_msg, sizeof(readme_msg)),
			 0);
	assert_int_equal(t.nr, 8); /* the root and 7 elements (no ends) */
	assert_int_equal(vici_tree_str(&t, 0, "key1", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "value1");
	assert_int_equal(vici_tree_str(&t, 0, "key1", buf, 6), -ENOSPC);
	assert_int_equal(vici_tree_str(&t, 0, "key2", buf, sizeof(buf)),
			 -ENOENT);
	assert_int_equal(vici_tree_str(&t, 0, "section1", buf, sizeof(buf)),
			 -ENOENT); /* a section is no value */
	sec = vici_tree_find(&t, 0, VICI_SECTION_START, "section1");
	assert_int_not_equal(sec, 0);
	assert_int_equal(vici_tree_find(&t, 0, VICI_KEY_VALUE, "section1"), 0);
	sub = vici_tree_find(&t, sec, 0, "sub-section");
	assert_int_not_equal(sub, 0);
	assert_int_equal(vici_tree_str(&t, sub, "key2", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "value2");
	list = vici_tree_find(&t, sec, VICI_LIST_START, "list1");
	assert_int_not_equal(list, 0);
	item = vici_tree_first(&t, list);
	assert_int_equal(t.nodes[item].type, VICI_LIST_ITEM);
	assert_memory_equal(t.msg + t.nodes[item].value_off, "item1", 5);
	item = vici_tree_next(&t, item);
	assert_memory_equal(t.msg + t.nodes[item].value_off, "item2", 5);
	assert_int_equal(vici_tree_next(&t, item), 0);
	vici_tree_name(&t, sub, buf, 4);
	assert_string_equal(buf, "sub");
	vici_tree_free(&t);

	/* An empty message is a well-formed one. */
	assert_int_equal(vici_tree_parse(&t, NULL, 0), 0);
	assert_int_equal(t.nr, 1);
	assert_int_equal(vici_tree_first(&t, 0), 0);
	vici_tree_free(&t);
}

/* Values are blobs: NULs and every byte survive, but not as C strings. */
static void test_roundtrip_binary(void **state)
{
	unsigned char blob[300], big[0xffff];
	struct vici_packet p;
	struct vici_tree t;
	struct vici_buf b;
	char name[256], buf[8];
	size_t i;
	__u32 n;

	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (unsigned char)i;
	memset(big, 'x', sizeof(big));
	memset(name, 'n', 255);
	name[255] = '\0';
	vici_buf_init(&b);
	vici_begin(&b, VICI_CMD_REQUEST, name);
	vici_kv(&b, "blob", blob, sizeof(blob));
	vici_kv(&b, "", "", 0);
	vici_kv(&b, name, big, sizeof(big));
	vici_list_start(&b, "empty");
	vici_list_end(&b);
	vici_section_start(&b, "");
	vici_section_end(&b);
	assert_int_equal(vici_end(&b), 0);
	/* and a second packet in the same buffer */
	vici_begin(&b, VICI_EVENT_CONFIRM, "ignored");
	assert_int_equal(vici_end(&b), 0);

	n = (__u32)vici_packet_next(b.data, b.len, &p);
	assert_true(n > 0 && n < b.len);
	assert_int_equal(p.type, VICI_CMD_REQUEST);
	assert_int_equal(p.name_len, 255);
	assert_int_equal(vici_tree_parse(&t, p.msg, p.msg_len), 0);
	i = vici_tree_find(&t, 0, VICI_KEY_VALUE, "blob");
	assert_int_equal(t.nodes[i].value_len, sizeof(blob));
	assert_memory_equal(t.msg + t.nodes[i].value_off, blob, sizeof(blob));
	assert_int_equal(vici_tree_str(&t, 0, "blob", buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(vici_tree_str(&t, 0, "", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	i = vici_tree_find(&t, 0, VICI_KEY_VALUE, name);
	assert_int_equal(t.nodes[i].value_len, 0xffff);
	assert_int_not_equal(vici_tree_find(&t, 0, VICI_LIST_START, "empty"),
			     0);
	assert_int_not_equal(vici_tree_find(&t, 0, VICI_SECTION_START, ""), 0);
	vici_tree_free(&t);

	assert_int_equal(vici_packet_next(b.data + n, b.len - n, &p),
			 (ssize_t)(b.len - n));
	assert_int_equal(p.type, VICI_EVENT_CONFIRM);
	assert_null(p.name);
	assert_int_equal(p.msg_len, 0);
	vici_buf_consume(&b, n);
	assert_int_equal(b.len, 5);
	vici_buf_free(&b);
}

/* A stream cut anywhere: no packet until its last byte is there. */
static void test_stream_cut(void **state)
{
	struct vici_packet p;
	struct vici_buf b;
	size_t first, i;
	ssize_t n;

	vici_buf_init(&b);
	encode_readme(&b, VICI_EVENT, "child-updown");
	assert_int_equal(vici_end(&b), 0);
	first = b.len;
	vici_begin(&b, VICI_EVENT_CONFIRM, NULL);
	assert_int_equal(vici_end(&b), 0);
	for (i = 0; i < first; i++)
		assert_int_equal(vici_packet_next(b.data, i, &p), 0);
	n = vici_packet_next(b.data, first, &p);
	assert_int_equal(n, (ssize_t)first);
	assert_true(vici_packet_is(&p, "child-updown"));
	for (i = first; i < b.len; i++)
		assert_int_equal(
			vici_packet_next(b.data + first, i - first, &p), 0);
	assert_int_equal(vici_packet_next(b.data + first, b.len - first, &p),
			 5);
	vici_buf_free(&b);
}

static int tree_rc(const void *msg, size_t len)
{
	struct vici_tree t;
	int err = vici_tree_parse(&t, msg, len);

	vici_tree_free(&t);
	return err;
}

static void test_malformed_messages(void **state)
{
	/* clang-format off */
	static const struct {
		const char *what;
		unsigned char msg[16];
		size_t len;
	} bad[] = {
		{ "element type 0", { 0 }, 1 },
		{ "element type 7", { 7 }, 1 },
		{ "element type 255", { 255 }, 1 },
		{ "name past the end", { 3, 5, 'a', 'b' }, 4 },
		{ "no name length", { 1 }, 1 },
		{ "no value length", { 3, 1, 'k' }, 3 },
		{ "half a value length", { 3, 1, 'k', 0 }, 4 },
		{ "value past the end", { 3, 1, 'k', 0, 3, 'a', 'b' }, 7 },
		{ "item value past the end", { 4, 1, 'l', 5, 0, 9, 'x', 6 }, 8 },
		{ "section end at the root", { 2 }, 1 },
		{ "section not closed", { 1, 1, 's' }, 3 },
		{ "sections not closed", { 1, 1, 's', 1, 0, 2 }, 6 },
		{ "list not closed", { 4, 1, 'l', 5, 0, 0 }, 6 },
		{ "list end outside a list", { 6 }, 1 },
		{ "item outside a list", { 5, 0, 0 }, 3 },
		{ "key/value in a list", { 4, 1, 'l', 3, 1, 'k', 0, 0, 6 }, 9 },
		{ "section in a list", { 4, 1, 'l', 1, 1, 's', 2, 6 }, 8 },
		{ "list in a list", { 4, 1, 'l', 4, 1, 'm', 6, 6 }, 8 },
		{ "section end in a list", { 1, 0, 4, 1, 'l', 2, 6, 2 }, 8 },
		{ "garbage after the end", { 1, 0, 2, 2 }, 4 },
	};
	/* clang-format on */
	unsigned char deep[3 * (VICI_MAX_DEPTH + 1)];
	struct vici_reader r;
	struct vici_elem e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = tree_rc(bad[i].msg, bad[i].len);

		if (rc != -EBADMSG)
			fail_msg("%s: %d", bad[i].what, rc);
		/* The reader fails once, and stays failed. */
		vici_reader_init(&r, bad[i].msg, bad[i].len);
		while ((rc = vici_reader_next(&r, &e)) > 0)
			;
		assert_int_equal(rc, -EBADMSG);
		assert_int_equal(vici_reader_next(&r, &e), -EBADMSG);
	}

	/* VICI_MAX_DEPTH sections in sections: fine; one more: not. */
	for (i = 0; i < VICI_MAX_DEPTH + 1; i++) {
		deep[2 * i] = VICI_SECTION_START;
		deep[2 * i + 1] = 0;
	}
	memset(deep + 2 * VICI_MAX_DEPTH, VICI_SECTION_END, VICI_MAX_DEPTH);
	assert_int_equal(tree_rc(deep, 3 * VICI_MAX_DEPTH), 0);
	for (i = 0; i < VICI_MAX_DEPTH + 1; i++) {
		deep[2 * i] = VICI_SECTION_START;
		deep[2 * i + 1] = 0;
	}
	memset(deep + 2 * (VICI_MAX_DEPTH + 1), VICI_SECTION_END,
	       VICI_MAX_DEPTH + 1);
	assert_int_equal(tree_rc(deep, sizeof(deep)), -EBADMSG);
}

static void test_too_large(void **state)
{
	unsigned char hdr[8] = { 0 }, *many;
	struct vici_packet p;
	struct vici_buf b;
	size_t i, n;

	/* A segment over VICI_MAX_SEGMENT, before its bytes are there. */
	n = VICI_MAX_SEGMENT + 1;
	hdr[0] = (unsigned char)(n >> 24);
	hdr[1] = (unsigned char)(n >> 16);
	hdr[2] = (unsigned char)(n >> 8);
	hdr[3] = (unsigned char)n;
	assert_int_equal(vici_packet_next(hdr, 4, &p), -E2BIG);
	hdr[0] = 0xff;
	assert_int_equal(vici_packet_next(hdr, 4, &p), -E2BIG);
	/* An empty segment, an unknown type, a name past the segment. */
	memset(hdr, 0, 4);
	assert_int_equal(vici_packet_next(hdr, 8, &p), -EBADMSG);
	hdr[3] = 1;
	hdr[4] = 8;
	assert_int_equal(vici_packet_next(hdr, 5, &p), -EBADMSG);
	hdr[4] = VICI_EVENT;
	assert_int_equal(vici_packet_next(hdr, 5, &p), -EBADMSG);
	hdr[3] = 3;
	hdr[5] = 2;
	hdr[6] = 'x';
	assert_int_equal(vici_packet_next(hdr, 7, &p), -EBADMSG);
	hdr[5] = 1;
	assert_int_equal(vici_packet_next(hdr, 7, &p), 7);
	assert_true(vici_packet_is(&p, "x"));
	assert_int_equal(p.msg_len, 0);

	/* More elements than VICI_MAX_ELEMENTS: refused, not allocated. */
	n = 3 + 3 * (VICI_MAX_ELEMENTS + 1) + 1;
	many = malloc(n);
	assert_non_null(many);
	many[0] = VICI_LIST_START;
	many[1] = 1;
	many[2] = 'l';
	for (i = 0; i < VICI_MAX_ELEMENTS + 1; i++) {
		many[3 + 3 * i] = VICI_LIST_ITEM;
		many[4 + 3 * i] = 0;
		many[5 + 3 * i] = 0;
	}
	many[n - 1] = VICI_LIST_END;
	assert_int_equal(tree_rc(many, n), -E2BIG);
	/* the limit itself is fine: the root, the list, MAX - 1 items */
	many[3 + 3 * (VICI_MAX_ELEMENTS - 1)] = VICI_LIST_END;
	assert_int_equal(tree_rc(many, 3 + 3 * (VICI_MAX_ELEMENTS - 1) + 1), 0);

	/* The encoder refuses what the format cannot say. */
	vici_buf_init(&b);
	vici_begin(&b, VICI_CMD_REQUEST, "x");
	vici_kv(&b, "k", many, 0x10000);
	assert_int_equal(vici_end(&b), -EINVAL);
	free(many);
	vici_buf_free(&b);
	vici_begin(&b, VICI_CMD_REQUEST, "x");
	vici_list_start(&b, "l");
	vici_kv_str(&b, "k", "v");
	assert_int_equal(vici_end(&b), -EINVAL);
	vici_buf_free(&b);
	vici_begin(&b, VICI_CMD_REQUEST, "x");
	vici_section_end(&b);
	assert_int_equal(vici_end(&b), -EINVAL);
	vici_buf_free(&b);
	vici_begin(&b, VICI_CMD_REQUEST, "x");
	vici_section_start(&b, "s");
	assert_int_equal(vici_end(&b), -EINVAL);
	vici_buf_free(&b);
	vici_list_item_str(&b, "no packet open");
	assert_int_equal(vici_end(&b), -EINVAL);
	vici_buf_free(&b);
	/* A segment over the limit. */
	vici_begin(&b, VICI_CMD_RESPONSE, NULL);
	many = calloc(1, 0xffff);
	assert_non_null(many);
	for (i = 0; i < VICI_MAX_SEGMENT / 0xffff + 1; i++)
		vici_kv(&b, "k", many, 0xffff);
	assert_int_equal(vici_end(&b), -E2BIG);
	free(many);
	vici_buf_free(&b);
}

/* --- charon's messages, as 5.9's vici_query.c builds them --------------------- */

struct ike_spec {
	const char *name;
	unsigned int id;
	const char *local, *remote;
	unsigned int lport, rport;
};

struct child_spec {
	const char *name;
	unsigned int id, reqid;
	const char *state;
	/* charon 5.9.8 lists them in any state once installed, later ones
	 * only when INSTALLED, REKEYING or REKEYED: "" for none */
	const char *proto;
	bool encap;
	const char *spi_in, *spi_out;
};

static void put_uint(struct vici_buf *b, const char *key, unsigned int v)
{
	char s[16];

	snprintf(s, sizeof(s), "%u", v);
	vici_kv_str(b, key, s);
}

static void put_ike_keys(struct vici_buf *b, const struct ike_spec *ike)
{
	put_uint(b, "uniqueid", ike->id);
	vici_kv_str(b, "version", "2");
	vici_kv_str(b, "state", "ESTABLISHED");
	vici_kv_str(b, "local-host", ike->local);
	put_uint(b, "local-port", ike->lport);
	vici_kv_str(b, "local-id", ike->local);
	vici_kv_str(b, "remote-host", ike->remote);
	put_uint(b, "remote-port", ike->rport);
	vici_kv_str(b, "remote-id", ike->remote);
	vici_kv_str(b, "initiator-spi", "8bd6ab6f9c0b1e6e");
	vici_kv_str(b, "responder-spi", "1d6bd0e5a0c3b7f1");
	vici_kv_str(b, "encr-alg", "AES_CBC");
	vici_kv_str(b, "encr-keysize", "128");
	vici_kv_str(b, "established", "3");
	vici_list_start(b, "tasks-passive");
	vici_list_item_str(b, "CHILD_REKEY");
	vici_list_end(b);
}

static void put_child(struct vici_buf *b, const char *section,
		      const struct child_spec *c)
{
	vici_section_start(b, section);
	vici_kv_str(b, "name", c->name);
	put_uint(b, "uniqueid", c->id);
	put_uint(b, "reqid", c->reqid);
	vici_kv_str(b, "state", c->state);
	vici_kv_str(b, "mode", "TUNNEL");
	if (c->spi_in[0]) {
		vici_kv_str(b, "protocol", c->proto);
		if (c->encap)
			vici_kv_str(b, "encap", "yes");
		vici_kv_str(b, "spi-in", c->spi_in);
		vici_kv_str(b, "spi-out", c->spi_out);
		vici_kv_str(b, "encr-alg", "AES_CBC");
		vici_kv_str(b, "bytes-in", "0");
		vici_kv_str(b, "install-time", "1");
	}
	vici_list_start(b, "local-ts");
	vici_list_item_str(b, "172.31.1.0/24");
	vici_list_end(b);
	vici_list_start(b, "remote-ts");
	vici_list_item_str(b, "172.31.2.0/24");
	vici_list_end(b);
	vici_section_end(b);
}

static void msg_list_sa(struct vici_buf *b, const struct ike_spec *ike,
			const struct child_spec *c, size_t n)
{
	char sec[64];
	size_t i;

	vici_begin(b, VICI_EVENT, "list-sa");
	vici_section_start(b, ike->name);
	put_ike_keys(b, ike);
	vici_section_start(b, "child-sas");
	for (i = 0; i < n; i++) {
		snprintf(sec, sizeof(sec), "%s-%u", c[i].name, c[i].id);
		put_child(b, sec, &c[i]);
	}
	vici_section_end(b);
	vici_section_end(b);
	assert_int_equal(vici_end(b), 0);
}

static void msg_child_updown(struct vici_buf *b, bool up,
			     const struct ike_spec *ike,
			     const struct child_spec *c)
{
	vici_begin(b, VICI_EVENT, "child-updown");
	if (up)
		vici_kv_str(b, "up", "yes");
	vici_section_start(b, ike->name);
	put_ike_keys(b, ike);
	vici_section_start(b, "child-sas");
	put_child(b, c->name, c);
	vici_section_end(b);
	vici_section_end(b);
	assert_int_equal(vici_end(b), 0);
}

static void msg_child_rekey(struct vici_buf *b, const struct ike_spec *ike,
			    const struct child_spec *old,
			    const struct child_spec *new)
{
	vici_begin(b, VICI_EVENT, "child-rekey");
	vici_section_start(b, ike->name);
	put_ike_keys(b, ike);
	vici_section_start(b, "child-sas");
	vici_section_start(b, old->name);
	put_child(b, "old", old);
	put_child(b, "new", new);
	vici_section_end(b);
	vici_section_end(b);
	vici_section_end(b);
	assert_int_equal(vici_end(b), 0);
}

static void msg_ike_updown(struct vici_buf *b, bool up,
			   const struct ike_spec *ike)
{
	vici_begin(b, VICI_EVENT, "ike-updown");
	if (up)
		vici_kv_str(b, "up", "yes");
	vici_section_start(b, ike->name);
	put_ike_keys(b, ike);
	vici_section_end(b);
	assert_int_equal(vici_end(b), 0);
}

static void msg_ike_rekey(struct vici_buf *b, const struct ike_spec *old,
			  const struct ike_spec *new)
{
	vici_begin(b, VICI_EVENT, "ike-rekey");
	vici_section_start(b, old->name);
	vici_section_start(b, "old");
	put_ike_keys(b, old);
	vici_section_end(b);
	vici_section_start(b, "new");
	put_ike_keys(b, new);
	vici_section_end(b);
	vici_section_end(b);
	assert_int_equal(vici_end(b), 0);
}

static void msg_reply(struct vici_buf *b, enum vici_type type)
{
	vici_begin(b, type, NULL);
	assert_int_equal(vici_end(b), 0);
}

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + (__u64)ts.tv_nsec / 1000000;
}

/* --- what the source reports ---------------------------------------------------- */

#define MAX_RECS 64

struct rec {
	enum sa_event ev;
	struct sa_entry sa;
};

static struct rec recs[MAX_RECS];
static size_t nr_recs;

static void on_sa(void *ctx, enum sa_event ev, const struct sa_entry *sa)
{
	assert_true(nr_recs < MAX_RECS);
	recs[nr_recs].ev = ev;
	if (sa)
		recs[nr_recs].sa = *sa;
	else
		memset(&recs[nr_recs].sa, 0, sizeof(recs[nr_recs].sa));
	nr_recs++;
	(void)ctx;
}

static __u32 ip4(const char *s)
{
	__u32 a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void expect_ev(size_t i, enum sa_event ev)
{
	if (i >= nr_recs)
		fail_msg("event %zu of %zu wanted", i, nr_recs);
	assert_int_equal(recs[i].ev, ev);
}

/* Event @i is @ev of an SA (dir, dst, spi, peer, tunnel, reqid, encap). */
static void expect_sa(size_t i, enum sa_event ev, enum sa_dir dir,
		      const char *dst, __u32 spi, const char *peer,
		      const char *tunnel, __u32 reqid, __u16 sport, __u16 dport)
{
	const struct sa_entry *sa = &recs[i].sa;

	expect_ev(i, ev);
	assert_int_equal(sa->family, 4);
	assert_int_equal(sa->dir, dir);
	assert_int_equal(sa->daddr[0], ip4(dst));
	assert_int_equal(sa->spi, spi);
	assert_int_equal(sa->has_peer, 1);
	assert_int_equal(sa->peer[0], ip4(peer));
	assert_string_equal(sa->tunnel, tunnel);
	assert_int_equal(sa->reqid, reqid);
	assert_int_equal(sa->encap, sport || dport);
	assert_int_equal(sa->encap_sport, sport);
	assert_int_equal(sa->encap_dport, dport);
}

/* --- a fake charon on the other end ------------------------------------------------ */

/* One whole packet from @fd (blocking, 2 s at most); its length. */
static size_t read_packet(int fd, unsigned char *buf, size_t size)
{
	size_t want = 4, got = 0, n;

	while (got < want) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		assert_int_equal(poll(&p, 1, 2000), 1);
		r = read(fd, buf + got, want - got);
		assert_true(r > 0);
		got += (size_t)r;
		if (got == 4 && want == 4) {
			n = (size_t)buf[0] << 24 | (size_t)buf[1] << 16 |
			    (size_t)buf[2] << 8 | buf[3];
			assert_true(n + 4 <= size);
			want = 4 + n;
		}
	}
	return got;
}

static void expect_request(int fd, enum vici_type type, const char *name)
{
	unsigned char buf[512];
	struct vici_packet p;
	size_t n = read_packet(fd, buf, sizeof(buf));

	assert_int_equal(vici_packet_next(buf, n, &p), (ssize_t)n);
	assert_int_equal(p.type, type);
	if (!vici_packet_is(&p, name))
		fail_msg("wanted %s, got %.*s", name, p.name_len, p.name);
}

static void nothing_sent(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, 0), 0);
}

static void send_buf(int fd, struct vici_buf *b)
{
	assert_int_equal(write(fd, b->data, b->len), (ssize_t)b->len);
	b->len = 0;
}

/* Send what @b holds and let the source handle it. */
static void deliver(struct vici_source *s, int fd, struct vici_buf *b)
{
	send_buf(fd, b);
	vici_source_handle(s, POLLIN);
}

static const char *const registrations[] = {
	"child-updown", "child-rekey", "ike-updown",
	"ike-rekey",	"list-sa",     "ike-update",
};
#define NR_REGS (sizeof(registrations) / sizeof(registrations[0]))

/* charon's side of a connect: the registrations confirmed, list-sas read. */
static void serve_connect(struct vici_source *s, int fd)
{
	struct vici_buf b;
	size_t i;

	vici_buf_init(&b);
	for (i = 0; i < NR_REGS; i++) {
		expect_request(fd, VICI_EVENT_REGISTER, registrations[i]);
		/* one request at a time */
		nothing_sent(fd);
		assert_false(vici_source_up(s));
		msg_reply(&b, VICI_EVENT_CONFIRM);
		deliver(s, fd, &b);
	}
	expect_request(fd, VICI_CMD_REQUEST, "list-sas");
	vici_buf_free(&b);
}

static const struct ike_spec ike_lab = {
	.name = "lab",
	.id = 1,
	.local = "198.51.100.1",
	.remote = "203.0.113.10",
	.lport = 4500,
	.rport = 4500,
};
static const struct child_spec child_lab = {
	.name = "lab",
	.id = 1,
	.reqid = 1,
	.state = "INSTALLED",
	.proto = "ESP",
	.encap = true,
	.spi_in = "c1a2b3c4",
	.spi_out = "0badf00d",
};

static struct vici_source *attached(int *peer)
{
	struct vici_source *s;
	int sv[2];

	nr_recs = 0;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(
		vici_source_open(&s, "/nonexistent/charon.vici", on_sa, NULL),
		0);
	assert_int_equal(vici_source_fd(s), -1);
	assert_int_equal(vici_source_attach(s, sv[0]), 0);
	assert_int_equal(vici_source_fd(s), sv[0]);
	*peer = sv[1];
	return s;
}

static void test_listing(void **state)
{
	static const struct ike_spec ike6 = {
		.name = "v6",
		.id = 7,
		.local = "2001:db8::1",
		.remote = "2001:db8::2",
		.lport = 500,
		.rport = 500,
	};
	const struct child_spec kids[] = {
		child_lab,
		/* AH, not installed, and one with a long name */
		{ "ah", 2, 2, "INSTALLED", "AH", false, "a1a1a1a1",
		  "a2a2a2a2" },
		{ "half", 3, 3, "INSTALLING", "ESP", false, "", "" },
		{ "a-child-name-as-long-as-it-gets-here", 4, 0, "REKEYED",
		  "ESP", false, "00000100", "FFFFFFFF" },
	};
	const struct child_spec v6kid = {
		"net", 9, 5, "INSTALLED", "ESP", false, "12345678", "9abcdef0"
	};
	struct vici_source *s;
	struct vici_buf b;
	char st[128];
	__u32 a6[4];
	int fd;

	s = attached(&fd);
	vici_buf_init(&b);
	assert_string_equal(vici_source_state(s, st, sizeof(st)),
			    "connected, registering for events");
	serve_connect(s, fd);
	expect_ev(0, SA_EV_SYNC_BEGIN);
	assert_string_equal(vici_source_state(s, st, sizeof(st)),
			    "connected, listing the SAs");
	msg_list_sa(&b, &ike_lab, kids, 4);
	msg_list_sa(&b, &ike6, &v6kid, 1);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 7);
	expect_sa(1, SA_EV_ADD, SA_DIR_IN, "198.51.100.1", 0xc1a2b3c4,
		  "203.0.113.10", "lab", 1, 4500, 4500);
	expect_sa(2, SA_EV_ADD, SA_DIR_OUT, "203.0.113.10", 0x0badf00d,
		  "198.51.100.1", "lab", 1, 4500, 4500);
	/* reqid 0: the unique id; the name does not fit beside "lab/" */
	expect_sa(3, SA_EV_ADD, SA_DIR_IN, "198.51.100.1", 0x100,
		  "203.0.113.10", "a-child-name-as-long-as-it-gets-her", 4, 0,
		  0);
	expect_sa(4, SA_EV_ADD, SA_DIR_OUT, "203.0.113.10", 0xffffffff,
		  "198.51.100.1", "a-child-name-as-long-as-it-gets-her", 4, 0,
		  0);
	expect_ev(5, SA_EV_ADD);
	assert_int_equal(recs[5].sa.family, 6);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", a6), 1);
	assert_memory_equal(recs[5].sa.daddr, a6, 16);
	assert_int_equal(recs[5].sa.spi, 0x12345678);
	assert_string_equal(recs[5].sa.tunnel, "v6/net");
	assert_int_equal(recs[5].sa.dir, SA_DIR_IN);
	assert_int_equal(recs[6].sa.spi, 0x9abcdef0);
	assert_false(vici_source_up(s));

	msg_reply(&b, VICI_CMD_RESPONSE);
	deliver(s, fd, &b);
	expect_ev(7, SA_EV_SYNC_END);
	assert_int_equal(nr_recs, 8);
	assert_true(vici_source_up(s));
	assert_string_equal(vici_source_state(s, st, sizeof(st)),
			    "up, 6 SAs, synced 0 s ago");
	nothing_sent(fd);

	/* list-sa outside a listing: not ours, ignored */
	msg_list_sa(&b, &ike_lab, kids, 1);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 8);

	vici_buf_free(&b);
	vici_source_close(s);
	close(fd);
	assert_int_equal(nr_recs, 8); /* close reports nothing */
}

static void synced(struct vici_source *s, int fd, const struct child_spec *c,
		   size_t n)
{
	struct vici_buf b;

	vici_buf_init(&b);
	serve_connect(s, fd);
	if (n)
		msg_list_sa(&b, &ike_lab, c, n);
	msg_reply(&b, VICI_CMD_RESPONSE);
	deliver(s, fd, &b);
	assert_true(vici_source_up(s));
	vici_buf_free(&b);
	nr_recs = 0;
}

static void test_events(void **state)
{
	struct child_spec down = child_lab, c2 = child_lab, c3 = child_lab;
	struct ike_spec ike2 = ike_lab;
	struct vici_source *s;
	struct vici_buf b;
	char st[128];
	int fd;

	s = attached(&fd);
	vici_buf_init(&b);
	synced(s, fd, NULL, 0);

	/* up: both SAs at once */
	msg_child_updown(&b, true, &ike_lab, &child_lab);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 2);
	expect_sa(0, SA_EV_ADD, SA_DIR_IN, "198.51.100.1", 0xc1a2b3c4,
		  "203.0.113.10", "lab", 1, 4500, 4500);
	expect_sa(1, SA_EV_ADD, SA_DIR_OUT, "203.0.113.10", 0x0badf00d,
		  "198.51.100.1", "lab", 1, 4500, 4500);
	assert_string_equal(vici_source_state(s, st, sizeof(st)),
			    "up, 2 SAs, synced 0 s ago");

	/* rekey: the new SAs added before the old ones go */
	c2.id = 2;
	c2.spi_in = "c2c2c2c2";
	c2.spi_out = "d2d2d2d2";
	down.state = "REKEYED";
	nr_recs = 0;
	msg_child_rekey(&b, &ike_lab, &down, &c2);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 4);
	expect_sa(0, SA_EV_ADD, SA_DIR_IN, "198.51.100.1", 0xc2c2c2c2,
		  "203.0.113.10", "lab", 1, 4500, 4500);
	expect_sa(1, SA_EV_ADD, SA_DIR_OUT, "203.0.113.10", 0xd2d2d2d2,
		  "198.51.100.1", "lab", 1, 4500, 4500);
	expect_sa(2, SA_EV_DEL, SA_DIR_IN, "198.51.100.1", 0xc1a2b3c4,
		  "203.0.113.10", "lab", 1, 4500, 4500);
	expect_sa(3, SA_EV_DEL, SA_DIR_OUT, "203.0.113.10", 0x0badf00d,
		  "198.51.100.1", "lab", 1, 4500, 4500);
	assert_string_equal(vici_source_state(s, st, sizeof(st)),
			    "up, 2 SAs, synced 0 s ago");

	/* down as a later charon says it: no SPIs; known by its id */
	down = c2;
	down.state = "DELETING";
	down.spi_in = "";
	nr_recs = 0;
	msg_child_updown(&b, false, &ike_lab, &down);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 2);
	expect_sa(0, SA_EV_DEL, SA_DIR_IN, "198.51.100.1", 0xc2c2c2c2,
		  "203.0.113.10", "lab", 1, 4500, 4500);
	expect_sa(1, SA_EV_DEL, SA_DIR_OUT, "203.0.113.10", 0xd2d2d2d2,
		  "198.51.100.1", "lab", 1, 4500, 4500);
	nothing_sent(fd);

	/* ike-updown down: every CHILD_SA it had */
	c2.id = 5;
	c3.id = 6;
	c3.spi_in = "c3c3c3c3";
	c3.spi_out = "d3d3d3d3";
	c3.encap = false;
	nr_recs = 0;
	msg_child_updown(&b, true, &ike_lab, &c2);
	msg_child_updown(&b, true, &ike_lab, &c3);
	deliver(s, fd, &b);
	/* another IKE_SA's CHILD_SA stays */
	ike2.id = 2;
	c2.id = 7;
	c2.spi_in = "77777777";
	msg_child_updown(&b, true, &ike2, &c2);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 6);
	nr_recs = 0;
	msg_ike_updown(&b, true, &ike_lab); /* up: nothing */
	msg_ike_updown(&b, false, &ike_lab);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 4);
	expect_ev(0, SA_EV_DEL);
	expect_ev(3, SA_EV_DEL);
	assert_true(recs[0].sa.spi == 0xc2c2c2c2 ||
		    recs[0].sa.spi == 0xc3c3c3c3);
	assert_true(recs[2].sa.spi == 0xc2c2c2c2 ||
		    recs[2].sa.spi == 0xc3c3c3c3);
	assert_int_not_equal(recs[0].sa.spi, recs[2].sa.spi);
	assert_string_equal(vici_source_state(s, st, sizeof(st)),
			    "up, 2 SAs, synced 0 s ago");

	/* ike-rekey: its CHILD_SAs follow to the new IKE_SA */
	{
		struct ike_spec ike3 = ike2;

		ike3.id = 3;
		nr_recs = 0;
		msg_ike_rekey(&b, &ike2, &ike3);
		msg_ike_updown(&b, false,
			       &ike2); /* the old one: nothing left */
		deliver(s, fd, &b);
		assert_int_equal(nr_recs, 0);
		msg_ike_updown(&b, false, &ike3);
		deliver(s, fd, &b);
		assert_int_equal(nr_recs, 2);
		expect_ev(0, SA_EV_DEL);
		assert_int_equal(recs[0].sa.spi, 0x77777777);
	}

	/* A down of a CHILD_SA we do not know: list again. */
	nr_recs = 0;
	down.id = 99;
	msg_child_updown(&b, false, &ike_lab, &down);
	deliver(s, fd, &b);
	expect_ev(0, SA_EV_SYNC_BEGIN);
	expect_request(fd, VICI_CMD_REQUEST, "list-sas");
	msg_list_sa(&b, &ike_lab, &child_lab, 1);
	msg_reply(&b, VICI_CMD_RESPONSE);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 4);
	expect_ev(3, SA_EV_SYNC_END);
	/* an AH one: nothing to do */
	nr_recs = 0;
	down.proto = "AH";
	down.state = "INSTALLED";
	down.spi_in = "a1a1a1a1";
	msg_child_updown(&b, false, &ike_lab, &down);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 0);
	nothing_sent(fd);

	/* Events we did not ask for, and a malformed one: dropped. */
	vici_begin(&b, VICI_EVENT, "log");
	vici_kv_str(&b, "msg", "hello");
	assert_int_equal(vici_end(&b), 0);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 0);
	assert_true(vici_source_up(s));
	vici_begin(&b, VICI_EVENT, "child-updown");
	assert_int_equal(vici_end(&b), 0);
	b.data[3] += 1;
	b.data[b.len++] = VICI_SECTION_END;
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 1);
	expect_ev(0, SA_EV_DOWN);
	assert_int_equal(vici_source_fd(s), -1);
	assert_non_null(strstr(vici_source_state(s, st, sizeof(st)),
			       "down: protocol error: event child-updown"));

	vici_buf_free(&b);
	vici_source_close(s);
	close(fd);
}

/*
 * What charon 5.9.8 sent in the lab (tests/lab/vici.sh): up; a rekey; the
 * new CHILD_SA deleted (DELETED, with its SPIs); another up; the IKE_SA
 * deleted: ike-updown down first, then child-updown down for its CHILD_SA.
 * A listing while a CHILD_SA is DELETED (charon keeps a rekeyed one a few
 * seconds) does not add it back.
 */
static void test_charon_598(void **state)
{
	struct child_spec c1 = child_lab, c2 = child_lab, c3 = child_lab;
	struct ike_spec ike = ike_lab;
	struct vici_source *s;
	struct vici_buf b;
	char st[128];
	int fd;

	s = attached(&fd);
	vici_buf_init(&b);
	synced(s, fd, NULL, 0);
	c1.spi_in = "128f3ad8";
	c1.spi_out = "06cf37b9";
	msg_ike_updown(&b, true, &ike);
	msg_child_updown(&b, true, &ike, &c1);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 2);
	expect_sa(0, SA_EV_ADD, SA_DIR_IN, "198.51.100.1", 0x128f3ad8,
		  "203.0.113.10", "lab", 1, 4500, 4500);

	c1.state = "REKEYED";
	c2.id = 2;
	c2.spi_in = "c968f578";
	c2.spi_out = "fc9cd545";
	msg_child_rekey(&b, &ike, &c1, &c2);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 6);
	expect_sa(2, SA_EV_ADD, SA_DIR_IN, "198.51.100.1", 0xc968f578,
		  "203.0.113.10", "lab", 1, 4500, 4500);
	expect_sa(4, SA_EV_DEL, SA_DIR_IN, "198.51.100.1", 0x128f3ad8,
		  "203.0.113.10", "lab", 1, 4500, 4500);

	/* A resync now: the old one DELETED, still listed with SPIs. */
	nr_recs = 0;
	c1.state = "DELETED";
	vici_source_resync(s);
	expect_request(fd, VICI_CMD_REQUEST, "list-sas");
	{
		const struct child_spec both[] = { c1, c2 };

		msg_list_sa(&b, &ike, both, 2);
	}
	msg_reply(&b, VICI_CMD_RESPONSE);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 4);
	expect_ev(0, SA_EV_SYNC_BEGIN);
	expect_sa(1, SA_EV_ADD, SA_DIR_IN, "198.51.100.1", 0xc968f578,
		  "203.0.113.10", "lab", 1, 4500, 4500);
	expect_ev(3, SA_EV_SYNC_END);

	/* IKE rekeyed, then the CHILD_SA deleted: DELETED, SPIs listed. */
	nr_recs = 0;
	ike.id = 2;
	msg_ike_rekey(&b, &ike_lab, &ike);
	c2.state = "DELETED";
	msg_child_updown(&b, false, &ike, &c2);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 2);
	expect_sa(0, SA_EV_DEL, SA_DIR_IN, "198.51.100.1", 0xc968f578,
		  "203.0.113.10", "lab", 1, 4500, 4500);
	assert_string_equal(vici_source_state(s, st, sizeof(st)),
			    "up, 0 SAs, synced 0 s ago");

	/* up again; the IKE_SA deleted: its CHILD_SA's SAs go (the
	 * child-updown down after it deletes them again: harmless). */
	c3.id = 3;
	c3.spi_in = "2b0b878f";
	c3.spi_out = "2789b01c";
	msg_child_updown(&b, true, &ike, &c3);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 4);
	nr_recs = 0;
	msg_ike_updown(&b, false, &ike);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 2);
	expect_sa(0, SA_EV_DEL, SA_DIR_IN, "198.51.100.1", 0x2b0b878f,
		  "203.0.113.10", "lab", 1, 4500, 4500);
	expect_sa(1, SA_EV_DEL, SA_DIR_OUT, "203.0.113.10", 0x2789b01c,
		  "198.51.100.1", "lab", 1, 4500, 4500);
	msg_child_updown(&b, false, &ike, &c3);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 4);
	expect_sa(2, SA_EV_DEL, SA_DIR_IN, "198.51.100.1", 0x2b0b878f,
		  "203.0.113.10", "lab", 1, 4500, 4500);
	nothing_sent(fd); /* nothing unknown: no resync */
	assert_string_equal(vici_source_state(s, st, sizeof(st)),
			    "up, 0 SAs, synced 0 s ago");

	vici_buf_free(&b);
	vici_source_close(s);
	close(fd);
}

/* ike-update as charon 5.9.8 sends it: the new endpoints at the root. */
static void msg_ike_update(struct vici_buf *b, const struct ike_spec *old,
			   const char *local, unsigned int lport,
			   const char *remote, unsigned int rport)
{
	vici_begin(b, VICI_EVENT, "ike-update");
	vici_kv_str(b, "local-host", local);
	put_uint(b, "local-port", lport);
	vici_kv_str(b, "remote-host", remote);
	put_uint(b, "remote-port", rport);
	vici_section_start(b, old->name);
	put_ike_keys(b, old);
	vici_kv_str(b, "nat-any", "yes");
	vici_section_end(b);
	assert_int_equal(vici_end(b), 0);
}

/* MOBIKE, a NAT mapping: the SAs move with their IKE_SA. */
static void test_ike_update(void **state)
{
	struct child_spec plain = child_lab;
	struct ike_spec ike = ike_lab, other = ike_lab;
	struct vici_source *s;
	struct vici_buf b;
	int fd;

	s = attached(&fd);
	vici_buf_init(&b);
	synced(s, fd, NULL, 0);
	/* At IKE_SA setup charon floats to 4500: no CHILD_SA yet. */
	ike.lport = ike.rport = 500;
	msg_ike_update(&b, &ike, "198.51.100.1", 4500, "203.0.113.10", 4500);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 0);

	plain.encap = false;
	msg_child_updown(&b, true, &ike, &plain);
	other.id = 2;
	plain.id = 2;
	plain.spi_in = "22222222";
	msg_child_updown(&b, true, &other, &plain);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 4);

	/* The peer moves behind a NAT: IKE_SA 1's SAs follow. */
	nr_recs = 0;
	msg_ike_update(&b, &ike, "198.51.100.1", 4500, "203.0.113.99", 31337);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 4);
	expect_sa(0, SA_EV_DEL, SA_DIR_IN, "198.51.100.1", 0xc1a2b3c4,
		  "203.0.113.10", "lab", 1, 0, 0);
	expect_sa(1, SA_EV_DEL, SA_DIR_OUT, "203.0.113.10", 0x0badf00d,
		  "198.51.100.1", "lab", 1, 0, 0);
	expect_sa(2, SA_EV_ADD, SA_DIR_IN, "198.51.100.1", 0xc1a2b3c4,
		  "203.0.113.99", "lab", 1, 31337, 4500);
	expect_sa(3, SA_EV_ADD, SA_DIR_OUT, "203.0.113.99", 0x0badf00d,
		  "198.51.100.1", "lab", 1, 4500, 31337);
	/* said again: nothing moves */
	msg_ike_update(&b, &ike, "198.51.100.1", 4500, "203.0.113.99", 31337);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 4);
	/* and a down finds them where they are now */
	nr_recs = 0;
	msg_ike_updown(&b, false, &ike);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 2);
	expect_sa(0, SA_EV_DEL, SA_DIR_IN, "198.51.100.1", 0xc1a2b3c4,
		  "203.0.113.99", "lab", 1, 31337, 4500);
	nothing_sent(fd);

	/* An ike-update without the new endpoints: a listing, later. */
	nr_recs = 0;
	msg_ike_updown(&b, true, &other);
	memcpy(b.data + 5, "\x0aike-update", 11); /* as long as ike-updown */
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 0);
	nothing_sent(fd);
	{
		int t = vici_source_timeout_ms(s, now_ms());

		assert_true(t > 500 && t <= 1000);
	}
	vici_source_tick(s, now_ms());
	nothing_sent(fd);
	vici_source_tick(s, now_ms() + 1001);
	expect_request(fd, VICI_CMD_REQUEST, "list-sas");
	expect_ev(0, SA_EV_SYNC_BEGIN);
	msg_reply(&b, VICI_CMD_RESPONSE);
	deliver(s, fd, &b);
	expect_ev(1, SA_EV_SYNC_END);

	/* Moved without an ike-update (a charon without it): an up or a
	 * down at the new addresses also deletes what was at the old. */
	nr_recs = 0;
	plain.id = 3;
	plain.spi_in = "33333333";
	msg_child_updown(&b, true, &ike_lab, &plain);
	deliver(s, fd, &b);
	other = ike_lab;
	other.remote = "203.0.113.77";
	msg_child_updown(&b, true, &other, &plain);
	deliver(s, fd, &b);
	/* the in SA keeps its key (destination, SPI): added again */
	assert_int_equal(nr_recs, 5);
	expect_sa(2, SA_EV_DEL, SA_DIR_OUT, "203.0.113.10", 0x0badf00d,
		  "198.51.100.1", "lab", 1, 0, 0);
	expect_sa(3, SA_EV_ADD, SA_DIR_IN, "198.51.100.1", 0x33333333,
		  "203.0.113.77", "lab", 1, 0, 0);
	expect_sa(4, SA_EV_ADD, SA_DIR_OUT, "203.0.113.77", 0x0badf00d,
		  "198.51.100.1", "lab", 1, 0, 0);
	other.remote = "203.0.113.78";
	msg_child_updown(&b, false, &other, &plain);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 8);
	expect_sa(5, SA_EV_DEL, SA_DIR_IN, "198.51.100.1", 0x33333333,
		  "203.0.113.78", "lab", 1, 0, 0);
	expect_sa(6, SA_EV_DEL, SA_DIR_OUT, "203.0.113.78", 0x0badf00d,
		  "198.51.100.1", "lab", 1, 0, 0);
	expect_sa(7, SA_EV_DEL, SA_DIR_OUT, "203.0.113.77", 0x0badf00d,
		  "198.51.100.1", "lab", 1, 0, 0);
	nothing_sent(fd);

	vici_buf_free(&b);
	vici_source_close(s);
	close(fd);
}

static void test_protocol_errors(void **state)
{
	struct vici_source *s;
	struct vici_buf b;
	char st[128];
	size_t i;
	int fd;

	/* A reply of the wrong kind. */
	s = attached(&fd);
	vici_buf_init(&b);
	expect_request(fd, VICI_EVENT_REGISTER, "child-updown");
	msg_reply(&b, VICI_CMD_RESPONSE);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 1);
	expect_ev(0, SA_EV_DOWN);
	assert_non_null(
		strstr(vici_source_state(s, st, sizeof(st)),
		       "protocol error: CMD_RESPONSE for event child-updown"));
	vici_source_close(s);
	close(fd);

	/* charon without the event. */
	s = attached(&fd);
	expect_request(fd, VICI_EVENT_REGISTER, "child-updown");
	msg_reply(&b, VICI_EVENT_UNKNOWN);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 1);
	assert_non_null(
		strstr(vici_source_state(s, st, sizeof(st)),
		       "down: charon has no event child-updown, retry in"));
	vici_source_close(s);
	close(fd);

	/* Without ike-update (optional): on to the listing. */
	s = attached(&fd);
	for (i = 0; i < NR_REGS; i++) {
		expect_request(fd, VICI_EVENT_REGISTER, registrations[i]);
		msg_reply(&b, strcmp(registrations[i], "ike-update") ?
				      VICI_EVENT_CONFIRM :
				      VICI_EVENT_UNKNOWN);
		deliver(s, fd, &b);
	}
	expect_request(fd, VICI_CMD_REQUEST, "list-sas");
	msg_reply(&b, VICI_CMD_RESPONSE);
	deliver(s, fd, &b);
	assert_true(vici_source_up(s));
	vici_source_close(s);
	close(fd);

	/* A reply with nothing asked, a request from the server, an empty
	 * segment, a segment over the limit. */
	{
		static const unsigned char junk[][8] = {
			{ 0, 0, 0, 1, VICI_EVENT_CONFIRM },
			{ 0, 0, 0, 2, VICI_EVENT_REGISTER, 0 },
			{ 0, 0, 0, 0 },
			{ 0, 8, 0, 1 },
			{ 0, 0, 0, 1, 9 },
		};
		for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
			s = attached(&fd);
			if (i == 0) {
				serve_connect(s, fd);
				msg_reply(&b, VICI_CMD_RESPONSE);
				deliver(s, fd, &b);
				nr_recs = 0;
			}
			assert_int_equal(write(fd, junk[i], 8), 8);
			vici_source_handle(s, POLLIN);
			if (nr_recs != 1)
				fail_msg("junk %zu: %zu events", i, nr_recs);
			expect_ev(0, SA_EV_DOWN);
			assert_int_equal(vici_source_fd(s), -1);
			assert_non_null(
				strstr(vici_source_state(s, st, sizeof(st)),
				       "protocol error"));
			vici_source_close(s);
			close(fd);
		}
	}
	vici_buf_free(&b);
}

/* --- over a unix socket: connect, EOF, reconnect ------------------------------------ */

static int listen_at(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static int accept_one(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int fd;

	assert_int_equal(poll(&p, 1, 2000), 1);
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	return fd;
}

static void test_unix_socket(void **state)
{
	char dir[] = "/tmp/test_vici.XXXXXX", path[64], uri[80], st[160];
	struct vici_source *s;
	struct vici_buf b;
	struct child_spec c2 = child_lab;
	int lfd, fd, t, i;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/charon.vici", dir);
	snprintf(uri, sizeof(uri), "unix://%s", path);
	vici_buf_init(&b);
	nr_recs = 0;

	/* No socket yet: not an error, retried with a backoff. */
	assert_int_equal(vici_source_open(&s, uri, on_sa, NULL), 0);
	assert_int_equal(vici_source_fd(s), -1);
	assert_int_equal(vici_source_events(s), 0);
	assert_false(vici_source_up(s));
	assert_non_null(
		strstr(vici_source_state(s, st, sizeof(st)),
		       "down: connect: No such file or directory, retry in"));
	t = vici_source_timeout_ms(s, now_ms());
	assert_true(t > 200 && t <= VICI_BACKOFF_MIN_MS);
	/* each failure doubles the wait, up to VICI_BACKOFF_MAX_MS */
	for (i = 1; i < 8; i++) {
		int want = VICI_BACKOFF_MIN_MS << i;

		if (want > VICI_BACKOFF_MAX_MS)
			want = VICI_BACKOFF_MAX_MS;
		vici_source_tick(s, now_ms() + 100000);
		t = vici_source_timeout_ms(s, now_ms());
		if (t > want || t < want - 100)
			fail_msg("try %d: waits %d ms, not %d", i, t, want);
	}
	/* not before its time */
	vici_source_tick(s, now_ms());
	assert_int_equal(vici_source_fd(s), -1);
	assert_int_equal(nr_recs, 0);

	/* charon is there: connect on the next tick due. */
	lfd = listen_at(path);
	vici_source_tick(s, now_ms() + VICI_BACKOFF_MAX_MS);
	assert_true(vici_source_fd(s) >= 0);
	assert_int_equal(vici_source_events(s) & POLLIN, POLLIN);
	fd = accept_one(lfd);
	serve_connect(s, fd);
	msg_list_sa(&b, &ike_lab, &child_lab, 1);
	msg_reply(&b, VICI_CMD_RESPONSE);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 4);
	expect_ev(0, SA_EV_SYNC_BEGIN);
	expect_ev(3, SA_EV_SYNC_END);
	assert_true(vici_source_up(s));
	/* the next thing due: the periodic resync */
	t = vici_source_timeout_ms(s, now_ms());
	assert_true(t > VICI_RESYNC_MS - 1000 && t <= VICI_RESYNC_MS);

	/* An event, then charon goes away: SA_EV_DOWN once. */
	c2.id = 2;
	c2.spi_in = "c2c2c2c2";
	msg_child_updown(&b, true, &ike_lab, &c2);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 6);
	close(fd);
	close(lfd);
	unlink(path);
	vici_source_handle(s, POLLIN | POLLHUP);
	assert_int_equal(nr_recs, 7);
	expect_ev(6, SA_EV_DOWN);
	assert_int_equal(vici_source_fd(s), -1);
	assert_false(vici_source_up(s));
	/* a good listing set the backoff back to its minimum */
	assert_non_null(
		strstr(vici_source_state(s, st, sizeof(st)),
		       "down: charon closed the connection, retry in 1 s"));
	t = vici_source_timeout_ms(s, now_ms());
	assert_true(t > 150 && t <= VICI_BACKOFF_MIN_MS);
	vici_source_tick(s, now_ms() + 100000);
	vici_source_tick(s, now_ms() + 100000);
	assert_int_equal(nr_recs, 7); /* down once, not per try */
	assert_non_null(strstr(vici_source_state(s, st, sizeof(st)),
			       "down: connect: No such file or directory"));

	/* Back: connects, registers again and resyncs with the new SAs. */
	lfd = listen_at(path);
	vici_source_tick(s, now_ms() + 100000);
	fd = accept_one(lfd);
	nr_recs = 0;
	serve_connect(s, fd);
	msg_list_sa(&b, &ike_lab, &c2, 1);
	msg_reply(&b, VICI_CMD_RESPONSE);
	deliver(s, fd, &b);
	assert_int_equal(nr_recs, 4);
	expect_ev(0, SA_EV_SYNC_BEGIN);
	expect_sa(1, SA_EV_ADD, SA_DIR_IN, "198.51.100.1", 0xc2c2c2c2,
		  "203.0.113.10", "lab", 1, 4500, 4500);
	expect_ev(3, SA_EV_SYNC_END);
	assert_true(vici_source_up(s));

	/* The periodic resync, and a forced one while it runs. */
	nr_recs = 0;
	vici_source_tick(s, now_ms() + VICI_RESYNC_MS + 10);
	expect_ev(0, SA_EV_SYNC_BEGIN);
	expect_request(fd, VICI_CMD_REQUEST, "list-sas");
	vici_source_resync(s);
	nothing_sent(fd); /* one request at a time */
	vici_source_tick(s, now_ms() + 1000);
	nothing_sent(fd);
	assert_non_null(strstr(vici_source_state(s, st, sizeof(st)),
			       "up, 2 SAs, synced"));
	msg_reply(&b, VICI_CMD_RESPONSE);
	deliver(s, fd, &b);
	expect_ev(1, SA_EV_SYNC_END);
	expect_ev(2, SA_EV_SYNC_BEGIN);
	expect_request(fd, VICI_CMD_REQUEST, "list-sas");
	assert_string_equal(vici_source_state(s, st, sizeof(st)),
			    "up, 0 SAs, synced 0 s ago, listing again");
	msg_reply(&b, VICI_CMD_RESPONSE);
	deliver(s, fd, &b);
	expect_ev(3, SA_EV_SYNC_END);
	assert_int_equal(nr_recs, 4);
	nothing_sent(fd);

	/* charon stops answering: given up after VICI_REPLY_TIMEOUT_MS. */
	nr_recs = 0;
	vici_source_resync(s);
	expect_request(fd, VICI_CMD_REQUEST, "list-sas");
	t = vici_source_timeout_ms(s, now_ms());
	assert_true(t > VICI_REPLY_TIMEOUT_MS - 1000 &&
		    t <= VICI_REPLY_TIMEOUT_MS);
	vici_source_tick(s, now_ms() + 1000);
	assert_int_equal(nr_recs, 1); /* the SYNC_BEGIN */
	vici_source_tick(s, now_ms() + VICI_REPLY_TIMEOUT_MS + 10);
	assert_int_equal(nr_recs, 2);
	expect_ev(1, SA_EV_DOWN);
	assert_non_null(strstr(
		vici_source_state(s, st, sizeof(st)),
		"down: no reply to command list-sas from charon in 60 s"));

	vici_source_close(s);
	close(fd);
	close(lfd);
	unlink(path);
	rmdir(dir);
	vici_buf_free(&b);
}

/*
 * A socket at the path that another user listens on (a path in a
 * directory they may write): refused, named with its uid and pid, sent
 * nothing, tried again later as a dead socket is; root's, once there, is
 * believed. Needs root (to be another user in the child).
 */
static void test_untrusted_peer(void **state)
{
	char dir[] = "/tmp/test_vici.XXXXXX", path[64], st[320], want[160];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct vici_source *s;
	int ready[2], lfd, fd, status, t;
	pid_t pid;
	char c;

	if (geteuid() != 0) {
		print_message("not root: skipped\n");
		return;
	}
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0777), 0);
	snprintf(path, sizeof(path), "%s/charon.vici", dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		ssize_t n, got = 0;
		char buf[256];

		/*
		 * nobody: listens for both attempts (one that exited after
		 * the first would turn the second into "connection
		 * refused"), and says whether a byte ever came.
		 */
		alarm(10);
		if (setgid(65534) || setuid(65534))
			_exit(2);
		lfd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (lfd < 0 ||
		    bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) ||
		    listen(lfd, 4) || write(ready[1], "r", 1) != 1)
			_exit(2);
		for (t = 0; t < 2; t++) {
			fd = accept(lfd, NULL, NULL);
			if (fd < 0)
				_exit(2);
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				got += n;
			close(fd);
		}
		_exit(got ? 1 : 0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);

	nr_recs = 0;
	assert_int_equal(vici_source_open(&s, path, on_sa, NULL), 0);
	assert_int_equal(vici_source_fd(s), -1);
	assert_false(vici_source_up(s));
	snprintf(
		want, sizeof(want),
		"down: refused %s: it is uid 65534's (pid %d), not root's or this daemon's user's, retry in",
		path, (int)pid);
	assert_non_null(strstr(vici_source_state(s, st, sizeof(st)), want));
	/* retried with the backoff of a dead socket, refused again */
	t = vici_source_timeout_ms(s, now_ms());
	assert_true(t > 200 && t <= VICI_BACKOFF_MIN_MS);
	vici_source_tick(s, now_ms() + 100000);
	assert_int_equal(vici_source_fd(s), -1);
	assert_non_null(strstr(vici_source_state(s, st, sizeof(st)), want));
	t = vici_source_timeout_ms(s, now_ms());
	assert_true(t > 2 * VICI_BACKOFF_MIN_MS - 100 &&
		    t <= 2 * VICI_BACKOFF_MIN_MS);
	assert_int_equal(nr_recs, 0); /* no SA, not even a SYNC_BEGIN */
	/* the fake charon saw both connections close with nothing sent */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* root's socket there instead: believed */
	unlink(path);
	lfd = listen_at(path);
	vici_source_tick(s, now_ms() + 100000);
	assert_true(vici_source_fd(s) >= 0);
	fd = accept_one(lfd);
	expect_request(fd, VICI_EVENT_REGISTER, "child-updown");

	vici_source_close(s);
	close(fd);
	close(lfd);
	unlink(path);
	rmdir(dir);
}

static void test_open_errors(void **state)
{
	char path[200];
	struct vici_source *s = (void *)1;

	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(vici_source_open(&s, path, on_sa, NULL),
			 -ENAMETOOLONG);
	assert_null(s);
	assert_int_equal(vici_source_open(&s, "", on_sa, NULL), -ENAMETOOLONG);
	assert_int_equal(vici_source_open(&s, "unix://", on_sa, NULL),
			 -ENAMETOOLONG);
	vici_source_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_readme),
		cmocka_unit_test(test_reader_and_tree),
		cmocka_unit_test(test_roundtrip_binary),
		cmocka_unit_test(test_stream_cut),
		cmocka_unit_test(test_malformed_messages),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_listing),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_charon_598),
		cmocka_unit_test(test_ike_update),
		cmocka_unit_test(test_protocol_errors),
		cmocka_unit_test(test_unix_socket),
		cmocka_unit_test(test_untrusted_peer),
		cmocka_unit_test(test_open_errors),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
