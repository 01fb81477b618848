// SPDX-License-Identifier: GPL-2.0
#include "replay/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_arp.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/diag.h"

#define LINKTYPE_NULL 0
#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101
#define LINKTYPE_LINUX_SLL 113
#define LINKTYPE_LINUX_SLL2 276
#define LINKTYPE_IPV4 228
#define LINKTYPE_IPV6 229
#define LINKTYPE_USER0 147
#define LINKTYPE_USER15 162
#define DLT_RAW_BSD 12
#define DLT_RAW_OPENBSD 14

#define PCAPNG_SHB 0x0a0d0d0a
#define PCAPNG_IDB 1
#define PCAPNG_SPB 3
#define PCAPNG_EPB 6
#define PCAPNG_OPB 2 /* obsolete packet block, still written by old tools */
#define PCAPNG_BOM 0x1a2b3c4d

#define MAX_IFACES 256
#define ETH_HLEN 14
#define SNAP_MAX (256 * 1024)

struct iface {
	__u16 linktype;
	__u64 ts_div; /* ticks per second */
	char *name;
};

struct capture {
	/* First: capture_next() reads it (capture.h). */
	struct capture_cursor cur;
	const char *path; /* the caller's, for errors: valid until close */
	pcap_t *pcap;	  /* pcap variants only libpcap knows */
	int linktype;
	int pcapng;
	int swap; /* written in the other byte order */
	struct iface ifaces[MAX_IFACES];
	unsigned int nr_ifaces;
	/*
	 * Every interface name seen, each once, until close: a packet's
	 * ifname outlives its section (sessions keep it for their end line;
	 * li_host_set_ifname() compares names by pointer). A hash set in
	 * open addressing: a file may hold 100k sections of one name each.
	 */
	char **names;
	size_t nr_names, names_size;
	const __u8 *block;
	__u8 frame[ETH_HLEN + SNAP_MAX]; /* normalized packet */
};

static __u32 rd32(const struct capture *c, const __u8 *p)
{
	__u32 v;

	memcpy(&v, p, 4);
	return c->swap ? __builtin_bswap32(v) : v;
}

static __u16 rd16(const struct capture *c, const __u8 *p)
{
	__u16 v;

	memcpy(&v, p, 2);
	return c->swap ? __builtin_bswap16(v) : v;
}

#define LINKTYPES_READ                                                     \
	"replay reads Ethernet (1), raw IP (101, 228, 229), Linux cooked " \
	"(113, 276) and BSD loopback (0) captures"

static bool linktype_supported(int linktype)
{
	switch (linktype) {
	case LINKTYPE_NULL:
	case LINKTYPE_ETHERNET:
	case LINKTYPE_RAW:
	case DLT_RAW_BSD:
	case DLT_RAW_OPENBSD:
	case LINKTYPE_IPV4:
	case LINKTYPE_IPV6:
	case LINKTYPE_LINUX_SLL:
	case LINKTYPE_LINUX_SLL2:
		return true;
	}
	return false;
}

/*
 * "link type 147 (USER0) is not supported; ..." into @buf. libpcap knows
 * the names of DLT values, which are the file's LINKTYPE values but for a
 * few; the user types and LINKTYPE_RAW it does not name.
 */
static void linktype_refusal(char *buf, size_t len, int linktype)
{
	char name[16] = "";
	const char *n = NULL;

	if (linktype >= LINKTYPE_USER0 && linktype <= LINKTYPE_USER15) {
		snprintf(name, sizeof(name), "USER%d",
			 linktype - LINKTYPE_USER0);
		n = name;
	} else if (linktype == LINKTYPE_RAW) {
		n = "RAW";
	} else if (linktype < 100 || linktype > 106) {
		/* 100-106: LINKTYPE values that are other DLTs' numbers */
		n = pcap_datalink_val_to_name(linktype);
	}
	snprintf(buf, len, "link type %d%s%s%s is not supported; %s", linktype,
		 n ? " (" : "", n ? n : "", n ? ")" : "", LINKTYPES_READ);
}

/*
 * A cooked capture's packet type (the kernel's PACKET_*): PACKET_OUTGOING
 * (4) was sent by the host, PACKET_HOST, _BROADCAST, _MULTICAST and
 * _OTHERHOST (0-3) received by it; others (loopback's 5) say nothing.
 */
