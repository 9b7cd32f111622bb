// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The REPL: libedit's native API (prompt, history, ~/.editrc, TAB bound to the table-driven
 * completion), or a plain line loop when built without libedit. Only the line source differs
 * from batch mode: both hand lines to sh_run_line().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include "config.h"
#include "shell.h"

#define PROMPT "iommush> "
#define PROMPT_SIM "iommush(%s)> "
#define PROMPT_CONT "> "

/* the prompt names the backend when it is the simulator: no reproducer passes by accident */
static char prompt_buf[48] = PROMPT;

static void prompt_init(const struct shell *sh)
{
	if (sh->backend && strncmp(sh->backend, "sim", 3) == 0)
		snprintf(prompt_buf, sizeof(prompt_buf), PROMPT_SIM, sh->backend);
	else
		snprintf(prompt_buf, sizeof(prompt_buf), PROMPT);
}

/* a line (continuations joined) is capped as in batch mode */
static bool too_long(struct shell *sh, const char *acc)
{
	if (!acc || strlen(acc) <= SH_LINE_MAX)
		return false;
	sh->file = NULL;
	sh_errcmd_clear(sh);
	sh_fail(sh, -E2BIG, "%s", sh_read_error(-E2BIG));
	sh_report(sh, -E2BIG);
	return true;
}

static bool blank_line(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

/* append @more to *acc */
static int append(char **acc, const char *more)
{
	size_t a = *acc ? strlen(*acc) : 0, m = strlen(more);
	char *n = realloc(*acc, a + m + 1);

	if (!n)
		return -ENOMEM;
	memcpy(n + a, more, m + 1);
	*acc = n;
	return 0;
}

static void run_interactive(struct shell *sh, const char *line)
{
	sh_interrupted = 0;
	sh_run_line(sh, line);
	sh_interrupted = 0;
}

#if HAVE_LIBEDIT
#include <histedit.h>

static bool continuing;

static char *prompt(EditLine *el)
{
	(void)el;
	return continuing ? PROMPT_CONT : prompt_buf;
}

/* $XDG_STATE_HOME/iommush/history, else ~/.local/state/iommush/history; dirs made 0700 */
static char *history_path(void)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *path = NULL, *p;

	if (xdg && *xdg == '/') {
		if (asprintf(&path, "%s/iommush/history", xdg) < 0)
			return NULL;
	} else if (home && *home) {
		if (asprintf(&path, "%s/.local/state/iommush/history", home) < 0)
			return NULL;
	} else {
		return NULL;
	}
	for (p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			free(path);
			return NULL;
		}
		*p = '/';
	}
	return path;
}

/*
 * History is appended, never rewritten behind another session's back (bash's histappend):
 * each entered line is added under an exclusive flock, in libedit's own format (the cookie
 * line, then each line strvis-encoded: octal for blanks and controls, \\ for a backslash)
 * so H_LOAD reads it back. Past HIST_TRIM bytes the file is cut to its last HIST_KEEP lines,
 * under the same lock, from what is in the file: the lines of every session are merged.
 */
#define HIST_KEEP 1000
#define HIST_TRIM (HIST_KEEP * 160)
#define HIST_COOKIE "_HiStOrY_V2_\n"

static void hist_encode(FILE *fp, const char *line)
{
	const unsigned char *p;

	for (p = (const unsigned char *)line; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", fp);
		else if (*p > 0x20 && *p < 0x7f)
			fputc(*p, fp);
		else
			fprintf(fp, "\\%03o", *p);
	}
	fputc('\n', fp);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Keep the cookie and the last HIST_KEEP lines, once the file holds half as many again (so
 * that a trim is not redone at every line); the caller holds the lock.
 */
static void hist_trim(int fd)
{
	struct stat st;
	size_t lines = 0, nl = 0, start;
	ssize_t got, i;
	char *buf;

	if (fstat(fd, &st) < 0 || st.st_size <= HIST_TRIM)
		return;
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return;
	got = pread(fd, buf, (size_t)st.st_size, 0);
	for (i = 0; i < got; i++)
		lines += buf[i] == '\n';
	if (got <= 0 || lines <= HIST_KEEP + HIST_KEEP / 2 + 1) {
		free(buf);
		return;
	}
	/* the newline that ends the line before the last HIST_KEEP */
	for (i = got - 1; i >= 0; i--)
		if (buf[i] == '\n' && ++nl == HIST_KEEP + 1)
			break;
	start = (size_t)(i + 1);
	if (ftruncate(fd, 0) == 0 && write_all(fd, HIST_COOKIE, strlen(HIST_COOKIE)) == 0)
		write_all(fd, buf + start, (size_t)got - start);
	free(buf);
}

static void history_append(const char *path, const char *line)
{
	char *enc = NULL;
	size_t len = 0;
	struct stat st;
	FILE *mem;
	int fd;

	if (!path)
		return;
	mem = open_memstream(&enc, &len);
	if (!mem)
		return;
	hist_encode(mem, line);
	if (fclose(mem) != 0) {
		free(enc);
		return;
	}
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(enc);
		return;
	}
	if (flock(fd, LOCK_EX) == 0) {
		fchmod(fd, 0600);
		if (fstat(fd, &st) == 0 && st.st_size == 0)
			write_all(fd, HIST_COOKIE, strlen(HIST_COOKIE));
		/* one write: a reader never sees half a line */
		write_all(fd, enc, len);
		hist_trim(fd);
		flock(fd, LOCK_UN);
	}
	close(fd);
	free(enc);
}

