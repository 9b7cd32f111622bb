// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NAME=VALUE words against the SMMUv3 codec tables (STE, CMDQ commands, events), and the
 * printers of decoded words shared by several groups.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "iommush/smmu.h"
#include "iommush/vsmmu.h"
#include "cmds.h"

/* split "name=value" into a lower-case name and the value */
static int split_field(struct shell *sh, const char *w, char *name, size_t len,
		       const char **value)
{
	const char *eq = strchr(w, '=');
	size_t i, n;

	if (!eq || eq == w || !eq[1])
		return sh_usage(sh, "\"%s\" is not FIELD=VALUE", w);
	n = (size_t)(eq - w);
	if (n >= len)
		return sh_usage(sh, "\"%s\": no field has so long a name", w);
	for (i = 0; i < n; i++)
		name[i] = (char)tolower((unsigned char)w[i]);
	name[n] = '\0';
	*value = eq + 1;
	return 0;
}

static int set_field(struct shell *sh, const struct ish_field *f, uint64_t *words,
		     const char *name, const char *value, uint64_t v)
{
	if (ish_field_set(f, words, v) == 0)
		return 0;
	/* an address field holds bits lo..hi of the address in place: say which rule it broke */
	if ((f->flags & ISH_FIELD_ADDR) && f->lo && (v & ((1ull << f->lo) - 1)))
		return sh_usage(sh, "%s=%s is not aligned: the address must be a multiple of 0x%llx "
				"(bits %u-0 are not held)", name, value, 1ull << f->lo, f->lo - 1);
	if (f->flags & ISH_FIELD_ADDR)
		return sh_usage(sh, "%s=%s is beyond the %u-bit address the field holds", name,
				value, f->hi + 1);
	return sh_usage(sh, "%s=%s does not fit in %u bits", name, value, f->hi - f->lo + 1);
}

static int config_value(const char *s, uint64_t *v)
{
	unsigned int cfg;

	if (sh_parse_u64(s, v))
		return 0;
	for (cfg = 0; cfg < 8; cfg++) {
		const char *n = ish_ste_config_name(cfg);

		if (n && !strcasecmp(n, s)) {
			*v = cfg;
			return 0;
		}
	}
	return -EINVAL;
}

int cmd_parse_ste(struct shell *sh, char **words, int n, uint64_t ste[2])
{
	const struct ish_field *f;
	bool v_given = false;
	const char *value;
	char name[32];
	uint64_t v;
	int i, rc;

	ste[0] = ste[1] = 0;
	for (i = 0; i < n; i++) {
		rc = split_field(sh, words[i], name, sizeof(name), &value);
		if (rc < 0)
			return rc;
		f = ish_field_find(ish_ste_fields, name);
		if (!f)
			return sh_usage(sh, "\"%s\" is not an STE field (TAB lists them)", name);
		if (!strcmp(name, "config") ? config_value(value, &v) < 0 :
		    !sh_parse_u64(value, &v))
			return sh_usage(sh, "%s: \"%s\" is not a value for it", name, value);
		rc = set_field(sh, f, ste, name, value, v);
		if (rc < 0)
			return rc;
		if (!strcmp(name, "v"))
			v_given = true;
	}
	/* an STE is written to be used: valid unless said otherwise */
	if (!v_given)
		ste[0] |= ISH_STE_V;
	return 0;
}

int cmd_parse_idr(struct shell *sh, char **words, int n, uint32_t idr[6], uint32_t mask[6])
{
	const struct ish_idr_field *f;
	const char *value;
	char name[32];
	uint32_t bits;
	uint64_t v;
	int i, rc;

	for (i = 0; i < n; i++) {
		rc = split_field(sh, words[i], name, sizeof(name), &value);
		if (rc < 0)
			return rc;
		f = ish_idr_find(name);
		if (!f)
			return sh_usage(sh, "\"%s\" is not an SMMU_IDRn field (TAB lists them)", name);
		bits = f->hi - f->lo + 1;
		if (!sh_parse_u64(value, &v) || (bits < 32 && v >> bits))
			return sh_usage(sh, "%s: \"%s\" does not fit its %u bits", f->name, value, bits);
		bits = (bits < 32 ? (1u << bits) - 1 : ~0u) << f->lo;
		idr[f->reg] = (idr[f->reg] & ~bits) | ((uint32_t)v << f->lo);
		mask[f->reg] |= bits;
	}
	return 0;
}

