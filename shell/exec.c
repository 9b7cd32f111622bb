// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Running commands: variable expansion, the table lookup, and the batch policy (stop at the
 * first failure unless --force; a '-' line ignores its own error). Errors: err.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "shell.h"

volatile sig_atomic_t sh_interrupted;
volatile sig_atomic_t sh_terminate;

/* ---- variables ------------------------------------------------------------------------------ */

bool sh_var_name_ok(const char *name)
{
	const char *p = name;

	if (!strcmp(name, "_") || !strcmp(name, "?"))
		return true;
	if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return false;
	for (p++; *p; p++)
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			return false;
	return true;
}

static struct sh_var *var_find(struct shell *sh, const char *name)
{
	struct sh_var *v;

	if (name[0] == '_' && !name[1] && sh->result)
		return sh->result;

	for (v = sh->vars; v; v = v->next)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}

const char *sh_var_get(struct shell *sh, const char *name)
{
	static char status[16];
	struct sh_var *v;

	if (!strcmp(name, "?")) {
		snprintf(status, sizeof(status), "%d", sh->last_status);
		return status;
	}
	v = var_find(sh, name);
	return v ? v->value : NULL;
}

/* a value of @n bytes: @v's (if any) takes it in the room it has, else a new copy */
static int var_set_n(struct shell *sh, struct sh_var *v, const char *name, const char *value,
		     size_t n)
{
	struct sh_var **p;
	size_t cap = n + 1;
	char *copy;

	/* $_ changes with every allocating command: a value that fits takes the old one's place */
	if (v && n < v->cap) {
		memmove(v->value, value, n + 1);
		v->len = n;
		return 0;
	}
	/* room for a 64-bit decimal, which $_ nearly always holds: no allocation later */
	if (cap < 24)
		cap = 24;
	copy = malloc(cap);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, value, n + 1);
	if (v) {
		free(v->value);
		v->value = copy;
		v->len = n;
		v->cap = cap;
		return 0;
	}
	v = calloc(1, sizeof(*v));
	if (!v || !(v->name = strdup(name))) {
		free(v);
		free(copy);
		return -ENOMEM;
	}
	v->value = copy;
	v->len = n;
	v->cap = cap;
	if (name[0] == '_' && !name[1])
		sh->result = v;
	/* sorted, so that vars lists them in a stable order */
	for (p = &sh->vars; *p && strcmp((*p)->name, name) < 0; p = &(*p)->next)
		;
	v->next = *p;
	*p = v;
	return 0;
}

int sh_var_set(struct shell *sh, const char *name, const char *value)
{
	return var_set_n(sh, var_find(sh, name), name, value, strlen(value));
}

void sh_vars_free(struct shell *sh)
{
	sh->result = NULL;
	while (sh->vars) {
		struct sh_var *v = sh->vars;

		sh->vars = v->next;
		free(v->name);
		free(v->value);
		free(v);
	}
}

void sh_set_result(struct shell *sh, const char *fmt, ...)
{
	char buf[128], *p = buf + sizeof(buf) - 1;
	va_list ap;

	va_start(ap, fmt);
	if (!strcmp(fmt, "%u")) {	/* an object id: what nearly every command sets */
		unsigned int v = va_arg(ap, unsigned int);

		*p = '\0';
		do
			*--p = (char)('0' + v % 10);
		while (v /= 10);
	} else {
		vsnprintf(buf, sizeof(buf), fmt, ap);
		p = buf;
	}
	va_end(ap);
	sh_set_result_str(sh, p);
}

void sh_set_result_len(struct shell *sh, const char *value, size_t len)
{
	if (sh->result && len < sh->result->cap) {
		memmove(sh->result->value, value, len + 1);
		sh->result->len = len;
	} else {
		var_set_n(sh, sh->result ? sh->result : var_find(sh, "_"), "_", value, len);
	}
	sh->nresults++;
}

void sh_set_result_str(struct shell *sh, const char *value)
{
	sh_set_result_len(sh, value, strlen(value));
}

/* ---- one command ----------------------------------------------------------------------------- */

static void verbs_of(const struct sh_group *g, char *buf, size_t len)
{
	const struct sh_cmd *c;
	size_t o = 0;

	buf[0] = '\0';
	for (c = g->cmds; c->fn; c++) {
		if (c->flags & SH_CMD_HIDDEN || !c->verb)
			continue;
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s", o ? ", " : "", c->verb);
		if (o >= len)
			break;
	}
}

