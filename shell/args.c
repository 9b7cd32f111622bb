// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The generic argument parser: fills a struct sh_call from a command's typed spec, so that
 * handlers never walk argv. Keywords may come in any order after or between positionals;
 * values are converted and checked here, objects are looked up by the handlers (a wrong id
 * is the kernel's business: it answers with its own errno).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "iommush/smmu.h"
#include "shell.h"
#include "spec.h"

bool sh_parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	char *end;
	int i;

	/* a short decimal without a leading 0 (an id) needs no strtoull: what it would give */
	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 19; i++)
		x = x * 10 + (uint64_t)(s[i] - '0');
	if (i && !s[i] && (s[0] != '0' || i == 1)) {
		*v = x;
		return true;
	}
	if (!*s || *s == '-' || isspace((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

bool sh_parse_size(const char *s, uint64_t *v)
{
	unsigned int shift = 0;
	char buf[64], *end;
	size_t n = strlen(s);

	if (!n || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n + 1);
	end = &buf[n - 1];
	/* a hex number ends in digits that look like suffixes: only K, M, G, T count */
	switch (toupper((unsigned char)*end)) {
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	case 'T': shift = 40; break;
	}
	if (shift)
		*end = '\0';
	if (!sh_parse_u64(buf, v))
		return false;
	if (shift && *v > (UINT64_MAX >> shift))
		return false;
	*v <<= shift;
	return true;
}

static const char *const region_names[] = {
	"bar0", "bar1", "bar2", "bar3", "bar4", "bar5", "rom", "config", "vga",
};

const char *sh_region_name(unsigned int index)
{
	return index < sizeof(region_names) / sizeof(region_names[0]) ? region_names[index] : "?";
}

int sh_region_parse(const char *s)
{
	uint64_t v;
	unsigned int i;

	for (i = 0; i < sizeof(region_names) / sizeof(region_names[0]); i++)
		if (!strcasecmp(s, region_names[i]))
			return (int)i;
	if (sh_parse_u64(s, &v) && v < 64)
		return (int)v;
	return -1;
}

/* ---- conversion of one value ------------------------------------------------------------- */

static bool is_id_type(enum sh_type t)
{
	switch (t) {
	case SH_T_ID: case SH_T_IOAS: case SH_T_HWPT: case SH_T_PT: case SH_T_PARENT:
	case SH_T_VIOMMU: case SH_T_VEVENTQ: case SH_T_MEM:
		return true;
	default:
		return false;
	}
}

static const char *what(const struct sh_arg *a)
{
	return a->name;
}

static int convert(struct shell *sh, const struct sh_arg *a, const char *w, struct sh_val *v)
{
	const char *const *ch;
	int e;

	v->str = w;
	v->num = 0;
	if (is_id_type(a->type) || a->type == SH_T_U32) {
		if (!sh_parse_u64(w, &v->num) || v->num > UINT32_MAX)
			return sh_usage(sh, "%s: \"%s\" is not a 32-bit number", what(a), w);
		return 0;
	}
	switch (a->type) {
	case SH_T_U64:
		if (!sh_parse_u64(w, &v->num))
			return sh_usage(sh, "%s: \"%s\" is not a number", what(a), w);
		break;
	case SH_T_SIZE:
		if (!sh_parse_size(w, &v->num))
			return sh_usage(sh, "%s: \"%s\" is not a size (a number, K, M or G suffix)",
					what(a), w);
		break;
	case SH_T_CHOICE:
		for (ch = a->choices; *ch; ch++)
			if (!strcmp(*ch, w))
				break;
		if (!*ch) {
			char list[128] = "";
			size_t o = 0;

			for (ch = a->choices; *ch && o < sizeof(list); ch++)
				o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
						      o ? ", " : "", *ch);
			return sh_usage(sh, "%s: \"%s\" is not one of %s", what(a), w, list);
		}
		v->num = (uint64_t)(ch - a->choices);
		break;
	case SH_T_ERRNO:
		e = sh_errno_parse(w);
		if (e < 0)
			return sh_usage(sh, "\"%s\" is not an errno name or number", w);
		v->num = (uint64_t)e;
		break;
	case SH_T_REGION:
		e = sh_region_parse(w);
		if (e < 0)
			return sh_usage(sh, "\"%s\" is not a region (bar0..bar5, rom, config, vga or "
					"an index)", w);
		v->num = (uint64_t)e;
		break;
	case SH_T_EVENT:
		e = ish_evt_id_by_name(w);
		if (e < 0) {
			if (!sh_parse_u64(w, &v->num) || v->num > 0xff)
				return sh_usage(sh, "\"%s\" is not an event name or number", w);
		} else {
			v->num = (uint64_t)e;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* ---- the parser: the spec walk (spec.h) and each word converted ------------------------ */

static int add_rest(struct sh_call *c, char *w, int argc)
{
	if (!c->rest) {
		c->rest = calloc((size_t)argc + 1, sizeof(*c->rest));
		if (!c->rest)
			return -ENOMEM;
	}
	c->rest[c->nrest++] = w;
	return 0;
}

static int take_kw(struct shell *sh, const struct sh_arg *a, struct sh_slot *s, int argc,
		   char **argv, int *i)
{
	int k, nv = sh_arg_nvalues(a);
	int rc;

	s->set = true;
	if (a->kind == SH_FLAG)
		return 0;
	for (k = 0; k < nv; k++) {
		if (*i + 1 >= argc)
			return sh_usage(sh, "\"%s\" needs %s", a->name,
					nv == 2 ? "two values" : "a value");
		rc = convert(sh, a, argv[++*i], &s->v[k]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int sh_parse(struct shell *sh, const struct sh_group *g, const struct sh_cmd *cmd, int argc,
	     char **argv, struct sh_call *c)
{
	struct sh_walk w;
	int i, k, n, rc = 0;

	c->group = g;
	c->cmd = cmd;
	c->nrest = 0;
	c->rest = NULL;
	n = sh_walk_init(&w, cmd);
	if (n < 0)
		return sh_usage(sh, "internal: too many arguments in the spec");
	/* the accessors look at the spec's slots only: those are cleared */
	memset(c->slot, 0, sizeof(c->slot[0]) * (size_t)n);
	for (i = 0; i < argc; i++) {
		char *word = argv[i];

		switch (sh_walk_word(&w, word, &k)) {
		case SH_ROLE_KW:
			rc = take_kw(sh, &cmd->args[k], &c->slot[k], argc, argv, &i);
			break;
		case SH_ROLE_KW_AGAIN:
			return sh_usage(sh, "\"%s\" is given twice", word);
		case SH_ROLE_POS:
			rc = convert(sh, &cmd->args[k], word, &c->slot[k].v[0]);
			c->slot[k].set = true;
			break;
		case SH_ROLE_REST:
			c->slot[k].set = true;
			/* fall through */
		case SH_ROLE_FIELD:
			rc = add_rest(c, word, argc);
			break;
		case SH_ROLE_NONE:
			if (w.rest >= 0)
				return sh_usage(sh, "\"%s\" is not an argument here (fields are "
						"NAME=VALUE)", word);
			return sh_usage(sh, "\"%s\" is not an argument of %s%s%s", word, g->name,
					cmd->verb ? " " : "", cmd->verb ? cmd->verb : "");
		}
		if (rc < 0)
			return rc;
	}
	for (k = 0; k < n; k++) {
		const struct sh_arg *a = &cmd->args[k];

		if (a->flags & SH_OPT || c->slot[k].set)
			continue;
		if (a->kind == SH_POS)
			return sh_usage(sh, "%s is missing (usage: %s%s%s %s)", a->name, g->name,
					cmd->verb ? " " : "", cmd->verb ? cmd->verb : "", cmd->usage);
		if (a->kind == SH_REST && !c->nrest)
			return sh_usage(sh, "%s is missing (usage: %s%s%s %s)", a->name, g->name,
					cmd->verb ? " " : "", cmd->verb ? cmd->verb : "", cmd->usage);
		if (a->kind == SH_KW)
			return sh_usage(sh, "\"%s\" is required", a->name);
	}
	if (w.rest >= 0 && c->nrest)
		c->slot[w.rest].set = true;
	return 0;
}

void sh_call_release(struct sh_call *c)
{
	if (c->rest)
		free(c->rest);
	c->rest = NULL;
	c->nrest = 0;
}

/* ---- accessors by name ------------------------------------------------------------------ */

static const struct sh_slot *slot(const struct sh_call *c, const char *name)
{
	int i;

	for (i = 0; c->cmd->args && c->cmd->args[i].name; i++)
		if (c->cmd->args[i].name[0] == name[0] && !strcmp(c->cmd->args[i].name, name))
			return &c->slot[i];
	return NULL;
}

bool sh_has(const struct sh_call *c, const char *name)
{
	const struct sh_slot *s = slot(c, name);

	return s && s->set;
}

const char *sh_str(const struct sh_call *c, const char *name)
{
	return sh_str2(c, name, 0);
}

const char *sh_str2(const struct sh_call *c, const char *name, unsigned int i)
{
	const struct sh_slot *s = slot(c, name);

	return s && s->set && i < 2 ? s->v[i].str : NULL;
}

uint64_t sh_num(const struct sh_call *c, const char *name, uint64_t dflt)
{
	const struct sh_slot *s = slot(c, name);

	return s && s->set ? s->v[0].num : dflt;
}

uint64_t sh_num2(const struct sh_call *c, const char *name, unsigned int i)
{
	const struct sh_slot *s = slot(c, name);

	return s && s->set && i < 2 ? s->v[i].num : 0;
}
