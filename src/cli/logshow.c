// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the daemon's log file back:
 *   localin log show [-f FILE] [--filter KEY=VALUE]... [--tail N] [--follow]
 *   localin execute log filter category|field|start-line|view-lines|
 *                              max-checklines|device|reset|dump ...
 *   localin execute log display
 * The file is -f FILE, else the one the running daemon writes (its
 * `localin status` line "log: FILE: ..."); its rolled files FILE.N ..
 * FILE.1 (sink.h) are read too. `execute log filter` settings last
 * between commands, as in a FortiOS CLI session, in a small state file
 * ($LOCALIN_LOG_FILTER, default LOG_FILTER_STATE).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/ctl.h"
#include "daemon/sink.h"
#include "util/keyword.h"
#include "log/logline.h"
#include "cli/commands.h"
#include "cli/options.h"

#define LOG_FILTER_STATE "/run/localin.log-filter"
#define ROLLED_MAX 1000
#define FOLLOW_POLL_MS 200
#define VIEW_LINES_DEF 10

/* --- which file -------------------------------------------------------- */

/* The daemon's log file from its status: "log: FILE: N lines written". */
static char *daemon_log_file(const char *sock)
{
	char *text = NULL, *line, *end, *file = NULL, def[PATH_MAX];
	size_t len = 0;
	bool ok = false;
	FILE *f = open_memstream(&text, &len);
	int err;

	if (!f)
		return NULL;
	sock = ctl_client_socket(sock, def, sizeof(def));
	err = ctl_request(sock, "status", 10000, f, stderr, &ok);
	fclose(f);
	if (err || !ok) {
		fprintf(stderr,
			"localin: cannot ask the daemon at %s for its log file (%s); give -f FILE\n",
			sock, err ? strerror(-err) : "it refused");
		free(text);
		return NULL;
	}
	for (line = text; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, "log: ", 5))
			continue;
		end = strstr(line, " lines written");
		while (end && end > line && end[-1] != ':')
			end--;
		if (end && end - line > 6 && line[5] == '/')
			file = strndup(line + 5, (size_t)(end - 1 - line - 5));
		break;
	}
	if (!file)
		fprintf(stderr,
			"localin: the daemon at %s does not log to a file (`localin run --log FILE`); give -f FILE\n",
			sock);
	free(text);
	return file;
}

/* How many rolled files FILE.1 .. FILE.N there are. */
static unsigned int nr_rolled(const char *path)
{
	char name[4096];
	struct stat st;
	unsigned int n;

	for (n = 0; n < ROLLED_MAX; n++)
		if (sink_rolled_name(name, sizeof(name), path, n + 1) ||
		    stat(name, &st))
			break;
	return n;
}

/* --- lines, oldest first ----------------------------------------------- */

/*
 * The lines matched, as they are read: printed at once (@keep 0), or the
 * last @keep of them kept in a ring (--tail, execute log display), so
 * that files of any size are read in bounded memory.
 */
struct lines {
	char **v;
	size_t keep;
	size_t total; /* matched */
	bool none;    /* --tail 0: counted, not printed */
};

#define KEEP_MAX 1000000

static int lines_init(struct lines *l, size_t keep)
{
	memset(l, 0, sizeof(*l));
	l->keep = keep;
	if (keep && !(l->v = calloc(keep, sizeof(*l->v))))
		return -ENOMEM;
	return 0;
}

static int lines_push(struct lines *l, const char *s, size_t len)
{
	char **slot;

	l->total++;
	if (l->none)
		return 0;
	if (!l->keep) {
		fwrite(s, 1, len, stdout);
		putchar('\n');
		return 0;
	}
	slot = &l->v[(l->total - 1) % l->keep];
	free(*slot);
	*slot = strndup(s, len);
	return *slot ? 0 : -ENOMEM;
}

