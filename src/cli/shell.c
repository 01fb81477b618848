// SPDX-License-Identifier: GPL-2.0
/*
 * `localin cli`: the FortiOS console (src/cli/shell.h). On a terminal,
 * libedit reads the lines (Tab completes, `?` helps, history); from a
 * pipe or -c, each command runs in turn and the first error ends the run.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <histedit.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/shell.h"
#include "daemon/ctl.h"

static const char cli_usage[] =
	"usage: localin cli [-f FILE] [-s SOCKET] [-c \"COMMAND; COMMAND\"]\n"
	"The FortiOS console: config, edit, set, unset, append, select,\n"
	"unselect, clear, next, end, abort, show, get, move, delete, rename,\n"
	"purge, clone on the config, and diagnose and execute as `localin`\n"
	"runs them.\n"
	"  -f, --config FILE   the config file; default: the one the daemon\n"
	"                      enforces. One no daemon enforces is edited\n"
	"                      offline (checked, saved, not applied)\n"
	"  -s, --socket PATH   the daemon's control socket (default " CTL_SOCKET_PATH
	",\n                      or its network namespace's)\n"
	"  -c, --command CMDS  run CMDS (separated by ;) and exit\n"
	"On a terminal: Tab completes, ? lists what may come next. Otherwise\n"
	"each line of stdin runs in turn; the first error stops the run (exit 1,\n"
	"naming the line). Changes are staged: the outermost `end` compiles\n"
	"them, has the daemon enforce them and saves the file (the previous one\n"
	"as FILE.bak); a change that does not compile changes nothing. `abort`\n"
	"drops them.\n";

/*
 * The one-shot commands the shell runs as main.c does, with the words
 * typed (abbreviated words are the commands' own business: the daemon
 * expands `diag deb flow`). The socket option is passed on.
 */
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	bool socket; /* takes -s SOCKET */
} oneshots[] = {
	{ "diagnose", cmd_diagnose, true },
	{ "execute", cmd_execute, true },   /* the log of -s SOCKET's daemon */
	{ "get", cmd_get, true },	    /* what is not a section */
	{ "show", cmd_show_running, true }, /* likewise */
};

bool sh_is_dispatched(const char *cmd)
{
	for (size_t i = 0; i < sizeof(oneshots) / sizeof(oneshots[0]); i++)
		if (!strcmp(oneshots[i].name, cmd))
			return true;
	return false;
}

/*
 * A request the daemon would refuse, refused here as the console refuses
 * its own words: FortiOS's two lines before localin's (not the daemon's
 * usage text). 0 if the daemon takes it.
 */
static int refused_request(struct shell *s, int argc, char **argv)
{
	struct ctl_req req;
	char err[256];
	const char *word = argv[argc - 1];
	int i;

	if (strcmp(argv[0], "diagnose") && strcmp(argv[0], "get") &&
	    strcmp(argv[0], "show"))
		return 0;
	for (i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] && !isdigit(argv[i][1]))
			return 0; /* options (-j, -t): the command reads them */
	if (!ctl_parse(argc, argv, &req, err, sizeof(err)))
		return 0;
	/* The word the daemon names ("unknown command \"xyz\" ..."). */
	for (i = 1; i < argc; i++) {
		char quoted[128];

		snprintf(quoted, sizeof(quoted), "\"%s\"", argv[i]);
		if (strstr(err, quoted)) {
			word = argv[i];
			break;
		}
	}
	sh_fortios_fail("command parse error before", word, RC_PARSE);
	fprintf(stderr, "localin: %s%s\n", s->where, err);
	return -1;
}

int sh_dispatch(struct shell *s, int argc, char **argv)
{
	char *args[SH_MAX_WORDS + 3];
	int n = 0, i;

	if (refused_request(s, argc, argv))
		return -1;

	for (size_t k = 0; k < sizeof(oneshots) / sizeof(oneshots[0]); k++) {
		if (strcmp(oneshots[k].name, argv[0]))
			continue;
		args[n++] = argv[0];
		if (oneshots[k].socket) {
			args[n++] = "-s";
			args[n++] = (char *)s->socket;
		}
		for (i = 1; i < argc && n < SH_MAX_WORDS + 2; i++)
			args[n++] = argv[i];
		args[n] = NULL;
		optind = 0; /* getopt starts over for each command */
		fflush(stdout);
		i = oneshots[k].fn(n, args);
		fflush(stdout);
		return i;
	}
	return sh_parse_error(s, argv[0], "no command \"%s\"", argv[0]);
}

static struct shell *el_shell; /* libedit's callbacks have no context */
static volatile sig_atomic_t interrupted;

