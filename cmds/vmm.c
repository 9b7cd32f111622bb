// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmm: play the guest of an accelerated vSMMUv3 through the VMM front end (vmm.h). Guest RAM is
 * the mem buffers mapped in the vSMMU's IOAS, at their IOVA (= IPA); registers are read and
 * written by name; STEs and commands are written into guest memory where the guest's own
 * STRTAB_BASE and CMDQ_BASE say, then PROD is rung.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "iommush/smmu.h"
#include "iommush/vmm.h"
#include "iommush/vsmmu.h"
#include "cmds.h"

struct sh_vmm {
	char name[32];
	struct shell *sh;
	struct ish_vmm *vmm;
	struct ish_vsmmu *vs;
	uint32_t ioas;
	uint32_t pending;	/* commands written past CMDQ_PROD (noring), not rung yet */
	unsigned long irqs[2];
	struct sh_vmm *next;
};

/* one shell per process: the front ends live here, freed at exit before the context */
static struct sh_vmm *vmms;

static struct sh_vmm *vmm_find(const char *name)
{
	struct sh_vmm *v;

	for (v = vmms; v && name; v = v->next)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}

const char *cmd_vmm_on(const struct ish_vsmmu *vs)
{
	struct sh_vmm *v;

	for (v = vmms; v; v = v->next)
		if (v->vs == vs)
			return v->name;
	return NULL;
}

static void vmm_free_all(void)
{
	struct sh_vmm *v;

	while ((v = vmms)) {
		vmms = v->next;
		ish_vmm_free(v->vmm);
		free(v);
	}
}

static void complete_names(struct sh_cands *c, int n, char **w)
{
	struct sh_vmm *v;

	for (v = vmms; v; v = v->next)
		sh_cands_add(c, v->name);
}

static void complete_regs(struct sh_cands *c, int n, char **w)
{
	const struct ish_vmm_reg *r;

	for (r = ish_vmm_regs; r->name; r++)
		sh_cands_add(c, r->name);
}

static void complete_fields(struct sh_cands *c, int n, char **w)
{
	const struct ish_vmm_reg *r = NULL;
	const struct ish_field *f;
	char buf[64];
	int i;

	for (i = 0; i < n && !r; i++)
		r = ish_vmm_reg_find(w[i]);
	for (f = r ? r->fields : NULL; f && f->name; f++) {
		snprintf(buf, sizeof(buf), "%s=", f->name);
		sh_cands_add(c, buf);
	}
}

static int sh_vmm(struct shell *sh, const struct sh_call *c, struct sh_vmm **out)
{
	const char *name = sh_str(c, "NAME");

	*out = vmm_find(name);
	if (!*out)
		return sh_fail(sh, -ENOENT, "no VMM front end named \"%s\" (vmm create it)",
			       name ? name : "");
	return 0;
}

/* ---- guest RAM: the buffers mapped in the vSMMU's IOAS ----------------------------------- */

static int guest_rw(struct sh_vmm *v, uint64_t gpa, void *buf, size_t len, bool write)
{
	uint8_t *p = buf;
	struct ish_map *m;

	while (len) {
		uint64_t off;
		size_t chunk;

		for (m = ish_map_first(v->sh->ctx); m; m = ish_map_next(m))
			if (ish_map_ioas(m) == v->ioas && gpa >= ish_map_iova(m) &&
			    gpa - ish_map_iova(m) < ish_map_length(m))
				break;
		if (!m)
			return -EFAULT;
		off = gpa - ish_map_iova(m);
		chunk = ish_map_length(m) - off < len ? (size_t)(ish_map_length(m) - off) : len;
		if (write)
			memcpy((uint8_t *)ish_map_va(m) + off, p, chunk);
		else
			memcpy(p, (uint8_t *)ish_map_va(m) + off, chunk);
		p += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

static int g_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	return guest_rw(opaque, gpa, buf, len, false);
}

static int g_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	return guest_rw(opaque, gpa, (void *)buf, len, true);
}

static void g_irq(void *opaque, enum ish_vmm_irq irq)
{
	struct sh_vmm *v = opaque;

	v->irqs[irq]++;
}

static const struct ish_vmm_mem_ops guest_ops = { g_read, g_write, g_irq };

/* ---- printing ----------------------------------------------------------------------------- */

