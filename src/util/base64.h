/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Base64 (RFC 4648, with padding): how `show` writes a stored password
 * (`set password ENC <base64>`) so that it is never printed in clear and
 * reads back as the same password. An encoding, not encryption.
 */
#ifndef LOCALIN_UTIL_BASE64_H
#define LOCALIN_UTIL_BASE64_H

#include <stddef.h>
#include <stdio.h>

/* @len bytes of @in to @out as base64. */
void base64_write(const void *in, size_t len, FILE *out);
/*
 * Decode NUL-terminated @in into @out (room for strlen(@in) * 3 / 4 + 1
 * bytes, NUL-terminated). Returns the length, or -1 if @in is not base64.
 */
long base64_decode(const char *in, char *out);

#endif
