/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libmicrohttpd, loaded when the metrics endpoint starts (dlopen) instead
 * of at every start: it and the GnuTLS stack it pulls in cost every
 * `localin` command about 4 ms (bench/startup: an empty program linked
 * with -lmicrohttpd alone runs in 6.0 ms, with nothing 1.7).
 *
 * Include this instead of <microhttpd.h>: the MHD_* functions used here
 * become calls through the table li_mhd, filled by li_mhd_load().
 */
#ifndef LOCALIN_UTIL_MHD_DL_H
#define LOCALIN_UTIL_MHD_DL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <microhttpd.h>

/* The library's name; LOCALIN_LIBMICROHTTPD overrides it (tests). */
#define LI_LIBMICROHTTPD "libmicrohttpd.so.12"

struct li_mhd_api {
	struct MHD_Daemon *(*start_daemon)(unsigned int, uint16_t,
					   MHD_AcceptPolicyCallback, void *,
					   MHD_AccessHandlerCallback, void *,
					   ...);
	void (*stop_daemon)(struct MHD_Daemon *);
	enum MHD_Result (*get_timeout)(struct MHD_Daemon *,
				       MHD_UNSIGNED_LONG_LONG *);
	enum MHD_Result (*run)(struct MHD_Daemon *);
	const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *,
						       enum MHD_DaemonInfoType,
						       ...);
	enum MHD_Result (*queue_response)(struct MHD_Connection *, unsigned int,
					  struct MHD_Response *);
	struct MHD_Response *(*create_response_from_buffer)(
		size_t, void *, enum MHD_ResponseMemoryMode);
	void (*destroy_response)(struct MHD_Response *);
	enum MHD_Result (*add_response_header)(struct MHD_Response *,
					       const char *, const char *);
};

extern struct li_mhd_api li_mhd;

/* Load the library (once): 0, or -1 with the reason in @err. */
int li_mhd_load(char *err, size_t errlen);

#ifndef LI_MHD_DL_SELF
#define MHD_start_daemon li_mhd.start_daemon
#define MHD_stop_daemon li_mhd.stop_daemon
#define MHD_get_timeout li_mhd.get_timeout
#define MHD_run li_mhd.run
#define MHD_get_daemon_info li_mhd.get_daemon_info
#define MHD_queue_response li_mhd.queue_response
#define MHD_create_response_from_buffer li_mhd.create_response_from_buffer
#define MHD_destroy_response li_mhd.destroy_response
#define MHD_add_response_header li_mhd.add_response_header
#endif

#endif
