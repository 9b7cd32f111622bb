// SPDX-License-Identifier: GPL-2.0-or-later
/* Shell builtins: help, set, vars, let, echo, sleep, expect-error, source, quit. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmds.h"

/* ---- help -------------------------------------------------------------------------------- */

static int cmd_help(struct shell *sh, const struct sh_call *c)
{
	char verb[64];

	if (!sh_has(c, "WORD"))
		return sh_help(sh, sh_str(c, "GROUP"), sh_str(c, "VERB"));
	/* a two-word verb: "help sim smmu add" */
	snprintf(verb, sizeof(verb), "%s %s", sh_str(c, "VERB"), sh_str(c, "WORD"));
	return sh_help(sh, sh_str(c, "GROUP"), verb);
}

static const struct sh_arg help_args[] = {
	{ "GROUP", SH_POS, SH_T_GROUP, SH_OPT, NULL, "a command group: list its commands" },
	{ "VERB", SH_POS, SH_T_VERB, SH_OPT, NULL, "one of its verbs: explain that command" },
	{ "WORD", SH_POS, SH_T_WORD, SH_OPT, NULL, "the second word of a two-word verb "
	  "(sim smmu add)" },
	{ NULL }
};

const struct sh_group sh_group_help = {
	"help", "list the commands, or explain one", NULL, (const struct sh_cmd[]) {
		{ NULL, "[GROUP [VERB [WORD]]]", "List the command groups, the commands of GROUP, or "
		  "explain one command; groups and verbs may be abbreviated.", help_args,
		  cmd_help, 0 },
		{ 0 }
	}
};

/* ---- set ---------------------------------------------------------------------------------- */

static const char *const set_options[] = { "echo", "force", "json", "pretty", "trace", "replay",
					    NULL };
static const char *const on_off[] = { "on", "off", NULL };

/* each option and where the session keeps it, in the order listed and shown */
static bool *option(struct shell *sh, unsigned int i)
{
	bool *const opts[] = { &sh->echo, &sh->force, &sh->json, &sh->pretty, &sh->trace,
			       &sh->replay };

	return i < sizeof(opts) / sizeof(opts[0]) ? opts[i] : NULL;
}

static int cmd_set(struct shell *sh, const struct sh_call *c)
{
	unsigned int i;
	bool on = sh_num(c, "VALUE", 0) == 0, *opt;

	if (!sh_has(c, "OPTION")) {
		for (i = 0; (opt = option(sh, i)); i++) {
			pr_bool(sh, PR_JSON, set_options[i], NULL, *opt);
			pr_text(sh, "%s %s\n", set_options[i], *opt ? "on" : "off");
		}
		return 0;
	}
	i = (unsigned int)sh_num(c, "OPTION", 0);
	if (!sh_has(c, "VALUE"))
		return sh_usage(sh, "set %s needs on or off", set_options[i]);
	if (i == 2 || i == 3)
		pr_end(sh, false);	/* nothing printed yet: begin again in the new mode */
	*option(sh, i) = on;
	if (i == 3 && on)	/* pretty JSON is JSON */
		sh->json = true;
	if (i == 2 && !on)
		sh->pretty = false;
	if (i == 2 || i == 3)
		pr_begin(sh);
	/* trace: the shell's call hook prints from the next call on */
	if (i == 4)
		sh_trace_update(sh);
	return 0;
}

static const struct sh_arg set_args[] = {
	{ "OPTION", SH_POS, SH_T_CHOICE, SH_OPT, set_options,
	  "echo: print each command (+ cmd) on stderr; force: go on after a failure; json, "
	  "pretty: JSON output (-j, -p) from the next command on; trace: every kernel call "
	  "(--trace); replay: say when let gets another id than the recording's (ioas2)" },
	{ "VALUE", SH_POS, SH_T_CHOICE, SH_OPT, on_off, "on or off" },
	{ NULL }
};

const struct sh_group sh_group_set = {
	"set", "shell options", NULL, (const struct sh_cmd[]) {
		{ NULL, "[echo|force|json|pretty|trace|replay on|off]", "Turn a shell option on or "
		  "off; alone, show them.", set_args, cmd_set, 0 },
		{ 0 }
	}
};

/* ---- vars and let ------------------------------------------------------------------------- */

static int cmd_vars(struct shell *sh, const struct sh_call *c)
{
	struct sh_var *v;

	(void)c;
	pr_obj_open(sh, "vars");
	for (v = sh->vars; v; v = v->next) {
		pr_str(sh, PR_TEXT, NULL, "%s=", v->name);
		pr_str(sh, PR_ANY, v->name, "%s\n", v->value);
	}
	pr_obj_close(sh);
	return 0;
}

const struct sh_group sh_group_vars = {
	"vars", "list the variables", NULL, (const struct sh_cmd[]) {
		{ NULL, "", "List the variables and their values ($_ is the id the last "
		  "allocating command made).", NULL, cmd_vars, 0 },
		{ 0 }
	}
};