static __u8 sll_dir(__u16 pkttype)
{
	return pkttype == 4 ? CAPTURE_DIR_OUT :
	       pkttype <= 3 ? CAPTURE_DIR_IN :
			      CAPTURE_DIR_UNKNOWN;
}

/*
 * @wlen bytes after the link-layer header as an Ethernet frame's wire
 * length: saturated, as a record may claim up to 4 GiB (fuzz_capture: a
 * claim of 0xffffffff wrapped to 13 bytes, below the captured length).
 */
static __u32 wire_len(__u32 wlen)
{
	return wlen > UINT32_MAX - ETH_HLEN ? UINT32_MAX : wlen + ETH_HLEN;
}

/*
 * normalize() of the link types other than Ethernet: a synthetic Ethernet
 * header in c->frame. A link-layer header cut short leaves no frame at
 * all (caplen 0): replay skips such records as cut short by the capture.
 */
static void normalize_other(struct capture *c, int linktype, const __u8 *data,
			    __u32 caplen, __u32 wlen, struct capture_pkt *p)
{
	__u16 proto = 0;
	__u32 off = 0;

	switch (linktype) {
	case LINKTYPE_RAW:
	case DLT_RAW_BSD:
	case DLT_RAW_OPENBSD:
		if (!caplen)
			goto none;
		/*
		 * The version nibble, as localin_xdp_l3 reads it on the tun,
		 * WireGuard or GRE device such a capture comes from: another
		 * version is not IP (ethertype 0), where calling it IPv4 made
		 * it a malformed IPv4 packet that the live program passes.
		 */
		proto = (data[0] >> 4) == 6 ? 0x86dd :
			(data[0] >> 4) == 4 ? 0x0800 :
					      0;
		break;
	case LINKTYPE_IPV4:
	case LINKTYPE_IPV6:
		if (!caplen)
			goto none;
		proto = linktype == LINKTYPE_IPV4 ? 0x0800 : 0x86dd;
		break;
	case LINKTYPE_NULL:
		off = 4;
		if (caplen < 5)
			goto none;
		proto = (data[4] >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	case LINKTYPE_LINUX_SLL:
		off = 16;
		if (caplen < 16)
			goto none;
		proto = (__u16)(data[14] << 8 | data[15]);
		p->dir = sll_dir((__u16)(data[0] << 8 | data[1]));
		p->loopback = (data[2] << 8 | data[3]) == ARPHRD_LOOPBACK;
		break;
	case LINKTYPE_LINUX_SLL2:
		off = 20;
		if (caplen < 20)
			goto none;
		proto = (__u16)(data[0] << 8 | data[1]);
		p->dir = sll_dir(data[10]);
		p->loopback = (data[8] << 8 | data[9]) == ARPHRD_LOOPBACK;
		break;
	default: /* refused by capture_open() and add_iface() */
		goto none;
	}
	wlen = wlen > caplen ? wlen - off : caplen - off;
	wlen = wire_len(wlen);
	caplen -= off;
	if (caplen > SNAP_MAX)
		caplen = SNAP_MAX;
	memset(c->frame, 0, 12);
	c->frame[12] = (__u8)(proto >> 8);
	c->frame[13] = (__u8)proto;
	memcpy(c->frame + ETH_HLEN, data + off, caplen);
	p->data = c->frame;
	p->caplen = caplen + ETH_HLEN;
	p->len = wlen;
	return;
none:
	/*
	 * Nothing of the packet captured: cut short, or, when the wire had
	 * nothing either (an empty record), a runt as an empty Ethernet
	 * record is, whatever the link type.
	 */
	wlen = wlen > caplen ? wlen : caplen;
	p->data = c->frame;
	p->caplen = 0;
	p->len = wlen > off ? wire_len(wlen - off) : 0;
}

/*
 * Give every packet an Ethernet header: @p->data and caplen, and the wire
 * length counted the same way (never below caplen).
 */
static inline void normalize(struct capture *c, int linktype, const __u8 *data,
			     __u32 caplen, __u32 wlen, struct capture_pkt *p)
{
	p->dir = CAPTURE_DIR_UNKNOWN;
	p->loopback = 0;
	if (linktype != LINKTYPE_ETHERNET) {
		normalize_other(c, linktype, data, caplen, wlen, p);
		return;
	}
	p->data = data;
	p->caplen = caplen;
	p->len = wlen > caplen ? wlen : caplen;
}

/* The next pcapng block, in place: c->block points into the map. */
static int read_block(struct capture *c, __u32 *type, __u32 *len,
		      struct diag_list *dl)
{
	const __u8 *b = c->cur.map + c->cur.pos;
	size_t left = c->cur.map_len - c->cur.pos;

	if (!left)
		return 0;
	if (left < 12)
		goto trunc;
	memcpy(type, b, 4);
	if (*type == PCAPNG_SHB) {
		__u32 magic;

		/* The byte order is set by the section header itself. */
		memcpy(&magic, b + 8, 4);
		if (magic == PCAPNG_BOM)
			c->swap = 0;
		else if (magic == __builtin_bswap32(PCAPNG_BOM))
			c->swap = 1;
		else {
			diag_error(
				dl, NULL,
				"%s: pcapng: bad byte-order magic in the block at offset %zu",
				c->path, c->cur.pos);
			return -EINVAL;
		}
	} else {
		*type = rd32(c, b);
	}
	*len = rd32(c, b + 4);
	if (*len < 12 || *len % 4)
		goto bad;
	if (*len > left)
		goto trunc;
	c->block = b;
	c->cur.pos += *len;
	return 1;
trunc:
	diag_error(dl, NULL, "%s: pcapng: truncated block at offset %zu",
		   c->path, c->cur.pos);
	return -EINVAL;
bad:
	diag_error(dl, NULL, "%s: pcapng: bad block length at offset %zu",
		   c->path, c->cur.pos);
	return -EINVAL;
}

static size_t name_hash(const char *s)
{
	size_t h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h;
}

/* Where @name is in the set, or the free slot it would take. */
static char **name_slot(char **set, size_t size, const char *name)
{
	size_t i = name_hash(name) & (size - 1);

	while (set[i] && strcmp(set[i], name))
		i = (i + 1) & (size - 1);
	return &set[i];
}

/* The set twice as large (at half full): 0 or -ENOMEM. */
static int names_grow(struct capture *c)
{
	size_t size = c->names_size ? c->names_size * 2 : 16, i;
	char **set = calloc(size, sizeof(*set));

	if (!set)
		return -ENOMEM;
	for (i = 0; i < c->names_size; i++)
		if (c->names[i])
			*name_slot(set, size, c->names[i]) = c->names[i];
	free(c->names);
	c->names = set;
	c->names_size = size;
	return 0;
}

/* @n bytes at @s as a name of c->names (NULL: out of memory). */
static char *intern_name(struct capture *c, const char *s, size_t n)
{
	char *name = strndup(s, n), **slot;

	if (!name)
		return NULL;
	if (2 * (c->nr_names + 1) > c->names_size && names_grow(c)) {
		free(name);
		return NULL;
	}
	slot = name_slot(c->names, c->names_size, name);
	if (*slot) {
		free(name);
		return *slot;
	}
	c->nr_names++;
	return *slot = name;
}

/* Interface description: link type, name and timestamp resolution. */
static int add_iface(struct capture *c, __u32 len, struct diag_list *dl)
{
	struct iface *ifc;
	const __u8 *o = c->block + 16, *end = c->block + len - 4;

	if (c->nr_ifaces >= MAX_IFACES) {
		diag_error(dl, NULL, "%s: pcapng: more than %d interfaces",
			   c->path, MAX_IFACES);
		return -EINVAL;
	}
	if (len < 20) {
		diag_error(dl, NULL,
			   "%s: pcapng: short interface block at offset %zu",
			   c->path, (size_t)(c->block - c->cur.map));
		return -EINVAL;
	}
	ifc = &c->ifaces[c->nr_ifaces++];
	ifc->linktype = rd16(c, c->block + 8);
	ifc->ts_div = 1000000;
	ifc->name = NULL;
	while (o + 4 <= end) {
		__u16 code = rd16(c, o), olen = rd16(c, o + 2);

		if (code == 0 || o + 4 + olen > end)
			break;
		if (code == 2 && olen) { /* if_name */
			ifc->name = intern_name(c, (const char *)o + 4, olen);
		} else if (code == 9 && olen >= 1) { /* if_tsresol */
			/* 2^-e or 10^-e s; past what 64 bits hold: the most. */
			unsigned int e = o[4] & 0x7f;
			__u64 div = 1;

			if (o[4] & 0x80)
				div <<= e < 63 ? e : 63;
			else
				while (e-- && div <= UINT64_MAX / 10)
					div *= 10;
			ifc->ts_div = div;
		}
		o += 4 + ((olen + 3u) & ~3u);
	}
	/*
	 * Linux's "any" pseudo-device (dumpcap -i any, Wireshark) names no
	 * interface a packet arrived on: taken as one, it matched no policy
	 * but those on "any", and a deny on wan1 became an implicit accept.
	 * Without a name, the arrival interface is found as in a classic
	 * pcap (--intf, or the owner of the destination).
	 */
	if (ifc->name && !strcmp(ifc->name, "any"))
		ifc->name = NULL;
	if (!linktype_supported(ifc->linktype)) {
		char why[256];

		linktype_refusal(why, sizeof(why), ifc->linktype);
		diag_error(dl, NULL, "%s: pcapng interface %u%s%s%s: %s",
			   c->path, c->nr_ifaces - 1, ifc->name ? " (" : "",
			   ifc->name ? ifc->name : "", ifc->name ? ")" : "",
			   why);
		return -EINVAL;
	}
	return 0;
}

/* @t ticks of 1/@div s in ns, in 128 bits (a 10^-11 s tick, a year 2600). */
static __u64 ticks_to_ns(__u64 t, __u64 div)
{
	unsigned __int128 ns;

	if (div == 1000000000ull)
		return t;
	ns = (unsigned __int128)t * 1000000000ull / div;
	return ns > UINT64_MAX ? UINT64_MAX : (__u64)ns;
}

/*
 * An enhanced (or obsolete) packet block's direction: its epb_flags
 * (pack_flags) option, bits 0-1 (01 inbound, 10 outbound). The options
 * start after the packet data, padded to 4 bytes.
 */
static __u8 epb_dir(const struct capture *c, __u32 len, __u32 caplen)
{
	const __u8 *o = c->block + 28 + ((caplen + 3u) & ~3u);
	const __u8 *end = c->block + len - 4;

	while (o + 4 <= end) {
		__u16 code = rd16(c, o), olen = rd16(c, o + 2);

		if (code == 0 || o + 4 + olen > end)
			break;
		if (code == 2 && olen == 4) {
			__u32 dir = rd32(c, o + 4) & 3;

			return dir == 1 ? CAPTURE_DIR_IN :
			       dir == 2 ? CAPTURE_DIR_OUT :
					  CAPTURE_DIR_UNKNOWN;
		}
		o += 4 + ((olen + 3u) & ~3u);
	}
	return CAPTURE_DIR_UNKNOWN;
}

static int pcapng_next(struct capture *c, struct capture_pkt *p,
		       struct diag_list *dl)
{
	__u32 type, len;
	int r;

	while ((r = read_block(c, &type, &len, dl)) > 0) {
		const struct iface *ifc;
		__u32 id, caplen, wlen, hdr;
		__u64 ts = 0;

		if (type == PCAPNG_SHB) {
			/* A new section restarts interface numbering. */
			c->nr_ifaces = 0;
			continue;
		}
		if (type == PCAPNG_IDB) {
			r = add_iface(c, len, dl);
			if (r)
				return r;
			continue;
		}
		if (type == PCAPNG_EPB || type == PCAPNG_OPB) {
			if (len < 32)
				goto bad;
			id = type == PCAPNG_EPB ? rd32(c, c->block + 8) :
						  rd16(c, c->block + 8);
			ts = (__u64)rd32(c, c->block + 12) << 32 |
			     rd32(c, c->block + 16);
			caplen = rd32(c, c->block + 20);
			wlen = rd32(c, c->block + 24);
			hdr = 28;
		} else if (type == PCAPNG_SPB) {
			if (len < 16)
				goto bad;
			id = 0;
			wlen = rd32(c, c->block + 8);
			caplen = len - 16 < wlen ? len - 16 : wlen;
			hdr = 12;
		} else {
			continue; /* statistics, name resolution, ... */
		}
		if (id >= c->nr_ifaces) {
			diag_error(
				dl, NULL,
				"%s: pcapng: packet on undeclared interface %u (block at offset %zu)",
				c->path, id, (size_t)(c->block - c->cur.map));
			return -EINVAL;
		}
		if (caplen > len - hdr - 4)
			goto bad;
		ifc = &c->ifaces[id];
		normalize(c, ifc->linktype, c->block + hdr, caplen, wlen, p);
		if (hdr == 28 && p->dir == CAPTURE_DIR_UNKNOWN)
			p->dir = epb_dir(c, len, caplen);
		p->ts_ns = ticks_to_ns(ts, ifc->ts_div);
		p->ifname = ifc->name;
		return 1;
	}
	return r;
bad:
	diag_error(dl, NULL,
		   "%s: pcapng: packet longer than its block (at offset %zu)",
		   c->path, (size_t)(c->block - c->cur.map));
	return -EINVAL;
}

#define PCAP_MAGIC_US 0xa1b2c3d4
#define PCAP_MAGIC_NS 0xa1b23c4d

/* Classic pcap header: byte order and timestamp precision from the magic. */
static bool pcap_header(struct capture *c)
{
	__u32 magic;

	if (c->cur.map_len < 24)
		return false;
	memcpy(&magic, c->cur.map, 4);
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS)
		c->swap = 0;
	else if (magic == __builtin_bswap32(PCAP_MAGIC_US) ||
		 magic == __builtin_bswap32(PCAP_MAGIC_NS))
		c->swap = 1;
	else
		return false;
	c->cur.frac_ns =
		(c->swap ? __builtin_bswap32(magic) : magic) == PCAP_MAGIC_NS ?
			1 :
			1000;
	c->linktype = (int)(rd32(c, c->cur.map + 20) & 0x0fffffff);
	c->cur.pos = 24;
	return true;
}