/* the group and verb a line names when they are not spelled out whole: help, prefixes */
__attribute__((noinline))
static int resolve_slow(struct shell *sh, int argc, char **argv, const struct sh_group **gp,
			const struct sh_cmd **cmd, int *nw)
{
	const struct sh_group *g = *gp;
	char verbs[256];
	int rc;

	if (!g) {
		rc = sh_group_resolve(sh, argv[0], gp);
		if (rc < 0)
			return rc;
		g = *gp;
		if ((*cmd = sh_cmd_find(g, argc - 1, argv + 1, nw)))
			return 0;
	}
	/* "GROUP help" or "GROUP ?" for a group with no such verb (none was found) */
	if (argc == 2 && (argv[1][0] == '?' || argv[1][0] == 'h') &&
	    (!strcmp(argv[1], "?") || !strcmp(argv[1], "help")))
		return sh_help(sh, g->name, NULL);
	rc = sh_cmd_resolve(sh, g, argc - 1, argv + 1, cmd, nw);
	if (rc < 0 && rc != -ENOENT) {
		snprintf(sh->errcmd, sizeof(sh->errcmd), "%s", g->name);
		return rc;
	}
	if (!*cmd) {
		snprintf(sh->errcmd, sizeof(sh->errcmd), "%s", g->name);
		verbs_of(g, verbs, sizeof(verbs));
		if (argc == 1)
			return sh_usage(sh, "a verb is missing: %s", verbs);
		return sh_usage(sh, "\"%s\" is not a verb of %s (%s)", argv[1], g->name, verbs);
	}
	return 0;
}

/* a command's words, the error state already cleared */
static int exec_words(struct shell *sh, int argc, char **argv)
{
	const struct sh_group *g;
	const struct sh_cmd *cmd;
	struct sh_call call;
	bool local_json = false;
	int nw, rc;

	if (argc < 1)
		return 0;
	/* "?" is help, as in ip */
	if (argv[0][0] == '?' && !argv[0][1])
		return sh_help(sh, argc > 1 ? argv[1] : NULL, NULL);
	/* group and verb in one step when both are spelled out whole, as in scripts */
	g = sh_group_find(argv[0]);
	if (!g || !(cmd = sh_cmd_find(g, argc - 1, argv + 1, &nw))) {
		cmd = NULL;
		rc = resolve_slow(sh, argc, argv, &g, &cmd, &nw);
		if (rc < 0 || !cmd)
			return rc;
	}
	/* named for its errors when one comes (sh_errcmd) */
	sh->errcmd_group = g;
	sh->errcmd_cmd = cmd;
	/* "COMMAND ... -j": this one command as JSON, whatever the command (as bpftool -j) */
	if (argc > 1 + nw && argv[argc - 1][0] == '-' && !strcmp(argv[argc - 1], "-j") &&
	    !(cmd->flags & SH_CMD_OWN_OUTPUT)) {
		argc--;
		local_json = true;
	}
	if (!sh->out.active && !(cmd->flags & SH_CMD_OWN_OUTPUT)) {
		if (!sh->json) {
			/* text goes straight to stdout: what pr_begin() does, in line */
			sh->out.active = true;
			sh->out.fp = stdout;
		} else {
			pr_begin(sh);
		}
	}
	if (cmd->flags & SH_CMD_SIM && !sh->sim)
		return sh_fail(sh, -EOPNOTSUPP,
			       "only the simulator has this: run iommush --backend sim");
	rc = sh_parse(sh, g, cmd, argc - 1 - nw, argv + 1 + nw, &call);
	if (rc == 0) {
		/* the parser never calls the core: its error state is still the cleared one */
		sh->errmsg[0] = '\0';
		if (local_json)
			pr_json_local_begin(sh);
		rc = cmd->fn(sh, &call);
		if (local_json)
			pr_json_local_end(sh);
	}
	sh_call_release(&call);
	return rc;
}

int sh_exec(struct shell *sh, int argc, char **argv)
{
	sh->errmsg[0] = '\0';
	sh_errcmd_clear(sh);
	if (sh->ctx)
		ish_clear_err(sh->ctx);
	return exec_words(sh, argc, argv);
}

/* ---- a line ---------------------------------------------------------------------------------- */

static void echo_words(int argc, char **argv)
{
	char q[512];
	int i;

	fputs("+", stderr);
	for (i = 0; i < argc; i++) {
		sh_quote_word(argv[i], q, sizeof(q));
		fputc(' ', stderr);
		sh_fput_text(stderr, q, false);
	}
	fputc('\n', stderr);
}

/*
 * $NAME as a whole argument: the words are replaced in place, by copies (a command may set
 * the variable it was given) kept together in one buffer of the segment (inline when short).
 */
