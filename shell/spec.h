/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one walk of a command's spec over the words typed: which argument each word is (a
 * keyword, the next positional, a NAME=VALUE field, the start of the rest). The parser
 * (args.c) converts what the walk finds; completion (complete.c) stops where the cursor is.
 * The grammar's rules live here only. Inline: the parser runs it on every batch line.
 */
#ifndef ISH_SHELL_SPEC_H
#define ISH_SHELL_SPEC_H
#include <string.h>
#include "shell.h"

/* the spec's length, or -1 when it has more than SH_MAX_ARGS arguments */
static inline int sh_walk_init(struct sh_walk *w, const struct sh_cmd *cmd)
{
	int n = 0;

	w->cmd = cmd;
	w->pos = 0;
	w->rest = -1;
	w->in_rest = false;
	w->fields = false;
	while (cmd->args && cmd->args[n].name) {
		if (cmd->args[n].kind == SH_REST && w->rest < 0)
			w->rest = n;
		n++;
	}
	w->len = n;
	if (n > SH_MAX_ARGS)
		return -1;
	w->used = 0;
	if (w->rest >= 0) {
		enum sh_type t = cmd->args[w->rest].type;

		w->fields = t == SH_T_STE_FIELDS || t == SH_T_EVT_FIELDS || t == SH_T_IDR_FIELDS ||
			    t == SH_T_REG_FIELDS;
	}
	return n;
}

/* the values a keyword takes: 0 (a flag), 1 or 2 */
static inline int sh_arg_nvalues(const struct sh_arg *a)
{
	return a->kind == SH_FLAG ? 0 : a->flags & SH_TWO ? 2 : 1;
}

static inline int spec_find_kw(const struct sh_walk *w, const char *word)
{
	int i;

	for (i = 0; i < w->len; i++) {
		const struct sh_arg *a = &w->cmd->args[i];

		if ((a->kind == SH_KW || a->kind == SH_FLAG) && a->name[0] == word[0] &&
		    !strcmp(a->name, word))
			return i;
	}
	return -1;
}

static inline bool spec_choice_of(const struct sh_arg *a, const char *word)
{
	const char *const *ch;

	if (a->type != SH_T_CHOICE)
		return false;
	for (ch = a->choices; *ch; ch++)
		if (!strcmp(*ch, word))
			return true;
	return false;
}

/*
 * The next positional slot for @word: an optional one is skipped when @word is a choice of a
 * later positional ("vsmmu ste vs0 sid 3 abort": "abort" is not a DEV).
 */
static inline int spec_next_pos(const struct sh_walk *w, const char *word)
{
	const struct sh_arg *args = w->cmd->args;
	int i, j;

	for (i = w->pos; i < w->len; i++) {
		if (args[i].kind != SH_POS)
			continue;
		if (!(args[i].flags & SH_OPT) || spec_choice_of(&args[i], word))
			return i;
		for (j = i + 1; j < w->len; j++)
			if (args[j].kind == SH_POS && spec_choice_of(&args[j], word))
				break;
		if (j == w->len)
			return i;
	}
	return -1;
}

/*
 * What @word is; *k the spec's slot. Once the rest has started every word belongs to it; a
 * keyword is looked for first (a second time is SH_ROLE_KW_AGAIN), then a field of a
 * NAME=VALUE rest, then the next positional, then the start of a plain rest.
 */
static inline enum sh_role sh_walk_word(struct sh_walk *w, const char *word, int *k)
{
	int i;

	if (w->in_rest) {
		*k = w->rest;
		return SH_ROLE_REST;
	}
	i = spec_find_kw(w, word);
	if (i >= 0) {
		*k = i;
		if (sh_walk_used(w, i))
			return SH_ROLE_KW_AGAIN;
		w->used |= 1u << i;
		return SH_ROLE_KW;
	}
	if (w->fields && strchr(word, '=')) {
		*k = w->rest;
		return SH_ROLE_FIELD;
	}
	i = spec_next_pos(w, word);
	if (i >= 0) {
		*k = i;
		w->used |= 1u << i;
		w->pos = i + 1;
		return SH_ROLE_POS;
	}
	if (w->rest >= 0 && !w->fields) {
		w->in_rest = true;
		w->used |= 1u << w->rest;
		*k = w->rest;
		return SH_ROLE_REST;
	}
	*k = -1;
	return SH_ROLE_NONE;
}

#endif