static void print_reg(struct shell *sh, const struct ish_vmm_reg *r, uint64_t val)
{
	const struct ish_idr_field *g;
	const struct ish_field *f;
	char buf[1024];

	ish_vmm_reg_format(r, val, buf, sizeof(buf));
	pr_obj_open(sh, NULL);
	pr_str(sh, PR_ANY, "name", "%-16s", r->name);
	pr_hex(sh, PR_JSON, "offset", NULL, r->offset);
	pr_hex(sh, PR_ANY, "value", r->width == 8 ? "0x%016llx" : "0x%08llx", val);
	pr_text(sh, "  %s\n", buf);
	pr_obj_open(sh, "fields");
	if (r->idr >= 0) {
		uint32_t idr[6] = { 0 };

		idr[r->idr] = (uint32_t)val;
		for (g = ish_idr_fields; g->name; g++)
			if ((int)g->reg == r->idr)
				pr_u64(sh, PR_JSON, g->name, NULL, ish_idr_get(g, idr));
	}
	for (f = r->fields; f && f->name; f++)
		pr_u64(sh, PR_JSON, f->name, NULL, ish_field_get(f, &val));
	pr_obj_close(sh);
	pr_obj_close(sh);
}

/*
 * After a drain: a kernel call the drain made was refused (the guest sees CERROR_ILL, as the
 * architecture wants), so the command that rang PROD fails with that call's errno too: a
 * reproducer must not go on as if the kernel had agreed. An illegal command judged without a
 * kernel call is the guest's error alone.
 */
static int drain_status(struct shell *sh, const struct ish_vmm *vmm, int rc)
{
	const struct ish_vmm_drain *d = ish_vmm_last_drain(vmm);
	const char *call;
	int err = 0;

	if (rc < 0 || !d->error)
		return rc;
	call = ish_err_call(sh->ctx, &err, NULL);
	if (!call || err >= 0)
		return rc;
	return sh_fail(sh, err, "%s failed, so the guest's CMDQ stopped at 0x%x with %s: %s",
		       call, d->error_index, ish_cerror_name(d->error), d->why);
}

static void print_drain(struct shell *sh, const struct ish_vmm *vmm)
{
	const struct ish_vmm_drain *d = ish_vmm_last_drain(vmm);

	pr_obj_open(sh, "cmdq");
	pr_u64(sh, PR_ANY, "consumed", "cmdq: %llu consumed", d->consumed);
	pr_u64(sh, PR_ANY, "forwarded", ", %llu forwarded", d->forwarded);
	pr_u64(sh, PR_ANY, "batches", " in %llu call", d->batches);
	pr_text(sh, "%s", d->batches == 1 ? "" : "s");
	pr_u64(sh, PR_ANY, "installs", ", %llu STE install", d->installs);
	pr_text(sh, "%s", d->installs == 1 ? "" : "s");
	pr_u64(sh, PR_ANY, "dropped", ", %llu dropped", d->dropped);
	pr_u64(sh, PR_ANY, "ioctls", ", %llu kernel call", d->ioctls);
	pr_text(sh, "%s\n", d->ioctls == 1 ? "" : "s");
	if (d->error) {
		pr_str(sh, PR_ANY, "error", "cmdq: stopped: %s", ish_cerror_name(d->error));
		pr_u64(sh, PR_ANY, "index", " at 0x%llx", d->error_index);	/* an index: a number */
		pr_str(sh, PR_ANY, "why", ": %s\n", d->why);
	} else {
		/* the same keys every time (iommush-json(7)) */
		pr_null(sh, "error");
		pr_null(sh, "index");
		pr_null(sh, "why");
	}
	pr_obj_close(sh);
}

static uint64_t reg_read(struct sh_vmm *v, const struct ish_vmm_reg *r)
{
	uint64_t val = 0;

	ish_vmm_mmio_read(v->vmm, r->offset, r->width, &val);
	return val;
}

/* ---- create, destroy, show, reset ------------------------------------------------------------ */

