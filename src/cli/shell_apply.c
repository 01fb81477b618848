// SPDX-License-Identifier: GPL-2.0
/*
 * The outermost `end` of `localin cli`: the staged tree becomes the
 * running config and the config file, or nothing changes at all.
 *
 * The order, and why a failed step changes nothing:
 *  1. The tree is printed (conf/printer.h) and the text compiled as
 *     `localin check` compiles a file. An error: nothing was written,
 *     nothing was sent; the error is located in the staged text.
 *  2. The text goes to a temporary file in the config file's directory
 *     (so that the rename in 5 is atomic) with its owner, group and
 *     mode, fsync'ed.
 *  3. With a daemon: `apply TEMP` on the control socket. The daemon
 *     compiles TEMP and swaps it in only if that succeeds, as a reload
 *     does; otherwise it keeps its config and says why. Then TEMP is
 *     removed: the daemon and the config file are as before.
 *  4. Only now the config file is kept as FILE.bak (a hard link to it,
 *     put in place by rename: the backup is always a whole file). Not
 *     earlier: after a refused change FILE and FILE.bak would share an
 *     inode, and an edit in place of one would change both.
 *  5. TEMP is renamed over FILE and the directory fsync'ed.
 * A config file that is a symbolic link stays one: 4 and 5 act on the
 * file it names (with a TEMP of its own, written in 2).
 * Steps 2-5 hold a lock on the directory, and first check that the file
 * is still what the transaction loaded: two admins do not undo each
 * other's change.
 * What is left: a crash between 3 and 5 leaves the daemon enforcing the
 * new text while FILE has the old (the next reload goes back to it); the
 * shell names TEMP, which holds the new text, when 4 or 5 fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/shell.h"
#include "conf/parser.h"
#include "conf/printer.h"
#include "daemon/ctl.h"
#include "pipeline/pipeline.h"

#define APPLY_TIMEOUT_MS 60000 /* the daemon compiles a whole config */

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Step 2: TEMP beside @path, with its mode. Its path or NULL. */
static char *write_temp(struct shell *s, const char *path, const char *text,
			size_t len)
{
	char *dir = strdup(path), *base = strdup(path), *tmp = NULL;
	struct stat st;
	int fd = -1, err = -ENOMEM;

	if (!dir || !base ||
	    asprintf(&tmp, "%s/.%s.cli-XXXXXX", dirname(dir), basename(base)) <
		    0) {
		tmp = NULL;
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	/*
	 * The file's owner and group too (a group its admins read it by),
	 * before its mode: chown clears the set-id bits.
	 */
	if (!stat(path, &st)) {
		if ((st.st_uid != geteuid() || st.st_gid != getegid()) &&
		    fchown(fd, st.st_uid, st.st_gid))
			sh_error(
				s, NULL,
				"warning: the new %s is not owned by %u:%u as the old one: %s",
				path, (unsigned int)st.st_uid,
				(unsigned int)st.st_gid, strerror(errno));
		fchmod(fd, st.st_mode & 07777);
	}
	err = write_all(fd, text, len);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (err)
		unlink(tmp);
out:
	if (err) {
		sh_error(
			s, "Command fail. Return code -1",
			"cannot write the new config beside %s: %s; nothing applied",
			path, strerror(-err));
		free(tmp);
		tmp = NULL;
	}
	free(dir);
	free(base);
	return tmp;
}

static void fsync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY) : -1;

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