/* what was loaded, under the same lock, so a trim running elsewhere is never half-seen */
static void history_load(History *h, const char *path)
{
	HistEvent ev;
	int fd;

	if (!path)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_SH) == 0) {
		history(h, &ev, H_LOAD, path);
		flock(fd, LOCK_UN);
	}
	close(fd);
}

/*
 * Keys typed while a command ran sat in the tty's cooked queue; a Ctrl-D there comes out as
 * a literal byte once libedit goes raw. Take what is pending, drop control bytes and escape
 * sequences (arrows...), and hand the printable rest to libedit as typed-ahead input.
 */
static void filter_typeahead(EditLine *el)
{
	unsigned char in[4096];
	char keep[4096];
	struct termios t, raw;
	ssize_t n, i;
	size_t k = 0;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &t) < 0)
		return;
	raw = t;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
		return;
	n = read(STDIN_FILENO, in, sizeof(in));
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
	for (i = 0; i < n; i++) {
		if (in[i] == 0x1b) {
			/* ESC [ params final, ESC O x, or a lone ESC */
			if (i + 1 < n && (in[i + 1] == '[' || in[i + 1] == 'O')) {
				bool csi = in[i + 1] == '[';

				i += 2;
				while (csi && i < n && !(in[i] >= 0x40 && in[i] <= 0x7e))
					i++;
			}
			continue;
		}
		if (in[i] == '\r' || in[i] == '\n')
			keep[k++] = '\n';
		else if (in[i] >= 0x20 && in[i] != 0x7f)
			keep[k++] = (char)in[i];
		if (k + 1 >= sizeof(keep))
			break;
	}
	keep[k] = '\0';
	/* the tty echoed them after the command's output: the prompt starts a fresh line */
	if (n > 0 && (t.c_lflag & ECHO))
		fputc('\n', stdout);
	if (k)
		el_push(el, keep);
}

