/* SPDX-License-Identifier: GPL-2.0 */
/* What the subcommands share in reading their command-line options. */
#ifndef LOCALIN_CLI_OPTIONS_H
#define LOCALIN_CLI_OPTIONS_H

#include <stdint.h>

/*
 * The value @arg of the numeric option @opt ("--trace-count"): decimal
 * digits only, at most @max (no sign, no spaces, no suffix). 0, or -EINVAL
 * after `localin: OPT: invalid number "ARG"` on stderr; the caller exits 2
 * like for any usage error.
 */
int cli_number(const char *opt, const char *arg, uint32_t max, uint32_t *out);

/*
 * The usage error of a command that needs `-c FILE` (@config, NULL if not
 * given) and takes no words after its options, of which it got @nargs at
 * @args: says which on stderr, `localin CMD: no config: -c FILE` or
 * `localin CMD: unexpected argument "WORD"` (with a hint when the word
 * is the config without its -c), then @usage. Returns 2, the exit code.
 */
int cli_usage_error(const char *cmd, const char *usage, const char *config,
		    int nargs, char *const args[]);

#endif