/*
 * A recording names each id after its role and the id the kernel gave then: ioas2, hwpt4_2
 * (the second object with id 4). In a replay, say where the kernel hands out another one.
 */
static void replay_note(struct shell *sh, const char *name, const char *got, char **cmd)
{
	const char *p = name;
	char want[16], line[160] = "";
	size_t n, o = 0;
	int i;

	while (*p >= 'a' && *p <= 'z')
		p++;
	n = strspn(p, "0123456789");
	if (p == name || !n || n >= sizeof(want) || (p[n] && p[n] != '_') || !strncmp(name, "mem", 3))
		return;
	memcpy(want, p, n);
	want[n] = '\0';
	for (i = 0; cmd[i] && o < sizeof(line); i++)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s", i ? " " : "", cmd[i]);
	if (got && strcmp(got, want))
		fprintf(stderr, "iommush: %s%s%u%sreplay: \"%s\" made id %s where the recording had %s "
			"($%s stands for it)\n", sh->file ? sh->file : "", sh->file ? ":" : "",
			sh->file ? sh->line : 0, sh->file ? ": " : "", line, got, want, name);
}

static int cmd_let(struct shell *sh, const struct sh_call *c)
{
	const char *name = sh_str(c, "NAME");
	unsigned long before = sh->nresults;
	int rc;

	if (!sh_var_name_ok(name) || !strcmp(name, "_") || !strcmp(name, "?"))
		return sh_usage(sh, "\"%s\" cannot be a variable name (letters, digits, _)", name);
	rc = sh_exec(sh, c->nrest, c->rest);
	if (rc < 0)
		return rc;
	sh_errcmd_clear(sh);
	snprintf(sh->errcmd, sizeof(sh->errcmd), "let");
	if (sh->nresults == before)
		return sh_fail(sh, -SH_EFAIL, "\"%s\" makes nothing whose id $%s could keep",
			       c->rest[0], name);
	rc = sh_var_set(sh, name, sh_var_get(sh, "_"));
	if (rc < 0)
		return sh_fail(sh, rc, "cannot set $%s", name);
	if (sh->replay)
		replay_note(sh, name, sh_var_get(sh, "_"), c->rest);
	return 0;
}

static const char *const equals[] = { "=", NULL };

static const struct sh_arg let_args[] = {
	{ "NAME", SH_POS, SH_T_WORD, 0, NULL, "the variable, used later as $NAME" },
	{ "=", SH_POS, SH_T_CHOICE, 0, equals, NULL },
	{ "COMMAND", SH_REST, SH_T_COMMAND, 0, NULL, "an allocating command; NAME gets its id" },
	{ NULL }
};

const struct sh_group sh_group_let = {
	"let", "keep the id a command makes", NULL, (const struct sh_cmd[]) {
		{ NULL, "NAME = COMMAND...", "Run COMMAND and keep the id it made in $NAME.",
		  let_args, cmd_let, 0 },
		{ 0 }
	}
};

/* ---- echo, sleep, quit ----------------------------------------------------------------------- */

static int cmd_echo(struct shell *sh, const struct sh_call *c)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < c->nrest; i++)
		len += strlen(c->rest[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return -ENOMEM;
	for (i = 0; i < c->nrest; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, c->rest[i]);
	}
	pr_str(sh, PR_ANY, "echo", "%s\n", s);
	free(s);
	return 0;
}

static const struct sh_arg echo_args[] = {
	{ "WORDS", SH_REST, SH_T_WORDS, SH_OPT, NULL, "printed with one space between them" },
	{ NULL }
};

const struct sh_group sh_group_echo = {
	"echo", "print words", NULL, (const struct sh_cmd[]) {
		{ NULL, "[WORDS...]", "Print the words ($NAME expanded).", echo_args, cmd_echo, 0 },
		{ 0 }
	}
};

static int cmd_sleep(struct shell *sh, const struct sh_call *c)
{
	return sh_sleep_ms(sh, sh_num(c, "MS", 0));
}

static const struct sh_arg sleep_args[] = {
	{ "MS", SH_POS, SH_T_U64, 0, NULL, "milliseconds (Ctrl-C ends the wait)" },
	{ NULL }
};

const struct sh_group sh_group_sleep = {
	"sleep", "wait", NULL, (const struct sh_cmd[]) {
		{ NULL, "MS", "Wait MS milliseconds.", sleep_args, cmd_sleep, 0 },
		{ 0 }
	}
};

static int cmd_quit(struct shell *sh, const struct sh_call *c)
{
	(void)c;
	sh->quit = true;
	return 0;
}

const struct sh_group sh_group_quit = {
	"quit", "leave the shell", NULL, (const struct sh_cmd[]) {
		{ NULL, "", "Tear everything down in reverse order and leave.", NULL, cmd_quit, 0 },
		{ 0 }
	}
};

/* ---- expect-error ------------------------------------------------------------------------- */