/* Step 3: the daemon loads TEMP. True when it enforces it now. */
static bool daemon_apply(struct shell *s, const char *tmp)
{
	char req[CTL_LINE_MAX], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bool ok = false, applied;
	int err;

	if (!f)
		return false;
	if (strpbrk(tmp, " \t\n")) {
		fclose(f);
		sh_error(
			s, "Command fail. Return code -1",
			"the path %s has a blank; the control protocol cannot carry it",
			tmp);
		free(text);
		return false;
	}
	snprintf(req, sizeof(req), "apply %s", tmp);
	err = ctl_request(s->socket, req, APPLY_TIMEOUT_MS, f, f, &ok);
	fclose(f);
	/* Applied, with a complaint: an interface that is not there yet. */
	applied = !err && (ok || (text && !strncmp(text, "reloaded ", 9)));
	if (err)
		sh_error(
			s, "Command fail. Return code -1",
			"no answer from the daemon at %s (%s); nothing applied",
			s->socket, strerror(-err));
	else if (!applied || !ok)
		sh_error(s, applied ? NULL : "Command fail. Return code -1",
			 "the daemon %s:\n%s",
			 applied ? "applied it, and says" :
				   "refused the change",
			 text ? text : "");
	free(text);
	return applied;
}

/* Step 4: @file.bak is the file as it was. */
static void keep_backup(struct shell *s, const char *file)
{
	char *bak = NULL, *tmp = NULL;

	if (access(file, F_OK))
		return; /* a new file: nothing to keep */
	if (asprintf(&bak, "%s.bak", file) < 0 ||
	    asprintf(&tmp, "%s.bak.%d", file, (int)getpid()) < 0) {
		free(bak);
		return;
	}
	unlink(tmp);
	if (link(file, tmp) || rename(tmp, bak)) {
		sh_error(s, NULL, "warning: no backup %s: %s", bak,
			 strerror(errno));
		unlink(tmp);
	}
	free(bak);
	free(tmp);
}

/* Step 1: the text of the tree, compiled. 0 with *text (malloc'd). */
static int compile_staged(struct shell *s, char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	struct pipeline p;
	char name[PATH_MAX + 16];
	int err;

	if (!f)
		return -ENOMEM;
	conf_print(&s->tree, &(struct conf_print_opts){ 0 }, f);
	if (fclose(f))
		return -ENOMEM;
	snprintf(name, sizeof(name), "%s (staged)", s->config);
	err = pipeline_load_mem(&p, name, *text, *len, STAGE_COMPILE);
	fflush(stdout);
	diag_print(&p.diags, stderr);
	if (err)
		sh_error(
			s, "Command fail. Return code -7",
			"the change does not compile (%u error%s above): nothing applied; fix it and `end` again, or `abort`",
			p.diags.errors, p.diags.errors == 1 ? "" : "s");
	pipeline_free(&p);
	return err;
}

/*
 * The file now, against what the transaction started from (s->base) and
 * the new @text: 1 it holds @text already (nothing to do), 0 it is as it
 * was (go on), -1 someone else changed it meanwhile: saving would undo
 * their change.
 */
static int file_state(struct shell *s, const char *text, size_t len)
{
	struct conf_source *src;
	const char *now = "", *why;
	size_t now_len = 0;
	struct arena a;
	int err, state;

	arena_init(&a);
	err = conf_source_read(&a, s->config, &src, &why);
	if (!err) {
		now = src->text;
		now_len = src->len;
	}
	if (err && err != -ENOENT)
		state = -1;
	else if (now_len == len && !memcmp(now, text, len))
		state = 1;
	else if (now_len == s->base_len && !memcmp(now, s->base, now_len))
		state = 0;
	else
		state = -1;
	arena_free(&a);
	if (state < 0)
		sh_error(
			s, "Command fail. Return code -1",
			"%s changed since this `config` began (another admin, or an editor): nothing applied; `abort` and make the change again",
			s->config);
	return state;
}

