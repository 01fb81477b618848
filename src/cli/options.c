// SPDX-License-Identifier: GPL-2.0
#include "cli/options.h"

#include <errno.h>
#include <stdio.h>

#include "conf/value.h"

int cli_number(const char *opt, const char *arg, uint32_t max, uint32_t *out)
{
	/* The config's number syntax: strtoul() would take "-1" and "7x". */
	if (parse_u32(arg, max, out))
		return 0;
	fprintf(stderr, "localin: %s: invalid number \"%s\"\n", opt, arg);
	return -EINVAL;
}

int cli_usage_error(const char *cmd, const char *usage, const char *config,
		    int nargs, char *const args[])
{
	if (nargs > 0)
		fprintf(stderr, "localin %s: unexpected argument \"%s\"%s\n",
			cmd, args[0],
			config ? "" : ": a config is given as -c FILE");
	else if (!config)
		fprintf(stderr, "localin %s: no config: -c FILE\n", cmd);
	fputs(usage, stderr);
	return 2;
}
