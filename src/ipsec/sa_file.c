// SPDX-License-Identifier: GPL-2.0
/*
 * The static SA source: a file of live inbound SAs, for replay and tests.
 * Read with the config lexer, so quoting, comments and error positions
 * work as they do in configs.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "conf/lexer.h"
#include "conf/parser.h"
#include "dataplane/spi_table.h"
#include "ipsec/sa_file.h"

/* An IPv4 or IPv6 address into network-order words; returns the family. */
static int parse_addr(const char *s, __u32 *out)
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, out) == 1)
		return 6;
	return 0;
}

static bool parse_spi(const char *s, __u32 *out)
{
	unsigned long long v = 0;
	size_t n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; isxdigit((unsigned char)*s); s++, n++) {
		v = v << 4 |
		    (unsigned long long)(isdigit((unsigned char)*s) ?
						 *s - '0' :
						 tolower((unsigned char)*s) -
							 'a' + 10);
		if (v > 0xffffffffull)
			return false;
	}
	if (*s || !n)
		return false;
	*out = (__u32)v;
	return true;
}

static bool parse_port(const char *s, __u16 *out)
{
	unsigned long v = 0;

	if (!*s || *s == '0')
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return false;
	}
	*out = (__u16)v;
	return !*s;
}

/*
 * The word @w as a message shows it, " \"WORD\"", or nothing when the
 * file must not be quoted (SA_FILE_GUARDED): three printf arguments.
 */
#define SHOWN(q, w) (q) ? " \"" : "", (q) ? (w).text : "", (q) ? "\"" : ""

static int sa_line(struct spi_table *t, const struct conf_word *w, int n,
		   bool q, struct diag_list *dl)
{
	struct sa_entry sa = { 0 };
	int fam;

	if (n < 2 || n > 5) {
		diag_error(
			dl, &w[n < 2 ? 0 : 5].loc,
			"expected: DESTINATION SPI [PEER [TUNNEL [NATT-PORT]]]");
		return -EINVAL;
	}
	fam = parse_addr(w[0].text, sa.daddr);
	if (!fam) {
		diag_error(dl, &w[0].loc, "invalid address%s%s%s",
			   SHOWN(q, w[0]));
		return -EINVAL;
	}
	sa.family = (__u8)fam;
	if (!parse_spi(w[1].text, &sa.spi)) {
		diag_error(dl, &w[1].loc,
			   "invalid SPI%s%s%s (expected up to 8 hex digits)",
			   SHOWN(q, w[1]));
		return -EINVAL;
	}
	if (n >= 3) {
		if (parse_addr(w[2].text, sa.peer) != fam) {
			diag_error(
				dl, &w[2].loc,
				"invalid peer address%s%s%s (must be IPv%d like the destination)",
				SHOWN(q, w[2]), fam);
			return -EINVAL;
		}
		sa.has_peer = 1;
	}
	if (n >= 4) {
		if (strlen(w[3].text) >= SA_TUNNEL_MAX) {
			diag_error(dl, &w[3].loc,
				   "tunnel name longer than %d characters",
				   SA_TUNNEL_MAX - 1);
			return -EINVAL;
		}
		strcpy(sa.tunnel, w[3].text);
	}
	/* ESP in UDP to this port of ours (the SA's encapsulation) */
	if (n == 5 && !parse_port(w[4].text, &sa.encap_dport)) {
		diag_error(dl, &w[4].loc,
			   "invalid NAT-T port%s%s%s (expected 1-65535)",
			   SHOWN(q, w[4]));
		return -EINVAL;
	}
	if (n == 5) {
		sa.encap = 1;
		sa.dir = SA_DIR_IN;
	}
	return spi_table_add(t, &sa);
}

int sa_file_load(struct spi_table *t, struct arena *a, const char *path,
		 unsigned int flags, struct diag_list *dl)
{
	bool guarded = flags & SA_FILE_GUARDED;
	struct conf_source *src;
	struct conf_word *w;
	struct lexer lx;
	const char *why;
	int n, err, ret = 0;

	err = conf_source_read_flags(
		a, path,
		guarded ? CONF_READ_OWNED_LINKS | CONF_READ_OWNED_FILE |
				  CONF_READ_NOT_WORLD_WRITABLE :
			  0,
		&src, &why);
	if (err) {
		diag_error(dl, NULL, "cannot read SA file %s: %s", path, why);
		return err;
	}
	lexer_init(&lx, src, dl);
	while ((n = lexer_next(&lx, &w)) > 0) {
		err = sa_line(t, w, n, !guarded, dl);
		if (err == -ENOMEM) {
			ret = err;
			break;
		}
		if (err)
			ret = -EINVAL;
	}
	lexer_fini(&lx);
	return ret;
}
