// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The REPL: libedit's native API (prompt, history, ~/.editrc, TAB bound to the table-driven
 * completion), or a plain line loop when built without libedit. Only the line source differs
 * from batch mode: both hand lines to sh_run_line().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "shell.h"

#define PROMPT "iommush> "
#define PROMPT_CONT "> "

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
	return continuing ? PROMPT_CONT : PROMPT;
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

static void history_save(History *h, const char *path)
{
	HistEvent ev;
	mode_t old;

	if (!path)
		return;
	old = umask(077);
	history(h, &ev, H_SAVE, path);
	umask(old);
	chmod(path, 0600);
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
	history(hist, &ev, H_SETSIZE, 1000);
	history(hist, &ev, H_SETUNIQUE, 1);
	if (path)
		history(hist, &ev, H_LOAD, path);
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

	while (!sh->quit) {
		sh_interrupted = 0;
		line = el_gets(el, &count);
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
		if (continuing && append(&acc, " ") == 0)
			continue;
		if (!blank_line(acc)) {
			history(hist, &ev, H_ENTER, acc);
			history_save(hist, path);
			run_interactive(sh, acc);
		}
		free(acc);
		acc = NULL;
	}
	free(acc);
	history_save(hist, path);
	el_end(el);
	history_end(hist);
	free(path);
	return SH_EXIT_OK;
}

#else /* !HAVE_LIBEDIT */

int sh_repl(struct shell *sh)
{
	char *line = NULL, *acc = NULL;
	bool cont = false;
	size_t cap = 0;

	while (!sh->quit) {
		fputs(cont ? PROMPT_CONT : PROMPT, stdout);
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
		if (cont && append(&acc, " ") == 0)
			continue;
		if (!blank_line(acc))
			run_interactive(sh, acc);
		free(acc);
		acc = NULL;
	}
	free(acc);
	free(line);
	return SH_EXIT_OK;
}

#endif
