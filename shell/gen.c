// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommush gen: write a batch script of random but meaningful calls over the uAPI the shell
 * covers, for differential testing (the same script on the kernel and on the simulator, see
 * iommush reduce --differs). Seeded and reproducible: the same seed and options give the same
 * script on every machine (one 64-bit generator, no floating point, no host state, and at
 * most one draw in an expression whose order C leaves open: draws go into locals first).
 *
 * The generator keeps a model of what the script has made (by variable), and each operation
 * in ops[] picks its arguments mostly from that model so calls reach real state (a device on
 * a nest parent with a vIOMMU, vDEVICEs and a vEVENTQ, nested HWPTs, DMA through them), and
 * otherwise from the edges the kernel checks: wrong object types, ids just freed (and reused),
 * raw ids, reserved bits, zero and huge sizes, unaligned addresses, the MSI window.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "shell.h"

/* ---- the random source: splitmix64 --------------------------------------------------------- */

struct gen {
	uint64_t s;
	FILE *out;
	unsigned long lines, calls;
	bool dma;
	unsigned int sleep_ms;
	unsigned long nvar;		/* variables made so far: o1, o2... */
	bool edgy;			/* an argument of this command was not a live object */
};

static uint64_t rnd(struct gen *g)
{
	uint64_t z = (g->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int below(struct gen *g, unsigned int n)
{
	return n ? (unsigned int)(rnd(g) % n) : 0;
}

/* true with probability pct/100 */
static bool chance(struct gen *g, unsigned int pct)
{
	return below(g, 100) < pct;
}

#define PICK(g, arr) ((arr)[below((g), sizeof(arr) / sizeof((arr)[0]))])

/* ---- the model ---------------------------------------------------------------------------- */

enum kind { K_DEV, K_IOAS, K_MEM, K_S2, K_HWPT, K_NESTED, K_VIOMMU, K_VDEV, K_VEVENTQ, K_NKIND };

#define POOL 12

struct obj {
	char var[16];
	bool alive;		/* as far as the script knows (the call may have failed) */
	bool nest_parent;	/* K_S2 */
	int dev;		/* K_DEV: 0 or 1 (00:01.0, 00:02.0); others: the device it was made for */
	uint64_t size;		/* K_MEM */
};

static const char *const bdfs[] = { "0000:00:01.0", "0000:00:02.0" };
static struct obj pool[K_NKIND][POOL];
static struct obj *bound[2];	/* the device variable bound to 00:01.0, 00:02.0 */
static unsigned int npool[K_NKIND];
/* mapped ranges of IOVA (any IOAS): what DMA and vSTE pointers aim at */
static uint64_t mapped[16];
static struct obj *mapped_mem[16];	/* the buffer mapped there, NULL: not known */
static unsigned int nmapped;
static bool vsmmu_made[2], vmm_made[2];

static void emit(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(g->out, fmt, ap);
	va_end(ap);
	fputc('\n', g->out);
	g->lines++;
}

/* a new variable for an object of @k; a full pool reuses a slot (the old variable is kept) */
static struct obj *new_obj(struct gen *g, enum kind k)
{
	struct obj *o;

	if (npool[k] < POOL)
		o = &pool[k][npool[k]++];
	else
		/* a full pool reuses a slot, never that of a bound device */
		do
			o = &pool[k][below(g, POOL)];
		while (o == bound[0] || o == bound[1]);
	memset(o, 0, sizeof(*o));
	snprintf(o->var, sizeof(o->var), "o%lu", ++g->nvar);
	o->alive = true;
	return o;
}

/* an object of @k the script believes alive (else any of @k), NULL when it made none */
static struct obj *some(struct gen *g, enum kind k)
{
	unsigned int i, n = 0, alive[POOL];

	for (i = 0; i < npool[k]; i++)
		if (pool[k][i].alive)
			alive[n++] = i;
	if (n && !chance(g, 8))
		return &pool[k][alive[below(g, n)]];
	return npool[k] ? &pool[k][below(g, npool[k])] : NULL;
}

/*
 * An argument that should be an object of @k: mostly one the script made, else an object of
 * another kind, a small raw id (just freed, not made yet, reused) or an impossible one.
 */
static const char *arg(struct gen *g, enum kind k, char *buf, size_t len)
{
	static const char *const raw[] = { "0", "0xffffffff", "1", "2", "3", "4", "5", "6", "7",
					   "8", "9", "10", "11", "12", "13", "14", "16", "20" };
	struct obj *o = NULL;
	unsigned int r = below(g, 100);

	if (k == K_DEV && r < 55) {
		snprintf(buf, len, "%s", bdfs[below(g, 2)]);
		return buf;
	}
	if (r < 90)
		o = some(g, k);
	else if (r < 96)
		o = some(g, (enum kind)below(g, K_NKIND));
	if (o) {
		if (!o->alive || r >= 90)
			g->edgy = true;
		snprintf(buf, len, "$%s", o->var);
		return buf;
	}
	g->edgy = true;
	if (k == K_DEV && !chance(g, 20)) {
		snprintf(buf, len, "%s", chance(g, 50) ? "0000:00:01.0" : "0000:00:02.0");
		return buf;
	}
	snprintf(buf, len, "%s", PICK(g, raw));
	return buf;
}

/* ---- values at the edges ------------------------------------------------------------------ */

/* an IOVA the script mapped (maybe): DMA and vSTE pointers aim there */
static void remember_map(struct gen *g, uint64_t iova, struct obj *m)
{
	unsigned int i = nmapped < 16 ? nmapped++ : below(g, 16);

	mapped[i] = iova;
	mapped_mem[i] = m;
}

static uint64_t iova_value(struct gen *g)
{
	static const uint64_t edge[] = { 0, 0x1000, 0x100000, 0x200000, 0x7fff000, 0x8000000,
					 0x80ff000, 0x8100000, 0x40000000, 0xfffff000,
					 0xffffffffff000ULL, 0x1000000000000ULL, 0x1001, 0x100800 };

	uint64_t base, step;

	if (nmapped && chance(g, 40)) {
		base = mapped[below(g, nmapped)];
		step = chance(g, 70) ? 0 : 0x1000ULL * below(g, 16);
		return base + step;
	}
	if (chance(g, 50))
		return 0x100000ULL + 0x10000ULL * below(g, 64);
	return PICK(g, edge);
}

static uint64_t length_value(struct gen *g, uint64_t size)
{
	static const uint64_t edge[] = { 0, 0x1000, 0x2000, 0x10000, 0x200000, 0x800, 0x1001,
					 0x100000000ULL };

	if (size && chance(g, 70))
		return chance(g, 60) ? size : size / 2;
	return PICK(g, edge);
}

static const char *const mem_sizes[] = { "4K", "8K", "16K", "64K", "64K", "64K", "1M", "2M",
					 "12K", "2M" };

static uint64_t size_of(const char *s)
{
	uint64_t v = strtoull(s, NULL, 10);

	return strchr(s, 'M') ? v << 20 : v << 10;
}

/* a vSTE: mostly what a guest writes (abort, bypass, S1 translate into mapped memory), else
 * a valid one with a bit the kernel refuses (reserved, a field it does not take) */
static void vste(struct gen *g, uint64_t *w0, uint64_t *w1)
{
	static const unsigned int cfgs[] = { 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 6, 7, 2 };
	static const uint64_t w1_ok[] = { 0x1, 0x2, 0x4, 0x10, 0x40, 0x8000000, 0x10000000,
					  0x20000000, 0x30000000 };
	unsigned int cfg = PICK(g, cfgs);
	uint64_t ctx = (nmapped ? mapped[below(g, nmapped)] : 0x100000) + 0x8000;
	uint64_t v = chance(g, 92) ? 1 : 0;

	*w0 = v | (uint64_t)cfg << 1;
	if (cfg == 5 || chance(g, 10)) {
		*w0 |= ctx & 0xffffffffffc0ULL;
		if (chance(g, 15))
			*w0 |= (uint64_t)below(g, 4) << 4;		/* S1Fmt */
		if (chance(g, 15))
			*w0 |= (uint64_t)below(g, 32) << 59;	/* S1CDMax */
	}
	*w1 = 0;
	if (chance(g, 25))
		*w1 |= PICK(g, w1_ok);
	if (chance(g, 10))
		*w1 |= 1ULL << below(g, 64);			/* anything, reserved bits too */
	if (chance(g, 6))
		*w0 |= 1ULL << below(g, 64);
}

/* CMDQ commands for an invalidation batch: what a guest sends, at times garbage */
static void cmds(struct gen *g, char *buf, size_t len)
{
	static const char *const sids[] = { "0x0", "0x1", "0x5", "0x8", "0x10", "0x42", "0x99",
					    "0xffffffff" };
	unsigned int n = 1 + below(g, chance(g, 20) ? 12 : 4), i;
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off + 96 < len; i++) {
		const char *sep = i ? " , " : "", *sid;
		unsigned int kind = below(g, 11), x, y, z;
		uint64_t w0, w1;

		switch (kind) {
		case 0:
			sid = PICK(g, sids);
			x = below(g, 2);
			y = below(g, 2);
			off += snprintf(buf + off, len - off, "%sCFGI_CD sid=%s ssid=%u leaf=%u", sep,
					sid, x, y);
			break;
		case 1:
			sid = PICK(g, sids);
			off += snprintf(buf + off, len - off, "%sCFGI_CD_ALL sid=%s", sep, sid);
			break;
		case 2: off += snprintf(buf + off, len - off, "%sTLBI_NH_ALL", sep); break;
		case 3:
			x = below(g, 4);
			off += snprintf(buf + off, len - off, "%sTLBI_NH_ASID asid=%u", sep, x);
			break;
		case 4:
			x = below(g, 4);
			y = 0x1000 * below(g, 64);
			z = below(g, 2);
			off += snprintf(buf + off, len - off, "%sTLBI_NH_VA asid=%u addr=0x%x leaf=%u",
					sep, x, y, z);
			break;
		case 5:
			x = 0x1000 * below(g, 64);
			off += snprintf(buf + off, len - off, "%sTLBI_NH_VAA addr=0x%x", sep, x);
			break;
		case 6: off += snprintf(buf + off, len - off, "%sCMD_SYNC", sep); break;
		case 7:
			sid = PICK(g, sids);
			x = below(g, 64);
			off += snprintf(buf + off, len - off, "%sATC_INV sid=%s size=%u", sep, sid, x);
			break;
		case 8: off += snprintf(buf + off, len - off, "%sTLBI_NSNH_ALL", sep); break;
		case 9: off += snprintf(buf + off, len - off, "%sTLBI_EL2_ALL", sep); break;
		default:
			/* an opcode below 0x50 (known or not) with any other bits */
			w0 = rnd(g) & 0xffffffffff0000ffULL;
			w0 = (w0 & ~0xffULL) | below(g, 0x50);
			w1 = chance(g, 50) ? 0 : rnd(g);
			off += snprintf(buf + off, len - off, "%sraw 0x%" PRIx64 " 0x%" PRIx64, sep,
					w0, w1);
			break;
		}
	}
}

/* ---- the operations ----------------------------------------------------------------------- */

static struct obj *bind_dev(struct gen *g, unsigned int d)
{
	struct obj *o = new_obj(g, K_DEV);

	o->dev = (int)d;
	bound[d] = o;
	emit(g, "let %s = device bind 0000:00:0%u.0", o->var, d + 1);
	if (g->dma && !chance(g, 5))
		emit(g, "mmio write $%s config 0x4 0x6 width 2", o->var);
	return o;
}

static void op_bind(struct gen *g)
{
	unsigned int d = below(g, 2);

	if (chance(g, 3)) {
		emit(g, "device bind 0000:00:07.0");
		return;
	}
	/* mostly a device that is not bound; at times one that is (EALREADY), with no variable */
	if (bound[d] && bound[d]->alive && !chance(g, 10))
		d ^= 1;
	if (bound[d] && bound[d]->alive) {
		emit(g, "device bind 0000:00:0%u.0", d + 1);
		return;
	}
	bind_dev(g, d);
}

static void op_unbind(struct gen *g)
{
	struct obj *o = bound[below(g, 2)];
	char a[32];

	if (o && o->alive && chance(g, 90)) {
		o->alive = false;
		emit(g, "device unbind $%s", o->var);
	} else {
		emit(g, "device unbind %s", arg(g, K_DEV, a, sizeof(a)));
	}
}

static void op_ioas(struct gen *g)
{
	emit(g, "let %s = ioas alloc", new_obj(g, K_IOAS)->var);
}

static void op_mem(struct gen *g)
{
	const char *s = PICK(g, mem_sizes);
	struct obj *o = new_obj(g, K_MEM);

	o->size = size_of(s);
	emit(g, "let %s = mem alloc %s", o->var, s);
	if (chance(g, 50))
		emit(g, "mem fill $%s seq", o->var);
}

static void op_map(struct gen *g)
{
	struct obj *m = some(g, K_MEM);
	char a[32], b[32], line[256];
	uint64_t size = m ? m->size : 0x1000, iova = iova_value(g);
	size_t off;

	arg(g, K_IOAS, a, sizeof(a));
	if (m && chance(g, 95))
		snprintf(b, sizeof(b), "$%s", m->var);
	else
		arg(g, K_MEM, b, sizeof(b));
	off = (size_t)snprintf(line, sizeof(line), "ioas map %s %s", a, b);
	if (!chance(g, 10))
		off += (size_t)snprintf(line + off, sizeof(line) - off, " iova 0x%" PRIx64, iova);
	if (chance(g, 30))
		off += (size_t)snprintf(line + off, sizeof(line) - off, " length 0x%" PRIx64,
					length_value(g, size));
	if (chance(g, 10))
		off += (size_t)snprintf(line + off, sizeof(line) - off, " offset 0x%x",
					chance(g, 80) ? 0x1000 * below(g, 4) : 0x800);
	if (chance(g, 10))
		snprintf(line + off, sizeof(line) - off, " readonly");
	emit(g, "%s", line);
	remember_map(g, iova, b[0] == '$' ? m : NULL);
}

static void op_unmap(struct gen *g)
{
	char a[32];

	uint64_t iova, len;

	if (chance(g, 30)) {
		emit(g, "ioas unmap %s all", arg(g, K_IOAS, a, sizeof(a)));
		return;
	}
	arg(g, K_IOAS, a, sizeof(a));
	iova = iova_value(g);
	len = length_value(g, 0x10000);
	emit(g, "ioas unmap %s iova 0x%" PRIx64 " length 0x%" PRIx64, a, iova, len);
}

/*
 * An allocating command: bound to a new variable of @k when its arguments were all objects
 * the script believes alive (g->edgy clear), else run plain: it most likely fails, and a
 * variable left unset would make every later use of it a usage error, no kernel call.
 */
static struct obj *alloc_cmd(struct gen *g, enum kind k, const char *cmd)
{
	struct obj *o;

	if (g->edgy) {
		emit(g, "%s", cmd);
		return NULL;
	}
	o = new_obj(g, k);
	emit(g, "let %s = %s", o->var, cmd);
	return o;
}

static void op_hwpt(struct gen *g)
{
	char a[32], b[32], cmd[160];
	bool np = chance(g, 75), dirty = chance(g, 8);
	enum kind on = chance(g, 85) ? K_IOAS : K_S2;
	struct obj *o;

	g->edgy = dirty || on != K_IOAS;
	arg(g, K_DEV, a, sizeof(a));
	arg(g, on, b, sizeof(b));
	snprintf(cmd, sizeof(cmd), "hwpt alloc %s %s%s%s", a, b, np ? " nest-parent" : "",
		 dirty ? " dirty-tracking" : "");
	o = alloc_cmd(g, K_S2, cmd);
	if (o)
		o->nest_parent = np;
}

static void op_nested(struct gen *g)
{
	char a[32], b[32], cmd[160];
	uint64_t w0, w1;

	g->edgy = false;
	vste(g, &w0, &w1);
	arg(g, K_DEV, a, sizeof(a));
	arg(g, K_VIOMMU, b, sizeof(b));
	snprintf(cmd, sizeof(cmd), "hwpt alloc %s %s ste 0x%" PRIx64 " 0x%" PRIx64, a, b, w0, w1);
	alloc_cmd(g, K_NESTED, cmd);
}

static void op_attach(struct gen *g)
{
	static const enum kind pts[] = { K_S2, K_S2, K_NESTED, K_NESTED, K_NESTED, K_IOAS,
					 K_VIOMMU, K_MEM };
	char a[32], b[32];
	enum kind k;

	arg(g, K_DEV, a, sizeof(a));
	k = PICK(g, pts);
	arg(g, k, b, sizeof(b));
	emit(g, "device attach %s %s", a, b);
}

static void op_detach(struct gen *g)
{
	char a[32];

	emit(g, "device detach %s", arg(g, K_DEV, a, sizeof(a)));
}

static void op_viommu(struct gen *g)
{
	char a[32], b[32], cmd[160];
	const char *type = "";

	g->edgy = false;
	arg(g, K_DEV, a, sizeof(a));
	arg(g, K_S2, b, sizeof(b));
	if (chance(g, 4)) {
		type = chance(g, 50) ? " type 0" : " type 2";
		g->edgy = true;
	}
	snprintf(cmd, sizeof(cmd), "viommu alloc %s %s%s", a, b, type);
	alloc_cmd(g, K_VIOMMU, cmd);
}

static void op_vdevice(struct gen *g)
{
	static const char *const vsids[] = { "0x5", "0x8", "0x10", "0x42", "0x0", "0x5",
					     "0xffff", "0x100000000" };
	char a[32], b[32], cmd[160];
	const char *vsid;

	g->edgy = false;
	arg(g, K_VIOMMU, a, sizeof(a));
	arg(g, K_DEV, b, sizeof(b));
	vsid = PICK(g, vsids);
	snprintf(cmd, sizeof(cmd), "vdevice alloc %s %s vsid %s", a, b, vsid);
	alloc_cmd(g, K_VDEV, cmd);
}

static void op_veventq(struct gen *g)
{
	static const char *const depths[] = { "", " depth 16", " depth 1", " depth 2",
					      " depth 0", " depth 0x80000", " depth 64" };
	char a[32], cmd[160];
	const char *depth;

	g->edgy = false;
	arg(g, K_VIOMMU, a, sizeof(a));
	depth = PICK(g, depths);
	snprintf(cmd, sizeof(cmd), "veventq alloc %s%s", a, depth);
	alloc_cmd(g, K_VEVENTQ, cmd);
}

static void op_veventq_read(struct gen *g)
{
	char a[32];

	emit(g, "veventq read %s", arg(g, K_VEVENTQ, a, sizeof(a)));
}

static void op_invalidate(struct gen *g)
{
	char a[32], c[1400];

	cmds(g, c, sizeof(c));
	emit(g, "viommu invalidate %s %s", arg(g, chance(g, 90) ? K_VIOMMU : K_NESTED, a, sizeof(a)), c);
}

static void op_destroy(struct gen *g)
{
	enum kind k = (enum kind)below(g, K_NKIND);
	struct obj *o;
	char a[32];

	if (k == K_DEV || k == K_MEM)
		k = K_NESTED;
	o = some(g, k);
	if (o && chance(g, 80)) {
		o->alive = false;
		emit(g, "destroy $%s", o->var);
	} else {
		emit(g, "destroy %s", arg(g, k, a, sizeof(a)));
	}
}

static void op_mem_free(struct gen *g)
{
	char a[32];

	emit(g, "mem free %s", arg(g, K_MEM, a, sizeof(a)));
}

static void op_info(struct gen *g)
{
	char a[32];

	emit(g, "device info %s", arg(g, K_DEV, a, sizeof(a)));
}

static void op_show(struct gen *g)
{
	emit(g, "show");
}

/* edu DMA: RAM -> buffer from one IOVA, buffer -> RAM to another, then what RAM holds */
static void op_dma(struct gen *g)
{
	struct obj *d = bound[below(g, 2)], *m = some(g, K_MEM), *at = NULL;
	uint64_t src = iova_value(g), dst = iova_value(g), off = 0;
	unsigned int len = chance(g, 80) ? 256 : 4096, k;

	if (!d || !d->alive || !m)
		return;
	/* mostly from and into buffers the script mapped, the data read back where it should
	 * land; else an edge (often nothing mapped: the read faults) */
	if (nmapped && chance(g, 50)) {
		k = below(g, nmapped);
		src = mapped[k];
	}
	if (nmapped && chance(g, 70)) {
		k = below(g, nmapped);
		if (mapped_mem[k]) {
			at = mapped_mem[k];
			off = at->size > 0x2000 ? 0x1000ULL * below(g, 2) : 0;
			dst = mapped[k] + off;
		}
	}
	if (chance(g, 50))
		emit(g, "mem fill $%s 0x%02x length 0x%" PRIx64, m->var, below(g, 256),
		     m->size < 0x2000 ? m->size : 0x2000);
	emit(g, "mmio write %s bar0 0x80 0x%" PRIx64 " width 8", bdfs[d->dev], src);
	emit(g, "mmio write %s bar0 0x88 0x40000 width 8", bdfs[d->dev]);
	emit(g, "mmio write %s bar0 0x90 %u width 8", bdfs[d->dev], len);
	emit(g, "mmio write %s bar0 0x98 1 width 8", bdfs[d->dev]);
	emit(g, "sleep %u", g->sleep_ms);
	emit(g, "mmio write %s bar0 0x80 0x40000 width 8", bdfs[d->dev]);
	emit(g, "mmio write %s bar0 0x88 0x%" PRIx64 " width 8", bdfs[d->dev], dst);
	emit(g, "mmio write %s bar0 0x90 %u width 8", bdfs[d->dev], len);
	emit(g, "mmio write %s bar0 0x98 3 width 8", bdfs[d->dev]);
	emit(g, "sleep %u", g->sleep_ms);
	emit(g, "mem read $%s 0x0 width 8", m->var);
	if (m->size >= 0x2000)
		emit(g, "mem read $%s 0x1000 width 8", m->var);
	if (at)
		emit(g, "mem read $%s 0x%" PRIx64 " width 8", at->var, off);
	if (chance(g, 50))
		emit(g, "mem dump $%s length 0x40", m->var);
}

/* the vSMMU model: what a VMM does for its guest's SMMU */
static void op_vsmmu(struct gen *g)
{
	unsigned int v = below(g, 2);
	char a[32], c[1400];
	uint64_t w0, w1;

	if (!vsmmu_made[v] || chance(g, 5)) {
		const char *ev, *gbpa, *en;

		arg(g, K_IOAS, a, sizeof(a));
		ev = chance(g, 60) ? " events" : "";
		gbpa = chance(g, 30) ? " gbpa abort" : "";
		en = chance(g, 20) ? " enabled" : "";
		emit(g, "vsmmu create vs%u ioas %s%s%s%s", v, a, ev, gbpa, en);
		vsmmu_made[v] = true;
		return;
	}
	switch (below(g, 11)) {
	case 0: case 1:
		arg(g, K_DEV, a, sizeof(a));
		emit(g, "vsmmu add vs%u %s%s", v, a,
		     chance(g, 50) ? (below(g, 2) ? " vsid 0x8" : " vsid 0x10") : "");
		break;
	case 2:
		emit(g, "vsmmu remove vs%u %s", v, arg(g, K_DEV, a, sizeof(a)));
		break;
	case 3:
		emit(g, "vsmmu gbpa vs%u %s", v, chance(g, 50) ? "abort" : "bypass");
		break;
	case 4:
		emit(g, "vsmmu %s vs%u", chance(g, 60) ? "enable" : "disable", v);
		break;
	case 5: case 6:
		vste(g, &w0, &w1);
		if (chance(g, 40)) {
			emit(g, "vsmmu ste vs%u %s raw 0x%" PRIx64 " 0x%" PRIx64, v,
			     arg(g, K_DEV, a, sizeof(a)), w0, w1);
		} else if (chance(g, 20)) {
			const char *sids = chance(g, 50) ? "all" : "0x0-0x20";

			emit(g, "vsmmu ste vs%u sid %s %s", v, sids,
			     chance(g, 50) ? "bypass" : "abort");
		} else {
			arg(g, K_DEV, a, sizeof(a));
			emit(g, "vsmmu ste vs%u %s %s", v, a,
			     chance(g, 30) ? "abort" : chance(g, 50) ? "bypass" :
			     "translate s1contextptr=0x108000");
		}
		break;
	case 7:
		cmds(g, c, sizeof(c));
		emit(g, "vsmmu invalidate vs%u %s", v, c);
		break;
	case 8:
		emit(g, "vsmmu events vs%u", v);
		break;
	case 9:
		emit(g, "vsmmu show vs%u", v);
		break;
	default:
		emit(g, "vsmmu destroy vs%u", v);
		vsmmu_made[v] = false;
		break;
	}
}

/* the VMM front end: register writes and CMDQ traffic of a guest driver */
static void op_vmm(struct gen *g)
{
	static const char *const regs[] = {
		"cr0 0", "cr0 cmdqen=1", "cr0 eventqen=1", "cr0 smmuen=1", "cr0 0xd",
		"cr1 0xd75", "cr2 0x6", "gbpa abort=1 update=1", "gbpa abort=0 update=1",
		"strtab_base ra=1 addr=0x40010000", "strtab_base_cfg fmt=1 split=8 log2size=16",
		"strtab_base_cfg fmt=0 log2size=6", "strtab_base addr=0x40000000",
		"cmdq_base ra=1 addr=0x40040000 log2size=8", "cmdq_prod 0", "cmdq_cons 0",
		"eventq_base addr=0x40050000 log2size=7", "eventq_prod 0", "eventq_cons 0",
		"irq_ctrl gerror_irqen=1 eventq_irqen=1", "gerrorn cmdq_err=1", "cmdq_base 0x7",
	};
	static const char *const stes[] = { "config=bypass", "config=abort", "raw 0x1 0x0",
					    "config=s1-translate s1contextptr=0x40100000",
					    "raw 0x0 0x0", "raw 0xd 0x80000" };
	unsigned int v = below(g, 2);
	char c[1400];

	if (!vmm_made[v] || chance(g, 4)) {
		emit(g, "vmm create vm%u vsmmu vs%u", v, below(g, 2));
		vmm_made[v] = true;
		return;
	}
	switch (below(g, 10)) {
	case 0: case 1: case 2:
		emit(g, "vmm write vm%u %s", v, PICK(g, regs));
		break;
	case 3:
	{
		static const unsigned int sids[] = { 0x8, 0x10, 0x0, 0x42 };
		unsigned int sid = PICK(g, sids);

		emit(g, "vmm ste vm%u 0x%x %s", v, sid, PICK(g, stes));
	}
		break;
	case 4:
		emit(g, "vmm l1 vm%u 0 span %u l2ptr 0x40020000", v, chance(g, 80) ? 9 : below(g, 16));
		break;
	case 5: case 6:
		if (chance(g, 50)) {
			emit(g, "vmm cmd vm%u CFGI_STE sid=0x%x leaf=1 , CMD_SYNC", v,
			     PICK(g, ((const unsigned int[]){ 0x8, 0x10, 0x0 })));
		} else {
			cmds(g, c, sizeof(c));
			emit(g, "vmm cmd vm%u %s", v, c);
		}
		break;
	case 7:
		emit(g, "vmm read vm%u %s", v, chance(g, 50) ? "cmdq_cons" : "gerror");
		break;
	case 8:
		emit(g, "vmm %s vm%u", chance(g, 50) ? "events" : "reset", v);
		break;
	default:
		emit(g, "vmm destroy vm%u", v);
		vmm_made[v] = false;
		break;
	}
}

struct op {
	void (*fn)(struct gen *g);
	unsigned int weight;
	bool dma;		/* needs DMA (left out with --no-dma) */
};

static const struct op ops[] = {
	{ op_bind, 4, false },
	{ op_unbind, 2, false },
	{ op_ioas, 4, false },
	{ op_mem, 3, false },
	{ op_map, 7, false },
	{ op_unmap, 4, false },
	{ op_hwpt, 6, false },
	{ op_nested, 9, false },
	{ op_attach, 10, false },
	{ op_detach, 3, false },
	{ op_viommu, 5, false },
	{ op_vdevice, 5, false },
	{ op_veventq, 3, false },
	{ op_veventq_read, 3, false },
	{ op_invalidate, 6, false },
	{ op_destroy, 9, false },
	{ op_mem_free, 1, false },
	{ op_info, 1, false },
	{ op_show, 2, false },
	{ op_dma, 6, true },
	{ op_vsmmu, 7, false },
	{ op_vmm, 6, false },
};

/* the state most calls need, in dependency order, each step taken most of the time: a device
 * on a nest parent of a mapped IOAS with a vIOMMU, a vDEVICE, a vEVENTQ and a nested HWPT;
 * at times a second device on the same vIOMMU */
static void prologue(struct gen *g)
{
	unsigned int d = bound[0] && bound[0]->alive ? 1 : 0;
	struct obj *dev, *io, *m, *s2, *vi, *o;
	uint64_t w0, w1, iova = 0x100000ULL + 0x100000ULL * below(g, 4);
	const char *sz = chance(g, 30) ? "2M" : "64K";

	if (bound[d] && bound[d]->alive)
		return;
	dev = bind_dev(g, d);
	io = new_obj(g, K_IOAS);
	emit(g, "let %s = ioas alloc", io->var);
	m = new_obj(g, K_MEM);
	m->size = size_of(sz);
	emit(g, "let %s = mem alloc %s", m->var, sz);
	emit(g, "ioas map $%s $%s iova 0x%" PRIx64, io->var, m->var, iova);
	remember_map(g, iova, m);
	if (chance(g, 8))
		return;
	s2 = new_obj(g, K_S2);
	s2->nest_parent = true;
	emit(g, "let %s = hwpt alloc %s $%s nest-parent", s2->var, bdfs[dev->dev], io->var);
	emit(g, "device attach %s $%s", bdfs[dev->dev], s2->var);
	if (chance(g, 8))
		return;
	vi = new_obj(g, K_VIOMMU);
	emit(g, "let %s = viommu alloc %s $%s", vi->var, bdfs[dev->dev], s2->var);
	o = new_obj(g, K_VDEV);
	emit(g, "let %s = vdevice alloc $%s %s vsid 0x%x", o->var, vi->var, bdfs[dev->dev], 8 + 8 * d);
	if (chance(g, 70)) {
		o = new_obj(g, K_VEVENTQ);
		emit(g, "let %s = veventq alloc $%s", o->var, vi->var);
	}
	if (chance(g, 85)) {
		vste(g, &w0, &w1);
		o = new_obj(g, K_NESTED);
		emit(g, "let %s = hwpt alloc %s $%s ste 0x%" PRIx64 " 0x%" PRIx64, o->var,
		     bdfs[dev->dev], vi->var, w0, w1);
		emit(g, "device attach %s $%s", bdfs[dev->dev], o->var);
	}
	if (d == 0 && chance(g, 40)) {
		dev = bind_dev(g, 1);
		emit(g, "device attach %s $%s", bdfs[dev->dev], s2->var);
		o = new_obj(g, K_VDEV);
		emit(g, "let %s = vdevice alloc $%s %s vsid 0x10", o->var, vi->var, bdfs[dev->dev]);
	}
}

static void gen_usage(FILE *fp)
{
	fputs("Usage: iommush gen [--seed N] [--calls N] [--no-dma] [--sleep MS]\n"
	      "Write a batch script of N random calls (seeded, reproducible) for differential\n"
	      "testing: run it with iommush reduce --differs. See iommush-record(8).\n"
	      "  --seed N     the seed (default 1)\n"
	      "  --calls N    how many commands (default 200)\n"
	      "  --no-dma     no edu DMA (and no sleep)\n"
	      "  --sleep MS   the wait after each DMA (default 300)\n", fp);
}

int sh_main_gen(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "calls", required_argument, NULL, 'n' },
		{ "no-dma", no_argument, NULL, 'D' },
		{ "sleep", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct gen g = { .out = stdout, .dma = true, .sleep_ms = 300 };
	uint64_t seed = 1, calls = 200, v;
	unsigned int total = 0, i, r;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
		switch (ch) {
		case 's':
		case 'n':
		case 'S':
			if (!sh_parse_u64(optarg, &v) || (ch == 'S' && v > 60000) ||
			    (ch == 'n' && v > 100000000)) {
				fprintf(stderr, "iommush: gen: --%s %s: not a number in range\n",
					ch == 's' ? "seed" : ch == 'n' ? "calls" : "sleep", optarg);
				return SH_EXIT_USAGE;
			}
			if (ch == 's')
				seed = v;
			else if (ch == 'n')
				calls = v;
			else
				g.sleep_ms = (unsigned int)v;
			break;
		case 'D': g.dma = false; break;
		case 'h': gen_usage(stdout); return SH_EXIT_OK;
		default: gen_usage(stderr); return SH_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		gen_usage(stderr);
		return SH_EXIT_USAGE;
	}
	g.s = seed;
	memset(pool, 0, sizeof(pool));
	memset(npool, 0, sizeof(npool));
	nmapped = 0;
	memset(mapped_mem, 0, sizeof(mapped_mem));
	memset(bound, 0, sizeof(bound));
	memset(vsmmu_made, 0, sizeof(vsmmu_made));
	memset(vmm_made, 0, sizeof(vmm_made));
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (g.dma || !ops[i].dma)
			total += ops[i].weight;
	fprintf(g.out, "# iommush gen --seed %" PRIu64 " --calls %" PRIu64 "%s", seed, calls,
		g.dma ? "" : " --no-dma");
	if (g.dma && g.sleep_ms != 300)
		fprintf(g.out, " --sleep %u", g.sleep_ms);
	fputs("\nset force on\n", g.out);
	while (g.lines < calls) {
		/* a fresh start now and then: the state built so far torn down by quitting is not
		 * possible in a batch, so the prologue builds on top of what is left */
		if (g.lines == 0 || chance(&g, 2))
			prologue(&g);
		r = below(&g, total);
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			if (!g.dma && ops[i].dma)
				continue;
			if (r < ops[i].weight) {
				ops[i].fn(&g);
				break;
			}
			r -= ops[i].weight;
		}
	}
	return fflush(g.out) == 0 && !ferror(g.out) ? SH_EXIT_OK : SH_EXIT_SETUP;
}
