// SPDX-License-Identifier: GPL-2.0
/*
 * `localin run -c CONF [--log FILE] [--foreground]`: the daemon
 * (src/daemon/daemon.h). Without --foreground it returns once the daemon
 * enforces the config (exit 0) or has failed (exit 1, errors on stderr),
 * and the daemon carries on in the background, holding none of the
 * caller's standard streams but regular files.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/ctl.h"
#include "daemon/daemon.h"
#include "dataplane/loader.h"
#include "cli/commands.h"
#include "cli/options.h"

/*
 * May we load and attach XDP programs: root, or CAP_BPF (CAP_SYS_ADMIN on
 * kernels before 5.8) and CAP_NET_ADMIN in the effective set? Asked first
 * so that a user sees one plain line, not what libbpf says when the
 * kernel refuses. When /proc cannot tell, the kernel will.
 */
static bool may_run(void)
{
	unsigned long long eff;
	char line[256];
	bool known = false;
	FILE *f;

	if (geteuid() == 0)
		return true;
	f = fopen("/proc/self/status", "re");
	if (!f)
		return true;
	while (!known && fgets(line, sizeof(line), f))
		known = sscanf(line, "CapEff: %llx", &eff) == 1;
	fclose(f);
	if (!known)
		return true;
	return (eff >> CAP_NET_ADMIN & 1) &&
	       ((eff >> CAP_BPF & 1) || (eff >> CAP_SYS_ADMIN & 1));
}

static const char run_usage[] =
	"usage: localin run -c CONF [--log FILE] [--foreground] [options]\n"
	"Enforce CONF's local-in policies with the XDP program until stopped.\n"
	"  -c, --config CONF   FortiOS config (errors are shown as by `localin check`)\n"
	"  -l, --log FILE      append log and trace lines to FILE (default: stdout,\n"
	"                      or syslog once in the background); reopened on\n"
	"                      reload, for logrotate. Never waits for a slow\n"
	"                      reader: up to 256 KiB queue, then lines are\n"
	"                      dropped and counted (localin status)\n"
	"  -f, --foreground    stay in the foreground (systemd: Type=notify);\n"
	"                      without it, once enforcing, the daemon lets go of\n"
	"                      stdout and stderr (unless regular files): its\n"
	"                      messages go to syslog\n"
	"  -s, --socket PATH   control socket (default " CTL_SOCKET_HELP ");\n"
	"                      the lock is PATH with .sock replaced by .lock\n"
	"      --pin-dir DIR   bpffs directory for the program and maps\n"
	"                      (default " LI_PIN_DIR "; no '.' in its name);\n"
	"                      DIR-next is used while a larger program takes over\n"
	"      --vdom NAME     of a multi-VDOM backup, enforce this VDOM's\n"
	"                      policies (default root); one daemon per VDOM,\n"
	"                      each in its own network namespace\n"
	"      --force         start even if CONF has no local-in policy (it\n"
	"                      enforces nothing: refused without this)\n"
	"      --admin-group G members of group G (name or gid) may use the\n"
	"                      control socket as root does (socket root:G 0660;\n"
	"                      without it: root only)\n"
	"Signals: SIGHUP reloads CONF (a config with errors is refused and the\n"
	"running one stays); SIGTERM or SIGINT detach, unpin and exit, as does\n"
	"`localin stop`; SIGUSR2 execs the binary again in the same process,\n"
	"everything left in force (an upgrade with no gap), as does\n"
	"`localin restart`. If the daemon dies, the pinned program keeps enforcing\n"
	"and the next `localin run` of the same build adopts it (another build\n"
	"replaces it, without a gap). See also: localin status, reload, stop,\n"
	"diagnose debug flow.\n";

enum {
	OPT_PIN_DIR = 256,
	OPT_FORCE,
	OPT_ADMIN_GROUP,
	OPT_VDOM,
	OPT_RESTART_FD,
	OPT_DETACHED,
	OPT_CTL_FD,
	OPT_TRACE_FD,
};

/* A group name or number: its gid, or -1 (said why). */
static long long group_id(const char *name)
{
	struct group *g = getgrnam(name);
	unsigned long v;
	char *end;

	if (g)
		return g->gr_gid;
	errno = 0;
	v = strtoul(name, &end, 10);
	if (*name >= '0' && *name <= '9' && !*end && !errno && v < 0xffffffffUL)
		return (long long)v;
	fprintf(stderr, "localin: --admin-group: no group \"%s\"\n", name);
	return -1;
}

/* bpffs refuses names with a dot (the kernel reserves them): say so now. */
static bool bpffs_name_ok(const char *dir)
{
	const char *base = strrchr(dir, '/');

	return !strchr(base ? base + 1 : dir, '.');
}

/* Absolute: the daemon re-reads it on reload, from "/". */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX], *out;

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	if (asprintf(&out, "%s/%s", cwd, path) < 0)
		return NULL;
	return out;
}

/*
 * The binary `localin restart` execs: the path it was started as, made
 * absolute now (an upgrade installs a new file there, or points a link
 * there at one); found in PATH, the file the kernel ran.
 */