/* How many are kept, and the @i-th newest of them (0: the newest). */
static size_t lines_kept(const struct lines *l)
{
	return l->total < l->keep ? l->total : l->keep;
}

static const char *lines_newest(const struct lines *l, size_t i)
{
	return l->v[(l->total - 1 - i) % l->keep];
}

static void lines_free(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->keep; i++)
		free(l->v[i]);
	free(l->v);
}

/* Every whole line of @name matching @f (a last line without LF waits). */
static int read_file(const char *name, const struct logfilter *f,
		     struct lines *out)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp = fopen(name, "re");
	int err = 0;

	if (!fp)
		return errno == ENOENT ? 0 : -errno;
	while (!err && (n = getline(&line, &cap, fp)) > 0)
		if (line[n - 1] == '\n' && logfilter_match(f, line, (size_t)n))
			err = lines_push(out, line, (size_t)n - 1);
	free(line);
	fclose(fp);
	return err;
}

/*
 * FILE.N .. FILE.1, FILE: the lines matching @f, oldest first. FILE may
 * be missing for a moment while it rolls, but not with no rolled file:
 * then it is a wrong name (unless @may_be_missing: --follow waits).
 */
static int read_all(const char *path, const struct logfilter *f,
		    struct lines *out, bool may_be_missing)
{
	unsigned int i = nr_rolled(path);
	char name[4096];
	int err = 0;

	if (!i && !may_be_missing && access(path, F_OK))
		err = -errno;
	for (; !err && i > 0; i--)
		if (!sink_rolled_name(name, sizeof(name), path, i))
			err = read_file(name, f, out);
	if (!err)
		err = read_file(path, f, out);
	if (err)
		fprintf(stderr, "localin: %s: %s\n", path, strerror(-err));
	return err;
}

/* --- log show --follow ------------------------------------------------- */

static void put_matching(const char *line, size_t len,
			 const struct logfilter *f)
{
	if (logfilter_match(f, line, len))
		fwrite(line, 1, len, stdout);
}

/* What @fd has from @off on: whole lines out, a part line kept in @part. */
static void drain(int fd, const struct logfilter *f, char *part,
		  size_t *part_len, size_t size)
{
	char buf[65536];
	size_t i, start;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0, start = 0; i < (size_t)n; i++) {
			if (buf[i] != '\n')
				continue;
			if (*part_len + i + 1 - start <= size) {
				memcpy(part + *part_len, buf + start,
				       i + 1 - start);
				put_matching(part, *part_len + i + 1 - start,
					     f);
			}
			*part_len = 0;
			start = i + 1;
		}
		if (start < (size_t)n &&
		    *part_len + (size_t)n - start <= size) {
			memcpy(part + *part_len, buf + start,
			       (size_t)n - start);
			*part_len += (size_t)n - start;
		}
	}
	fflush(stdout);
}

/*
 * The file followed (@old) rolled more than once since the last look: it
 * is FILE.k now, and FILE.(k-1) .. FILE.1 were written whole meanwhile.
 */
static void read_missed(const char *path, const struct stat *old,
			const struct logfilter *f)
{
	struct lines l = { 0 };
	char name[4096];
	struct stat st;
	unsigned int k;

	for (k = 1; k <= ROLLED_MAX; k++) {
		if (sink_rolled_name(name, sizeof(name), path, k) ||
		    stat(name, &st))
			return; /* gone (rolled-files 0, or dropped) */
		if (st.st_ino == old->st_ino && st.st_dev == old->st_dev)
			break;
	}
	if (k > ROLLED_MAX)
		return;
	while (--k >= 1)
		if (!sink_rolled_name(name, sizeof(name), path, k))
			read_file(name, f, &l);
	fflush(stdout);
}

/*
 * Follow @path from its end as it was read: what is appended, and across
 * a roll (FILE renamed to FILE.1, a new FILE): the old file is read to
 * its end, then the new one from its start. Until killed.
 */
