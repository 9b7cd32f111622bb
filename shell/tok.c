// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one tokenizer of the shell, for the REPL, batch files, -c strings and completion:
 * words split on blanks, '...' literal, "..." with \" and \\, backslash escapes, '#' comments
 * at the start of a word, ';' between commands, a leading '-' that ignores a command's error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "shell.h"

/*
 * While the line is read the words' places are offsets (a buffer that grows moves): argv
 * entries hold offset + 1 into the words, 0 for the NULL ending a segment, and a segment's
 * argv its first index into vec. sh_tokenize() turns them into pointers at the end.
 */
struct tok {
	struct sh_tokens *t;
	size_t wlen, wcap;	/* chars in t->words */
	size_t wstart;		/* where the word being built starts */
	size_t nvec, vcap;	/* entries in t->vec and t->expv */
	int segcap;		/* slots in t->seg */
	bool in_word;
	bool quoted;		/* some part of the word was quoted or escaped */
	bool dollar;		/* the word started with an unquoted '$' */
	bool seg_open;		/* words go to the last segment */
	bool ignore;		/* a '-' opened the segment to come */
};

/* a full buffer doubles, from the inline one to the heap: copied, never realloc'd in place */
static int grow(void **buf, void *inline_buf, size_t *cap, size_t size)
{
	void *n = malloc(*cap * 2 * size);

	if (!n)
		return -ENOMEM;
	memcpy(n, *buf, *cap * size);
	if (*buf != inline_buf)
		free(*buf);
	*buf = n;
	*cap *= 2;
	return 0;
}

static inline int wput(struct tok *k, char ch)
{
	struct sh_tokens *t = k->t;

	if (k->wlen + 1 >= k->wcap) {
		t->heap = true;
		if (grow((void **)&t->words, t->chars_in, &k->wcap, 1) < 0)
			return -ENOMEM;
	}
	t->words[k->wlen++] = ch;
	k->in_word = true;
	return 0;
}

/* one more entry of vec: a word (offset + 1) or a segment's end (0) */
static int vput(struct tok *k, uintptr_t v, bool ex)
{
	struct sh_tokens *t = k->t;
	size_t cap = k->vcap;

	if (k->nvec == k->vcap) {
		t->heap = true;
		if (grow((void **)&t->vec, t->vec_in, &cap, sizeof(*t->vec)) < 0 ||
		    grow((void **)&t->expv, t->expv_in, &k->vcap, sizeof(*t->expv)) < 0)
			return -ENOMEM;
	}
	t->vec[k->nvec] = (char *)v;
	t->expv[k->nvec++] = ex;
	return 0;
}

static int open_seg(struct tok *k)
{
	struct sh_tokens *t = k->t;
	struct sh_seg *s;
	size_t cap = (size_t)k->segcap;

	if (k->seg_open)
		return 0;
	if (t->nseg && vput(k, 0, false) < 0)	/* the NULL after the previous one */
		return -ENOMEM;
	if (t->nseg == k->segcap) {
		t->heap = true;
		if (grow((void **)&t->seg, t->seg_in, &cap, sizeof(*t->seg)) < 0)
			return -ENOMEM;
		k->segcap = (int)cap;
	}
	s = &t->seg[t->nseg++];
	s->argc = 0;
	s->any_expand = false;
	s->expand = NULL;
	s->values = NULL;
	s->argv = (char **)(uintptr_t)k->nvec;
	s->ignore = k->ignore;
	k->ignore = false;
	k->seg_open = true;
	return 0;
}

/* end the word being built and add it to the current segment */
static int end_word(struct tok *k)
{
	if (!k->in_word)
		return 0;
	if (open_seg(k) < 0 || wput(k, '\0') < 0 ||
	    vput(k, k->wstart + 1, k->dollar && !k->quoted) < 0)
		return -ENOMEM;
	k->t->seg[k->t->nseg - 1].argc++;
	if (k->dollar && !k->quoted)
		k->t->seg[k->t->nseg - 1].any_expand = true;
	k->wstart = k->wlen;
	k->in_word = k->quoted = k->dollar = false;
	return 0;
}