static char *exe_path(void)
{
	char buf[PATH_MAX];
	ssize_t n;

	if (strchr(program_invocation_name, '/'))
		return absolute(program_invocation_name);
	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

/*
 * Fork; the parent returns when the child is ready or has failed. The
 * child never reads stdin: /dev/null from the start, so it holds none of
 * its caller's terminal or pipe. stdout and stderr carry its messages up
 * to ready; then it lets go of them too (daemon.c: detach_streams()).
 */
static int background(struct daemon_opts *o)
{
	int fds[2], status, ret, null;
	pid_t pid;
	char c;

	if (pipe2(fds, O_CLOEXEC)) {
		perror("localin: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("localin: fork");
		return 1;
	}
	if (pid == 0) {
		close(fds[0]);
		setsid();
		null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null >= 0 && null != STDIN_FILENO) {
			dup2(null, STDIN_FILENO);
			close(null);
		}
		o->ready_fd = fds[1];
		return daemon_run(o) ? 1 : 0;
	}
	close(fds[1]);
	while ((ret = (int)read(fds[0], &c, 1)) < 0 && errno == EINTR)
		;
	close(fds[0]);
	if (ret == 1)
		return 0;
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		return WEXITSTATUS(status) ?: 1;
	return 1;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "log", required_argument, NULL, 'l' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ "pin-dir", required_argument, NULL, OPT_PIN_DIR },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "admin-group", required_argument, NULL, OPT_ADMIN_GROUP },
		{ "vdom", required_argument, NULL, OPT_VDOM },
		/* A restart's own (restart.c), not for admins. */
		{ "restart-fd", required_argument, NULL, OPT_RESTART_FD },
		{ "detached", no_argument, NULL, OPT_DETACHED },
		/*
		 * An older build's restart hands these over as options; this
		 * one names them in the environment (restart_fds.c). Taken
		 * for one more release, for a restart from such a build.
		 */
		{ "ctl-fd", required_argument, NULL, OPT_CTL_FD },
		{ "trace-fd", required_argument, NULL, OPT_TRACE_FD },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	char sock[PATH_MAX];
	struct daemon_opts o = {
		.socket = NULL,
		.pin_dir = LI_PIN_DIR,
		.ready_fd = -1,
		.admin_gid = -1,
		.version = LOCALIN_VERSION,
		.restart_fd = -1,
		.ctl_fd = -1,
		.trace_fd = -1,
	};
	char *config = NULL, *log = NULL, *exe = NULL;
	uint32_t fd;
	bool foreground = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "c:l:fs:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.config = optarg;
			break;
		case 'l':
			o.log = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 's':
			o.socket = optarg;
			break;
		case OPT_PIN_DIR:
			o.pin_dir = optarg;
			break;
		case OPT_FORCE:
			o.force = true;
			break;
		case OPT_ADMIN_GROUP:
			o.admin_gid = group_id(optarg);
			if (o.admin_gid < 0)
				return 2;
			break;
		case OPT_VDOM:
			o.vdom = optarg;
			break;
		case OPT_RESTART_FD:
			if (cli_number("--restart-fd", optarg, INT_MAX, &fd))
				return 2;
			o.restart_fd = (int)fd;
			break;
		case OPT_DETACHED:
			o.detached = true;
			break;
		case OPT_CTL_FD:
			if (cli_number("--ctl-fd", optarg, INT_MAX, &fd))
				return 2;
			o.ctl_fd = (int)fd;
			break;
		case OPT_TRACE_FD:
			if (cli_number("--trace-fd", optarg, INT_MAX, &fd))
				return 2;
			o.trace_fd = (int)fd;
			break;
		case 'h':
			fputs(run_usage, stdout);
			return 0;
		default:
			fputs(run_usage, stderr);
			return 2;
		}
	}
	if (!o.config || optind < argc)
		return cli_usage_error("run", run_usage, o.config,
				       argc - optind, argv + optind);
	if (!o.socket && ctl_netns_path(".sock", false, sock, sizeof(sock))) {
		fputs("localin: no default control socket: use --socket\n",
		      stderr);
		return 2;
	}
	if (!o.socket)
		o.socket = sock;
	if (!bpffs_name_ok(o.pin_dir)) {
		fprintf(stderr,
			"localin: --pin-dir %s: bpffs names cannot contain '.'\n",
			o.pin_dir);
		return 2;
	}
	if (!may_run()) {
		fputs("localin: run needs root (CAP_BPF, CAP_NET_ADMIN)\n",
		      stderr);
		return 1;
	}
	/* The bpffs for the pins: the daemon's start, once its checks pass. */
	config = absolute(o.config);
	log = o.log ? absolute(o.log) : NULL;
	if (!config || (o.log && !log)) {
		perror("localin");
		free(config);
		return 1;
	}
	o.config = config;
	o.log = log;
	/* Without it, `localin restart` says it cannot (restart.c). */
	exe = exe_path();
	o.exe = exe;
	if (chdir("/"))
		perror("localin: chdir /");
	ret = foreground ? (daemon_run(&o) ? 1 : 0) : background(&o);
	free(config);
	free(log);
	free(exe);
	return ret;
}