static int cmd_create(struct shell *sh, const struct sh_call *c)
{
	const char *name = sh_str(c, "NAME");
	struct ish_vsmmu *vs;
	struct sh_vmm *v, **p;
	const char *other;
	int rc;

	if (!*name || strlen(name) >= sizeof(v->name))
		return sh_usage(sh, "a VMM name has 1 to %zu characters", sizeof(v->name) - 1);
	if (vmm_find(name))
		return sh_fail(sh, -EEXIST, "VMM %s already exists", name);
	rc = sh_vsmmu(sh, c, "vsmmu", &vs);
	if (rc < 0)
		return rc;
	other = cmd_vmm_on(vs);
	if (other)
		return sh_fail(sh, -EBUSY, "vSMMU %s is already the SMMU of VMM %s", ish_vsmmu_name(vs), other);
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->sh = sh;
	v->vs = vs;
	v->ioas = ish_vsmmu_ioas(vs);
	rc = ish_vmm_new(vs, &guest_ops, v, &v->vmm);
	if (rc < 0) {
		free(v);
		return rc;
	}
	for (p = &vmms; *p; p = &(*p)->next)
		;
	*p = v;
	pr_str(sh, PR_ANY, "name", "vmm %s", v->name);
	pr_str(sh, PR_ANY, "vsmmu", "  vsmmu %s\n", ish_vsmmu_name(vs));
	sh_set_result(sh, "%s", v->name);
	return 0;
}

static int cmd_destroy(struct shell *sh, const struct sh_call *c)
{
	struct sh_vmm *v, **p;
	int rc;

	rc = sh_vmm(sh, c, &v);
	if (rc < 0)
		return rc;
	for (p = &vmms; *p != v; p = &(*p)->next)
		;
	*p = v->next;
	ish_vmm_free(v->vmm);
	free(v);
	return 0;
}

static int cmd_reset(struct shell *sh, const struct sh_call *c)
{
	struct sh_vmm *v;
	int rc;

	rc = sh_vmm(sh, c, &v);
	if (rc < 0)
		return rc;
	v->pending = 0;
	return ish_vmm_reset(v->vmm);
}

static void print_queue(struct shell *sh, const char *key, const char *label,
			const struct ish_vmm_queue *q)
{
	uint32_t size = 1u << q->log2size;

	pr_obj_open(sh, key);
	pr_text(sh, "  %s", label);
	pr_bool(sh, PR_ANY, "enabled", " on", q->enabled);
	pr_text(sh, "%s", q->enabled ? "" : " off");
	pr_hex(sh, PR_ANY, "base", " base 0x%llx", q->base);
	pr_u64(sh, PR_ANY, "entries", " entries %llu", size);
	pr_u64(sh, PR_ANY, "prod", " prod %llu", q->prod & (size - 1));
	pr_u64(sh, PR_JSON, "prod_wrap", NULL, q->prod >> q->log2size);
	pr_text(sh, "%s", q->prod & size ? "w" : "");
	pr_u64(sh, PR_ANY, "cons", " cons %llu", q->cons & (size - 1));
	pr_u64(sh, PR_JSON, "cons_wrap", NULL, q->cons >> q->log2size);
	pr_text(sh, "%s\n", q->cons & size ? "w" : "");
	pr_obj_close(sh);
}

static void print_vmm(struct shell *sh, struct sh_vmm *v)
{
	const struct ish_vmm_reg *cfg = ish_vmm_reg_find("strtab_base_cfg");
	uint64_t cr0ack = reg_read(v, ish_vmm_reg_find("cr0ack"));
	uint64_t gbpa = reg_read(v, ish_vmm_reg_find("gbpa"));
	uint64_t gerr = reg_read(v, ish_vmm_reg_find("gerror")) ^
			reg_read(v, ish_vmm_reg_find("gerrorn"));
	uint64_t st = reg_read(v, cfg), base = reg_read(v, ish_vmm_reg_find("strtab_base"));
	struct ish_vmm_queue q;
	struct ish_vmm_stats s;

	ish_vmm_get_stats(v->vmm, &s);
	pr_obj_open(sh, NULL);
	pr_str(sh, PR_ANY, "name", "vmm %s", v->name);
	pr_str(sh, PR_ANY, "vsmmu", "  vsmmu %s", ish_vsmmu_name(v->vs));
	pr_bool(sh, PR_ANY, "smmuen", "  smmuen", cr0ack & 1);
	pr_bool(sh, PR_ANY, "eventqen", "  eventqen", cr0ack & 4);
	pr_bool(sh, PR_ANY, "cmdqen", "  cmdqen", cr0ack & 8);
	pr_str(sh, PR_ANY, "gbpa", "  gbpa %s", gbpa & (1u << 20) ? "abort" : "bypass");
	pr_hex(sh, PR_ANY, "gerror_active", "  gerror active 0x%llx\n", gerr);
	pr_str(sh, PR_ANY, "strtab_fmt", "  strtab %s", (st >> 16 & 3) ? "2-level" : "linear");
	pr_hex(sh, PR_ANY, "strtab_base", " base 0x%llx", base & 0x000fffffffffffc0ULL);
	pr_u64(sh, PR_ANY, "strtab_log2size", " log2size %llu", st & 0x3f);
	pr_u64(sh, PR_ANY, "strtab_split", " split %llu\n", st >> 6 & 0x1f);
	ish_vmm_cmdq(v->vmm, &q);
	print_queue(sh, "cmdq", "cmdq", &q);
	ish_vmm_eventq(v->vmm, &q);
	print_queue(sh, "eventq", "eventq", &q);
	pr_obj_open(sh, "stats");
	pr_u64(sh, PR_ANY, "commands", "  commands %llu", s.commands);
	pr_u64(sh, PR_ANY, "forwarded", " forwarded %llu", s.forwarded);
	pr_u64(sh, PR_ANY, "batches", " in %llu calls", s.batches);
	pr_u64(sh, PR_ANY, "installs", " installs %llu", s.installs);
	pr_u64(sh, PR_ANY, "dropped", " dropped %llu", s.dropped);
	pr_u64(sh, PR_ANY, "cmdq_errors", " errors %llu\n", s.cmdq_errors);
	pr_u64(sh, PR_ANY, "events", "  events %llu", s.events);
	pr_u64(sh, PR_ANY, "discarded", " discarded %llu", s.events_discarded);
	pr_u64(sh, PR_ANY, "overflows", " overflows %llu", s.overflows);
	pr_u64(sh, PR_ANY, "irq_eventq", " irqs eventq %llu", v->irqs[ISH_VMM_IRQ_EVENTQ]);
	pr_u64(sh, PR_ANY, "irq_gerror", " gerror %llu\n", v->irqs[ISH_VMM_IRQ_GERROR]);
	pr_obj_close(sh);
	pr_obj_close(sh);
}

