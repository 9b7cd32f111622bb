// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TAB completion from the command table: the line is tokenized up to the cursor with the
 * shell's own tokenizer, the spec is walked as the parser would, and the slot under the
 * cursor gives the candidates: groups, verbs, keywords, or live values of the right type
 * (object ids from the registry, PCI functions, vSMMU names, file names).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include "iommush/backend.h"
#include "iommush/smmu.h"
#include "iommush/vsmmu.h"
#include "shell.h"
#include "spec.h"

void sh_cands_add(struct sh_cands *c, const char *s)
{
	size_t i;
	char **v;

	if (c->prefix && strncmp(s, c->prefix, strlen(c->prefix)))
		return;
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->v[i], s))
			return;
	if (c->n == c->cap) {
		v = realloc(c->v, (c->cap ? c->cap * 2 : 16) * sizeof(*v));
		if (!v)
			return;
		c->v = v;
		c->cap = c->cap ? c->cap * 2 : 16;
	}
	c->v[c->n] = strdup(s);
	if (c->v[c->n])
		c->n++;
}

void sh_cands_free(struct sh_cands *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static void add_num(struct sh_cands *c, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	sh_cands_add(c, buf);
}

/* ---- live values ----------------------------------------------------------------------------- */

static void add_objs(struct shell *sh, struct sh_cands *c, unsigned int type_mask)
{
	struct ish_obj *o;

	if (!sh->ctx)	/* completing a command line: no session, no live values */
		return;
	for (o = ish_obj_first(sh->ctx); o; o = ish_obj_next(o))
		if (type_mask & (1u << ish_obj_type(o)))
			add_num(c, ish_obj_id(o));
}

struct pci_walk {
	struct shell *sh;
	struct sh_cands *c;
	bool vfio_only;
};

static int add_pci(void *arg, const struct ish_pci_dev *d)
{
	struct pci_walk *w = arg;

	if (w->vfio_only && (!d->cdev[0] || ish_device_find(w->sh->ctx, d->bdf)))
		return 0;
	sh_cands_add(w->c, d->bdf);
	return 0;
}

static void add_bdfs(struct shell *sh, struct sh_cands *c, bool vfio_only)
{
	struct ish_backend *be = sh->ctx ? ish_ctx_backend(sh->ctx) : NULL;
	struct pci_walk w = { sh, c, vfio_only };

	if (be && be->ops->pci_list)
		be->ops->pci_list(be, add_pci, &w);
}

static void add_files(struct sh_cands *c)
{
	const char *prefix = c->prefix ? c->prefix : "";
	const char *slash = strrchr(prefix, '/');
	char dir[512], path[1024];
	struct dirent *de;
	DIR *d;

	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - prefix + 1), prefix);
	else
		dir[0] = '\0';
	d = opendir(dir[0] ? dir : ".");
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_name[0] == '.' && (slash ? slash[1] : prefix[0]) != '.')
			continue;
		snprintf(path, sizeof(path), "%s%s%s", dir, de->d_name,
			 de->d_type == DT_DIR ? "/" : "");
		sh_cands_add(c, path);
	}
	closedir(d);
}

static void add_fields(struct sh_cands *c, const struct ish_field *f)
{
	char buf[64];

	for (; f && f->name; f++) {
		snprintf(buf, sizeof(buf), "%s=", f->name);
		sh_cands_add(c, buf);
	}
}

/* IDR field names are upper case in the spec; the shell takes them in lower case too */
static void add_idr_fields(struct sh_cands *c)
{
	const struct ish_idr_field *f;
	char buf[64];
	size_t i;

	for (f = ish_idr_fields; f->name; f++) {
		for (i = 0; f->name[i] && i < sizeof(buf) - 2; i++)
			buf[i] = (char)tolower((unsigned char)f->name[i]);
		buf[i++] = '=';
		buf[i] = '\0';
		sh_cands_add(c, buf);
	}
}

