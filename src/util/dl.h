/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A library's functions by dlopen, for the optional libraries that would
 * otherwise cost every `localin` command their start-up (util/curl_dl.h,
 * util/mhd_dl.h).
 */
#ifndef LOCALIN_UTIL_DL_H
#define LOCALIN_UTIL_DL_H

#include <stddef.h>

struct li_dl_sym {
	void **slot; /* where the function's address goes */
	const char *name;
};

/*
 * Load @lib (the environment variable @env, when set and not empty, names
 * another: tests) and every symbol of @syms into its slot: 0, or -1 with
 * the slots cleared and the reason in @err ("libx.so.1: cannot open shared
 * object file: ...", "libx.so.1: no symbol f"). The library stays loaded.
 */
int li_dl_load(const char *lib, const char *env, const struct li_dl_sym *syms,
	       size_t n, char *err, size_t errlen);

/* One entry of a symbol table: the function pointer @slot, its @name. */
#define LI_DL_SYM(slot, name)            \
	{                                \
		(void **)&(slot), (name) \
	}

/*
 * A library loaded on first use, once: a failure is not tried again,
 * and its reason stays in @error ("" while loaded or not tried).
 */
struct li_dl_lib {
	const char *lib, *env; /* as li_dl_load() */
	const struct li_dl_sym *syms;
	size_t n;
	int loaded; /* 1 loaded, -1 failed, 0 not tried yet */
	char error[256];
};

/* @l loaded (now or before): 0, or -1 with l->error saying why. */
int li_dl_once(struct li_dl_lib *l);

#endif
