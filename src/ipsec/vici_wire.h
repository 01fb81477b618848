/* SPDX-License-Identifier: GPL-2.0 */
/*
 * strongSwan's VICI wire format (the vici plugin's README), both ways.
 *
 * Transport: a segment is a 32-bit big-endian length, then that many
 * bytes (at most VICI_MAX_SEGMENT). A segment is one packet: a type byte,
 * for the named types (CMD_REQUEST, EVENT_REGISTER, EVENT_UNREGISTER,
 * EVENT) a name with an 8-bit length, then the message, if any.
 *
 * Message: a sequence of elements, each a type byte, then for
 * SECTION_START, KEY_VALUE and LIST_START a name (8-bit length), then for
 * KEY_VALUE and LIST_ITEM a value (16-bit big-endian length). Sections
 * nest and balance; a list holds list items only and does not nest.
 *
 * The decoder trusts nothing: every length is checked against the bytes
 * there, nesting is bounded (VICI_MAX_DEPTH), so is the number of elements
 * of one message (VICI_MAX_ELEMENTS), and a message that breaks any rule
 * of the format is rejected whole.
 */
#ifndef LOCALIN_IPSEC_VICI_WIRE_H
#define LOCALIN_IPSEC_VICI_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <linux/types.h>

/* The plugin's limit on one segment (not counting its length field). */
#define VICI_MAX_SEGMENT (512 * 1024)
/* Sections within sections; charon's deepest message (child-rekey) has 5. */
#define VICI_MAX_DEPTH 16
/* Elements of one message: ~35 per CHILD_SA listed, so >1800 of them. */
#define VICI_MAX_ELEMENTS 65536

enum vici_type {
	VICI_CMD_REQUEST = 0,  /* named, message */
	VICI_CMD_RESPONSE = 1, /* message */
	VICI_CMD_UNKNOWN = 2,
	VICI_EVENT_REGISTER = 3,   /* named */
	VICI_EVENT_UNREGISTER = 4, /* named */
	VICI_EVENT_CONFIRM = 5,
	VICI_EVENT_UNKNOWN = 6,
	VICI_EVENT = 7, /* named, message */
};

enum vici_elem_type {
	VICI_SECTION_START = 1, /* name */
	VICI_SECTION_END = 2,
	VICI_KEY_VALUE = 3,  /* name, value */
	VICI_LIST_START = 4, /* name */
	VICI_LIST_ITEM = 5,  /* value */
	VICI_LIST_END = 6,
};

/* Does a packet of this type carry a name? */
bool vici_type_named(unsigned int type);
const char *vici_type_name(unsigned int type);

/* --- encoder ------------------------------------------------------------ */

/*
 * Packets appended to one growing buffer. Errors are sticky: the first one
 * (-ENOMEM; -EINVAL for a name or value too long, an element where the
 * format does not allow it, unbalanced sections; -E2BIG for a segment over
 * VICI_MAX_SEGMENT) stays in err and vici_end() returns it.
 */
struct vici_buf {
	unsigned char *data;
	size_t len, cap;
	size_t start; /* the open packet's length field */
	unsigned int depth;
	int err;
	bool open, in_list;
};

void vici_buf_init(struct vici_buf *b);
void vici_buf_free(struct vici_buf *b);
/* Drop the first @n bytes (written out). */
void vici_buf_consume(struct vici_buf *b, size_t n);

/* Start a packet; @name for the named types, ignored otherwise. */
void vici_begin(struct vici_buf *b, enum vici_type type, const char *name);
void vici_section_start(struct vici_buf *b, const char *name);
void vici_section_end(struct vici_buf *b);
void vici_kv(struct vici_buf *b, const char *key, const void *value,
	     size_t len);