static int cmd_show(struct shell *sh, const struct sh_call *c)
{
	struct sh_vmm *v;
	int rc;

	if (sh_has(c, "NAME")) {
		rc = sh_vmm(sh, c, &v);
		if (rc < 0)
			return rc;
		pr_arr_open(sh, "vmms");
		print_vmm(sh, v);
	} else {
		pr_arr_open(sh, "vmms");
		for (v = vmms; v; v = v->next)
			print_vmm(sh, v);
	}
	pr_arr_close(sh);
	return 0;
}

/* ---- registers --------------------------------------------------------------------------------- */

static int find_reg(struct shell *sh, const struct sh_call *c, const struct ish_vmm_reg **r)
{
	const char *name = sh_str(c, "REG");

	*r = ish_vmm_reg_find(name);
	if (!*r)
		return sh_usage(sh, "\"%s\" is not an SMMUv3 register (TAB lists them)", name);
	return 0;
}

static int cmd_read(struct shell *sh, const struct sh_call *c)
{
	const struct ish_vmm_reg *r;
	struct sh_vmm *v;
	int rc;

	rc = sh_vmm(sh, c, &v);
	if (rc < 0)
		return rc;
	if (sh_has(c, "REG")) {
		rc = find_reg(sh, c, &r);
		if (rc < 0)
			return rc;
		pr_arr_open(sh, "registers");
		print_reg(sh, r, reg_read(v, r));
	} else {
		pr_arr_open(sh, "registers");
		for (r = ish_vmm_regs; r->name; r++)
			print_reg(sh, r, reg_read(v, r));
	}
	pr_arr_close(sh);
	return 0;
}

/* FIELD=VALUE words over the register's current value (UPDATE and the like are explicit) */
static int compose(struct shell *sh, const struct sh_call *c, const struct ish_vmm_reg *r,
		   uint64_t *val)
{
	char name[32];
	uint64_t fv;
	int i, rc;

	for (i = 0; i < c->nrest; i++) {
		const char *w = c->rest[i], *eq = strchr(w, '=');

		if (!eq || eq == w || (size_t)(eq - w) >= sizeof(name))
			return sh_usage(sh, "\"%s\" is not FIELD=VALUE", w);
		snprintf(name, sizeof(name), "%.*s", (int)(eq - w), w);
		if (!sh_parse_u64(eq + 1, &fv))
			return sh_usage(sh, "%s: \"%s\" is not a number", name, eq + 1);
		rc = ish_vmm_reg_set_field(r, val, name, fv);
		if (rc == -ENOENT)
			return sh_usage(sh, "%s has no field \"%s\" (TAB lists them)", r->name, name);
		if (rc < 0)
			return sh_usage(sh, "%s=%s does not fit the field", name, eq + 1);
	}
	return 0;
}