static int term_columns(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

static void list_candidates(const struct sh_cands *c)
{
	size_t i, w = 0;
	int cols, col = 0;

	for (i = 0; i < c->n; i++)
		if (strlen(c->v[i]) > w)
			w = strlen(c->v[i]);
	w += 2;
	cols = term_columns() / (int)w;
	if (cols < 1)
		cols = 1;
	fputc('\n', stdout);
	for (i = 0; i < c->n; i++) {
		fprintf(stdout, "%-*s", (int)w, c->v[i]);
		if (++col == cols || i + 1 == c->n) {
			fputc('\n', stdout);
			col = 0;
		}
	}
	fflush(stdout);
}

/* insert @s, escaping what the tokenizer would split on unless inside quotes */
static void insert(EditLine *el, const char *s, char quote)
{
	char buf[1024];
	size_t o = 0;

	for (; *s && o + 3 < sizeof(buf); s++) {
		if (!quote && strchr(" \t'\"\\;#", *s))
			buf[o++] = '\\';
		else if (quote == '"' && strchr("\"\\", *s))
			buf[o++] = '\\';
		buf[o++] = *s;
	}
	buf[o] = '\0';
	if (o)
		el_insertstr(el, buf);
}

static unsigned char complete(EditLine *el, int ch)
{
	const LineInfo *li = el_line(el);
	struct sh_tokens t;
	struct sh_cands c;
	struct shell *sh;
	char *line, *partial = NULL, err[64], quote = 0, last;
	size_t i, common;
	unsigned char ret = CC_ERROR;

	(void)ch;
	if (el_get(el, EL_CLIENTDATA, (void **)&sh) != 0)
		return CC_ERROR;
	line = strndup(li->buffer, (size_t)(li->cursor - li->buffer));
	if (!line)
		return CC_ERROR;
	if (sh_tokenize(line, true, &t, err, sizeof(err)) == 0) {
		quote = t.quote;
		sh_tokens_free(&t);
	}
	if (sh_complete(sh, line, &c, &partial) <= 0)
		goto out;
	common = strlen(c.v[0]);
	for (i = 1; i < c.n; i++) {
		size_t k = 0;

		while (k < common && c.v[i][k] == c.v[0][k])
			k++;
		common = k;
	}
	if (common > strlen(partial)) {
		char *add = strndup(c.v[0] + strlen(partial), common - strlen(partial));

		if (add) {
			insert(el, add, quote);
			free(add);
		}
		ret = CC_REFRESH;
	}
	last = common ? c.v[0][common - 1] : 0;
	if (c.n == 1 && last != '=' && last != '/') {
		if (quote)
			el_insertstr(el, quote == '"' ? "\"" : "'");
		el_insertstr(el, " ");
		ret = CC_REFRESH;
	} else if (c.n > 1 && ret != CC_REFRESH) {
		list_candidates(&c);
		ret = CC_REDISPLAY;
	}
out:
	sh_cands_free(&c);
	free(partial);
	free(line);
	return ret;
}

int sh_repl(struct shell *sh)
{
	char *path = history_path(), *acc = NULL;
	const char *line;
	History *hist;
	EditLine *el;
	HistEvent ev;
	int count;

	/* "iommush | tee log": the prompt and the line being edited belong to the terminal */
	FILE *tty = isatty(STDOUT_FILENO) ? stdout : stderr;

	hist = history_init();
	el = el_init("iommush", stdin, tty, stderr);
	if (!hist || !el) {
		fprintf(stderr, "iommush: cannot initialise libedit\n");
		if (hist)
			history_end(hist);
		free(path);
		return SH_EXIT_SETUP;
	}
	history(hist, &ev, H_SETSIZE, HIST_KEEP);
	history(hist, &ev, H_SETUNIQUE, 1);
	history_load(hist, path);
	prompt_init(sh);
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_SIGNAL, 1);
	el_set(el, EL_PROMPT, prompt);
	el_set(el, EL_HIST, history, hist);
	el_set(el, EL_CLIENTDATA, (void *)sh);
	/* the wide call: libedit keeps these pointers, where el_set() would leak copies */
	el_wset(el, EL_ADDFN, L"iommush-complete", L"Complete the word under the cursor", complete);
	el_set(el, EL_BIND, "^I", "iommush-complete", NULL);
	/* after our bindings, so that ~/.editrc has the last word */
	el_source(el, NULL);

	while (!sh->quit && !sh_terminate) {
		sh_interrupted = 0;
		line = el_gets(el, &count);
		if (sh_terminate) {
			fputc('\n', stdout);
			break;
		}
		if (!line || count <= 0) {
			if (sh_interrupted || (count < 0 && errno == EINTR)) {
				/* ^C at the prompt drops the line */
				free(acc);
				acc = NULL;
				continuing = false;
				fputc('\n', tty);
				continue;
			}
			fputc('\n', tty);
			break;
		}
		if (append(&acc, line) < 0)
			break;
		continuing = sh_line_continues(acc);
		if (too_long(sh, acc)) {
			continuing = false;
		} else if (continuing && append(&acc, " ") == 0) {
			continue;
		} else if (!blank_line(acc)) {
			if (history(hist, &ev, H_FIRST) < 0 || strcmp(ev.str, acc))
				history_append(path, acc);
			history(hist, &ev, H_ENTER, acc);
			run_interactive(sh, acc);
			filter_typeahead(el);
		}
		free(acc);
		acc = NULL;
	}
	free(acc);
	el_end(el);
	history_end(hist);
	free(path);
	return sh_terminate ? SH_EXIT_INTR : SH_EXIT_OK;
}

#else /* !HAVE_LIBEDIT */

int sh_repl(struct shell *sh)
{
	char *line = NULL, *acc = NULL;
	bool cont = false;
	size_t cap = 0;

	prompt_init(sh);
	while (!sh->quit && !sh_terminate) {
		fputs(cont ? PROMPT_CONT : prompt_buf, stdout);
		fflush(stdout);
		sh_interrupted = 0;
		errno = 0;
		if (getline(&line, &cap, stdin) < 0) {
			if (sh_interrupted) {
				clearerr(stdin);
				free(acc);
				acc = NULL;
				cont = false;
				fputc('\n', stdout);
				continue;
			}
			fputc('\n', stdout);
			break;
		}
		if (append(&acc, line) < 0)
			break;
		cont = sh_line_continues(acc);
		if (too_long(sh, acc))
			cont = false;
		else if (cont && append(&acc, " ") == 0)
			continue;
		else if (!blank_line(acc)) {
			run_interactive(sh, acc);
			/* no line editor to clean typed-ahead keys: a Ctrl-D typed during the
			 * command would end the session, so drop what was typed meanwhile */
			if (isatty(STDIN_FILENO))
				tcflush(STDIN_FILENO, TCIFLUSH);
		}
		free(acc);
		acc = NULL;
	}
	free(acc);
	free(line);
	return sh_terminate ? SH_EXIT_INTR : SH_EXIT_OK;
}

#endif