/* offsets to pointers, now that nothing moves any more */
static int finish(struct tok *k)
{
	struct sh_tokens *t = k->t;
	size_t i;
	int j;

	if (t->nseg && vput(k, 0, false) < 0)
		return -ENOMEM;
	for (i = 0; i < k->nvec; i++) {
		uintptr_t v = (uintptr_t)t->vec[i];

		t->vec[i] = v ? t->words + v - 1 : NULL;
	}
	for (j = 0; j < t->nseg; j++) {
		size_t first = (size_t)(uintptr_t)t->seg[j].argv;

		t->seg[j].argv = t->vec + first;
		t->seg[j].expand = t->expv + first;
	}
	return 0;
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* a character that is just itself inside a word: not a blank, quote, escape, ';' or the end */
static inline bool plain(unsigned char ch)
{
	static const bool special[256] = {
		['\0'] = true, [' '] = true, ['\t'] = true, ['\n'] = true, ['\r'] = true,
		[';'] = true, ['\''] = true, ['"'] = true, ['\\'] = true,
	};

	return !special[ch];
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
			if (i != j)
				t->seg[j] = t->seg[i];
			j++;
		}
	}
	t->nseg = j;
}

/*
 * Most lines are a few plain words ("ioas alloc", "destroy $_"): split at blanks straight
 * into the inline buffers, with the same result the full tokenizer below gives. false: the
 * line has a quote, escape, ';', '#' or leading '-', or does not fit; the full one runs.
 */
enum { C_PLAIN, C_BLANK, C_END, C_OTHER };

static const unsigned char char_class[256] = {
	['\0'] = C_END, [' '] = C_BLANK, ['\t'] = C_BLANK, ['\n'] = C_BLANK, ['\r'] = C_BLANK,
	[';'] = C_OTHER, ['\''] = C_OTHER, ['"'] = C_OTHER, ['\\'] = C_OTHER, ['#'] = C_OTHER,
};

/* a plain line's @argc words are in vec_in: one segment, nothing on the heap */
static inline void plain_done(struct sh_tokens *t, int argc, bool any)
{
	t->vec_in[argc] = NULL;
	t->words = t->chars_in;
	t->heap = false;
	t->vec = t->vec_in;
	t->expv = t->expv_in;
	t->seg = t->seg_in;
	t->open_word = t->in_comment = false;
	t->quote = 0;
	t->nseg = argc ? 1 : 0;
	t->seg_in[0].argc = argc;
	t->seg_in[0].argv = t->vec_in;
	t->seg_in[0].expand = t->expv_in;
	t->seg_in[0].ignore = false;
	t->seg_in[0].any_expand = any;
	t->seg_in[0].values = NULL;
}

static bool tokenize_plain(const char *text, struct sh_tokens *t)
{
	const unsigned char *p = (const unsigned char *)text;
	char *w = t->chars_in;
	bool any = false;
	int argc = 0;

	/* the words and their NULs take at most the line's length and one: they fit */
	if (strnlen(text, SH_TOK_CHARS) >= SH_TOK_CHARS)
		return false;
	for (;;) {
		while (char_class[*p] == C_BLANK)
			p++;
		if (!*p)
			break;
		if (argc == SH_TOK_WORDS - 1 || (argc == 0 && *p == '-'))
			return false;
		t->expv_in[argc] = *p == '$';
		any |= *p == '$';
		t->vec_in[argc++] = w;
		while (char_class[*p] == C_PLAIN)
			*w++ = (char)*p++;
		if (char_class[*p] == C_OTHER)
			return false;
		*w++ = '\0';
	}
	plain_done(t, argc, any);
	return true;
}

/*
 * The same split of plain words in the caller's own buffer (a batch line the reader owns):
 * the words stay where they are and the blank after each becomes its NUL. Nothing is written
 * until the whole line is known to be plain, so that the full tokenizer can take it as it was.
 */