/* Ctrl-C drops the line being typed, as on FortiOS; not the session. */
static void on_sigint(int sig)
{
	interrupted = 1;
}

static char *prompt_fn(EditLine *el)
{
	static char buf[256];

	sh_prompt(el_shell, buf, sizeof(buf));
	return buf;
}

/*
 * Candidates for the word under the cursor; *prefix: what is typed of it,
 * *quote: the quote open before the cursor (0: none).
 */
static size_t line_candidates(EditLine *el, struct sh_cand *c, size_t max,
			      char *prefix, size_t size, char *quote)
{
	const LineInfo *li = el_line(el);
	char line[4096], buf[4096], *argv[SH_MAX_WORDS];
	size_t len = (size_t)(li->cursor - li->buffer);
	bool partial;
	int n;

	if (len >= sizeof(line))
		return 0;
	memcpy(line, li->buffer, len);
	line[len] = '\0';
	*quote = sh_open_quote(line);
	n = sh_tokenize(line, buf, sizeof(buf), argv, SH_MAX_WORDS, &partial);
	if (n < 0)
		return 0;
	snprintf(prefix, size, "%s", partial ? argv[n - 1] : "");
	n -= partial;
	return sh_filter(c, sh_candidates(el_shell, argv, n, c, max), prefix);
}

static unsigned char help_fn(EditLine *el, int ch)
{
	struct sh_cand c[512];
	char prefix[256], quote;
	size_t n = line_candidates(el, c, 512, prefix, sizeof(prefix), &quote);

	fputc('\n', stdout);
	if (!n)
		fputs("command parse error: nothing may come here\n", stdout);
	sh_print_help(c, n, stdout);
	return CC_REDISPLAY;
}

/*
 * The rest of a word, escaped as the lexer reads it back: inside an open
 * quote only that quote and backslashes, outside also blanks and quotes
 * ("Email Access" becomes Email\ Access). A whole word gets its closing
 * quote and a blank.
 */
static void insert_rest(EditLine *el, const char *rest, char quote, bool whole)
{
	char buf[256], *o = buf;

	for (; *rest && o < buf + sizeof(buf) - 4; rest++) {
		if (*rest == '\\' || *rest == quote ||
		    (!quote && strchr(" \t\"'|;", *rest)))
			*o++ = '\\';
		*o++ = *rest;
	}
	if (whole && quote)
		*o++ = quote;
	if (whole)
		*o++ = ' ';
	*o = '\0';
	el_insertstr(el, buf);
}

static unsigned char complete_fn(EditLine *el, int ch)
{
	struct sh_cand c[512];
	char prefix[256], common[128], quote;
	size_t n = line_candidates(el, c, 512, prefix, sizeof(prefix), &quote);
	size_t lit = 0;

	for (size_t i = 0; i < n; i++)
		lit += !c[i].placeholder;
	sh_common_prefix(c, n, common, sizeof(common));
	if (lit == 1) {
		insert_rest(el, common + strlen(prefix), quote, true);
		return CC_REFRESH;
	}
	if (lit && strlen(common) > strlen(prefix)) {
		insert_rest(el, common + strlen(prefix), quote, false);
		return CC_REFRESH;
	}
	if (!n)
		return CC_REFRESH_BEEP;
	fputc('\n', stdout);
	sh_print_help(c, n, stdout);
	return CC_REDISPLAY;
}

static int interactive(struct shell *s)
{
	History *h = history_init();
	HistEvent ev;
	const char *line;
	EditLine *el;
	int count;

	/*
	 * libedit reads characters in the locale's encoding: in C's, a
	 * non-ASCII byte is dropped as typed, and a prompt with one (a
	 * hostname "gw-é") brings it down. A config is UTF-8.
	 */
	if (!setlocale(LC_CTYPE, "") || strcmp(nl_langinfo(CODESET), "UTF-8"))
		setlocale(LC_CTYPE, "C.UTF-8");
	el = el_init("localin", stdin, stdout, stderr);
	if (!el || !h) {
		fprintf(stderr, "localin: cannot set up the line editor\n");
		return 1;
	}
	el_shell = s;
	history(h, &ev, H_SETSIZE, 1000);
	el_set(el, EL_HIST, history, h);
	el_set(el, EL_PROMPT, prompt_fn);
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_SIGNAL, 1);
	/* Wide: the narrow EL_ADDFN copies its strings and never frees them. */
	el_wset(el, EL_ADDFN, L"li-complete", L"complete a word", complete_fn);
	el_wset(el, EL_ADDFN, L"li-help", L"what may come next", help_fn);
	el_set(el, EL_BIND, "^I", "li-complete", NULL);
	el_set(el, EL_BIND, "?", "li-help", NULL);
	sigaction(SIGINT, &(struct sigaction){ .sa_handler = on_sigint }, NULL);
	while (!s->quit) {
		line = el_gets(el, &count);
		/* Ctrl-C with Enter right behind it: the line is dropped too. */
		if (interrupted) {
			interrupted = 0;
			el_reset(el);
			fputc('\n', stdout);
			continue;
		}
		if (!line)
			break;
		if (strspn(line, " \t\r\n") != strlen(line))
			history(h, &ev, H_ENTER, line);
		sh_exec_line(s, line);
	}
	if (s->depth)
		printf("\nthe staged changes are dropped (no `end`)\n");
	history_end(h);
	el_end(el);
	return 0;
}

