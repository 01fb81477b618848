// SPDX-License-Identifier: GPL-2.0
/* libmicrohttpd by dlopen when first wanted (mhd_dl.h says why). */
#include <stdio.h>

#define LI_MHD_DL_SELF
#include "util/mhd_dl.h"
#include "util/dl.h"

struct li_mhd_api li_mhd;

static const struct li_dl_sym syms[] = {
	LI_DL_SYM(li_mhd.start_daemon, "MHD_start_daemon"),
	LI_DL_SYM(li_mhd.stop_daemon, "MHD_stop_daemon"),
	LI_DL_SYM(li_mhd.get_timeout, "MHD_get_timeout"),
	LI_DL_SYM(li_mhd.run, "MHD_run"),
	LI_DL_SYM(li_mhd.get_daemon_info, "MHD_get_daemon_info"),
	LI_DL_SYM(li_mhd.queue_response, "MHD_queue_response"),
	LI_DL_SYM(li_mhd.create_response_from_buffer,
		  "MHD_create_response_from_buffer"),
	LI_DL_SYM(li_mhd.destroy_response, "MHD_destroy_response"),
	LI_DL_SYM(li_mhd.add_response_header, "MHD_add_response_header"),
};

static struct li_dl_lib lib = {
	.lib = LI_LIBMICROHTTPD,
	.env = "LOCALIN_LIBMICROHTTPD",
	.syms = syms,
	.n = sizeof(syms) / sizeof(syms[0]),
};

int li_mhd_load(char *err, size_t errlen)
{
	if (!li_dl_once(&lib))
		return 0;
	snprintf(err, errlen, "%s", lib.error);
	return -1;
}
