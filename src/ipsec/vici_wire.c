// SPDX-License-Identifier: GPL-2.0
/*
 * The VICI wire format (vici_wire.h): an encoder into a growing buffer, a
 * checking element reader, and a tree built on the reader.
 */
#include "ipsec/vici_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool vici_type_named(unsigned int type)
{
	return type == VICI_CMD_REQUEST || type == VICI_EVENT_REGISTER ||
	       type == VICI_EVENT_UNREGISTER || type == VICI_EVENT;
}

const char *vici_type_name(unsigned int type)
{
	static const char *const names[] = {
		"CMD_REQUEST",	    "CMD_RESPONSE",
		"CMD_UNKNOWN",	    "EVENT_REGISTER",
		"EVENT_UNREGISTER", "EVENT_CONFIRM",
		"EVENT_UNKNOWN",    "EVENT",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] :
							 "unknown";
}

/* --- encoder ------------------------------------------------------------ */

void vici_buf_init(struct vici_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void vici_buf_free(struct vici_buf *b)
{
	free(b->data);
	vici_buf_init(b);
}

void vici_buf_consume(struct vici_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		b->start = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->start = b->start >= n ? b->start - n : 0;
}

static void fail(struct vici_buf *b, int err)
{
	if (!b->err)
		b->err = err;
}

static bool room(struct vici_buf *b, size_t n)
{
	size_t cap;
	unsigned char *d;

	if (b->err)
		return false;
	if (b->len + n <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	d = realloc(b->data, cap);
	if (!d) {
		fail(b, -ENOMEM);
		return false;
	}
	b->data = d;
	b->cap = cap;
	return true;
}

static void put(struct vici_buf *b, const void *p, size_t n)
{
	if (!room(b, n))
		return;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_u8(struct vici_buf *b, unsigned int v)
{
	unsigned char c = (unsigned char)v;

	put(b, &c, 1);
}

static void put_u16(struct vici_buf *b, size_t v)
{
	unsigned char c[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	put(b, c, 2);
}

static void put_name(struct vici_buf *b, const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n > 255) {
		fail(b, -EINVAL);
		return;
	}
	put_u8(b, (unsigned int)n);
	put(b, name, n);
}

static void put_value(struct vici_buf *b, const void *v, size_t n)
{
	if (n > 0xffff) {
		fail(b, -EINVAL);
		return;
	}
	put_u16(b, n);
	put(b, v, n);
}

/* An element may go here: a packet is open, and lists hold items only. */
static bool may(struct vici_buf *b, bool item)
{
	if (!b->open || b->in_list != item) {
		fail(b, -EINVAL);
		return false;
	}
	return !b->err;
}

void vici_begin(struct vici_buf *b, enum vici_type type, const char *name)
{
	static const unsigned char zero[4];

	if (b->open)
		fail(b, -EINVAL);
	b->start = b->len;
	b->open = true;
	b->depth = 0;
	b->in_list = false;
	put(b, zero, 4);
	put_u8(b, type);
	if (vici_type_named(type))
		put_name(b, name);
}

void vici_section_start(struct vici_buf *b, const char *name)
{
	if (!may(b, false))
		return;
	put_u8(b, VICI_SECTION_START);
	put_name(b, name);
	b->depth++;
}

void vici_section_end(struct vici_buf *b)
{
	if (!may(b, false))
		return;
	if (!b->depth) {
		fail(b, -EINVAL);
		return;
	}
	put_u8(b, VICI_SECTION_END);
	b->depth--;
}

void vici_kv(struct vici_buf *b, const char *key, const void *value, size_t len)
{
	if (!may(b, false))
		return;
	put_u8(b, VICI_KEY_VALUE);
	put_name(b, key);
	put_value(b, value, len);
}

void vici_kv_str(struct vici_buf *b, const char *key, const char *value)
{
	vici_kv(b, key, value, strlen(value));
}

void vici_list_start(struct vici_buf *b, const char *name)
{
	if (!may(b, false))
		return;
	put_u8(b, VICI_LIST_START);
	put_name(b, name);
	b->in_list = true;
}

void vici_list_item(struct vici_buf *b, const void *value, size_t len)
{
	if (!may(b, true))
		return;
	put_u8(b, VICI_LIST_ITEM);
	put_value(b, value, len);
}

void vici_list_item_str(struct vici_buf *b, const char *value)
{
	vici_list_item(b, value, strlen(value));
}

void vici_list_end(struct vici_buf *b)
{
	if (!may(b, true))
		return;
	put_u8(b, VICI_LIST_END);
	b->in_list = false;
}

int vici_end(struct vici_buf *b)
{
	size_t n;

	if (!b->open || b->depth || b->in_list)
		fail(b, -EINVAL);
	b->open = false;
	if (b->err)
		return b->err;
	n = b->len - b->start - 4;
	if (n > VICI_MAX_SEGMENT) {
		fail(b, -E2BIG);
		return b->err;
	}
	b->data[b->start] = (unsigned char)(n >> 24);
	b->data[b->start + 1] = (unsigned char)(n >> 16);
	b->data[b->start + 2] = (unsigned char)(n >> 8);
	b->data[b->start + 3] = (unsigned char)n;
	return 0;
}

/* --- decoder: packets ------------------------------------------------------- */

int vici_packet_parse(const void *seg, size_t len, struct vici_packet *p)
{
	const unsigned char *s = seg;
	size_t off = 1;

	memset(p, 0, sizeof(*p));
	if (!len || len > VICI_MAX_SEGMENT || s[0] > VICI_EVENT)
		return -EBADMSG;
	p->type = s[0];
	if (vici_type_named(p->type)) {
		if (len < 2 || (size_t)s[1] > len - 2)
			return -EBADMSG;
		p->name_len = s[1];
		p->name = (const char *)s + 2;
		off = 2 + (size_t)s[1];
	}
	p->msg = s + off;
	p->msg_len = len - off;
	return 0;
}

ssize_t vici_packet_next(const void *buf, size_t len, struct vici_packet *p)
{
	const unsigned char *s = buf;
	size_t n;
	int err;

	if (len < 4)
		return 0;
	n = (size_t)s[0] << 24 | (size_t)s[1] << 16 | (size_t)s[2] << 8 | s[3];
	if (n > VICI_MAX_SEGMENT)
		return -E2BIG;
	if (!n)
		return -EBADMSG;
	if (len - 4 < n)
		return 0;
	err = vici_packet_parse(s + 4, n, p);
	return err ? err : (ssize_t)(n + 4);
}

bool vici_packet_is(const struct vici_packet *p, const char *name)
{
	size_t n = strlen(name);

	return p->name && p->name_len == n && !memcmp(p->name, name, n);
}

/* --- decoder: elements -------------------------------------------------------- */

void vici_reader_init(struct vici_reader *r, const void *msg, size_t len)
{
	static const unsigned char empty[1];

	/* NULL marks a reader that failed: an empty message is not one. */
	r->p = msg ? msg : empty;
	r->end = r->p + (msg ? len : 0);
	r->depth = 0;
	r->in_list = false;
}

static int bad(struct vici_reader *r)
{
	r->p = r->end = NULL; /* sticky: nothing more to read, not "the end" */
	r->depth = 1;
	return -EBADMSG;
}

int vici_reader_next(struct vici_reader *r, struct vici_elem *e)
{
	size_t left;
	__u8 t;

	if (!r->p)
		return -EBADMSG;
	if (r->p == r->end)
		return r->depth || r->in_list ? bad(r) : 0;
	memset(e, 0, sizeof(*e));
	t = *r->p++;
	e->type = t;
	/* Where the element may stand. */
	switch (t) {
	case VICI_SECTION_START:
		if (r->in_list || r->depth >= VICI_MAX_DEPTH)
			return bad(r);
		break;
	case VICI_SECTION_END:
		if (r->in_list || !r->depth)
			return bad(r);
		break;
	case VICI_KEY_VALUE:
	case VICI_LIST_START:
		if (r->in_list)
			return bad(r);
		break;
	case VICI_LIST_ITEM:
	case VICI_LIST_END:
		if (!r->in_list)
			return bad(r);
		break;
	default:
		return bad(r);
	}
	/* Its name and value, within the bytes there. */
	if (t == VICI_SECTION_START || t == VICI_KEY_VALUE ||
	    t == VICI_LIST_START) {
		left = (size_t)(r->end - r->p);
		if (left < 1 || (size_t)r->p[0] > left - 1)
			return bad(r);
		e->name_len = r->p[0];
		e->name = (const char *)r->p + 1;
		r->p += 1 + (size_t)e->name_len;
	}
	if (t == VICI_KEY_VALUE || t == VICI_LIST_ITEM) {
		left = (size_t)(r->end - r->p);
		if (left < 2)
			return bad(r);
		e->value_len = (__u16)(r->p[0] << 8 | r->p[1]);
		if ((size_t)e->value_len > left - 2)
			return bad(r);
		e->value = r->p + 2;
		r->p += 2 + (size_t)e->value_len;
	}
	switch (t) {
	case VICI_SECTION_START:
		e->depth = r->depth++;
		break;
	case VICI_SECTION_END:
		e->depth = --r->depth;
		break;
	case VICI_LIST_START:
		r->in_list = true;
		e->depth = r->depth;
		break;
	case VICI_LIST_END:
		r->in_list = false;
		e->depth = r->depth;
		break;
	default:
		e->depth = r->depth;
	}
	return 1;
}

/* --- decoder: a tree ------------------------------------------------------------ */

void vici_tree_free(struct vici_tree *t)
{
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

static int tree_add(struct vici_tree *t, __u32 parent,
		    const struct vici_elem *e, __u32 *out)
{
	struct vici_node *n;

	if (t->nr >= VICI_MAX_ELEMENTS + 1)
		return -E2BIG;
	if (t->nr == t->cap) {
		__u32 cap = t->cap ? t->cap * 2 : 64;

		if (cap > VICI_MAX_ELEMENTS + 1)
			cap = VICI_MAX_ELEMENTS + 1;
		n = realloc(t->nodes, (size_t)cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		t->nodes = n;
		t->cap = cap;
	}
	n = &t->nodes[t->nr];
	memset(n, 0, sizeof(*n));
	n->type = e->type;
	n->name_len = e->name_len;
	n->value_len = e->value_len;
	if (e->name)
		n->name_off = (__u32)((const unsigned char *)e->name - t->msg);
	if (e->value)
		n->value_off = (__u32)(e->value - t->msg);
	n->parent = parent;
	if (t->nr) {
		if (t->nodes[parent].last)
			t->nodes[t->nodes[parent].last].next = t->nr;
		else
			t->nodes[parent].first = t->nr;
		t->nodes[parent].last = t->nr;
	}
	*out = t->nr++;
	return 0;
}

int vici_tree_parse(struct vici_tree *t, const void *msg, size_t len)
{
	static const struct vici_elem root = { 0 };
	struct vici_reader r;
	struct vici_elem e;
	__u32 cur, id;
	int err;

	memset(t, 0, sizeof(*t));
	if (len > VICI_MAX_SEGMENT)
		return -E2BIG;
	t->msg = msg;
	err = tree_add(t, 0, &root, &cur);
	if (err)
		return err;
	vici_reader_init(&r, msg, len);
	while ((err = vici_reader_next(&r, &e)) > 0) {
		switch (e.type) {
		case VICI_SECTION_END:
			cur = t->nodes[cur].parent;
			break;
		case VICI_LIST_END:
			cur = t->nodes[cur].parent;
			break;
		case VICI_SECTION_START:
		case VICI_LIST_START:
			err = tree_add(t, cur, &e, &id);
			if (err)
				return err;
			cur = id;
			break;
		default: /* KEY_VALUE, LIST_ITEM */
			err = tree_add(t, cur, &e, &id);
			if (err)
				return err;
		}
	}
	return err;
}

bool vici_tree_name_is(const struct vici_tree *t, __u32 node, const char *name)
{
	const struct vici_node *n = &t->nodes[node];
	size_t len = strlen(name);

	return n->name_len == len && !memcmp(t->msg + n->name_off, name, len);
}

void vici_tree_name(const struct vici_tree *t, __u32 node, char *buf,
		    size_t size)
{
	const struct vici_node *n = &t->nodes[node];
	size_t len = n->name_len;

	if (!size)
		return;
	if (len > size - 1)
		len = size - 1;
	memcpy(buf, t->msg + n->name_off, len);
	buf[len] = '\0';
}

__u32 vici_tree_find(const struct vici_tree *t, __u32 parent, __u8 type,
		     const char *name)
{
	__u32 i;

	for (i = t->nodes[parent].first; i; i = t->nodes[i].next)
		if ((!type || t->nodes[i].type == type) &&
		    vici_tree_name_is(t, i, name))
			return i;
	return 0;
}

int vici_tree_str(const struct vici_tree *t, __u32 parent, const char *key,
		  char *buf, size_t size)
{
	__u32 i = vici_tree_find(t, parent, VICI_KEY_VALUE, key);
	const struct vici_node *n;

	if (!i)
		return -ENOENT;
	n = &t->nodes[i];
	if (memchr(t->msg + n->value_off, '\0', n->value_len))
		return -EINVAL;
	if ((size_t)n->value_len >= size)
		return -ENOSPC;
	memcpy(buf, t->msg + n->value_off, n->value_len);
	buf[n->value_len] = '\0';
	return 0;
}