static int cmd_write(struct shell *sh, const struct sh_call *c)
{
	const struct ish_vmm_reg *r;
	struct sh_vmm *v;
	uint64_t val;
	int rc;

	rc = sh_vmm(sh, c, &v);
	if (rc == 0)
		rc = find_reg(sh, c, &r);
	if (rc < 0)
		return rc;
	if (sh_has(c, "VALUE") == (c->nrest > 0))
		return sh_usage(sh, "give either VALUE or FIELD=VALUE words");
	if (r->ro)
		return sh_fail(sh, -EPERM, "%s is read-only (the SMMU ignores writes to it)",
			       r->name);
	val = sh_has(c, "VALUE") ? sh_num(c, "VALUE", 0) : reg_read(v, r);
	if (r->width == 4 && val >> 32)
		return sh_usage(sh, "%s is a 32-bit register", r->name);
	rc = compose(sh, c, r, &val);
	if (rc < 0)
		return rc;
	rc = ish_vmm_mmio_write(v->vmm, r->offset, r->width, val);
	if (!strcmp(r->name, "cmdq_prod") || !strcmp(r->name, "cmdq_base"))
		v->pending = 0;
	pr_arr_open(sh, "registers");
	print_reg(sh, r, reg_read(v, r));
	pr_arr_close(sh);
	/* what consuming the command queue did, for the writes that do */
	if (!strcmp(r->name, "cmdq_prod") || !strcmp(r->name, "gerrorn") ||
	    !strcmp(r->name, "cr0"))
		if (ish_vmm_last_drain(v->vmm)->consumed || ish_vmm_last_drain(v->vmm)->error ||
		    !strcmp(r->name, "cmdq_prod")) {
			print_drain(sh, v->vmm);
			return drain_status(sh, v->vmm, rc);
		}
	pr_null(sh, "cmdq");	/* this write consumed nothing: the same keys every time */
	return rc;
}

/* ---- guest memory: STEs, L1 descriptors, commands, events --------------------------------------- */

static int cmd_ste(struct shell *sh, const struct sh_call *c)
{
	uint32_t sid = (uint32_t)sh_num(c, "SID", 0);
	uint64_t ste[8] = { 0 }, gpa;
	struct sh_vmm *v;
	int rc, i;

	rc = sh_vmm(sh, c, &v);
	if (rc < 0)
		return rc;
	if (sh_has(c, "raw")) {
		if (c->nrest)
			return sh_usage(sh, "raw W0 W1 stands alone");
		ste[0] = sh_num2(c, "raw", 0);
		ste[1] = sh_num2(c, "raw", 1);
	} else {
		rc = cmd_parse_ste(sh, c->rest, c->nrest, ste);
		if (rc < 0)
			return rc;
	}
	rc = ish_vmm_ste_addr(v->vmm, sid, &gpa);
	if (rc == -ERANGE)
		return sh_fail(sh, rc, "StreamID 0x%x is beyond the guest's stream table (see vmm "
			       "read %s strtab_base_cfg)", sid, v->name);
	if (rc == -ENOENT)
		return sh_fail(sh, rc, "the L1 descriptor of StreamID 0x%x is invalid (write it with "
			       "vmm l1)", sid);
	if (rc < 0)
		return sh_fail(sh, rc, "the L1 descriptor of StreamID 0x%x is outside guest RAM", sid);
	for (i = 0; i < 8; i++)
		ste[i] = htole64(ste[i]);
	/* the whole 64-byte STE: words 2-7 are zero */
	if (guest_rw(v, gpa, ste, sizeof(ste), true) < 0)
		return sh_fail(sh, -EFAULT, "the STE of StreamID 0x%x at 0x%llx is outside guest RAM "
			       "(map a buffer there)", sid, (unsigned long long)gpa);
	for (i = 0; i < 2; i++)
		ste[i] = le64toh(ste[i]);
	pr_hex(sh, PR_ANY, "sid", "sid 0x%llx", sid);
	pr_hex(sh, PR_ANY, "gpa", "  at 0x%llx", gpa);
	cmd_print_ste(sh, "ste", ste);
	pr_nl(sh);
	return 0;
}

