/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libcurl, loaded when first wanted (dlopen) instead of at every start.
 * Its library and the 30 it pulls in (TLS, SSH, LDAP, IDN...) cost every
 * `localin` command about 11 ms to map and relocate (bench/startup: an
 * empty program linked with -lcurl alone runs in 13.2 ms, with nothing
 * 1.7), and only the alert mail and the threat feeds use it.
 *
 * Include this instead of <curl/curl.h>: the curl_* names used here become
 * calls through the table li_curl, filled by curl_global_init(), which
 * loads the library first. When it cannot be loaded, curl_global_init()
 * returns CURLE_FAILED_INIT and li_curl_error() says why; nothing else may
 * be called then (every caller starts with curl_global_init()).
 */
#ifndef LOCALIN_UTIL_CURL_DL_H
#define LOCALIN_UTIL_CURL_DL_H

/* Plain declarations: the type-checking macros would hide ours. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

/* The library's name; LOCALIN_LIBCURL overrides it (tests). */
#define LI_LIBCURL "libcurl.so.4"

struct li_curl_api {
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_socket_action)(CURLM *, curl_socket_t, int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLMcode (*multi_cleanup)(CURLM *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
};

extern struct li_curl_api li_curl;

/* Load libcurl (once), then its curl_global_init(@flags). */
CURLcode li_curl_global_init(long flags);
/* Why the last load failed ("" if it did not). */
const char *li_curl_error(void);

#ifndef LI_CURL_DL_SELF
/* curl.h's own argument-count macros for these three, replaced. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_global_init li_curl_global_init
#define curl_global_cleanup li_curl.global_cleanup
#define curl_easy_init li_curl.easy_init
#define curl_easy_setopt li_curl.easy_setopt
#define curl_easy_getinfo li_curl.easy_getinfo
#define curl_easy_cleanup li_curl.easy_cleanup
#define curl_easy_strerror li_curl.easy_strerror
#define curl_multi_init li_curl.multi_init
#define curl_multi_setopt li_curl.multi_setopt
#define curl_multi_add_handle li_curl.multi_add_handle
#define curl_multi_remove_handle li_curl.multi_remove_handle
#define curl_multi_socket_action li_curl.multi_socket_action
#define curl_multi_info_read li_curl.multi_info_read
#define curl_multi_cleanup li_curl.multi_cleanup
#define curl_slist_append li_curl.slist_append
#define curl_slist_free_all li_curl.slist_free_all
#endif

#endif