static void add_ste_fields(struct sh_cands *c)
{
	char buf[64];
	unsigned int cfg;

	/* after "config=", the configuration names */
	if (c->prefix && !strncmp(c->prefix, "config=", 7)) {
		for (cfg = 0; cfg < 8; cfg++) {
			const char *n = ish_ste_config_name(cfg);

			if (n && *n && strcmp(n, "?")) {
				snprintf(buf, sizeof(buf), "config=%s", n);
				sh_cands_add(c, buf);
			}
		}
		return;
	}
	add_fields(c, ish_ste_fields);
}

/* a list of CMDQ commands: names after a ",", that command's fields otherwise */
static void add_cmds(struct sh_cands *c, int n, char **w)
{
	const struct ish_cmd_desc *d;
	int i, start = 0;

	for (i = 0; i < n; i++) {
		size_t len = strlen(w[i]);

		if (len && w[i][len - 1] == ',')
			start = i + 1;
	}
	if (start >= n) {
		for (d = ish_cmd_descs; d->name; d++)
			sh_cands_add(c, d->name);
		sh_cands_add(c, "raw");
		return;
	}
	if (!strcmp(w[start], "raw"))
		return;
	d = ish_cmd_by_name(w[start]);
	if (!d)
		return;
	add_fields(c, d->fields);
	sh_cands_add(c, ",");
}

static void complete_words(struct shell *sh, int n, char **w, struct sh_cands *c);

static void values(struct shell *sh, const struct sh_arg *a, int n, char **w,
		   struct sh_cands *c)
{
	const struct sh_group *const *g;
	const struct sh_cmd *cmd;
	struct ish_vsmmu *vs;
	struct ish_vsmmu_dev *d;
	struct ish_obj *o;
	struct ish_mem *m;
	const char *const *ch;
	int i;

