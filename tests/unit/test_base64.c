// SPDX-License-Identifier: GPL-2.0
/* Base64 as `show` writes a password (ENC) and the resolver reads it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/base64.h"

static void roundtrip(const char *clear, const char *enc)
{
	char *text = NULL, out[64];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	base64_write(clear, strlen(clear), f);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, enc);
	assert_int_equal(base64_decode(enc, out), (long)strlen(clear));
	assert_string_equal(out, clear);
	free(text);
}

static void test_rfc4648(void **state)
{
	(void)state;
	roundtrip("", "");
	roundtrip("f", "Zg==");
	roundtrip("fo", "Zm8=");
	roundtrip("foo", "Zm9v");
	roundtrip("foob", "Zm9vYg==");
	roundtrip("fooba", "Zm9vYmE=");
	roundtrip("foobar", "Zm9vYmFy");
	roundtrip("s3cret pass", "czNjcmV0IHBhc3M=");
}

static void test_bad(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(base64_decode("Zm9", out), -1);      /* length */
	assert_int_equal(base64_decode("Zm9v!A==", out), -1); /* alphabet */
	assert_int_equal(base64_decode("Zg=v", out), -1);     /* '=' inside */
	assert_int_equal(base64_decode("Z===", out), -1);     /* three '=' */
	assert_int_equal(base64_decode("=Zm9", out), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
