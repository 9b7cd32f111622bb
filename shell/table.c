// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What is derived from the one list of command groups (cmds/groups.c): lookup, help,
 * --list-commands and the groups' fini at exit. An explicit array rather than constructors: objects of a static archive
 * that nothing references are dropped, and their constructors with them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "shell.h"


/*
 * Exact names through a small hash of first letter, last letter and length, built on the
 * first lookup: a line's command is found with one or two comparisons, not a walk of the
 * list. Chains hold index + 1 into sh_groups, 0 ending them.
 */
#define GROUP_BUCKETS 64
static unsigned char group_head[GROUP_BUCKETS];
static unsigned char group_next[SH_GROUPS_MAX];
static bool group_index_built;

static unsigned int group_hash(const char *name, size_t n)
{
	return ((unsigned char)name[0] * 7u + (unsigned char)name[n - 1] * 3u + (unsigned int)n) %
	       GROUP_BUCKETS;
}

static void group_index(void)
{
	unsigned int i = 0, h;

	while (sh_groups[i])
		i++;
	/* in reverse, so that a chain lists the groups in table order */
	while (i-- > 0) {
		h = group_hash(sh_groups[i]->name, strlen(sh_groups[i]->name));
		group_next[i] = group_head[h];
		group_head[h] = (unsigned char)(i + 1);
	}
	group_index_built = true;
}

void sh_groups_fini(void)
{
	unsigned int i = 0;

	while (sh_groups[i])
		i++;
	while (i-- > 0)
		if (sh_groups[i]->fini)
			sh_groups[i]->fini();
}

const struct sh_group *sh_group_find(const char *name)
{
	size_t n = strlen(name);
	unsigned int i;

	if (!n)
		return NULL;
	if (!group_index_built)
		group_index();
	for (i = group_head[group_hash(name, n)]; i; i = group_next[i - 1])
		if (!strcmp(sh_groups[i - 1]->name, name))
			return sh_groups[i - 1];
	return NULL;
}

/* how many words of @argv spell @verb ("device add" is two), 0 if they don't */
static int verb_words(const char *verb, int argc, char *const *argv)
{
	const char *p = verb, *w;
	int n = 0;

	while (*p) {
		if (n >= argc)
			return 0;
		for (w = argv[n]; *p && *p != ' ' && *p == *w; p++, w++)
			;
		if (*w || (*p && *p != ' '))
			return 0;
		n++;
		while (*p == ' ')
			p++;
	}
	return n;
}

const struct sh_cmd *sh_cmd_find(const struct sh_group *g, int argc, char *const *argv,
				 int *nwords)
{
	const struct sh_cmd *c;
	int n;

	for (c = g->cmds; c->fn; c++) {
		if (!c->verb) {
			*nwords = 0;
			return c;
		}
		n = verb_words(c->verb, argc, argv);
		if (n) {
			*nwords = n;
			return c;
		}
	}
	return NULL;
}

/* ---- resolving what the user typed: exact, else a unique prefix (as ip and gdb) ----------- */

/* edit distance of two short words, for "did you mean" (capped: long words are not typos) */
static unsigned int distance(const char *a, const char *b)
{
	unsigned int row[33], i, j, prev, cur;
	size_t la = strlen(a), lb = strlen(b);

	if (la > 32 || lb > 32)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			row[j] = a[i - 1] == b[j - 1] ? prev :
				 1 + (prev < row[j] ? (prev < row[j - 1] ? prev : row[j - 1]) :
					  (row[j] < row[j - 1] ? row[j] : row[j - 1]));
			prev = cur;
		}
	}
	return row[lb];
}

static bool visible(const struct sh_group *g)
{
	return !(g->cmds[0].flags & SH_CMD_HIDDEN);
}

const struct sh_group *sh_group_lookup(const char *word)
{
	const struct sh_group *const *g, *hit = sh_group_find(word);
	size_t n = strlen(word);
	int hits = 0;

	if (hit || !n)
		return hit;
	for (g = sh_groups; *g; g++)
		if (visible(*g) && !strncmp((*g)->name, word, n)) {
			hit = *g;
			hits++;
		}
	return hits == 1 ? hit : NULL;
}