static int cmd_l1(struct shell *sh, const struct sh_call *c)
{
	uint32_t sid = (uint32_t)sh_num(c, "SID", 0);
	uint64_t span = sh_num(c, "span", 0), l2 = sh_num(c, "l2ptr", 0), base, cfg, desc;
	const struct ish_vmm_reg *rb = ish_vmm_reg_find("strtab_base");
	const struct ish_vmm_reg *rc_ = ish_vmm_reg_find("strtab_base_cfg");
	struct sh_vmm *v;
	uint64_t gpa;
	int rc;

	rc = sh_vmm(sh, c, &v);
	if (rc < 0)
		return rc;
	if (span > 12)
		return sh_usage(sh, "span: 0 (invalid) to 12");
	if (l2 & ~0x000fffffffffffc0ULL)
		return sh_usage(sh, "l2ptr: a 64-byte aligned address below 2^52");
	base = reg_read(v, rb) & 0x000fffffffffffc0ULL;
	cfg = reg_read(v, rc_);
	if ((cfg >> 16 & 3) != 1)
		return sh_fail(sh, -EINVAL, "the guest's stream table is linear "
			       "(STRTAB_BASE_CFG.FMT=%llu)", (unsigned long long)(cfg >> 16 & 3));
	gpa = base + (uint64_t)(sid >> (cfg >> 6 & 0x1f)) * 8;
	desc = htole64(l2 | span);
	if (guest_rw(v, gpa, &desc, sizeof(desc), true) < 0)
		return sh_fail(sh, -EFAULT, "the L1 descriptor at 0x%llx is outside guest RAM",
			       (unsigned long long)gpa);
	pr_hex(sh, PR_ANY, "gpa", "l1 at 0x%llx", gpa);
	pr_hex(sh, PR_ANY, "l2ptr", "  l2ptr 0x%llx", l2);
	pr_u64(sh, PR_ANY, "span", "  span %llu\n", span);
	return 0;
}

static int cmd_cmd(struct shell *sh, const struct sh_call *c)
{
	uint64_t (*cmds)[2] = NULL, repeat = sh_num(c, "repeat", 1);
	struct ish_vmm_queue q;
	struct sh_vmm *v;
	uint32_t n, i, k, prod, size;
	uint64_t total;
	int rc;

	rc = sh_vmm(sh, c, &v);
	if (rc < 0)
		return rc;
	if (!repeat || repeat > (1u << 19))
		return sh_usage(sh, "repeat: 1 to 524288");
	rc = cmd_parse_cmds(sh, c->rest, c->nrest, &cmds, &n);
	if (rc < 0)
		return rc;
	ish_vmm_cmdq(v->vmm, &q);
	size = 1u << q.log2size;
	total = (uint64_t)n * repeat;
	/* as the guest's driver: after what it wrote already; the queue holds size entries */
	prod = (q.prod + v->pending) & (2 * size - 1);
	if (total > size - ((prod - q.cons) & (2 * size - 1))) {
		free(cmds);
		return sh_fail(sh, -ENOSPC, "%llu commands do not fit: the command queue has %u "
			       "entries, %u in use", (unsigned long long)total, size,
			       (prod - q.cons) & (2 * size - 1));
	}
	for (k = 0; k < repeat; k++)
		for (i = 0; i < n; i++) {
			uint64_t w[2] = { htole64(cmds[i][0]), htole64(cmds[i][1]) };
			uint64_t gpa = q.base + (uint64_t)(prod & (size - 1)) * 16;

			if (guest_rw(v, gpa, w, sizeof(w), true) < 0) {
				free(cmds);
				return sh_fail(sh, -EFAULT, "command queue entry at 0x%llx is "
					       "outside guest RAM", (unsigned long long)gpa);
			}
			prod = (prod + 1) & (2 * size - 1);
		}
	free(cmds);
	pr_u64(sh, PR_ANY, "written", "%llu command", total);
	pr_text(sh, "%s", total == 1 ? "" : "s");
	pr_u64(sh, PR_ANY, "prod", ", prod 0x%llx\n", prod);
	if (sh_has(c, "noring")) {
		pr_null(sh, "cmdq");	/* not rung: nothing consumed yet */
		v->pending = (prod - q.prod) & (2 * size - 1);
		return 0;
	}
	v->pending = 0;
	rc = ish_vmm_mmio_write(v->vmm, ish_vmm_reg_find("cmdq_prod")->offset, 4, prod);
	print_drain(sh, v->vmm);
	return drain_status(sh, v->vmm, rc);
}