/* The end of the input inside config: nothing applied, say where. */
static int unclosed(struct shell *s)
{
	if (!s->depth)
		return 0;
	sh_error(s, NULL,
		 "the input ends inside `config` (no `end`): nothing applied");
	return 1;
}

static int script(struct shell *s, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned int nr = 0;
	int ret = 0;

	while (!s->quit && getline(&line, &cap, in) >= 0) {
		snprintf(s->where_buf, sizeof(s->where_buf), "line %u: ", ++nr);
		s->where = s->where_buf;
		if (sh_exec_line(s, line)) {
			ret = 1;
			break;
		}
	}
	free(line);
	return ret ? ret : unclosed(s);
}

static int commands(struct shell *s, char *cmds)
{
	unsigned int nr = 0;
	char *p = cmds, *semi;

	while (!s->quit && p) {
		semi = (char *)sh_find_unquoted(p, ';');
		if (semi)
			*semi = '\0';
		snprintf(s->where_buf, sizeof(s->where_buf),
			 "command %u: ", ++nr);
		s->where = s->where_buf;
		if (sh_exec_line(s, p))
			return 1;
		p = semi ? semi + 1 : NULL;
	}
	return unclosed(s);
}

/* @path made absolute (the file may not exist yet). */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX], *abs = realpath(path, NULL);

	if (abs || path[0] == '/')
		return abs ? abs : strdup(path);
	if (!getcwd(cwd, sizeof(cwd)) || asprintf(&abs, "%s/%s", cwd, path) < 0)
		return NULL;
	return abs;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* Which file, and whether the daemon enforces it. 0, or an exit code. */
static int locate(struct shell *s, const char *file)
{
	struct sh_running r;
	int err = sh_daemon_config(s->socket, &r);
	const char *running = r.path;

	/* Offline only without a daemon: not a file a mute one may enforce. */
	if (err && err != -ENOENT) {
		fprintf(stderr, "localin: the daemon at %s: %s%s\n", s->socket,
			strerror(-err),
			err == -EACCES ? " (the control socket is root only)" :
					 "");
		return 1;
	}
	if (!err && (!file || same_file(file, running))) {
		if (running[0] != '/') {
			fprintf(stderr,
				"localin: the daemon enforces \"%s\" (a relative path); give it with -f\n",
				running);
			return 2;
		}
		s->config = strdup(running);
		s->online = true;
		/* What show and get read of a multi-VDOM file: its VDOM. */
		if (r.vdom[0])
			s->vdom = strdup(r.vdom);
	} else if (file) {
		s->config = absolute(file);
	} else {
		fprintf(stderr,
			"localin: no daemon at %s enforces a config; `localin cli -f FILE` edits a file offline\n",
			s->socket);
		return 1;
	}
	return s->config ? 0 : 1;
}

int cmd_cli(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ "command", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct shell s = { .where = "" };
	char def[PATH_MAX];
	const char *file = NULL;
	char *cmds = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, "f:s:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 's':
			s.socket = optarg;
			break;
		case 'c':
			cmds = optarg;
			break;
		case 'h':
			fputs(cli_usage, stdout);
			return 0;
		default:
			fputs(cli_usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(cli_usage, stderr);
		return 2;
	}
	/* This network namespace's daemon (a VDOM's), unless -s says. */
	s.socket = ctl_client_socket(s.socket, def, sizeof(def));
	ret = locate(&s, file);
	if (ret)
		return ret;
	arena_init(&s.arena);
	arena_init(&s.lines);
	sh_load(&s);
	if (cmds)
		ret = commands(&s, cmds);
	else if (isatty(STDIN_FILENO))
		ret = interactive(&s);
	else
		ret = script(&s, stdin);
	arena_free(&s.arena);
	arena_free(&s.lines);
	free((char *)s.config);
	free((char *)s.vdom); /* the VDOM the daemon enforces, or NULL */
	return ret;
}