#define EXPAND_KEEP 8	/* values looked up once: those of the first words */

static int expand(struct shell *sh, struct sh_seg *s)
{
	const char *vals[EXPAND_KEEP];
	size_t lens[EXPAND_KEEP], need = 0, o = 0, n;
	int i;

	for (i = 0; i < s->argc; i++) {
		const char *name = s->argv[i] + 1, *val;

		if (!s->expand[i])
			continue;
		if (!(name[0] == '_' && !name[1]) && !sh_var_name_ok(name))
			return sh_usage(sh, "\"%s\": a variable name is letters, digits and _ "
					"(and $_, $?)", s->argv[i]);
		if (name[0] == '_' && !name[1] && sh->result) {
			/* $_, the common one: its length is known */
			val = sh->result->value;
			n = sh->result->len;
		} else {
			val = sh_var_get(sh, name);
			if (!val)
				return sh_usage(sh, "$%s is not set", name);
			n = strlen(val);
		}
		if (i < EXPAND_KEEP) {
			vals[i] = val;
			lens[i] = n;
		}
		need += n + 1;
	}
	if (!need)
		return 0;
	if (s->values && s->values != s->values_in)
		free(s->values);
	s->values = need <= sizeof(s->values_in) ? s->values_in : malloc(need);
	if (!s->values)
		return -ENOMEM;
	for (i = 0; i < s->argc; i++) {
		const char *val;

		if (!s->expand[i])
			continue;
		if (i < EXPAND_KEEP) {
			val = vals[i];
			n = lens[i] + 1;
		} else {
			val = sh_var_get(sh, s->argv[i] + 1);
			n = strlen(val) + 1;
		}
		memcpy(s->values + o, val, n);
		s->argv[i] = s->values + o;
		s->expand[i] = false;
		o += n;
	}
	return 0;
}

static int run_seg(struct shell *sh, struct sh_seg *s)
{
	int rc, status;

	/* the one clearing of a command's error state */
	sh_errcmd_clear(sh);
	sh->errmsg[0] = '\0';
	if (sh->ctx)
		ish_clear_err(sh->ctx);
	rc = s->any_expand ? expand(sh, s) : 0;
	if (rc == 0) {
		if (sh->echo)
			echo_words(s->argc, s->argv);
		rc = exec_words(sh, s->argc, s->argv);
	}
	if (sh->out.active && !sh->json && sh_pr_flush_each == 0)
		sh->out.active = false;	/* all pr_end() does for text that is not flushed */
	else
		pr_end(sh, rc == 0);
	if (rc == -SH_EQUIET) {
		status = sh->quiet_status;
	} else {
		status = sh_status(rc);
		sh->err_ignored = s->ignore && status != SH_EXIT_INTR;
		if (rc)
			sh_report(sh, rc);
	}
	/* $? says what happened; a '-' only keeps the batch going */
	sh->last_status = status;
	if (s->ignore && status != SH_EXIT_INTR)
		status = 0;
	return status;
}

/* a line that does not split: its status */
static int bad_line(struct shell *sh, const char *err)
{
	sh_errcmd_clear(sh);
	sh->err_ignored = false;
	sh_usage(sh, "%s", err);
	sh_report(sh, -SH_EUSAGE);
	sh->last_status = SH_EXIT_USAGE;
	return SH_EXIT_USAGE;
}

static int run_tokens(struct shell *sh, struct sh_tokens *t);

int sh_run_line(struct shell *sh, const char *line)
{
	struct sh_tokens t;
	char err[128];

	if (sh_tokenize(line, false, &t, err, sizeof(err)) < 0)
		return bad_line(sh, err);
	return run_tokens(sh, &t);
}

int sh_run_line_buf(struct shell *sh, char *line)
{
	struct sh_tokens t;
	char err[128];

	if (sh_tokenize_buf(line, &t, err, sizeof(err)) < 0)
		return bad_line(sh, err);
	return run_tokens(sh, &t);
}

static int run_tokens(struct shell *sh, struct sh_tokens *t)
{
	int i, status, first = 0;

	for (i = 0; i < t->nseg && !sh->quit; i++) {
		status = run_seg(sh, &t->seg[i]);
		if (pr_output_lost(sh)) {
			sh->quit = true;
			first = status ? status : SH_EXIT_FAIL;
			break;
		}
		if (sh_interrupted && (!sh->interactive || sh_terminate)) {
			first = SH_EXIT_INTR;
			break;
		}
		if (status && !first)
			first = status;
		if (status && !sh->force)
			break;
	}
	sh_tokens_free(t);
	return first;
}