static int cmd_expect_error(struct shell *sh, const struct sh_call *c)
{
	int want = (int)sh_num(c, "ERRNO", 0), rc, got, depth = pr_depth(sh);
	char inner[sizeof(sh->errcmd)], msg[sizeof(sh->errmsg)];

	/* what the command printed before it failed (veventq read ... expect), closed here */
	pr_obj_open(sh, "output");
	rc = sh_exec(sh, c->nrest, c->rest);
	pr_close_to(sh, depth);
	/* a mistyped command must not pass for an expected failure */
	if (rc == -SH_EUSAGE)
		return rc;
	snprintf(inner, sizeof(inner), "%s", sh_errcmd(sh)[0] ? sh_errcmd(sh) : c->rest[0]);
	sh_errcmd_clear(sh);
	snprintf(sh->errcmd, sizeof(sh->errcmd), "expect-error");
	if (rc == 0) {
		sh->errmsg[0] = '\0';
		return sh_fail(sh, -SH_EFAIL, "expected %s, but \"%s\" succeeded",
			       sh_errno_name(want), inner);
	}
	got = -rc;
	snprintf(msg, sizeof(msg), "%s", sh_errtext(sh, rc));
	sh->errmsg[0] = '\0';
	if (got != want) {
		if (got >= SH_EUSAGE)
			return sh_fail(sh, -SH_EFAIL, "expected %s, \"%s\" failed otherwise: %s",
				       sh_errno_name(want), inner, msg);
		return sh_fail(sh, -SH_EFAIL, "expected %s, \"%s\" failed with %s: %s",
			       sh_errno_name(want), inner, sh_errno_name(got), msg);
	}
	ish_clear_err(sh->ctx);
	pr_str(sh, PR_ANY, "expected", "expected %s: ", sh_errno_name(want));
	pr_str(sh, PR_ANY, "command", "%s: ", inner);
	pr_str(sh, PR_ANY, "message", "%s\n", msg);
	return 0;
}

static const struct sh_arg expect_args[] = {
	{ "ERRNO", SH_POS, SH_T_ERRNO, 0, NULL, "the errno, by name (EINVAL) or number" },
	{ "COMMAND", SH_REST, SH_T_COMMAND, 0, NULL, "the command that must fail with it" },
	{ NULL }
};

const struct sh_group sh_group_expect_error = {
	"expect-error", "assert that a command fails", NULL, (const struct sh_cmd[]) {
		{ NULL, "ERRNO COMMAND...", "Run COMMAND; succeed only if it fails with exactly "
		  "ERRNO.", expect_args, cmd_expect_error, 0 },
		{ 0 }
	}
};

/* ---- source -------------------------------------------------------------------------------- */

#define SOURCE_DEPTH_MAX 16

static int cmd_source(struct shell *sh, const struct sh_call *c)
{
	const char *path = sh_str(c, "FILE");
	bool interactive = sh->interactive;
	char why[160];
	FILE *fp;
	int status, rc;

	if (sh->source_depth >= SOURCE_DEPTH_MAX)
		return sh_fail(sh, -ELOOP, "sources nested deeper than %d", SOURCE_DEPTH_MAX);
	fp = sh_batch_open(path, why, sizeof(why), &rc);
	if (!fp)
		return sh_fail(sh, rc, "cannot read %s: %s", path, why);
	sh->source_depth++;
	/* a sourced file is a batch: it stops at its first failure */
	sh->interactive = false;
	status = sh_run_stream(sh, fp, path);
	sh->interactive = interactive;
	sh->source_depth--;
	fclose(fp);
	if (!status)
		return 0;
	sh->quiet_status = status;
	return -SH_EQUIET;
}

static const struct sh_arg source_args[] = {
	{ "FILE", SH_POS, SH_T_FILE, 0, NULL, "a batch file" },
	{ NULL }
};

const struct sh_group sh_group_source = {
	"source", "run a batch file", NULL, (const struct sh_cmd[]) {
		{ NULL, "FILE", "Run the commands of FILE; it stops at its first failure (unless "
		  "force is on).", source_args, cmd_source, SH_CMD_OWN_OUTPUT },
		{ 0 }
	}
};

/* ---- complete (hidden: the REPL's TAB, for tests) -------------------------------------------- */

static int cmd_complete(struct shell *sh, const struct sh_call *c)
{
	struct sh_cands cands;
	char *partial;
	size_t i;

	if (sh_complete(sh, sh_str(c, "LINE"), &cands, &partial) < 0)
		return -ENOMEM;
	pr_arr_open(sh, "candidates");
	for (i = 0; i < cands.n; i++)
		pr_str(sh, PR_ANY, NULL, "%s\n", cands.v[i]);
	pr_arr_close(sh);
	sh_cands_free(&cands);
	free(partial);
	return 0;
}

static const struct sh_arg complete_args[] = {
	{ "LINE", SH_POS, SH_T_WORD, 0, NULL, "a line up to the cursor" },
	{ NULL }
};

const struct sh_group sh_group_complete = {
	"complete", "what TAB would offer", NULL, (const struct sh_cmd[]) {
		{ NULL, "LINE", "Print the completions of the last word of LINE.", complete_args,
		  cmd_complete, SH_CMD_HIDDEN },
		{ 0 }
	}
};