static int pcap_record(struct capture *c, struct capture_pkt *p,
		       struct diag_list *dl)
{
	const __u8 *h = c->cur.map + c->cur.pos;
	__u32 sec, frac, caplen;

	if (c->cur.pos == c->cur.map_len)
		return 0;
	if (c->cur.map_len - c->cur.pos < 16)
		goto trunc;
	sec = rd32(c, h);
	frac = rd32(c, h + 4);
	caplen = rd32(c, h + 8);
	if (caplen > c->cur.map_len - c->cur.pos - 16)
		goto trunc;
	p->ts_ns = (__u64)sec * 1000000000ull + (__u64)frac * c->cur.frac_ns;
	normalize(c, c->linktype, h + 16, caplen, rd32(c, h + 12), p);
	p->ifname = NULL;
	c->cur.pos += 16 + (size_t)caplen;
	return 1;
trunc:
	diag_error(dl, NULL, "%s: pcap: truncated record at offset %zu",
		   c->path, c->cur.pos);
	return -EINVAL;
}

/* A classic pcap has one link type: refused at once if unsupported. */
static int check_linktype(struct capture *c, const char *path,
			  struct capture **out, struct diag_list *dl)
{
	char why[256];

	if (linktype_supported(c->linktype)) {
		*out = c;
		return 0;
	}
	linktype_refusal(why, sizeof(why), c->linktype);
	diag_error(dl, NULL, "%s: %s", path, why);
	capture_close(c);
	return -EINVAL;
}

