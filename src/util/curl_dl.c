// SPDX-License-Identifier: GPL-2.0
/* libcurl by dlopen on first use (curl_dl.h says why). */
#define LI_CURL_DL_SELF
#include "util/curl_dl.h"
#include "util/dl.h"

struct li_curl_api li_curl;

static CURLcode (*real_global_init)(long);

static const struct li_dl_sym syms[] = {
	LI_DL_SYM(real_global_init, "curl_global_init"),
	LI_DL_SYM(li_curl.global_cleanup, "curl_global_cleanup"),
	LI_DL_SYM(li_curl.easy_init, "curl_easy_init"),
	LI_DL_SYM(li_curl.easy_setopt, "curl_easy_setopt"),
	LI_DL_SYM(li_curl.easy_getinfo, "curl_easy_getinfo"),
	LI_DL_SYM(li_curl.easy_cleanup, "curl_easy_cleanup"),
	LI_DL_SYM(li_curl.easy_strerror, "curl_easy_strerror"),
	LI_DL_SYM(li_curl.multi_init, "curl_multi_init"),
	LI_DL_SYM(li_curl.multi_setopt, "curl_multi_setopt"),
	LI_DL_SYM(li_curl.multi_add_handle, "curl_multi_add_handle"),
	LI_DL_SYM(li_curl.multi_remove_handle, "curl_multi_remove_handle"),
	LI_DL_SYM(li_curl.multi_socket_action, "curl_multi_socket_action"),
	LI_DL_SYM(li_curl.multi_info_read, "curl_multi_info_read"),
	LI_DL_SYM(li_curl.multi_cleanup, "curl_multi_cleanup"),
	LI_DL_SYM(li_curl.slist_append, "curl_slist_append"),
	LI_DL_SYM(li_curl.slist_free_all, "curl_slist_free_all"),
};

static struct li_dl_lib lib = {
	.lib = LI_LIBCURL,
	.env = "LOCALIN_LIBCURL",
	.syms = syms,
	.n = sizeof(syms) / sizeof(syms[0]),
};

CURLcode li_curl_global_init(long flags)
{
	if (li_dl_once(&lib))
		return CURLE_FAILED_INIT;
	return real_global_init(flags);
}

const char *li_curl_error(void)
{
	return lib.error;
}
