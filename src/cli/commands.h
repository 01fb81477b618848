/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LOCALIN_CLI_COMMANDS_H
#define LOCALIN_CLI_COMMANDS_H

#define LOCALIN_VERSION "0.1.0"

/* Each returns the process exit code: 0 ok, 1 config errors, 2 usage. */
int cmd_check(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_replay(int argc, char **argv);

#endif
