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

int sh_var_set(struct shell *sh, const char *name, const char *value)
{
	struct sh_var *v = var_find(sh, name), **p;
	size_t n = strlen(value);
	char *copy;

	/* $_ changes with every allocating command: a value that fits takes the old one's place */
	if (v && n <= strlen(v->value)) {
		memmove(v->value, value, n + 1);
		return 0;
	}
	copy = malloc(n + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, value, n + 1);
	if (v) {
		free(v->value);
		v->value = copy;
		return 0;
	}
	v = calloc(1, sizeof(*v));
	if (!v || !(v->name = strdup(name))) {
		free(v);
		free(copy);
		return -ENOMEM;
	}
	v->value = copy;
	if (name[0] == '_' && !name[1])
		sh->result = v;
	/* sorted, so that vars lists them in a stable order */
	for (p = &sh->vars; *p && strcmp((*p)->name, name) < 0; p = &(*p)->next)
		;
	v->next = *p;
	*p = v;
	return 0;
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

void sh_set_result_str(struct shell *sh, const char *value)
{
	sh_var_set(sh, "_", value);
	sh->nresults++;
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

int sh_exec(struct shell *sh, int argc, char **argv)
{
	const struct sh_group *g;
	const struct sh_cmd *cmd;
	struct sh_call call;
	char verbs[256];
	bool local_json = false;
	int nw, rc;

	sh->errmsg[0] = '\0';
	sh_errcmd_clear(sh);
	if (sh->ctx)
		ish_clear_err(sh->ctx);
	if (argc < 1)
		return 0;
	/* "?" is help, as in ip; so is "GROUP help" or "GROUP ?" for a group with no such verb */
	if (argv[0][0] == '?' && !argv[0][1])
		return sh_help(sh, argc > 1 ? argv[1] : NULL, NULL);
	rc = sh_group_resolve(sh, argv[0], &g);
	if (rc < 0)
		return rc;
	if (argc == 2 && (argv[1][0] == '?' || argv[1][0] == 'h') &&
	    (!strcmp(argv[1], "?") || !strcmp(argv[1], "help")) &&
	    !sh_cmd_find(g, 1, argv + 1, &nw))
		return sh_help(sh, g->name, NULL);
	rc = sh_cmd_resolve(sh, g, argc - 1, argv + 1, &cmd, &nw);
	if (rc < 0 && rc != -ENOENT) {
		snprintf(sh->errcmd, sizeof(sh->errcmd), "%s", g->name);
		return rc;
	}
	if (!cmd) {
		snprintf(sh->errcmd, sizeof(sh->errcmd), "%s", g->name);
		verbs_of(g, verbs, sizeof(verbs));
		if (argc == 1)
			return sh_usage(sh, "a verb is missing: %s", verbs);
		return sh_usage(sh, "\"%s\" is not a verb of %s (%s)", argv[1], g->name, verbs);
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
	if (!sh->out.active && !(cmd->flags & SH_CMD_OWN_OUTPUT))
		pr_begin(sh);
	if (cmd->flags & SH_CMD_SIM && !sh->sim)
		return sh_fail(sh, -EOPNOTSUPP,
			       "only the simulator has this: run iommush --backend sim");
	rc = sh_parse(sh, g, cmd, argc - 1 - nw, argv + 1 + nw, &call);
	if (rc == 0) {
		sh->errmsg[0] = '\0';
		if (sh->ctx)
			ish_clear_err(sh->ctx);
		if (local_json)
			pr_json_local_begin(sh);
		rc = cmd->fn(sh, &call);
		if (local_json)
			pr_json_local_end(sh);
	}
	sh_call_release(&call);
	return rc;
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
	size_t need = 0, o = 0;
	int i;

	for (i = 0; i < s->argc; i++) {
		const char *name = s->argv[i] + 1, *val;

		if (!s->expand[i])
			continue;
		if (!(name[0] == '_' && !name[1]) && !sh_var_name_ok(name))
			return sh_usage(sh, "\"%s\": a variable name is letters, digits and _ "
					"(and $_, $?)", s->argv[i]);
		val = sh_var_get(sh, name);
		if (!val)
			return sh_usage(sh, "$%s is not set", name);
		if (i < EXPAND_KEEP)
			vals[i] = val;
		need += strlen(val) + 1;
	}
	if (!need)
		return 0;
	if (s->values != s->values_in)
		free(s->values);
	s->values = need <= sizeof(s->values_in) ? s->values_in : malloc(need);
	if (!s->values)
		return -ENOMEM;
	for (i = 0; i < s->argc; i++) {
		const char *val;
		size_t n;

		if (!s->expand[i])
			continue;
		val = i < EXPAND_KEEP ? vals[i] : sh_var_get(sh, s->argv[i] + 1);
		n = strlen(val) + 1;
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

	sh_errcmd_clear(sh);
	sh->errmsg[0] = '\0';
	rc = expand(sh, s);
	if (rc == 0) {
		if (sh->echo)
			echo_words(s->argc, s->argv);
		rc = sh_exec(sh, s->argc, s->argv);
	}
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

int sh_run_line(struct shell *sh, const char *line)
{
	struct sh_tokens t;
	char err[128];
	int i, status, first = 0;

	if (sh_tokenize(line, false, &t, err, sizeof(err)) < 0) {
		sh_errcmd_clear(sh);
		sh->err_ignored = false;
		sh_usage(sh, "%s", err);
		sh_report(sh, -SH_EUSAGE);
		sh->last_status = SH_EXIT_USAGE;
		return SH_EXIT_USAGE;
	}
	for (i = 0; i < t.nseg && !sh->quit; i++) {
		status = run_seg(sh, &t.seg[i]);
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
	sh_tokens_free(&t);
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
	/* the reader's length: a line with a NUL byte never gets here */
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
			status = sh_run_line(sh, line);
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
