// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one tokenizer of the shell, for the REPL, batch files, -c strings and completion:
 * words split on blanks, '...' literal, "..." with \" and \\, backslash escapes, '#' comments
 * at the start of a word, ';' between commands, a leading '-' that ignores a command's error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "shell.h"

struct tok {
	struct sh_tokens *t;
	char *w;		/* the word being built */
	size_t wlen, wcap;
	bool in_word;
	bool quoted;		/* some part of the word was quoted or escaped */
	bool dollar;		/* the word started with an unquoted '$' */
	bool seg_open;		/* words go to the last segment */
	bool ignore;		/* a '-' opened the segment to come */
};

static int wput(struct tok *k, char ch)
{
	if (k->wlen + 2 > k->wcap) {
		size_t cap = k->wcap ? k->wcap * 2 : 32;
		char *n = realloc(k->w, cap);

		if (!n)
			return -ENOMEM;
		k->w = n;
		k->wcap = cap;
	}
	k->w[k->wlen++] = ch;
	k->w[k->wlen] = '\0';
	k->in_word = true;
	return 0;
}

static int open_seg(struct tok *k)
{
	struct sh_seg *s;

	if (k->seg_open)
		return 0;
	s = realloc(k->t->seg, (size_t)(k->t->nseg + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	k->t->seg = s;
	s = &s[k->t->nseg++];
	memset(s, 0, sizeof(*s));
	s->argv = calloc(1, sizeof(*s->argv));
	if (!s->argv)
		return -ENOMEM;
	s->ignore = k->ignore;
	k->ignore = false;
	k->seg_open = true;
	return 0;
}

/* end the word being built and add it to the current segment */
static int end_word(struct tok *k)
{
	struct sh_seg *s;
	char **argv;
	bool *ex;

	if (!k->in_word)
		return 0;
	if (open_seg(k) < 0)
		return -ENOMEM;
	s = &k->t->seg[k->t->nseg - 1];
	if (!k->w) {
		k->w = strdup("");
		if (!k->w)
			return -ENOMEM;
	}
	argv = realloc(s->argv, (size_t)(s->argc + 2) * sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	s->argv = argv;
	ex = realloc(s->expand, (size_t)(s->argc + 1) * sizeof(*ex));
	if (!ex)
		return -ENOMEM;
	s->expand = ex;
	s->argv[s->argc] = k->w;
	s->expand[s->argc] = k->dollar && !k->quoted;
	s->argc++;
	s->argv[s->argc] = NULL;
	k->w = NULL;
	k->wlen = k->wcap = 0;
	k->in_word = k->quoted = k->dollar = false;
	return 0;
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static bool seg_empty(const struct tok *k)
{
	return !k->seg_open || k->t->seg[k->t->nseg - 1].argc == 0;
}

/* drop segments without a word (blank commands between ';') */
static void drop_empty(struct sh_tokens *t, bool keep_last)
{
	int i, j = 0;

	for (i = 0; i < t->nseg; i++) {
		if (t->seg[i].argc || (keep_last && i == t->nseg - 1)) {
			t->seg[j++] = t->seg[i];
			continue;
		}
		free(t->seg[i].argv);
		free(t->seg[i].expand);
	}
	t->nseg = j;
}

int sh_tokenize(const char *text, bool partial, struct sh_tokens *t, char *err, size_t errlen)
{
	struct tok k = { .t = t };
	char quote = 0;
	const char *p;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	for (p = text; *p && rc == 0; p++) {
		char ch = *p;

		if (quote == '\'') {
			if (ch == '\'')
				quote = 0;
			else
				rc = wput(&k, ch);
			continue;
		}
		if (quote == '"') {
			if (ch == '"')
				quote = 0;
			else if (ch == '\\' && (p[1] == '"' || p[1] == '\\'))
				rc = wput(&k, *++p);
			else
				rc = wput(&k, ch);
			continue;
		}
		if (blank(ch)) {
			rc = end_word(&k);
		} else if (ch == ';') {
			rc = end_word(&k);
			k.seg_open = false;
			k.ignore = false;
		} else if (ch == '#' && !k.in_word) {
			t->in_comment = true;
			break;
		} else if (ch == '-' && !k.in_word && seg_empty(&k) && !k.ignore) {
			k.ignore = true;
			if (k.seg_open)
				t->seg[t->nseg - 1].ignore = true;
		} else if (ch == '\'' || ch == '"') {
			quote = ch;
			k.quoted = true;
			k.in_word = true;
		} else if (ch == '\\') {
			if (!p[1]) {
				if (!partial) {
					snprintf(err, errlen, "backslash at the end of the line");
					rc = -EINVAL;
				}
				break;
			}
			k.quoted = true;
			rc = wput(&k, *++p);
		} else {
			if (ch == '$' && !k.in_word)
				k.dollar = true;
			rc = wput(&k, ch);
		}
	}
	if (rc == 0 && quote && !partial) {
		snprintf(err, errlen, "unterminated %s quote", quote == '"' ? "double" : "single");
		rc = -EINVAL;
	}
	if (rc == 0 && partial) {
		t->quote = quote;
		t->open_word = k.in_word && !t->in_comment;
		/* the word under the cursor, even if empty, ends the last segment */
		if (!t->in_comment && !k.in_word)
			k.in_word = true;
		rc = end_word(&k);
		if (rc == 0 && !t->open_word && t->nseg) {
			struct sh_seg *s = &t->seg[t->nseg - 1];

			/* the empty word stands for "nothing typed yet" */
			s->argc--;
			free(s->argv[s->argc]);
			s->argv[s->argc] = NULL;
		}
		if (rc == 0 && !t->nseg)
			rc = open_seg(&k);
	} else if (rc == 0) {
		rc = end_word(&k);
	}
	free(k.w);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (rc < 0) {
		sh_tokens_free(t);
		return rc;
	}
	drop_empty(t, partial);
	return 0;
}

void sh_tokens_free(struct sh_tokens *t)
{
	int i, j;

	for (i = 0; i < t->nseg; i++) {
		for (j = 0; j < t->seg[i].argc; j++)
			free(t->seg[i].argv[j]);
		free(t->seg[i].argv);
		free(t->seg[i].expand);
	}
	free(t->seg);
	memset(t, 0, sizeof(*t));
}

static bool needs_quotes(const char *w)
{
	if (!*w)
		return true;
	for (; *w; w++)
		if (blank(*w) || strchr("'\"\\;#$", *w))
			return true;
	return false;
}

void sh_quote_word(const char *w, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return;
	if (!needs_quotes(w)) {
		snprintf(buf, len, "%s", w);
		return;
	}
	buf[o++] = '"';
	for (; *w && o + 3 < len; w++) {
		if (*w == '"' || *w == '\\')
			buf[o++] = '\\';
		buf[o++] = *w;
	}
	if (o + 1 < len)
		buf[o++] = '"';
	buf[o] = '\0';
}