/* Two shells applying at once take turns (the lock is the directory's). */
static int lock_dir(const char *path)
{
	char *copy = strdup(path);
	int fd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY) : -1;

	free(copy);
	if (fd >= 0 && flock(fd, LOCK_EX)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * @file: the file s->config names. A symbolic link (config management's)
 * stays one: the file it names is replaced. The daemon only applies a
 * TEMP beside the name it knows, so then there are two TEMPs, both
 * written before the daemon is asked.
 */
static int save(struct shell *s, const char *file, const char *text, size_t len)
{
	char *tmp, *keep;
	bool link = strcmp(file, s->config);
	int state = file_state(s, text, len);

	if (state)
		return state > 0 ? 0 : -1;
	tmp = write_temp(s, s->config, text, len);
	if (!tmp)
		return -1;
	keep = link ? write_temp(s, file, text, len) : tmp;
	if (!keep || (s->online && !daemon_apply(s, tmp))) {
		unlink(tmp);
		if (link && keep)
			unlink(keep);
		if (link)
			free(keep);
		free(tmp);
		return -1;
	}
	if (link) {
		unlink(tmp);
		free(tmp);
	}
	keep_backup(s, file);
	if (rename(keep, file)) {
		sh_error(s, "Command fail. Return code -1",
			 "cannot rename %s to %s: %s; the new config is in %s",
			 keep, file, strerror(errno), keep);
		free(keep);
		return -1;
	}
	fsync_dir(file);
	free(keep);
	return 0;
}

/* The lines of @text that are comments (a backup's header too). */
static unsigned int comment_lines(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	unsigned int n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		p += strspn(p, " \t");
		n += p < end && *p == '#';
		p = nl ? nl + 1 : end;
	}
	return n;
}

int sh_apply(struct shell *s)
{
	char *text = NULL, *file = realpath(s->config, NULL);
	size_t len = 0;
	int ret = -1, lock;

	/* A new file (offline), or a link to none: its own name. */
	if (!file && errno == ENOENT)
		file = strdup(s->config);
	if (!file) {
		sh_error(s, "Command fail. Return code -1",
			 "cannot resolve %s: %s; nothing applied", s->config,
			 strerror(errno));
		return -1;
	}
	if (!compile_staged(s, &text, &len)) {
		lock = lock_dir(s->config);
		ret = save(s, file, text, len);
		if (lock >= 0)
			close(lock);
	}
	/* The file is saved in show form: what of the admin's is gone, said. */
	if (!ret && s->base && comment_lines(s->base, s->base_len)) {
		unsigned int c = comment_lines(s->base, s->base_len);

		fflush(stdout);
		fprintf(stderr,
			"localin: %snote: the %u comment line%s of %s %s not kept (the file is saved as `show` prints it); %s.bak has %s\n",
			s->where, c, c == 1 ? "" : "s", file,
			c == 1 ? "is" : "are", file, c == 1 ? "it" : "them");
	}
	free(file);
	free(text);
	return ret;
}

/* "2026-12-06 10:35:00 +0000", as status.c's put_time() writes it. */
static time_t status_time(const char *text)
{
	struct tm tm = { 0 };
	const char *end = strptime(text, "%Y-%m-%d %H:%M:%S %z", &tm);

	return end ? timegm(&tm) - tm.tm_gmtoff : 0;
}

int sh_daemon_config(const char *socket, struct sh_running *r)
{
	char *text = NULL, *line;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bool ok = false;
	int err;

	memset(r, 0, sizeof(*r));
	if (!f)
		return -ENOMEM;
	err = ctl_request(socket, "status", 10000, f, f, &ok);
	fclose(f);
	if (!err && !ok)
		err = -EPROTO;
	if (err == -ECONNREFUSED)
		err = -ENOENT; /* a socket file nobody listens on: no daemon */
	for (line = text; !err && line && *line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (!strncmp(line, "config: ", 8))
			snprintf(r->path, sizeof(r->path), "%s", line + 8);
		else if (!strncmp(line, "vdom: ", 6))
			snprintf(r->vdom, sizeof(r->vdom), "%s", line + 6);
		else if (!strncmp(line, "loaded at: ", 11))
			r->loaded_at = status_time(line + 11);
		line = nl ? nl + 1 : NULL;
	}
	if (!err && !r->path[0])
		err = -EPROTO;
	free(text);
	return err;
}