static int follow(const char *path, long long from, const struct logfilter *f)
{
	static char part[1 << 20];
	size_t part_len = 0;
	struct stat st, now;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "localin: %s: %s\n", path, strerror(errno));
		return 1;
	}
	lseek(fd, from, SEEK_SET);
	for (;;) {
		drain(fd, f, part, &part_len, sizeof(part));
		if (stat(path, &now) ||
		    (now.st_ino == st.st_ino && now.st_dev == st.st_dev)) {
			poll(NULL, 0, FOLLOW_POLL_MS);
			continue;
		}
		drain(fd, f, part, &part_len, sizeof(part)); /* the rest */
		close(fd);
		part_len = 0;
		read_missed(path, &st, f);
		while ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			poll(NULL, 0,
			     FOLLOW_POLL_MS); /* between rename and open */
		fstat(fd, &st);
	}
	return 0;
}

/*
 * Which log file: -f FILE, or the one the daemon behind -s SOCKET writes.
 * Both `log show` and `execute log` take these two options.
 */
struct log_source {
	char *path;
	const char *sock;
};

/* Takes option @c if it is one of the two: true, else false. */
static bool log_source_opt(struct log_source *src, int c, const char *arg)
{
	if (c == 'f') {
		free(src->path);
		src->path = strdup(arg);
		return true;
	}
	if (c == 's') {
		src->sock = arg;
		return true;
	}
	return false;
}

/* The file to read, NULL (said why) when the daemon could not tell. */
static char *log_source_path(struct log_source *src)
{
	char *path = src->path;

	src->path = NULL;
	return path ? path : daemon_log_file(src->sock);
}

static const char show_usage[] =
	"usage: localin log show [-f FILE] [-s SOCKET] [--filter KEY=VALUE]...\n"
	"                        [--tail N] [--follow]\n"
	"Print the lines of the daemon's log file (and its rolled files\n"
	"FILE.N .. FILE.1), oldest first.\n"
	"  -f, --file FILE     the log file (default: the running daemon's --log)\n"
	"  -s, --socket SOCKET the daemon's control socket (default " CTL_SOCKET_HELP
	")\n"
	"  --filter KEY=VALUE  only lines whose field KEY is VALUE, exactly\n"
	"                      (quoted or not); several: all of them\n"
	"  -n, --tail N        only the last N lines that match\n"
	"  -F, --follow        then print lines as they are written, across\n"
	"                      rolls, until interrupted\n";

