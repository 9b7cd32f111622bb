// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One line, as typed at the prompt: the tokenizer (whole and as a partial line, the way TAB
 * sees it), quoting every word and splitting it again gives back that word, the completion
 * of the line, then the line run by the shell on the simulator in JSON mode (one half of the
 * inputs) or text.
 */
#include <stdio.h>
#include "shellfx.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #c, \
	__FILE__, __LINE__); abort(); } } while (0)

/*
 * Each command's words, quoted by sh_quote_word() and joined by blanks (what -x echoes),
 * split into the same words again. A command whose first word starts with '-' is left out:
 * there the '-' is the ignore-errors mark, by design.
 */
static void quoting_round_trips(const struct sh_tokens *t)
{
	char q[512], err[128], *line;
	struct sh_tokens back;
	size_t len, o;
	int i, j;

	for (i = 0; i < t->nseg; i++) {
		const struct sh_seg *s = &t->seg[i];

		if (s->argc == 0 || s->argv[0][0] == '-')
			continue;
		for (j = 0, len = 1; j < s->argc; j++)
			len += 2 * strlen(s->argv[j]) + 4;
		line = malloc(len);
		if (!line)
			return;
		for (j = 0, o = 0; j < s->argc; j++) {
			if (strlen(s->argv[j]) > 200)
				goto next;
			sh_quote_word(s->argv[j], q, sizeof(q));
			o += (size_t)snprintf(line + o, len - o, "%s%s", j ? " " : "", q);
		}
		CHECK(sh_tokenize(line, false, &back, err, sizeof(err)) == 0);
		CHECK(back.nseg == 1 && back.seg[0].argc == s->argc);
		for (j = 0; j < s->argc; j++)
			CHECK(!strcmp(back.seg[0].argv[j], s->argv[j]));
		sh_tokens_free(&back);
next:
		free(line);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sh_tokens t;
	struct sh_cands c;
	struct shell sh;
	char err[128], *line, *partial = NULL;

	if (size < 1 || size > 4096 || fx_skip(data, size))
		return 0;
	line = strndup((const char *)data + 1, size - 1);
	if (!line)
		return 0;
	if (sh_tokenize(line, false, &t, err, sizeof(err)) == 0) {
		quoting_round_trips(&t);
		sh_tokens_free(&t);
	}
	if (sh_tokenize(line, true, &t, err, sizeof(err)) == 0)
		sh_tokens_free(&t);
	if (fx_open(&sh, false)) {
		sh.json = data[0] & 1;
		sh.pretty = data[0] & 2;
		if (sh_complete(&sh, line, &c, &partial) >= 0) {
			sh_cands_free(&c);
			free(partial);
		}
		sh_run_line(&sh, line);
		fx_close(&sh);
	}
	free(line);
	return 0;
}
