// SPDX-License-Identifier: GPL-2.0
/* Optional libraries by dlopen (util/dl.h). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/dl.h"

int li_dl_load(const char *lib, const char *env, const struct li_dl_sym *syms,
	       size_t n, char *err, size_t errlen)
{
	const char *other = env ? getenv(env) : NULL;
	void *h;
	size_t i;

	if (other && *other)
		lib = other;
	h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "%s", dlerror());
		return -1;
	}
	for (i = 0; i < n; i++) {
		*syms[i].slot = dlsym(h, syms[i].name);
		if (!*syms[i].slot)
			break;
	}
	if (i == n)
		return 0;
	snprintf(err, errlen, "%s: no symbol %s", lib, syms[i].name);
	for (i = 0; i < n; i++)
		*syms[i].slot = NULL;
	dlclose(h);
	return -1;
}

int li_dl_once(struct li_dl_lib *l)
{
	if (!l->loaded)
		l->loaded = li_dl_load(l->lib, l->env, l->syms, l->n, l->error,
				       sizeof(l->error)) ?
				    -1 :
				    1;
	return l->loaded > 0 ? 0 : -1;
}
