/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LOCALIN_CLI_COMMANDS_H
#define LOCALIN_CLI_COMMANDS_H

#define LOCALIN_VERSION "0.1.0"

/* Each returns the process exit code: 0 ok, 1 config errors, 2 usage. */
int cmd_check(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_run(int argc, char **argv);
/* Clients of the daemon's control socket (src/cli/ctl.c). */
int cmd_reload(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_diagnose(int argc, char **argv);
/* get ..., and show ... of the running daemon's config (no -c FILE). */
int cmd_get(int argc, char **argv);
int cmd_show_running(int argc, char **argv);
/* Reading the log file back (src/cli/logshow.c). */
int cmd_log(int argc, char **argv);
int cmd_execute(int argc, char **argv);
/* The FortiOS console (src/cli/shell.c). */
int cmd_cli(int argc, char **argv);

#endif