static int cmd_events(struct shell *sh, const struct sh_call *c)
{
	uint64_t wait = sh_num(c, "wait", 0);
	int want = -1, n, found = 0;
	int64_t sid = sh_has(c, "sid") ? (int64_t)sh_num(c, "sid", 0) : -1;
	struct ish_vmm_queue q;
	struct sh_vmm *v;
	uint32_t size, i, count;
	char buf[512];
	int rc;

	rc = sh_vmm(sh, c, &v);
	if (rc < 0)
		return rc;
	if (wait > 0x7fffffff)
		return sh_usage(sh, "wait: at most 2147483647 ms");
	if (sh_has(c, "expect")) {
		want = ish_evt_id_by_name(sh_str(c, "expect"));
		if (want < 0)
			return sh_usage(sh, "expect: \"%s\" is not an SMMUv3 event name",
					sh_str(c, "expect"));
	} else if (sid >= 0) {
		return sh_usage(sh, "sid: only with expect EVENT");
	}
	n = ish_vmm_events(v->vmm, (int)wait);
	if (n < 0)
		return n;
	ish_vmm_eventq(v->vmm, &q);
	size = 1u << q.log2size;
	count = (q.prod - q.cons) & (2 * size - 1);
	pr_u64(sh, PR_ANY, "new", "%llu new", (uint64_t)n);
	pr_u64(sh, PR_ANY, "queued", ", %llu in the guest's event queue", count);
	pr_bool(sh, PR_ANY, "overflow", ", overflow", (reg_read(v, ish_vmm_reg_find("eventq_prod")) ^
		reg_read(v, ish_vmm_reg_find("eventq_cons"))) >> 31);
	pr_nl(sh);
	pr_arr_open(sh, "events");
	for (i = 0; i < count; i++) {
		uint32_t idx = (q.cons + i) & (size - 1);
		uint64_t e[4];
		int k;

		if (guest_rw(v, q.base + (uint64_t)idx * 32, e, sizeof(e), false) < 0)
			break;
		for (k = 0; k < 4; k++)
			e[k] = le64toh(e[k]);
		ish_evt_format(e, buf, sizeof(buf));
		pr_obj_open(sh, NULL);
		pr_u64(sh, PR_ANY, "index", "  [%llu] ", idx);
		pr_str(sh, PR_ANY, "decoded", "%s\n", buf);
		pr_u64(sh, PR_JSON, "event_id", NULL, e[0] & 0xff);
		pr_str(sh, PR_JSON, "name", NULL, ish_evt_name((uint8_t)(e[0] & 0xff)));
		cmd_print_fields(sh, buf, NULL);
		pr_hex(sh, PR_JSON, "sid", NULL, e[0] >> 32);
		pr_arr_open(sh, "words");
		for (k = 0; k < 4; k++)
			pr_hex(sh, PR_JSON, NULL, NULL, e[k]);
		pr_arr_close(sh);
		pr_obj_close(sh);
		if ((int)(e[0] & 0xff) == want && (sid < 0 || (int64_t)(e[0] >> 32) == sid))
			found++;
	}
	pr_arr_close(sh);
	if (sh_has(c, "consume")) {
		/* as the guest's driver: CONS up to PROD, the overflow acknowledged */
		uint64_t prod = reg_read(v, ish_vmm_reg_find("eventq_prod"));

		ish_vmm_mmio_write(v->vmm, ish_vmm_reg_find("eventq_cons")->offset, 4, prod);
	}
	if (want >= 0 && !found)
		return sh_fail(sh, -ENOMSG, "no %s event%s in the guest's event queue",
			       ish_evt_name((uint8_t)want), sid >= 0 ? " with that vSID" : "");
	return 0;
}

/* ---- the table ---------------------------------------------------------------------------------- */

#define NAME_ARG { "NAME", SH_POS, SH_T_VMM, 0, NULL, "the VMM front end", complete_names }

static const struct sh_arg create_args[] = {
	{ "NAME", SH_POS, SH_T_WORD, 0, NULL, "its name (up to 31 characters)" },
	{ "vsmmu", SH_KW, SH_T_VSMMU, 0, NULL, "the vSMMU it is the guest's view of" },
	{ NULL }
};

static const struct sh_arg name_args[] = { NAME_ARG, { NULL } };

static const struct sh_arg show_args[] = {
	{ "NAME", SH_POS, SH_T_VMM, SH_OPT, NULL, "one front end (default: all)", complete_names },
	{ NULL }
};

static const struct sh_arg read_args[] = {
	NAME_ARG,
	{ "REG", SH_POS, SH_T_VMM_REG, SH_OPT, NULL, "a register (default: all of them)",
	  complete_regs },
	{ NULL }
};