/* no group has that exact name: a prefix, a near name, or an error */
__attribute__((noinline, cold))
static int group_resolve_prefix(struct shell *sh, const char *word, const struct sh_group **out)
{
	const struct sh_group *const *g, *hit = NULL, *near = NULL;
	char list[256] = "";
	size_t n = strlen(word), o = 0;
	unsigned int best = 3, d;
	int hits = 0;

	for (g = sh_groups; *g; g++) {
		if (!visible(*g))
			continue;
		if (n && !strncmp((*g)->name, word, n)) {
			hits++;
			hit = *g;
			o += (size_t)snprintf(list + o, o < sizeof(list) ? sizeof(list) - o : 0,
					      "%s%s", o ? ", " : "", (*g)->name);
		}
		d = distance(word, (*g)->name);
		if (d < best) {
			best = d;
			near = *g;
		}
	}
	if (hits == 1) {
		*out = hit;
		return 0;
	}
	if (hits > 1)
		return sh_usage(sh, "ambiguous command \"%s\": %s", word, list);
	if (near)
		return sh_usage(sh, "unknown command \"%s\"; did you mean \"%s\"? (\"help\" lists "
				"them)", word, near->name);
	return sh_usage(sh, "unknown command \"%s\" (\"help\" lists them)", word);
}

int sh_group_resolve(struct shell *sh, const char *word, const struct sh_group **out)
{
	if ((*out = sh_group_find(word)))
		return 0;
	return group_resolve_prefix(sh, word, out);
}

/* how many words of @argv spell @verb, each word given whole or as a prefix; 0 if not */
static int verb_prefix_words(const char *verb, int argc, char *const *argv, bool *exact)
{
	const char *p = verb;
	int n = 0;

	*exact = true;
	while (*p) {
		size_t len = strcspn(p, " "), wl;

		if (n >= argc)
			return 0;
		wl = strlen(argv[n]);
		if (!wl || wl > len || strncmp(argv[n], p, wl))
			return 0;
		if (wl != len)
			*exact = false;
		n++;
		p += len;
		while (*p == ' ')
			p++;
	}
	return n;
}

/* no verb spelt out whole: a unique prefix, a near verb, or an error */
__attribute__((noinline, cold))
static int cmd_resolve_prefix(struct shell *sh, const struct sh_group *g, int argc,
			      char *const *argv, const struct sh_cmd **out, int *nwords)
{
	const struct sh_cmd *c, *hit = NULL, *near = NULL;
	char list[256] = "";
	unsigned int best = 3, d;
	int hits = 0, n, hit_n = 0;
	size_t o = 0;
	bool exact;

	for (c = g->cmds; c->fn; c++) {
		if (!c->verb || (c->flags & SH_CMD_HIDDEN))
			continue;
		n = verb_prefix_words(c->verb, argc, argv, &exact);
		if (n) {
			hits++;
			hit = c;
			hit_n = n;
			o += (size_t)snprintf(list + o, o < sizeof(list) ? sizeof(list) - o : 0,
					      "%s%s", o ? ", " : "", c->verb);
		}
		d = distance(argv[0], c->verb);
		if (d < best) {
			best = d;
			near = c;
		}
	}
	if (hits == 1) {
		*out = hit;
		*nwords = hit_n;
		return 0;
	}
	if (distance(argv[0], "help") < best)	/* "GROUP help" lists the group */
		return sh_usage(sh, "\"%s\" is not a verb of %s; did you mean \"help\"?", argv[0],
				g->name);
	if (hits > 1)
		return sh_usage(sh, "ambiguous verb \"%s\" of %s: %s", argv[0], g->name, list);
	if (near)
		return sh_usage(sh, "\"%s\" is not a verb of %s; did you mean \"%s\"?", argv[0],
				g->name, near->verb);
	return -ENOENT;
}

int sh_cmd_resolve(struct shell *sh, const struct sh_group *g, int argc, char *const *argv,
		   const struct sh_cmd **out, int *nwords)
{
	if ((*out = sh_cmd_find(g, argc, argv, nwords)))
		return 0;
	if (!g->cmds[0].verb || argc < 1)
		return -ENOENT;	/* a group without verbs, or none given: the caller says */
	return cmd_resolve_prefix(sh, g, argc, argv, out, nwords);
}

/* every command names itself before it runs (for its errors): copies, no formatting */
void sh_cmd_name(const struct sh_group *g, const struct sh_cmd *c, char *buf, size_t len)
{
	size_t o = 0;
	const char *p;

	if (!len)
		return;
	for (p = g->name; *p && o + 1 < len; p++)
		buf[o++] = *p;
	if (c->verb && o + 1 < len)
		buf[o++] = ' ';
	for (p = c->verb; p && *p && o + 1 < len; p++)
		buf[o++] = *p;
	buf[o] = '\0';
}