	if (a->complete) {
		a->complete(c, n, w);
		return;
	}
	switch (a->type) {
	case SH_T_CHOICE:
		for (ch = a->choices; *ch; ch++)
			sh_cands_add(c, *ch);
		break;
	case SH_T_ID:
		add_objs(sh, c, ~(1u << ISH_OBJ_TOMBSTONE) & ~(1u << ISH_OBJ_DEVICE));
		break;
	case SH_T_IOAS:
		add_objs(sh, c, 1u << ISH_OBJ_IOAS);
		break;
	case SH_T_HWPT:
		add_objs(sh, c, 1u << ISH_OBJ_HWPT_PAGING | 1u << ISH_OBJ_HWPT_NESTED);
		break;
	case SH_T_PT:
		add_objs(sh, c, 1u << ISH_OBJ_IOAS | 1u << ISH_OBJ_HWPT_PAGING |
			 1u << ISH_OBJ_HWPT_NESTED);
		break;
	case SH_T_PARENT:
		add_objs(sh, c, 1u << ISH_OBJ_IOAS | 1u << ISH_OBJ_HWPT_PAGING |
			 1u << ISH_OBJ_VIOMMU);
		break;
	case SH_T_VIOMMU:
		add_objs(sh, c, 1u << ISH_OBJ_VIOMMU);
		break;
	case SH_T_VEVENTQ:
		add_objs(sh, c, 1u << ISH_OBJ_VEVENTQ);
		break;
	case SH_T_DEV:
		add_objs(sh, c, 1u << ISH_OBJ_DEVICE);
		break;
	case SH_T_DEV_ON_VSMMU:
		/* "vsmmu remove vs0 <TAB>": the devices of vs0 (its name is the first word) */
		vs = sh->ctx && n > 0 ? ish_vsmmu_find(sh->ctx, w[0]) : NULL;
		for (d = vs ? ish_vsmmu_dev_first(vs) : NULL; d; d = ish_vsmmu_dev_next(d))
			add_num(c, ish_vsmmu_dev_id(d));
		break;
	case SH_T_DEV_FREE:
		for (o = sh->ctx ? ish_obj_first(sh->ctx) : NULL; o; o = ish_obj_next(o))
			if (ish_obj_type(o) == ISH_OBJ_DEVICE && !ish_obj_owner(o))
				add_num(c, ish_obj_id(o));
		break;
	case SH_T_BDF:
		add_bdfs(sh, c, false);
		break;
	case SH_T_VFIO:
		add_bdfs(sh, c, true);
		break;
	case SH_T_VSMMU:
		for (vs = sh->ctx ? ish_vsmmu_first(sh->ctx) : NULL; vs; vs = ish_vsmmu_next(vs))
			sh_cands_add(c, ish_vsmmu_name(vs));
		break;
	case SH_T_MEM:
		for (m = sh->ctx ? ish_mem_first(sh->ctx) : NULL; m; m = ish_mem_next(m))
			add_num(c, ish_mem_id(m));
		break;
	case SH_T_ERRNO:
		for (i = 1; i < 134; i++)
			if (strerrorname_np(i))
				sh_cands_add(c, strerrorname_np(i));
		break;
	case SH_T_FILE:
		add_files(c);
		break;
	case SH_T_GROUP:
		for (g = sh_groups; *g; g++)
			if (!((*g)->cmds[0].flags & SH_CMD_HIDDEN))
				sh_cands_add(c, (*g)->name);
		break;
	case SH_T_VERB:
		if (n > 0 && sh_group_lookup(w[n - 1])) {
			for (cmd = sh_group_lookup(w[n - 1])->cmds; cmd->fn; cmd++) {
				char word[32];

				if (!cmd->verb || cmd->flags & SH_CMD_HIDDEN)
					continue;
				snprintf(word, sizeof(word), "%.*s", (int)strcspn(cmd->verb, " "),
					 cmd->verb);
				sh_cands_add(c, word);
			}
		}
		break;
	case SH_T_EVENT:
		for (i = 0; i < 256; i++)
			if (ish_evt_name((uint8_t)i))
				sh_cands_add(c, ish_evt_name((uint8_t)i));
		break;
	case SH_T_REGION:
		for (i = 0; i < 9; i++)
			sh_cands_add(c, sh_region_name((unsigned int)i));
		break;
	case SH_T_STE_FIELDS:
		add_ste_fields(c);
		break;
	case SH_T_EVT_FIELDS:
		add_fields(c, ish_evt_fields);
		break;
	case SH_T_IDR_FIELDS:
		add_idr_fields(c);
		break;
	case SH_T_CMDS:
		add_cmds(c, n, w);
		break;
	case SH_T_COMMAND:
		complete_words(sh, n, w, c);
		break;
	default:
		break;
	}
}

/* ---- the cursor's place in the spec (the parser's walk, spec.h) ----------------------------- */

static void complete_args(struct shell *sh, const struct sh_cmd *cmd, int n, char **w,
			  struct sh_cands *c)
{
	struct sh_walk sw;
	bool ends_kw, need_kw;
	int i, k, j, len, rest, pos;

