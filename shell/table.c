// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one list of command groups, and what is derived from it: lookup, help and
 * --list-commands. An explicit array rather than constructors: objects of a static archive
 * that nothing references are dropped, and their constructors with them.
 */
#include <errno.h>
#include <string.h>
#include "../cmds/cmds.h"
#include "shell.h"

const struct sh_group *const sh_groups[] = {
	&sh_group_pci, &sh_group_device, &sh_group_ioas, &sh_group_hwpt, &sh_group_viommu,
	&sh_group_vdevice, &sh_group_veventq, &sh_group_destroy, &sh_group_show,
	&sh_group_vsmmu, &sh_group_mem, &sh_group_region, &sh_group_mmio, &sh_group_sim,
	&sh_group_help, &sh_group_set, &sh_group_vars, &sh_group_let, &sh_group_echo,
	&sh_group_sleep, &sh_group_expect_error, &sh_group_source, &sh_group_quit,
	&sh_group_complete, &sh_group_check, &sh_group_next, &sh_group_continue,
	NULL
};

const struct sh_group *sh_group_find(const char *name)
{
	const struct sh_group *const *g;

	for (g = sh_groups; *g; g++)
		if (!strcmp((*g)->name, name))
			return *g;
	return NULL;
}

/* how many words of @argv spell @verb ("device add" is two), 0 if they don't */
static int verb_words(const char *verb, int argc, char *const *argv)
{
	const char *p = verb;
	int n = 0;

	while (*p) {
		size_t len = strcspn(p, " ");

		if (n >= argc || strlen(argv[n]) != len || strncmp(argv[n], p, len))
			return 0;
		n++;
		p += len;
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

void sh_cmd_name(const struct sh_group *g, const struct sh_cmd *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", g->name, c->verb ? " " : "", c->verb ? c->verb : "");
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
	pr_str(sh, PR_ANY, "summary", "      %s\n", c->summary);
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
		pr_str(sh, PR_ANY, "help", " %s\n", a->help);
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
	char *argv[2];
	int nw;

	if (!group) {
		help_all(sh);
		return 0;
	}
	g = sh_group_find(group);
	if (!g)
		return sh_fail(sh, -ENOENT, "no command group \"%s\"", group);
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
	argv[0] = (char *)verb;
	argv[1] = NULL;
	if (verb && !strchr(verb, ' ')) {
		c = sh_cmd_find(g, 1, argv, &nw);
		/* "help sim device" is the start of "sim device add" */
		if (!c || (c->verb && nw != 1)) {
			for (c = g->cmds; c->fn; c++)
				if (c->verb && !strncmp(c->verb, verb, strlen(verb)) &&
				    c->verb[strlen(verb)] == ' ')
					break;
			if (!c->fn)
				c = NULL;
		}
	} else {
		c = verb ? NULL : g->cmds;
	}
	if (!c)
		return sh_fail(sh, -ENOENT, "%s has no verb \"%s\"", g->name, verb);
	sh_cmd_name(g, c, name, sizeof(name));
	pr_str(sh, PR_ANY, "command", "usage: %s", name);
	pr_str(sh, PR_ANY, "usage", *c->usage ? " %s\n" : "%s\n", c->usage);
	pr_str(sh, PR_ANY, "summary", "%s\n", c->summary);
	help_args(sh, c);
	if (c->flags & SH_CMD_SIM)
		pr_text(sh, "Only with the simulator (--backend sim).\n");
	pr_bool(sh, PR_JSON, "sim_only", NULL, c->flags & SH_CMD_SIM);
	pr_str(sh, PR_ANY, "man", "See %s.\n", man_page(g, man, sizeof(man)));
	return 0;
}
