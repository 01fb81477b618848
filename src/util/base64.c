// SPDX-License-Identifier: GPL-2.0
/* Base64; see base64.h. */
#include "util/base64.h"

#include <string.h>

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_write(const void *in, size_t len, FILE *out)
{
	const unsigned char *p = in;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		fputc(b64[p[i] >> 2], out);
		fputc(b64[(p[i] & 3) << 4 | p[i + 1] >> 4], out);
		fputc(b64[(p[i + 1] & 15) << 2 | p[i + 2] >> 6], out);
		fputc(b64[p[i + 2] & 63], out);
	}
	if (len - i == 1) {
		fputc(b64[p[i] >> 2], out);
		fputc(b64[(p[i] & 3) << 4], out);
		fputs("==", out);
	} else if (len - i == 2) {
		fputc(b64[p[i] >> 2], out);
		fputc(b64[(p[i] & 3) << 4 | p[i + 1] >> 4], out);
		fputc(b64[(p[i + 1] & 15) << 2], out);
		fputc('=', out);
	}
}

long base64_decode(const char *in, char *out)
{
	size_t n = strlen(in), i, o = 0;
	unsigned int acc = 0, pad = 0;

	if (n % 4)
		return -1;
	for (i = 0; i < n; i++) {
		const char *c = in[i] == '=' ? NULL : strchr(b64, in[i]);

		if (in[i] == '=') {
			/* only at the end, at most two */
			if (i < n - 2 || (i == n - 2 && in[n - 1] != '='))
				return -1;
			pad++;
		} else if (!c || !in[i] || pad) {
			return -1;
		}
		acc = acc << 6 | (c ? (unsigned int)(c - b64) : 0);
		if (i % 4 == 3) {
			out[o++] = (char)(acc >> 16);
			out[o++] = (char)(acc >> 8);
			out[o++] = (char)acc;
			acc = 0;
		}
	}
	o -= pad;
	out[o] = '\0';
	return (long)o;
}