/*
 * A pipe, a FIFO, /dev/stdin: read whole into anonymous memory, which is
 * then read as a mapped file is (pcapng's interface names need the fast
 * path: libpcap does not give them). NULL when empty (errno 0), or on an
 * error (errno: ENOMEM, the read's).
 */
static void *read_stream(int fd, size_t *len)
{
	size_t cap = 1u << 20, n = 0, page = (size_t)sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, cap, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ssize_t r;

	if (m == MAP_FAILED)
		return NULL;
	for (;;) {
		if (n == cap) {
			char *g = mremap(m, cap, cap * 2, MREMAP_MAYMOVE);

			if (g == MAP_FAILED)
				goto fail;
			m = g;
			cap *= 2;
		}
		r = read(fd, m + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (!r)
			break;
		n += (size_t)r;
	}
	if (!n) {
		munmap(m, cap);
		errno = 0;
		return NULL;
	}
	/* What capture_close() unmaps: the pages that hold @n bytes. */
	if ((n + page - 1) / page * page < cap)
		munmap(m + (n + page - 1) / page * page,
		       cap - (n + page - 1) / page * page);
	*len = n;
	return m;
fail:
	r = errno;
	munmap(m, cap);
	errno = (int)r;
	return NULL;
}

/*
 * A capture kept compressed (logrotate's .gz, tcpdump -z gzip, zstd):
 * libpcap would say only "unknown file format". Said as what it is, with
 * the way to replay it.
 */
static bool compressed(const struct capture *c, const char *path,
		       struct diag_list *dl)
{
	static const struct {
		const char *magic, *name, *cat;
		size_t len;
	} z[] = {
		{ "\x1f\x8b", "gzip", "zcat", 2 },
		{ "\x28\xb5\x2f\xfd", "zstd", "zstdcat", 4 },
		{ "\xfd"
		  "7zXZ",
		  "xz", "xzcat", 5 },
		{ "BZh", "bzip2", "bzcat", 3 },
	};
	size_t i;

	for (i = 0; i < sizeof(z) / sizeof(z[0]); i++) {
		if (c->cur.map_len < z[i].len ||
		    memcmp(c->cur.map, z[i].magic, z[i].len))
			continue;
		diag_error(
			dl, NULL,
			"%s: a %s-compressed file, not a capture: replay `%s %s | localin replay ... /dev/stdin`, or uncompress it first",
			path, z[i].name, z[i].cat, path);
		return true;
	}
	return false;
}

int capture_open(const char *path, struct capture **out, struct diag_list *dl)
{
	char pcap_err[PCAP_ERRBUF_SIZE];
	struct capture *c;
	struct stat st;
	__u32 magic = 0;
	void *map;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		e = errno;
		diag_error(dl, NULL, "%s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		diag_error(dl, NULL, "%s: out of memory", path);
		return -ENOMEM;
	}
	c->path = path;
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd,
			   0);
		if (map != MAP_FAILED) {
			madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
			c->cur.map = map;
			c->cur.map_len = (size_t)st.st_size;
		}
	} else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
		c->cur.map = read_stream(fd, &c->cur.map_len);
		if (!c->cur.map && errno) {
			e = errno;
			diag_error(dl, NULL, "%s: reading it: %s", path,
				   strerror(e));
			close(fd);
			capture_close(c);
			return -e;
		}
	}
	close(fd);
	if (c->cur.map_len >= 4)
		memcpy(&magic, c->cur.map, 4);
	if (magic == PCAPNG_SHB) {
		c->pcapng = 1;
		*out = c;
		return 0;
	}
	if (pcap_header(c)) {
		if (!c->swap && c->linktype == LINKTYPE_ETHERNET)
			c->cur.fast_len = c->cur.map_len;
		return check_linktype(c, path, out, dl);
	}
	if (compressed(c, path, dl)) {
		capture_close(c);
		return -EINVAL;
	}
	/* Anything else (modified pcap variants, ...): libpcap decides. */
	c->pcap = pcap_open_offline_with_tstamp_precision(
		path, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
	if (!c->pcap) {
		diag_error(dl, NULL, "%s: %s", path, pcap_err);
		capture_close(c);
		return -EINVAL;
	}
	c->linktype = pcap_datalink(c->pcap);
	return check_linktype(c, path, out, dl);
}