static int log_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ "filter", required_argument, NULL, 'k' },
		{ "tail", required_argument, NULL, 'n' },
		{ "follow", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct log_source src = { 0 } /* sock: the default */;
	struct logfilter f = { 0 };
	const char *err;
	struct lines l;
	char *path;
	bool tail = false, fol = false;
	uint32_t nr = 0;
	struct stat st;
	size_t i;
	int c, ret;

	while ((c = getopt_long(argc, argv, "f:s:n:Fh", opts, NULL)) != -1) {
		if (log_source_opt(&src, c, optarg))
			continue;
		switch (c) {
		case 'k':
			if (logfilter_add(&f, optarg, &err)) {
				fprintf(stderr, "localin: --filter %s: %s\n",
					optarg, err);
				return 2;
			}
			break;
		case 'n':
			if (cli_number("--tail", optarg, KEEP_MAX, &nr))
				return 2;
			tail = true;
			break;
		case 'F':
			fol = true;
			break;
		case 'h':
			fputs(show_usage, stdout);
			return 0;
		default:
			fputs(show_usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fputs(show_usage, stderr);
		free(src.path);
		return 2;
	}
	path = log_source_path(&src);
	if (!path)
		return 1;
	/* Where to follow from: the end of FILE as read now. */
	if (stat(path, &st))
		st.st_size = 0;
	ret = lines_init(&l, tail ? nr : 0);
	l.none = tail && !nr; /* --tail 0: only what --follow brings */
	ret = ret ?: read_all(path, &f, &l, fol);
	for (i = lines_kept(&l); !ret && i-- > 0;)
		printf("%s\n", lines_newest(&l, i));
	fflush(stdout);
	lines_free(&l);
	if (!ret && fol)
		ret = follow(path, (long long)st.st_size, &f);
	free(path);
	return ret ? 1 : 0;
}

int cmd_log(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "show"))
		return log_show(argc - 1, argv + 1);
	fputs(show_usage,
	      argc >= 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
	return argc >= 2 && !strcmp(argv[1], "--help") ? 0 : 2;
}

/* --- execute log filter / display --------------------------------------- */

/* FortiOS's category numbers for the two localin writes. */
static const char *const categories[] = { "traffic", "event" };

struct exec_filter {
	unsigned int category;	 /* index in categories[] */
	unsigned int start_line; /* 1.. */
	unsigned int view_lines; /* 5..1000 */
	unsigned int max_check;	 /* 0: all */
	struct logfilter fields; /* field NAME VALUE */
};

static void filter_reset(struct exec_filter *x)
{
	memset(x, 0, sizeof(*x));
	x->start_line = 1;
	x->view_lines = VIEW_LINES_DEF;
}

/*
 * The filter is this network namespace's, as its daemon is (a VDOM's
 * admin does not change another's): /run/localin-NAME.log-filter in an
 * `ip netns` NAME, LOG_FILTER_STATE in the host's.
 */
static const char *state_path(void)
{
	static char buf[PATH_MAX];

	if (getenv("LOCALIN_LOG_FILTER"))
		return getenv("LOCALIN_LOG_FILTER");
	if (ctl_netns_path(".log-filter", false, buf, sizeof(buf)))
		return LOG_FILTER_STATE;
	return buf;
}

/* The settings of the last `execute log filter`, or the defaults. */
static void filter_load(struct exec_filter *x)
{
	char line[512], key[64], val[320];
	const char *err;
	unsigned int n;
	FILE *f;

	filter_reset(x);
	f = fopen(state_path(), "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "category %u", &n) == 1 &&
		    n < sizeof(categories) / sizeof(*categories))
			x->category = n;
		else if (sscanf(line, "start-line %u", &n) == 1 && n &&
			 n <= KEEP_MAX)
			x->start_line = n;
		else if (sscanf(line, "view-lines %u", &n) == 1 && n <= 1000)
			x->view_lines = n;
		else if (sscanf(line, "max-checklines %u", &n) == 1)
			x->max_check = n;
		else if (sscanf(line, "field %63s %319[^\n]", key, val) == 2)
			logfilter_add_kv(&x->fields, key, val, &err);
	}
	fclose(f);
}

