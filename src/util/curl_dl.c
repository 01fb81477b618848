// SPDX-License-Identifier: GPL-2.0
/* libcurl by dlopen on first use (curl_dl.h says why). */
#define LI_CURL_DL_SELF
#include "util/curl_dl.h"
#include "util/dl.h"

struct li_curl_api li_curl;

static CURLcode (*real_global_init)(long);
static char load_error[256];
static int loaded; /* 1 loaded, -1 failed (not tried again) */

#define SYM(slot, name)                \
	{                              \
		(void **)&(slot), name \
	}

static const struct li_dl_sym syms[] = {
	SYM(real_global_init, "curl_global_init"),
	SYM(li_curl.global_cleanup, "curl_global_cleanup"),
	SYM(li_curl.easy_init, "curl_easy_init"),
	SYM(li_curl.easy_setopt, "curl_easy_setopt"),
	SYM(li_curl.easy_getinfo, "curl_easy_getinfo"),
	SYM(li_curl.easy_cleanup, "curl_easy_cleanup"),
	SYM(li_curl.easy_strerror, "curl_easy_strerror"),
	SYM(li_curl.multi_init, "curl_multi_init"),
	SYM(li_curl.multi_setopt, "curl_multi_setopt"),
	SYM(li_curl.multi_add_handle, "curl_multi_add_handle"),
	SYM(li_curl.multi_remove_handle, "curl_multi_remove_handle"),
	SYM(li_curl.multi_socket_action, "curl_multi_socket_action"),
	SYM(li_curl.multi_info_read, "curl_multi_info_read"),
	SYM(li_curl.multi_cleanup, "curl_multi_cleanup"),
	SYM(li_curl.slist_append, "curl_slist_append"),
	SYM(li_curl.slist_free_all, "curl_slist_free_all"),
};

CURLcode li_curl_global_init(long flags)
{
	if (!loaded)
		loaded = li_dl_load(LI_LIBCURL, "LOCALIN_LIBCURL", syms,
				    sizeof(syms) / sizeof(syms[0]), load_error,
				    sizeof(load_error)) ?
				 -1 :
				 1;
	if (loaded < 0)
		return CURLE_FAILED_INIT;
	return real_global_init(flags);
}

const char *li_curl_error(void)
{
	return load_error;
}