	if (sh_walk_init(&sw, cmd) < 0)
		return;
	for (i = 0; i < n; i++) {
		enum sh_role role = sh_walk_word(&sw, w[i], &k);

		if (role == SH_ROLE_KW || role == SH_ROLE_KW_AGAIN) {
			int nv = sh_arg_nvalues(&cmd->args[k]);

			if (i + nv >= n) {	/* the cursor is on one of its values */
				values(sh, &cmd->args[k], i + 1, w, c);
				return;
			}
			i += nv;
		} else if (role == SH_ROLE_REST) {
			values(sh, &cmd->args[k], n - i, w + i, c);
			return;
		}
	}
	len = sw.len;
	rest = sw.rest;
	pos = sw.pos;
	/* the next positionals (an optional one lets the following show too) */
	for (k = pos; k < len; k++) {
		if (cmd->args[k].kind != SH_POS)
			continue;
		values(sh, &cmd->args[k], n, w, c);
		if (!(cmd->args[k].flags & SH_OPT))
			break;
	}
	/* keywords and the rest once no required positional is pending; fields once none is */
	for (j = pos, i = 0, k = 0; j < len; j++) {
		if (cmd->args[j].kind != SH_POS)
			continue;
		k = 1;
		if (!(cmd->args[j].flags & SH_OPT))
			i = 1;
	}
	if (i)
		return;
	for (j = 0, ends_kw = false, need_kw = false; j < len; j++) {
		const struct sh_arg *a = &cmd->args[j];

		if (a->kind == SH_POS && sh_walk_used(&sw, j) && (a->flags & SH_ENDS_KW))
			ends_kw = true;	/* "... translate <TAB>": only the fields */
		if (a->kind == SH_KW && !sh_walk_used(&sw, j) && !(a->flags & SH_OPT))
			need_kw = true;	/* "vsmmu create vs0 <TAB>": ioas first */
	}
	for (j = 0; j < len && !ends_kw; j++) {
		const struct sh_arg *a = &cmd->args[j];

		if ((a->kind == SH_KW || a->kind == SH_FLAG) && !sh_walk_used(&sw, j) &&
		    (!need_kw || !(a->flags & SH_OPT)))
			sh_cands_add(c, a->name);
	}
	if (need_kw)
		return;
	/* a register's fields follow its name: they see the words typed */
	if (rest >= 0 && cmd->args[rest].type == SH_T_REG_FIELDS)
		values(sh, &cmd->args[rest], n, w, c);
	else if (rest >= 0 && !(k && sw.fields))
		values(sh, &cmd->args[rest], 0, w + n, c);
}

static void complete_words(struct shell *sh, int n, char **w, struct sh_cands *c)
{
	const struct sh_group *const *gp;
	const struct sh_group *g;
	const struct sh_cmd *cmd;
	char buf[32];

	if (n == 0) {
		for (gp = sh_groups; *gp; gp++)
			if (!((*gp)->cmds[0].flags & SH_CMD_HIDDEN))
				sh_cands_add(c, (*gp)->name);
		return;
	}
	g = sh_group_lookup(w[0]);	/* "dev b<TAB>" as the shell takes it */
	if (!g)
		return;
	if (!g->cmds[0].verb) {
		complete_args(sh, g->cmds, n - 1, w + 1, c);
		return;
	}
	for (cmd = g->cmds; cmd->fn; cmd++) {
		const char *p = cmd->verb;
		int k = 1;

		if (cmd->flags & SH_CMD_HIDDEN)
			continue;
		/* match the verb's words against the typed ones */
		while (*p && k < n) {
			size_t len = strcspn(p, " ");

			/* a typed word stands for the verb's word it starts, as when run */
			if (!*w[k] || strlen(w[k]) > len || strncmp(w[k], p, strlen(w[k])))
				break;
			k++;
			p += len;
			while (*p == ' ')
				p++;
		}
		if (!*p) {
			complete_args(sh, cmd, n - k, w + k, c);
			return;
		}
		if (k == n) {
			snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(p, " "), p);
			sh_cands_add(c, buf);
		}
	}
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int sh_complete(struct shell *sh, const char *line, struct sh_cands *out, char **partial)
{
	struct sh_tokens t;
	struct sh_seg *s;
	char err[64];
	int n;

	memset(out, 0, sizeof(*out));
	*partial = NULL;
	if (sh_tokenize(line, true, &t, err, sizeof(err)) < 0)
		return -1;
	if (t.in_comment || !t.nseg) {
		sh_tokens_free(&t);
		return 0;
	}
	s = &t.seg[t.nseg - 1];
	n = s->argc;
	if (t.open_word && n > 0)
		*partial = strdup(s->argv[--n]);
	else
		*partial = strdup("");
	if (!*partial) {
		sh_tokens_free(&t);
		return -1;
	}
	out->prefix = *partial;
	complete_words(sh, n, s->argv, out);
	out->prefix = NULL;
	if (out->n)	/* qsort wants a real array even for none */
		qsort(out->v, out->n, sizeof(*out->v), cmp);
	sh_tokens_free(&t);
	return (int)out->n;
}