static int filter_save(const struct exec_filter *x)
{
	const char *path = state_path();
	unsigned int i;
	FILE *f = fopen(path, "we");

	if (!f) {
		fprintf(stderr, "localin: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fprintf(f,
		"category %u\nstart-line %u\nview-lines %u\nmax-checklines %u\n",
		x->category, x->start_line, x->view_lines, x->max_check);
	for (i = 0; i < x->fields.nr; i++)
		fprintf(f, "field %s %s\n", x->fields.t[i].key,
			x->fields.t[i].val);
	return fclose(f) ? 1 : 0;
}

static void filter_dump(const struct exec_filter *x)
{
	unsigned int i;

	printf("category: %s\n", categories[x->category]);
	printf("device: disk\n");
	printf("start-line: %u\n", x->start_line);
	printf("view-lines: %u\n", x->view_lines);
	printf("max-checklines: %u\n", x->max_check);
	printf("Filter: ");
	for (i = 0; i < x->fields.nr; i++)
		printf("%s%s=\"%s\"", i ? " and " : "", x->fields.t[i].key,
		       x->fields.t[i].val);
	printf("\n");
}

static int set_number(const char *what, int argc, char **argv, unsigned int lo,
		      unsigned int hi, unsigned int *out)
{
	uint32_t n;

	if (argc < 2) {
		printf("%s: %u\n", what, *out);
		return -1;
	}
	if (cli_number(what, argv[1], hi, &n))
		return 2;
	if (n < lo && !(n == 0 && !strcmp(what, "max-checklines"))) {
		fprintf(stderr, "localin: %s: %u is out of range (%u-%u)\n",
			what, n, lo, hi);
		return 2;
	}
	*out = n;
	return 0;
}

static int set_category(struct exec_filter *x, int argc, char **argv)
{
	unsigned int i;

	if (argc < 2) {
		for (i = 0; i < sizeof(categories) / sizeof(*categories); i++)
			printf("%u: %s\n", i, categories[i]);
		return -1;
	}
	for (i = 0; i < sizeof(categories) / sizeof(*categories); i++) {
		if (!strcmp(argv[1], categories[i]) ||
		    (argv[1][0] == (char)('0' + i) && !argv[1][1])) {
			x->category = i;
			return 0;
		}
	}
	fprintf(stderr,
		"localin: execute log filter category: \"%s\": localin writes traffic (0) and event (1)\n",
		argv[1]);
	return 2;
}

/* field NAME VALUE: replaces NAME's filter; field NAME: removes it. */
static int set_field(struct exec_filter *x, int argc, char **argv)
{
	struct logfilter kept = { 0 };
	const char *err;
	unsigned int i;

	if (argc < 2) {
		fputs("usage: localin execute log filter field NAME [VALUE]\n",
		      stderr);
		return 2;
	}
	for (i = 0; i < x->fields.nr; i++)
		if (strcmp(x->fields.t[i].key, argv[1]))
			kept.t[kept.nr++] = x->fields.t[i];
	if (argc >= 3 && logfilter_add_kv(&kept, argv[1], argv[2], &err)) {
		fprintf(stderr, "localin: execute log filter field %s: %s\n",
			argv[1], err);
		return 2;
	}
	x->fields = kept;
	return 0;
}

/* @argv[@i] completed among @words as FortiOS completes it; 0 or -1. */
static int expand(char **argv, int i, const char *const *words, int n)
{
	int k = keyword_index(argv[i], words, n);

	if (k < 0)
		return -1;
	argv[i] = (char *)words[k];
	return 0;
}

static int exec_filter(int argc, char **argv)
{
	static const char *const verbs[] = {
		"dump",	 "reset",      "device",     "category",
		"field", "start-line", "view-lines", "max-checklines",
	};
	struct exec_filter x;
	int r;

	filter_load(&x);
	if (argc < 1 || expand(argv, 0, verbs, 8))
		goto usage;
	if (!strcmp(argv[0], "dump")) {
		filter_dump(&x);
		return 0;
	}
	if (!strcmp(argv[0], "reset")) {
		filter_reset(&x);
		return filter_save(&x);
	}
	if (!strcmp(argv[0], "device")) {
		if (argc >= 2 && strcmp(argv[1], "disk")) {
			fprintf(stderr,
				"localin: execute log filter device: localin has the disk only (its log file)\n");
			return 2;
		}
		if (argc < 2)
			printf("device: disk\n");
		return 0;
	}
	if (!strcmp(argv[0], "category"))
		r = set_category(&x, argc, argv);
	else if (!strcmp(argv[0], "field"))
		r = set_field(&x, argc, argv);
	else if (!strcmp(argv[0], "start-line"))
		r = set_number("start-line", argc, argv, 1, KEEP_MAX,
			       &x.start_line);
	else if (!strcmp(argv[0], "view-lines"))
		r = set_number("view-lines", argc, argv, 5, 1000,
			       &x.view_lines);
	else if (!strcmp(argv[0], "max-checklines"))
		r = set_number("max-checklines", argc, argv, 100, 1000000,
			       &x.max_check);
	else
		goto usage;
	if (r)
		return r < 0 ? 0 : r;
	return filter_save(&x);
usage:
	fputs("usage: localin execute log filter category|field|start-line|view-lines|\n"
	      "                                  max-checklines|device|reset|dump ...\n",
	      stderr);
	return 2;
}

/*
 * As FortiOS: "N logs found.", "M logs returned.", then the lines newest
 * first, numbered from start-line, view-lines of them.
 */
static int exec_display(const char *path)
{
	struct exec_filter x;
	struct logfilter f;
	struct lines l;
	size_t i, found, shown = 0;
	const char *err;
	int ret;

	filter_load(&x);
	f = x.fields;
	if (logfilter_add_kv(&f, "type", categories[x.category], &err)) {
		fprintf(stderr, "localin: execute log display: %s\n", err);
		return 1;
	}
	/* The newest start-line + view-lines - 1 matching lines suffice. */
	ret = lines_init(&l, x.start_line - 1 + x.view_lines) ?:
		      read_all(path, &f, &l, false);
	if (ret) {
		lines_free(&l);
		return 1;
	}
	/* max-checklines: only the newest that many count. */
	found = l.total;
	if (x.max_check && found > x.max_check)
		found = x.max_check;
	printf("%zu logs found.\n", found);
	if (x.start_line <= found)
		shown = found - (x.start_line - 1);
	if (shown > x.view_lines)
		shown = x.view_lines;
	printf("%zu logs returned.\n\n", shown);
	for (i = 0; i < shown; i++)
		printf("%zu: %s\n\n", x.start_line + i,
		       lines_newest(&l, x.start_line - 1 + i));
	lines_free(&l);
	return 0;
}

static const char exec_usage[] =
	"usage: localin execute [-f FILE] [-s SOCKET] log filter WORDS...\n"
	"       localin execute [-f FILE] [-s SOCKET] log display\n"
	"As FortiOS's `execute log filter` and `execute log display`, on the\n"
	"daemon's log file (and its rolled files), newest first:\n"
	"  log filter category traffic|event|0|1   (default traffic)\n"
	"  log filter field NAME VALUE   lines whose NAME is VALUE (several:\n"
	"                               all); `field NAME` removes it\n"
	"  log filter start-line N | view-lines N (5-1000, default 10)\n"
	"  log filter max-checklines N  (0: all, or 100-1000000 newest lines)\n"
	"  log filter device disk | reset | dump\n"
	"The filter lasts between commands in $LOCALIN_LOG_FILTER\n"
	"(default " LOG_FILTER_STATE ", or /run/localin-NAME.log-filter in\n"
	"the network namespace `ip netns` named NAME).\n";

int cmd_execute(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct log_source src = { 0 } /* sock: the default */;
	char *path;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+f:s:h", opts, NULL)) != -1) {
		if (log_source_opt(&src, c, optarg))
			continue;
		switch (c) {
		case 'h':
			fputs(exec_usage, stdout);
			return 0;
		default:
			fputs(exec_usage, stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	/* `exe log fil cat event`: words abbreviated as on FortiOS. */
	if (argc >= 1)
		expand(argv, 0, (const char *const[]){ "log" }, 1);
	if (argc >= 2)
		expand(argv, 1, (const char *const[]){ "filter", "display" },
		       2);
	if (argc >= 2 && !strcmp(argv[0], "log") &&
	    !strcmp(argv[1], "filter")) {
		free(src.path);
		return exec_filter(argc - 2, argv + 2);
	}
	if (argc != 2 || strcmp(argv[0], "log") || strcmp(argv[1], "display")) {
		free(src.path);
		fputs(exec_usage, stderr);
		return 2;
	}
	path = log_source_path(&src);
	if (!path)
		return 1;
	ret = exec_display(path);
	free(path);
	return ret;
}