static const struct sh_arg write_args[] = {
	NAME_ARG,
	{ "REG", SH_POS, SH_T_VMM_REG, 0, NULL, "a register: cr0, gbpa, cmdq_prod...",
	  complete_regs },
	{ "VALUE", SH_POS, SH_T_U64, SH_OPT, NULL, "the whole value" },
	{ "FIELD=VALUE", SH_REST, SH_T_REG_FIELDS, SH_OPT, NULL,
	  "fields changed in the current value instead (cmdqen=1, abort=1 update=1)",
	  complete_fields },
	{ NULL }
};

static const struct sh_arg ste_args[] = {
	NAME_ARG,
	{ "SID", SH_POS, SH_T_U32, 0, NULL, "the StreamID whose STE the guest writes" },
	{ "raw", SH_KW, SH_T_U64, SH_OPT | SH_TWO, NULL, "STE words 0 and 1 as they are" },
	{ "FIELD=VALUE", SH_REST, SH_T_STE_FIELDS, SH_OPT, NULL,
	  "STE fields by name (config=bypass, s1contextptr=0x100000...); V=1 unless given" },
	{ NULL }
};

static const struct sh_arg l1_args[] = {
	NAME_ARG,
	{ "SID", SH_POS, SH_T_U32, 0, NULL, "a StreamID the descriptor covers" },
	{ "span", SH_KW, SH_T_U64, 0, NULL, "0 invalid, else 2^(SPAN-1) STEs in the L2 table" },
	{ "l2ptr", SH_KW, SH_T_U64, 0, NULL, "the L2 table's address" },
	{ NULL }
};

static const struct sh_arg cmd_args[] = {
	NAME_ARG,
	{ "repeat", SH_KW, SH_T_U64, SH_OPT, NULL, "write the list N times (default 1)" },
	{ "noring", SH_FLAG, SH_T_WORD, SH_OPT, NULL, "write the commands, leave CMDQ_PROD" },
	{ "CMD", SH_REST, SH_T_CMDS, 0, NULL,
	  "NAME [FIELD=VALUE...] or raw W0 W1; several separated by \",\"" },
	{ NULL }
};

static const struct sh_arg events_args[] = {
	NAME_ARG,
	{ "wait", SH_KW, SH_T_U64, SH_OPT, NULL, "wait up to MS milliseconds for the vEVENTQ" },
	{ "consume", SH_FLAG, SH_T_WORD, SH_OPT, NULL,
	  "then consume them as the guest: EVENTQ_CONS = EVENTQ_PROD" },
	EXPECT_ARGS,
	{ NULL }
};

const struct sh_group sh_group_vmm = {
	"vmm", "the guest's view of a vSMMU: registers, stream table, queues",
	"iommush-vmm(8)", (const struct sh_cmd[]) {
		{ "create", "NAME vsmmu VSMMU", "Create a VMM front end on a vSMMU; guest RAM is "
		  "the buffers mapped in its IOAS.", create_args, cmd_create, 0 },
		{ "read", "NAME [REG]", "Read a register (or all), every field decoded.",
		  read_args, cmd_read, 0 },
		{ "write", "NAME REG (VALUE | FIELD=VALUE...)", "Write a register as the guest "
		  "would; fields change the current value.", write_args, cmd_write, 0 },
		{ "ste", "NAME SID (raw W0 W1 | FIELD=VALUE...)", "Write an STE into the guest's "
		  "stream table (no invalidation).", ste_args, cmd_ste, 0 },
		{ "l1", "NAME SID span SPAN l2ptr ADDR", "Write the L1 descriptor of a 2-level "
		  "stream table.", l1_args, cmd_l1, 0 },
		{ "cmd", "NAME [repeat N] [noring] CMD [FIELD=VALUE...] [, CMD ...]",
		  "Write commands at CMDQ_PROD, then ring it: the front end consumes them.",
		  cmd_args, cmd_cmd, 0 },
		{ "events", "NAME [wait MS] [consume] [expect EVENT [sid VSID]]",
		  "Move the vEVENTQ's records into the guest's event queue and decode it.",
		  events_args, cmd_events, 0 },
		{ "reset", "NAME", "Reset the SMMU: registers to reset values, every device on the "
		  "GBPA proxy.", name_args, cmd_reset, 0 },
		{ "show", "[NAME]", "Enables, GBPA, stream table, queues and counters.",
		  show_args, cmd_show, 0 },
		{ "destroy", "NAME", "Forget the front end (the vSMMU stays as it is).",
		  name_args, cmd_destroy, 0 },
		{ 0 }
	}, vmm_free_all
};