int cmd_parse_evt(struct shell *sh, unsigned int id, char **words, int n, uint64_t evt[4])
{
	const struct ish_field *f;
	const char *value;
	char name[32];
	uint64_t v;
	int i, rc;

	memset(evt, 0, 4 * sizeof(*evt));
	evt[0] = id & 0xff;
	for (i = 0; i < n; i++) {
		rc = split_field(sh, words[i], name, sizeof(name), &value);
		if (rc < 0)
			return rc;
		f = ish_field_find(ish_evt_fields, name);
		if (!f)
			return sh_usage(sh, "\"%s\" is not an event field (TAB lists them)", name);
		if (!sh_parse_u64(value, &v))
			return sh_usage(sh, "%s: \"%s\" is not a number", name, value);
		rc = set_field(sh, f, evt, name, value, v);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- CMDQ command lists --------------------------------------------------------------------- */

struct cmd_words {
	char **w;
	int n;
	char *buf;	/* the words split off commas */
};

/* the words with every "," a word of its own */
static int split_commas(char **words, int n, struct cmd_words *out)
{
	size_t len = 0;
	int i, k = 0;
	char *p, *q;

	for (i = 0; i < n; i++)
		len += strlen(words[i]) * 2 + 2;
	out->buf = malloc(len + 1);
	out->w = calloc(len + 1, sizeof(*out->w));
	if (!out->buf || !out->w) {
		free(out->buf);
		free(out->w);
		return -ENOMEM;
	}
	p = out->buf;
	for (i = 0; i < n; i++) {
		for (q = words[i]; *q;) {
			size_t span = strcspn(q, ",");

			if (span) {
				memcpy(p, q, span);
				p[span] = '\0';
				out->w[k++] = p;
				p += span + 1;
				q += span;
			}
			if (*q == ',') {
				strcpy(p, ",");
				out->w[k++] = p;
				p += 2;
				q++;
			}
		}
	}
	out->n = k;
	return 0;
}

static int parse_one_cmd(struct shell *sh, char **w, int n, unsigned int index, uint64_t cmd[2])
{
	const struct ish_cmd_desc *d;
	const struct ish_field *f;
	bool range_given = false;
	const char *value;
	char name[32];
	uint64_t v;
	int i, rc;

	cmd[0] = cmd[1] = 0;
	if (n == 0)
		return sh_usage(sh, "command %u is empty", index);
	if (!strcmp(w[0], "raw")) {
		if (n != 3 || !sh_parse_u64(w[1], &cmd[0]) || !sh_parse_u64(w[2], &cmd[1]))
			return sh_usage(sh, "command %u: raw takes two 64-bit words", index);
		return 0;
	}
	d = ish_cmd_by_name(w[0]);
	if (!d)
		return sh_usage(sh, "command %u: \"%s\" is not a CMDQ command (TAB lists them)",
				index, w[0]);
	cmd[0] = d->opcode;
	for (i = 1; i < n; i++) {
		rc = split_field(sh, w[i], name, sizeof(name), &value);
		if (rc < 0)
			return rc;
		f = ish_field_find(d->fields, name);
		if (!f)
			return sh_usage(sh, "command %u: %s has no field \"%s\"", index, d->name,
					name);
		if (!sh_parse_u64(value, &v))
			return sh_usage(sh, "command %u: %s: \"%s\" is not a number", index, name,
					value);
		rc = set_field(sh, f, cmd, name, value, v);
		if (rc < 0)
			return rc;
		if (!strcmp(name, "range"))
			range_given = true;
	}
	/* CFGI_ALL is CFGI_STE_RANGE over every StreamID */
	if (!strcasecmp(w[0], "CFGI_ALL") && !range_given) {
		f = ish_field_find(d->fields, "range");
		if (f)
			ish_field_set(f, cmd, 31);
	}
	return 0;
}

int cmd_parse_cmds(struct shell *sh, char **words, int n, uint64_t (**cmds)[2], uint32_t *ncmds)
{
	struct cmd_words cw;
	uint64_t (*out)[2];
	int i, start = 0, rc = 0;
	uint32_t k = 0;

	rc = split_commas(words, n, &cw);
	if (rc < 0)
		return rc;
	out = calloc((size_t)cw.n + 1, sizeof(*out));
	if (!out) {
		rc = -ENOMEM;
		goto free_words;
	}
	for (i = 0; i <= cw.n && rc == 0; i++) {
		if (i < cw.n && strcmp(cw.w[i], ","))
			continue;
		rc = parse_one_cmd(sh, cw.w + start, i - start, k + 1, out[k]);
		k++;
		start = i + 1;
	}
	if (rc < 0) {
		free(out);
		goto free_words;
	}
	*cmds = out;
	*ncmds = k;
free_words:
	free(cw.buf);
	free(cw.w);
	return rc;
}

/* ---- printing ------------------------------------------------------------------------------- */

/*
 * The "name=value" words of a codec's decoded line as a JSON object of hex strings: the fields
 * the decoder names (its key fields always, the others when non-zero, uncovered bits as
 * rsvd0/other0...). A value that is a name (STE config=s1-translate) is the field's number,
 * @config, when given, and left out otherwise.
 */
void cmd_print_fields(struct shell *sh, const char *decoded, const uint64_t *config)
{
	const char *p = decoded, *eq, *end;
	char key[32], *stop;
	uint64_t v;
	size_t n;

	pr_obj_open(sh, "fields");
	while (*p) {
		end = strchr(p, ' ');
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		n = eq ? (size_t)(eq - p) : 0;
		if (n && n < sizeof(key)) {
			memcpy(key, p, n);
			key[n] = '\0';
			v = strtoull(eq + 1, &stop, 0);
			if (stop == end && stop != eq + 1)
				pr_hex(sh, PR_JSON, key, NULL, v);
			else if (config && !strcmp(key, "config"))
				pr_hex(sh, PR_JSON, key, NULL, *config);
		}
		p = *end ? end + 1 : end;
	}
	pr_obj_close(sh);
}

void cmd_print_ste(struct shell *sh, const char *key, const uint64_t ste[2])
{
	uint64_t cfg = ish_ste_config(ste);
	char buf[512];

	ish_ste_format(ste, buf, sizeof(buf));
	pr_obj_open(sh, key);
	pr_hex(sh, PR_ANY, "w0", "  ste 0x%016llx", ste[0]);
	pr_hex(sh, PR_ANY, "w1", " 0x%016llx", ste[1]);
	pr_str(sh, PR_JSON, "config", NULL, ish_ste_config_name((unsigned int)cfg));
	cmd_print_fields(sh, buf, &cfg);
	pr_str(sh, PR_ANY, "decoded", " (%s)", buf);
	pr_obj_close(sh);
}

/* every event record has the same keys (iommush-json(7)); a LOST_EVENTS one has nulls */
void cmd_print_events(struct shell *sh, const struct ish_vevent *ev, int n)
{
	char buf[512];
	int i, k;

	for (i = 0; i < n; i++) {
		const struct ish_vevent *e = &ev[i];

		if (e->gap && !e->lost)
			pr_text(sh, "(%u event%s lost before seq %u)\n", e->gap,
				e->gap == 1 ? "" : "s", e->seq);
		pr_obj_open(sh, NULL);
		pr_u64(sh, PR_ANY, "seq", "seq %llu ", e->seq);
		pr_u64(sh, PR_JSON, "gap", NULL, e->gap);
		pr_bool(sh, PR_JSON, "lost", NULL, e->lost);
		if (e->lost) {
			pr_u64(sh, PR_ANY, "dropped", "LOST_EVENTS: %llu event(s) dropped\n",
			       (uint64_t)e->gap + 1);
			pr_null(sh, "event_id");
			pr_null(sh, "name");
			pr_null(sh, "fields");
			pr_null(sh, "decoded");
			pr_null(sh, "words");
			pr_obj_close(sh);
			continue;
		}
		ish_evt_format(e->evt, buf, sizeof(buf));
		pr_null(sh, "dropped");
		pr_u64(sh, PR_JSON, "event_id", NULL, e->evt[0] & 0xff);
		pr_str(sh, PR_JSON, "name", NULL, ish_evt_name((uint8_t)(e->evt[0] & 0xff)));
		cmd_print_fields(sh, buf, NULL);
		pr_str(sh, PR_ANY, "decoded", "%s\n", buf);
		pr_arr_open(sh, "words");
		for (k = 0; k < 4; k++)
			pr_hex(sh, PR_JSON, NULL, NULL, e->evt[k]);
		pr_arr_close(sh);
		pr_obj_close(sh);
	}
}

#define EVENTS_PER_READ 16

/* the event @c expects (its id, or -1), and the vSID it must carry (or -1) */
static int expected_event(struct shell *sh, const struct sh_call *c, int *id, int64_t *sid)
{
	const char *name = sh_has(c, "expect") ? sh_str(c, "expect") : NULL;

	*id = -1;
	*sid = sh_has(c, "sid") ? (int64_t)sh_num(c, "sid", 0) : -1;
	if (!name)
		return *sid < 0 ? 0 : sh_usage(sh, "sid: only with expect EVENT");
	*id = ish_evt_id_by_name(name);
	if (*id < 0)
		return sh_usage(sh, "expect: \"%s\" is not an SMMUv3 event name (TAB lists them)",
				name);
	return 0;
}

static bool event_matches(const struct ish_vevent *e, int id, int64_t sid)
{
	return !e->lost && (int)(e->evt[0] & 0xff) == id &&
	       (sid < 0 || (int64_t)(e->evt[0] >> 32) == sid);
}

int cmd_read_events(struct shell *sh, const struct sh_call *c, uint32_t veventq,
		    struct ish_vsmmu *vs)
{
	struct ish_vevent ev[EVENTS_PER_READ];
	uint64_t wait = sh->no_wait ? 0 : sh_num(c, "wait", 0), want_count, lost = 0, got = 0;
	bool counted = sh_has(c, "count");
	int n, i, total = 0, timeout, want, found = 0;
	int64_t sid;

	if (wait > 0x7fffffff)
		return sh_usage(sh, "wait: at most 2147483647 ms");
	want_count = sh_num(c, "count", 0);
	n = expected_event(sh, c, &want, &sid);
	if (n < 0)
		return n;
	timeout = (int)wait;
	pr_arr_open(sh, "events");
	do {
		if (vs)
			n = ish_vsmmu_read_events(vs, ev, EVENTS_PER_READ, timeout);
		else
			n = ish_veventq_read(sh->ctx, veventq, ev, EVENTS_PER_READ, timeout);
		if (n < 0)
			break;
		cmd_print_events(sh, ev, n);
		for (i = 0; i < n; i++) {
			found += event_matches(&ev[i], want, sid);
			/* a LOST_EVENTS header stands for gap + 1 events, a sequence gap for gap */
			lost += ev[i].gap + (ev[i].lost ? 1 : 0);
			got += !ev[i].lost && (want < 0 || event_matches(&ev[i], want, sid));
		}
		total += n;
		timeout = 0;	/* drain what is queued, wait only for the first */
	} while (n == EVENTS_PER_READ);
	pr_arr_close(sh);
	if (n < 0)
		return n;
	if (!total)
		pr_text(sh, "no events\n");
	pr_u64(sh, PR_JSON, "read", NULL, got);
	pr_u64(sh, PR_JSON, "lost", NULL, lost);
	if (counted || lost)
		pr_text(sh, "%llu event%s%s read, lost %llu\n", (unsigned long long)got,
			got == 1 ? "" : "s", want >= 0 ? " of that kind" : "",
			(unsigned long long)lost);
	if (counted && got + lost != want_count)
		return sh_fail(sh, -ENOMSG, "%llu event%s raised (%llu read, %llu lost), not %llu",
			       (unsigned long long)(got + lost), got + lost == 1 ? "" : "s",
			       (unsigned long long)got, (unsigned long long)lost,
			       (unsigned long long)want_count);
	if (want >= 0 && !found)
		return sh_fail(sh, -ENOMSG, "no %s event%s among the %d read", ish_evt_name((uint8_t)want),
			       sid >= 0 ? " with that vSID" : "", total);
	return 0;
}