/* ---- batch -------------------------------------------------------------------------------- */

/*
 * A line ending in an unescaped backslash goes on in the next one: strip the newline and that
 * backslash (the caller joins the next line with a blank). Batch and REPL read alike.
 */
static bool line_continues(char *line, size_t n)
{
	size_t k = 0;

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	while (k < n && line[n - 1 - k] == '\\')
		k++;
	if (k % 2 == 0)
		return false;
	line[n - 1] = '\0';
	return true;
}

bool sh_line_continues(char *line)
{
	return line_continues(line, strlen(line));
}

/*
 * A logical line (continuations joined) of at most SH_LINE_MAX bytes: 1, 0 at the end,
 * -errno. *out is the reader's own buffer (no allocation a line), or, for a continued line,
 * a joined copy the caller frees (*owned).
 */
static int read_logical(struct sh_reader *r, unsigned int *lineno, unsigned int *first,
			char **out, bool *owned)
{
	char *line, *joined;
	size_t len;
	int rc;

	*out = NULL;
	*owned = false;
	rc = sh_read_line(r, &len);
	if (rc == 0)
		return 0;
	*first = ++*lineno;
	if (rc < 0)
		return rc;
	/*
	 * the reader's length: a line with a NUL byte never gets here. A line ending in a
	 * newline after anything but a backslash or CR goes on in none: the tokenizer takes
	 * that newline as the blank it is, nothing needs stripping.
	 */
	if (len >= 2 && r->buf[len - 1] == '\n' && r->buf[len - 2] != '\\' &&
	    r->buf[len - 2] != '\r') {
		*out = r->buf;
		return 1;
	}
	if (!line_continues(r->buf, len)) {
		*out = r->buf;
		return 1;
	}
	line = strdup(r->buf);
	if (!line)
		return -ENOMEM;
	do {
		rc = sh_read_line(r, &len);
		if (rc == 0)
			break;
		++*lineno;
		if (rc > 0 && strlen(line) + len + 1 > SH_LINE_MAX)
			rc = -E2BIG;
		if (rc < 0 || asprintf(&joined, "%s %s", line, r->buf) < 0) {
			free(line);
			return rc < 0 ? rc : -ENOMEM;
		}
		free(line);
		line = joined;
	} while (sh_line_continues(line));
	*out = line;
	*owned = true;
	return 1;
}

/* a line that could not be read: FILE:LINE: reason (ERRNO); the status it stands for */
static int read_failed(struct shell *sh, int rc)
{
	sh_errcmd_clear(sh);
	sh_fail(sh, rc, "%s", sh_read_error(rc));
	sh_report(sh, rc);
	if (rc == -E2BIG || rc == -EILSEQ)
		return SH_EXIT_USAGE;
	return SH_EXIT_SETUP;
}

int sh_run_stream(struct shell *sh, FILE *fp, const char *label)
{
	const char *saved_file = sh->file;
	unsigned int saved_line = sh->line, lineno = 0, first = 0;
	struct sh_reader r;
	int status, ret = 0, rc;
	bool owned;
	char *line;

	sh->file = label;
	sh_reader_init(&r, fp);
	while (!sh->quit && (rc = read_logical(&r, &lineno, &first, &line, &owned)) != 0) {
		sh->line = first;
		if (rc < 0) {
			status = read_failed(sh, rc);
			/* past a too long or NUL line the input goes on; not past the others */
			if (status == SH_EXIT_SETUP) {
				ret = status;
				break;
			}
		} else {
			status = sh_run_line_buf(sh, line);
			if (owned)
				free(line);
		}
		if (status == SH_EXIT_INTR) {
			ret = status;
			break;
		}
		if (status && !ret)
			ret = status;
		if (status && !sh->force)
			break;
	}
	sh_reader_free(&r);
	if (sh_interrupted && !sh->interactive)
		ret = SH_EXIT_INTR;
	sh->file = saved_file;
	sh->line = saved_line;
	return ret;
}

int sh_run_file(struct shell *sh, const char *path, const char *label)
{
	char why[160];
	FILE *fp;
	int rc;

	if (path) {
		fp = sh_batch_open(path, why, sizeof(why), &rc);
		if (!fp)
			return rc;
	} else {
		fp = stdin;
		rc = sh_batch_check(STDIN_FILENO, why, sizeof(why));
		if (rc < 0)
			return rc;
	}
	rc = sh_run_stream(sh, fp, label ? label : path);
	if (path)
		fclose(fp);
	return rc;
}