/* Chunks from the start of the map: each starts on a page. */
void capture_map_ahead(struct capture_cursor *k)
{
	size_t from = k->mapped, n = CAPTURE_MAP_CHUNK;

	if (from >= k->map_len) {
		k->mapped =
			SIZE_MAX; /* all done: capture_next() asks no more */
		return;
	}
	if (n > k->map_len - from)
		n = k->map_len - from;
	/* Linux 5.14; where it fails, page faults map the pages. */
	if (madvise((void *)(k->map + from), n, MADV_POPULATE_READ))
		k->mapped = SIZE_MAX;
	else
		k->mapped = from + n;
}

int capture_next_slow(struct capture *c, struct capture_pkt *p,
		      struct diag_list *dl)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int r;

	if (c->pcapng)
		return pcapng_next(c, p, dl);
	if (!c->pcap)
		return pcap_record(c, p, dl);
	r = pcap_next_ex(c->pcap, &h, &data);
	if (r == -2)
		return 0;
	if (r < 0) {
		diag_error(dl, NULL, "%s: %s", c->path, pcap_geterr(c->pcap));
		return -EINVAL;
	}
	normalize(c, c->linktype, data, h->caplen, h->len, p);
	/* Nanosecond precision was asked for: tv_usec holds nanoseconds. */
	p->ts_ns = (__u64)h->ts.tv_sec * 1000000000ull + (__u64)h->ts.tv_usec;
	p->ifname = NULL;
	return 1;
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	if (c->pcap)
		pcap_close(c->pcap);
	if (c->cur.map)
		munmap((void *)c->cur.map, c->cur.map_len);
	for (size_t i = 0; i < c->names_size; i++)
		free(c->names[i]);
	free(c->names);
	free(c);
}
