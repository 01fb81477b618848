// SPDX-License-Identifier: GPL-2.0
/* libmicrohttpd by dlopen when first wanted (mhd_dl.h says why). */
#include <stdio.h>

#define LI_MHD_DL_SELF
#include "util/mhd_dl.h"
#include "util/dl.h"

struct li_mhd_api li_mhd;

static char load_error[256];
static int loaded; /* 1 loaded, -1 failed (not tried again) */

#define SYM(slot, name)                \
	{                              \
		(void **)&(slot), name \
	}

static const struct li_dl_sym syms[] = {
	SYM(li_mhd.start_daemon, "MHD_start_daemon"),
	SYM(li_mhd.stop_daemon, "MHD_stop_daemon"),
	SYM(li_mhd.get_timeout, "MHD_get_timeout"),
	SYM(li_mhd.run, "MHD_run"),
	SYM(li_mhd.get_daemon_info, "MHD_get_daemon_info"),
	SYM(li_mhd.queue_response, "MHD_queue_response"),
	SYM(li_mhd.create_response_from_buffer,
	    "MHD_create_response_from_buffer"),
	SYM(li_mhd.destroy_response, "MHD_destroy_response"),
	SYM(li_mhd.add_response_header, "MHD_add_response_header"),
};

int li_mhd_load(char *err, size_t errlen)
{
	if (!loaded)
		loaded = li_dl_load(LI_LIBMICROHTTPD, "LOCALIN_LIBMICROHTTPD",
				    syms, sizeof(syms) / sizeof(syms[0]),
				    load_error, sizeof(load_error)) ?
				 -1 :
				 1;
	if (loaded > 0)
		return 0;
	snprintf(err, errlen, "%s", load_error);
	return -1;
}