void vici_kv_str(struct vici_buf *b, const char *key, const char *value);
void vici_list_start(struct vici_buf *b, const char *name);
void vici_list_item(struct vici_buf *b, const void *value, size_t len);
void vici_list_item_str(struct vici_buf *b, const char *value);
void vici_list_end(struct vici_buf *b);
/* Close the packet (its length field); 0 or the first error. */
int vici_end(struct vici_buf *b);

/* --- decoder: packets ----------------------------------------------------- */

struct vici_packet {
	__u8 type;
	__u8 name_len;
	const char *name; /* not NUL-terminated; NULL for unnamed types */
	const unsigned char *msg;
	size_t msg_len;
};

/*
 * One packet from the front of a byte stream: the bytes it takes (> 0),
 * 0 while more bytes are needed, -E2BIG for a segment longer than
 * VICI_MAX_SEGMENT, -EBADMSG for one that is no packet (empty, an unknown
 * type, a name running past the segment). @p points into @buf.
 */
ssize_t vici_packet_next(const void *buf, size_t len, struct vici_packet *p);
/* The same for one segment's bytes, without the length field. */
int vici_packet_parse(const void *seg, size_t len, struct vici_packet *p);
/* Does the packet's name equal @name? */
bool vici_packet_is(const struct vici_packet *p, const char *name);

/* --- decoder: elements -------------------------------------------------------- */

struct vici_elem {
	__u8 type; /* enum vici_elem_type */
	__u8 name_len;
	__u16 value_len;
	const char *name;	    /* SECTION_START, KEY_VALUE, LIST_START */
	const unsigned char *value; /* KEY_VALUE, LIST_ITEM */
	unsigned int depth;	    /* sections open around it */
};

struct vici_reader {
	const unsigned char *p, *end;
	unsigned int depth;
	bool in_list;
};

void vici_reader_init(struct vici_reader *r, const void *msg, size_t len);
/*
 * The next element, checked against the bytes there and the format's
 * rules: 1 with *@e filled in, 0 at the end of a well-formed message,
 * -EBADMSG (and every later call too) for anything else.
 */
int vici_reader_next(struct vici_reader *r, struct vici_elem *e);

/* --- decoder: a tree ------------------------------------------------------------ */

/*
 * A message as a tree of nodes: node 0 is the implicit root section; each
 * node's children in message order (first, next; 0 ends). Names and values
 * point into the message, which must outlive the tree.
 */
struct vici_node {
	__u8 type; /* enum vici_elem_type: SECTION_START for sections, 0 root */
	__u8 name_len;
	__u16 value_len;
	__u32 name_off, value_off;
	__u32 parent, first, last, next;
};

struct vici_tree {
	const unsigned char *msg;
	struct vici_node *nodes;
	__u32 nr, cap;
};

/* 0, -EBADMSG, -E2BIG (over VICI_MAX_ELEMENTS) or -ENOMEM; free it either way. */
int vici_tree_parse(struct vici_tree *t, const void *msg, size_t len);
void vici_tree_free(struct vici_tree *t);

static inline __u32 vici_tree_first(const struct vici_tree *t, __u32 node)
{
	return t->nodes[node].first;
}

static inline __u32 vici_tree_next(const struct vici_tree *t, __u32 node)
{
	return t->nodes[node].next;
}

bool vici_tree_name_is(const struct vici_tree *t, __u32 node, const char *name);
/* @node's name into @buf (NUL-terminated, cut to fit). */
void vici_tree_name(const struct vici_tree *t, __u32 node, char *buf,
		    size_t size);
/* The first child of @parent named @name and of @type (0: any); 0 if none. */
__u32 vici_tree_find(const struct vici_tree *t, __u32 parent, __u8 type,
		     const char *name);
/*
 * The value of key @key in section @parent as a C string: 0, -ENOENT (no
 * such key), -EINVAL (holds a NUL), -ENOSPC (does not fit @size).
 */
int vici_tree_str(const struct vici_tree *t, __u32 parent, const char *key,
		  char *buf, size_t size);

#endif