static bool tokenize_plain_inplace(char *text, struct sh_tokens *t)
{
	unsigned char *p = (unsigned char *)text;
	unsigned char *ends[SH_TOK_WORDS];
	bool any = false;
	int argc = 0, i;

	for (;;) {
		while (char_class[*p] == C_BLANK)
			p++;
		if (!*p)
			break;
		if (argc == SH_TOK_WORDS - 1 || (argc == 0 && *p == '-'))
			return false;
		t->expv_in[argc] = *p == '$';
		any |= *p == '$';
		t->vec_in[argc] = (char *)p;
		while (char_class[*p] == C_PLAIN)
			p++;
		if (char_class[*p] == C_OTHER)
			return false;
		ends[argc++] = p;
		if (*p)
			p++;
		else
			break;
	}
	for (i = 0; i < argc; i++)
		*ends[i] = '\0';
	plain_done(t, argc, any);
	return true;
}

/* the full tokenizer, out of line: the plain path keeps a small frame */
__attribute__((noinline))
static int tokenize_full(const char *text, bool partial, struct sh_tokens *t, char *err,
			 size_t errlen)
{
	struct tok k = { .t = t, .wcap = SH_TOK_CHARS, .vcap = SH_TOK_WORDS,
			 .segcap = SH_TOK_SEGS };
	char quote = 0;
	const char *p;
	int rc = 0;

	t->nseg = 0;
	t->open_word = t->in_comment = false;
	t->quote = 0;
	t->words = t->chars_in;
	t->heap = false;
	t->vec = t->vec_in;
	t->expv = t->expv_in;
	t->seg = t->seg_in;
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
			/* the rest of a run of ordinary characters goes in at once */
			while (rc == 0 && plain((unsigned char)p[1])) {
				size_t n = 1;

				while (plain((unsigned char)p[n + 1]))
					n++;
				if (k.wlen + n >= k.wcap) {
					rc = wput(&k, *++p);	/* grows the buffer */
					continue;
				}
				memcpy(t->words + k.wlen, p + 1, n);
				k.wlen += n;
				p += n;
			}
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
			/* the empty word stands for "nothing typed yet": the segment's end */
			t->seg[t->nseg - 1].argc--;
			k.nvec--;
		}
		if (rc == 0 && !t->nseg)
			rc = open_seg(&k);
	} else if (rc == 0) {
		rc = end_word(&k);
	}
	if (rc == 0)
		rc = finish(&k);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (rc < 0) {
		sh_tokens_free(t);
		return rc;
	}
	drop_empty(t, partial);
	return 0;
}

int sh_tokenize(const char *text, bool partial, struct sh_tokens *t, char *err, size_t errlen)
{
	if (!partial && tokenize_plain(text, t))
		return 0;
	return tokenize_full(text, partial, t, err, errlen);
}

int sh_tokenize_buf(char *text, struct sh_tokens *t, char *err, size_t errlen)
{
	if (tokenize_plain_inplace(text, t))
		return 0;
	return tokenize_full(text, false, t, err, errlen);
}

__attribute__((noinline))
static void tokens_free_all(struct sh_tokens *t)
{
	int i;

	for (i = 0; i < t->nseg; i++)
		if (t->seg[i].values && t->seg[i].values != t->seg[i].values_in)
			free(t->seg[i].values);
	if (t->words != t->chars_in)
		free(t->words);
	if (t->vec != t->vec_in)
		free(t->vec);
	if (t->expv != t->expv_in)
		free(t->expv);
	if (t->seg != t->seg_in)
		free(t->seg);
	t->nseg = 0;
	t->words = t->chars_in;
	t->heap = false;
	t->vec = t->vec_in;
	t->expv = t->expv_in;
	t->seg = t->seg_in;
}

void sh_tokens_free(struct sh_tokens *t)
{
	if (!t->heap && t->nseg <= 1 && (!t->nseg || !t->seg_in[0].values ||
					  t->seg_in[0].values == t->seg_in[0].values_in)) {
		t->nseg = 0;	/* a plain line: nothing of it on the heap */
		return;
	}
	tokens_free_all(t);
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
