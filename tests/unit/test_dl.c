// SPDX-License-Identifier: GPL-2.0
/*
 * Optional libraries by dlopen (util/dl.c, curl_dl.c, mhd_dl.c): what a
 * missing library or symbol says, and that the real ones load.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/dl.h"
#include "util/curl_dl.h"
#include "util/mhd_dl.h"

static void test_missing_library(void **state)
{
	void *f = (void *)1;
	struct li_dl_sym s[] = { { &f, "strlen" } };
	char err[256];

	(void)state;
	assert_int_equal(li_dl_load("libnosuch-localin.so.1", NULL, s, 1, err,
				    sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "libnosuch-localin.so.1: cannot open"));
}

/* One symbol missing: all slots cleared, the symbol named. */
static void test_missing_symbol(void **state)
{
	void *a = NULL, *b = NULL;
	struct li_dl_sym s[] = { { &a, "strlen" }, { &b, "no_such_fn_x" } };
	char err[256];

	(void)state;
	assert_int_equal(li_dl_load("libc.so.6", NULL, s, 2, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "libc.so.6: no symbol no_such_fn_x");
	assert_null(a);
	assert_null(b);
}

/* The environment names another library: the tests' way to break one. */
static void test_env_override(void **state)
{
	size_t (*len)(const char *) = NULL;
	struct li_dl_sym s[] = { { (void **)&len, "strlen" } };
	char err[256];

	(void)state;
	setenv("LOCALIN_TEST_LIB", "libc.so.6", 1);
	assert_int_equal(li_dl_load("libnosuch-localin.so.1",
				    "LOCALIN_TEST_LIB", s, 1, err, sizeof(err)),
			 0);
	assert_int_equal(len("abc"), 3);
	unsetenv("LOCALIN_TEST_LIB");
}

/* The real ones: what the daemon will call, resolved. */
static void test_curl_and_mhd_load(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	assert_string_equal(li_curl_error(), "");
	assert_non_null(li_curl.slist_free_all);
	assert_string_equal(curl_easy_strerror(CURLE_OK), "No error");
	curl_global_cleanup();
	assert_int_equal(li_mhd_load(err, sizeof(err)), 0);
	assert_non_null(li_mhd.add_response_header);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_symbol),
		cmocka_unit_test(test_env_override),
		cmocka_unit_test(test_curl_and_mhd_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