void sh_list_commands(FILE *fp)
{
	const struct sh_group *const *g;
	const struct sh_cmd *c;

	for (g = sh_groups; *g; g++)
		for (c = (*g)->cmds; c->fn; c++)
			if (!(c->flags & SH_CMD_HIDDEN))
				fprintf(fp, "%s\t%s\t%s\t%s\n", (*g)->name, c->verb ? c->verb : "",
					c->usage, c->summary);
}

/* ---- help --------------------------------------------------------------------------------- */

/* the width help wraps at: the terminal's, or $COLUMNS; 0 (no wrapping) for a pipe or file */
static unsigned int help_width(void)
{
	const char *cols = getenv("COLUMNS");
	struct winsize ws;

	if (cols && atoi(cols) > 20)
		return (unsigned int)atoi(cols);
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 0;
}

/*
 * Text output of @text starting at column @col, continued lines indented to @indent, broken
 * at blanks before @width (0: one line). JSON has the text whole.
 */
static void pr_wrapped(struct shell *sh, unsigned int col, unsigned int indent, const char *text)
{
	unsigned int width = help_width();
	const char *p = text;

	while (*p) {
		size_t room = width > col + 10 ? width - col : 0, n = strlen(p), cut = n;

		if (room && n > room) {
			for (cut = room; cut > 0 && p[cut] != ' '; cut--)
				;
			if (!cut)	/* one long word: leave it whole */
				cut = strcspn(p, " ");
		}
		pr_text(sh, "%.*s\n", (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		if (*p)
			pr_text(sh, "%*s", (int)indent, "");
		col = indent;
	}
}

static void help_cmd_line(struct shell *sh, const struct sh_group *g, const struct sh_cmd *c)
{
	char name[64];

	sh_cmd_name(g, c, name, sizeof(name));
	pr_obj_open(sh, NULL);
	pr_str(sh, PR_JSON, "group", NULL, g->name);
	if (c->verb)
		pr_str(sh, PR_JSON, "verb", NULL, c->verb);
	else
		pr_null(sh, "verb");
	pr_str(sh, PR_TEXT, NULL, "  %s", name);
	pr_str(sh, PR_ANY, "usage", *c->usage ? " %s\n" : "%s\n", c->usage);
	pr_str(sh, PR_JSON, "summary", NULL, c->summary);
	pr_text(sh, "      ");
	pr_wrapped(sh, 6, 6, c->summary);
	pr_obj_close(sh);
}

static void help_all(struct shell *sh)
{
	const struct sh_group *const *g;
	const struct sh_cmd *c;

	pr_text(sh, "Commands (\"help GROUP\" lists a group, \"help GROUP VERB\" explains one):\n");
	pr_arr_open(sh, "groups");
	for (g = sh_groups; *g; g++) {
		if ((*g)->cmds[0].flags & SH_CMD_HIDDEN)
			continue;
		pr_obj_open(sh, NULL);
		pr_str(sh, PR_ANY, "name", "  %-14s", (*g)->name);
		pr_str(sh, PR_ANY, "summary", "%s", (*g)->summary);
		pr_arr_open(sh, "verbs");
		for (c = (*g)->cmds; c->fn; c++)
			if (c->verb && !(c->flags & SH_CMD_HIDDEN))
				pr_str(sh, PR_JSON, NULL, NULL, c->verb);
		pr_arr_close(sh);
		pr_obj_close(sh);
		pr_nl(sh);
	}
	pr_arr_close(sh);
	pr_text(sh, "Run \"iommush -h\" for the options; every group has a man page, "
		    "iommush-GROUP(8).\n");
}

/* the metavariable the usage string gives a keyword's value ("iova IOVA"), else VALUE */
static void kw_meta(const struct sh_cmd *c, const struct sh_arg *a, char *buf, size_t len)
{
	const char *u = c->usage, *p;
	size_t n = strlen(a->name), k;

	for (p = strstr(u, a->name); p; p = strstr(p + 1, a->name)) {
		if ((p != u && !strchr(" [(|", p[-1])) || p[n] != ' ')
			continue;
		k = strcspn(p + n + 1, " )|");
		if (k && k < len) {
			snprintf(buf, len, "%.*s", (int)k, p + n + 1);
			/* drop the "]" that closes "[iova IOVA]", keep the one of "LO[-HI]" */
			if (buf[k - 1] == ']' && !strchr(buf, '['))
				buf[k - 1] = '\0';
			return;
		}
	}
	snprintf(buf, len, "VALUE");
}

static void help_args(struct shell *sh, const struct sh_cmd *c)
{
	const struct sh_arg *a;
	char left[48];

	if (!c->args)
		return;
	pr_arr_open(sh, "arguments");
	for (a = c->args; a->name; a++) {
		if (!a->help)
			continue;
		if (a->kind == SH_KW && a->flags & SH_TWO) {
			snprintf(left, sizeof(left), "%s W0 W1", a->name);
		} else if (a->kind == SH_KW) {
			char meta[24] = "";

			kw_meta(c, a, meta, sizeof(meta));
			snprintf(left, sizeof(left), "%s %s", a->name, meta);
		} else {
			snprintf(left, sizeof(left), "%s", a->name);
		}
		pr_obj_open(sh, NULL);
		pr_str(sh, PR_ANY, "name", "  %-20s", left);
		pr_str(sh, PR_JSON, "help", NULL, a->help);
		pr_text(sh, " ");
		pr_wrapped(sh, 23 > strlen(left) + 3 ? 23 : (unsigned int)strlen(left) + 3, 23, a->help);
		pr_bool(sh, PR_JSON, "optional", NULL, a->flags & SH_OPT);
		pr_obj_close(sh);
	}
	pr_arr_close(sh);
}

static const char *man_page(const struct sh_group *g, char *buf, size_t len)
{
	if (g->man)
		snprintf(buf, len, "%s", g->man);
	else
		snprintf(buf, len, "iommush(8)");
	return buf;
}

int sh_help(struct shell *sh, const char *group, const char *verb)
{
	const struct sh_group *g;
	const struct sh_cmd *c;
	char man[64], name[64];
	int nw;

	if (!group) {
		help_all(sh);
		return 0;
	}
	char why[sizeof(sh->errmsg)];

	if (sh_group_resolve(sh, group, &g) < 0) {
		/* the lookup's words, as the errno help has always given: ENOENT */
		snprintf(why, sizeof(why), "%s", sh->errmsg);
		return sh_fail(sh, -ENOENT, "%s", why);
	}
	if (!verb && g->cmds[0].verb) {
		pr_str(sh, PR_ANY, "group", "%s: ", g->name);
		pr_str(sh, PR_ANY, "summary", "%s\n", g->summary);
		pr_arr_open(sh, "commands");
		for (c = g->cmds; c->fn; c++)
			if (!(c->flags & SH_CMD_HIDDEN))
				help_cmd_line(sh, g, c);
		pr_arr_close(sh);
		pr_str(sh, PR_ANY, "man", "See %s.\n", man_page(g, man, sizeof(man)));
		return 0;
	}
	c = verb ? NULL : g->cmds;
	if (verb) {
		char words[64], *argv[3] = { NULL, NULL, NULL }, *sp;
		int argc = 1, rc;

		snprintf(words, sizeof(words), "%s", verb);
		argv[0] = words;
		sp = strchr(words, ' ');
		if (sp) {
			*sp = '\0';
			argv[argc++] = sp + 1;
		}
		rc = sh_cmd_resolve(sh, g, argc, argv, &c, &nw);
		if (rc < 0 && rc != -ENOENT) {
			snprintf(why, sizeof(why), "%s", sh->errmsg);
			return sh_fail(sh, -ENOENT, "%s", why);
		}
		if (c && c->verb && nw != argc)
			c = NULL;	/* "help sim smmu" names no command, but starts some */
		/* "help sim device" is the start of "sim device add" */
		if (!c && argc == 1) {
			for (c = g->cmds; c->fn; c++)
				if (c->verb && !strncmp(c->verb, verb, strlen(verb)) &&
				    c->verb[strlen(verb)] == ' ')
					break;
			if (!c->fn)
				c = NULL;
		}
		sh->errmsg[0] = '\0';
	}
	if (!c)
		return sh_fail(sh, -ENOENT, "%s has no verb \"%s\"", g->name, verb);
	sh_cmd_name(g, c, name, sizeof(name));
	pr_str(sh, PR_ANY, "command", "usage: %s", name);
	pr_str(sh, PR_ANY, "usage", *c->usage ? " %s\n" : "%s\n", c->usage);
	pr_str(sh, PR_JSON, "summary", NULL, c->summary);
	pr_wrapped(sh, 0, 0, c->summary);
	help_args(sh, c);
	if (c->flags & SH_CMD_SIM)
		pr_text(sh, "Only with the simulator (--backend sim).\n");
	pr_bool(sh, PR_JSON, "sim_only", NULL, c->flags & SH_CMD_SIM);
	pr_str(sh, PR_ANY, "man", "See %s.\n", man_page(g, man, sizeof(man)));
	return 0;
}
