// SPDX-License-Identifier: GPL-2.0
/*
 * The fds a restart hands over (restart.c), named in the environment:
 * LOCALIN_CTL_FD (the control socket's listener) and LOCALIN_TRACE_FD
 * (the trace's settings). A build that does not know a name ignores it,
 * where an option it does not know (--ctl-fd, --trace-fd) was a usage
 * error: a restart onto an older build (a package downgraded) ended the
 * daemon until systemd started it again. The connection to answer stays
 * an option (--restart-fd): every build with `localin restart` knows it.
 *
 * The new image takes them first, before it opens anything, so that a
 * number names the fd the image before meant: each checked (a number, an
 * open fd, of its kind), its variable unset and every fd it inherited made
 * close-on-exec, so that nothing handed over reaches what it runs or the
 * next exec unless that exec hands it over again. A LOCALIN_*_FD it does
 * not know (a newer build's) is closed: nothing here would ever read it,
 * and a listener held unread keeps its clients waiting.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/internal.h"

extern char **environ;

/* What the start says about them once its messages have a reader. */
static FILE *notes;
static char *notes_text;
static size_t notes_len;

static void note(const char *fmt, ...)
{
	va_list ap;

	if (!notes)
		notes = open_memstream(&notes_text, &notes_len);
	if (!notes)
		return;
	va_start(ap, fmt);
	vfprintf(notes, fmt, ap);
	va_end(ap);
	fputc('\n', notes);
}

/* @val as an fd above stderr; -1: not one. */
static int fd_number(const char *val)
{
	char *end;
	long n;

	if (*val < '0' || *val > '9')
		return -1;
	errno = 0;
	n = strtol(val, &end, 10);
	if (errno || *end || n <= STDERR_FILENO || n > INT_MAX)
		return -1;
	return (int)n;
}

/* Whether @fd is open and a file of @kind (S_IFSOCK, S_IFREG). */
static bool fd_of_kind(int fd, mode_t kind)
{
	struct stat st;

	return !fstat(fd, &st) && (st.st_mode & S_IFMT) == kind;
}

static const char *kind_name(mode_t kind)
{
	return kind == S_IFSOCK ? "a socket" : "a file";
}

/*
 * The fd handed over as @name, or as @opt (an older build's option, -1:
 * none); -1 when neither names an open fd of @kind (said).
 */
static int take_fd(const char *name, int opt, mode_t kind)
{
	const char *val = getenv(name);
	int fd = val ? fd_number(val) : -1;

	if (val && fd < 0)
		note("%s=%s from the image before the restart is not an fd number above 2: ignored",
		     name, val);
	else if (val && !fd_of_kind(fd, kind))
		note("%s=%s from the image before the restart is not an open fd of %s: ignored",
		     name, val, kind_name(kind));
	else if (val && opt >= 0 && opt != fd)
		/*
		 * An older build's option: what the environment names, an
		 * image before it handed over and it did not take.
		 */
		close(fd);
	else if (val)
		opt = fd;
	if (val)
		unsetenv(name);
	if (opt >= 0 && !fd_of_kind(opt, kind)) {
		note("the fd %d handed over by the image before the restart is not open, or not %s: ignored",
		     opt, kind_name(kind));
		opt = -1;
	}
	return opt;
}

/* A LOCALIN_*_FD this build does not know, as "NAME=": 0, or its length. */
static size_t unknown_fd_name(const char *var)
{
	const char *eq = strchr(var, '=');
	size_t len = eq ? (size_t)(eq - var) : 0;

	if (len < sizeof("LOCALIN__FD") - 1 || strncmp(var, "LOCALIN_", 8) ||
	    strncmp(eq - 3, "_FD", 3))
		return 0;
	return len;
}

/*
 * Closes what another build handed over as LOCALIN_*_FD (not one this
 * image took under another name); unsets them.
 */
static void drop_unknown_fds(const struct daemon *d)
{
	char name[64];
	size_t len;
	int i, fd;

	for (i = 0; environ && environ[i];) {
		len = unknown_fd_name(environ[i]);
		if (!len || len >= sizeof(name)) {
			i++;
			continue;
		}
		memcpy(name, environ[i], len);
		name[len] = '\0';
		fd = fd_number(environ[i] + len + 1);
		if (fd >= 0 && fd != d->handed_ctl_fd &&
		    fd != d->handed_trace_fd && fd != d->o->restart_fd &&
		    fcntl(fd, F_GETFD) >= 0) {
			close(fd);
			note("%s=%d handed over by the image before the restart (another build) is not this build's: closed",
			     name, fd);
		}
		unsetenv(name); /* the array shifts: environ[i] is the next */
	}
}

/* Every fd above stderr close-on-exec; the kernel's call, or one by one. */
static void all_cloexec(void)
{
	struct dirent *e;
	DIR *dir;
	int fd, flags;

	if (!close_range(STDERR_FILENO + 1, ~0U, CLOSE_RANGE_CLOEXEC))
		return;
	dir = opendir("/proc/self/fd");
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		fd = fd_number(e->d_name);
		if (fd < 0 || fd == dirfd(dir))
			continue;
		flags = fcntl(fd, F_GETFD);
		if (flags >= 0 && !(flags & FD_CLOEXEC))
			fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
	}
	closedir(dir);
}

void daemon_restart_take_fds(struct daemon *d)
{
	const struct daemon_opts *o = d->o;

	d->handed_ctl_fd = take_fd(RESTART_CTL_ENV, o->ctl_fd, S_IFSOCK);
	d->handed_trace_fd = take_fd(RESTART_TRACE_ENV, o->trace_fd, S_IFREG);
	drop_unknown_fds(d);
	all_cloexec();
}

void daemon_restart_say_fds(void)
{
	char *line, *next;

	if (!notes)
		return;
	fclose(notes);
	notes = NULL;
	for (line = notes_text; line && *line; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		daemon_msg("%s", line);
	}
	free(notes_text);
	notes_text = NULL;
}

char **daemon_restart_env(char *ctl_var, char *trace_var)
{
	size_t n = 0, i, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], RESTART_CTL_ENV "=",
			    sizeof(RESTART_CTL_ENV)) &&
		    strncmp(environ[i], RESTART_TRACE_ENV "=",
			    sizeof(RESTART_TRACE_ENV)))
			env[k++] = environ[i];
	if (ctl_var)
		env[k++] = ctl_var;
	if (trace_var)
		env[k++] = trace_var;
	return env;
}
