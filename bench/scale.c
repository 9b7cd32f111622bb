// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scaling on the simulator: one vSMMU with N devices behind one physical SMMU, for N = 1, 64,
 * 256, 1024, 4096. Set-up (bind + vsmmu plug each), a GBPA toggle, `show`, an STE install over
 * every device (CFGI_ALL) and teardown, each the median of its rounds with min-max, as a
 * total and per device so that a non-linear step shows at a glance; heap bytes per device.
 * Prints the goals of issue 15 with what this run measured. Never asserts.
 */
#include <malloc.h>
#include <string.h>
#include "iommush/iommush.h"
#include "iommush/vsmmu.h"
#include "iommush/sim.h"
#include "iommush/smmu.h"
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "shell.h"
#include "bench.h"

#define NSIZES 5
#define ROUNDS 9
static const unsigned int sizes[NSIZES] = { 1, 64, 256, 1024, 4096 };

struct setup {
	struct ish_ctx *ctx;
	struct ish_vsmmu *vs;
	uint32_t *dev;
	size_t heap;		/* bytes the heap grew by during the set-up */
};

static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* 0000:BB:DD.F, 256 functions a bus */
static void bdf_of(unsigned int i, char *bdf)
{
	snprintf(bdf, ISH_BDF_LEN, "0000:%02x:%02x.%x", (1 + i / 256) & 0xff, (i / 8) % 32, i % 8);
}

static struct ish_backend *host(unsigned int n)
{
	struct ish_backend *be = ish_sim_new_empty();
	struct ish_sim_smmu_cfg cfg;
	unsigned int i;

	if (!be)
		bench_die("sim", -12);
	ish_sim_smmu_default(&cfg);
	BENCH_CHECK("smmu", ish_sim_add_smmu(be, &cfg));
	for (i = 0; i < n; i++) {
		struct ish_sim_dev_cfg d = { .vendor = 0x1234, .device = 0x11e8, .class = 0x00ff00,
					     .name = "bench", .smmu = 0, .sid = 8 * (i + 1),
					     .vfio = true };

		bdf_of(i, d.bdf);
		BENCH_CHECK("add device", ish_sim_add_device(be, &d));
	}
	return be;
}

/* bind + plug every device: what a VMM does at start-up with N devices behind one vSMMU */
static double setup(struct setup *s, unsigned int n)
{
	struct ish_vsmmu_cfg cfg = { .auto_features = true, .enabled = true };
	struct ish_backend *be = host(n);
	char bdf[ISH_BDF_LEN];
	uint32_t ioas;
	size_t h0;
	double t;
	unsigned int i;

	s->dev = calloc(n, sizeof(*s->dev));
	if (!s->dev)
		bench_die("calloc", -12);
	h0 = heap_used();
	t = bench_now();
	BENCH_CHECK("ctx", ish_ctx_new(be, &s->ctx));
	BENCH_CHECK("ioas", ish_ioas_alloc(s->ctx, &ioas));
	BENCH_CHECK("create", ish_vsmmu_create(s->ctx, "vs0", ioas, &cfg, &s->vs));
	for (i = 0; i < n; i++) {
		bdf_of(i, bdf);
		BENCH_CHECK("bind", ish_device_bind(s->ctx, bdf, &s->dev[i]));
		BENCH_CHECK("plug", ish_vsmmu_plug(s->vs, s->dev[i], i + 1));
	}
	t = bench_now() - t;
	s->heap = heap_used() - h0;
	return t;
}

static double teardown(struct setup *s)
{
	double t = bench_now();

	ish_ctx_free(s->ctx);
	t = bench_now() - t;
	free(s->dev);
	return t;
}

/* enough back-to-back repetitions of @fn to last 2 ms or more: time per call */
static double per_call(void (*fn)(struct setup *, unsigned int), struct setup *s, unsigned int k)
{
	unsigned int reps = 1, i;
	double t;

	for (;;) {
		t = bench_now();
		for (i = 0; i < reps; i++)
			fn(s, k + i);
		t = bench_now() - t;
		if (t >= 2e-3 || reps >= 1u << 20)
			return t / reps;
		reps *= 4;
	}
}

static double once(void (*fn)(struct setup *, unsigned int), struct setup *s, unsigned int k)
{
	double t = bench_now();

	fn(s, k);
	return bench_now() - t;
}

static void gbpa(struct setup *s, unsigned int k)
{
	BENCH_CHECK("gbpa", ish_vsmmu_set_gbpa(s->vs, k % 2 == 0));
}

static void ste_all(struct setup *s, unsigned int k)
{
	uint64_t ste[2] = { ISH_STE_V | (k % 2 ? ISH_STE_CFG_BYPASS << 1 : 0), 0 };
	uint32_t failed;
	int err;

	BENCH_CHECK("ste all", ish_vsmmu_install_range(s->vs, 0, UINT32_MAX, ste, &err, &failed));
	BENCH_CHECK("ste all", err);
}

static FILE *devnull;

static void show(struct setup *s, unsigned int k)
{
	struct shell sh = { .ctx = s->ctx, .sim = true };
	FILE *old = stdout;

	(void)k;
	stdout = devnull;
	if (sh_run_line(&sh, "show") != 0)
		bench_die("show", -1);
	stdout = old;
}

struct figs {
	struct bench_stat setup, gbpa, show, ste_first, ste, teardown, heap;
};

/* a total in ms, and per device in us, so that a non-linear step shows at a glance */
static void row(const char *area, const char *what, struct bench_stat *st, unsigned int n,
		const char *note)
{
	char per[64];

	bench_row(area, what, n, st, 1e3, "ms", bench_per(bench_median(st) * 1e6 / n, "us/device",
							  per, sizeof(per)), note);
}

/* ---- the simulated kernel alone: the calls the set-up makes, without the core above it */

struct raw {
	struct ish_backend *be;
	int fd;
	uint32_t ioas, s2, viommu, abort_pt, bypass_pt;
	uint32_t *dev;
	int *dfd;
};

static void raw_ioctl(struct raw *w, int fd, unsigned long req, void *arg, const char *what)
{
	BENCH_CHECK(what, w->be->ops->ioctl(w->be, fd, req, arg));
}

static uint32_t raw_nested(struct raw *w, uint32_t dev, uint64_t ste0)
{
	struct iommu_hwpt_arm_smmuv3 ste = { .ste = { ste0, 0 } };
	struct iommu_hwpt_alloc h = { .size = sizeof(h), .dev_id = dev, .pt_id = w->viommu,
				      .data_type = IOMMU_HWPT_DATA_ARM_SMMUV3,
				      .data_len = sizeof(ste), .data_uptr = (uintptr_t)&ste };

	raw_ioctl(w, w->fd, IOMMU_HWPT_ALLOC, &h, "proxy");
	return h.out_hwpt_id;
}

static void raw_attach(struct raw *w, unsigned int i, uint32_t pt)
{
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at), .pt_id = pt };

	raw_ioctl(w, w->dfd[i], VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at, "attach");
}

/* open, bind, attach to the nest parent, vDEVICE, attach to the bypass proxy: each device */
static double raw_setup(struct raw *w, unsigned int n)
{
	struct iommu_ioas_alloc ia = { .size = sizeof(ia) };
	char bdf[ISH_BDF_LEN];
	unsigned int i;
	double t;

	w->be = host(n);
	w->dev = calloc(n, sizeof(*w->dev));
	w->dfd = calloc(n, sizeof(*w->dfd));
	if (!w->dev || !w->dfd)
		bench_die("calloc", -12);
	t = bench_now();
	w->fd = w->be->ops->open_iommufd(w->be);
	BENCH_CHECK("iommufd", w->fd);
	raw_ioctl(w, w->fd, IOMMU_IOAS_ALLOC, &ia, "ioas");
	w->ioas = ia.out_ioas_id;
	for (i = 0; i < n; i++) {
		struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = w->fd };
		struct iommu_vdevice_alloc vd = { .size = sizeof(vd) };

		bdf_of(i, bdf);
		w->dfd[i] = w->be->ops->open_device(w->be, bdf, NULL);
		BENCH_CHECK("open", w->dfd[i]);
		raw_ioctl(w, w->dfd[i], VFIO_DEVICE_BIND_IOMMUFD, &bind, "bind");
		w->dev[i] = bind.out_devid;
		if (!i) {
			struct iommu_hwpt_alloc h = { .size = sizeof(h),
						      .flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
						      .dev_id = w->dev[0], .pt_id = w->ioas };
			struct iommu_viommu_alloc v = { .size = sizeof(v),
							.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
							.dev_id = w->dev[0] };

			raw_ioctl(w, w->fd, IOMMU_HWPT_ALLOC, &h, "nest parent");
			w->s2 = v.hwpt_id = h.out_hwpt_id;
			raw_ioctl(w, w->fd, IOMMU_VIOMMU_ALLOC, &v, "viommu");
			w->viommu = v.out_viommu_id;
			w->abort_pt = raw_nested(w, w->dev[0], ISH_STE_V);
			w->bypass_pt = raw_nested(w, w->dev[0],
						  ISH_STE_V | ISH_STE_CFG_BYPASS << 1);
		}
		raw_attach(w, i, w->s2);
		vd.viommu_id = w->viommu;
		vd.dev_id = w->dev[i];
		vd.virt_id = i + 1;
		raw_ioctl(w, w->fd, IOMMU_VDEVICE_ALLOC, &vd, "vdevice");
		raw_attach(w, i, w->bypass_pt);
	}
	return bench_now() - t;
}

/* every device to the other proxy: what a GBPA toggle asks of the kernel */
static double raw_toggle(struct raw *w, unsigned int n, bool to_abort)
{
	double t = bench_now();
	unsigned int i;

	for (i = 0; i < n; i++)
		raw_attach(w, i, to_abort ? w->abort_pt : w->bypass_pt);
	return bench_now() - t;
}

/* process exit: every fd closed, every object destroyed */
static double raw_teardown(struct raw *w)
{
	double t = bench_now();

	w->be->ops->free(w->be);
	t = bench_now() - t;
	free(w->dev);
	free(w->dfd);
	return t;
}

static void raw_table(void)
{
	static struct bench_stat su[NSIZES], tg[NSIZES], td[NSIZES];
	unsigned int i, r;

	for (i = 0; i < NSIZES; i++) {
		for (r = 0; r < 9; r++) {
			struct raw w = { 0 };

			bench_add(&su[i], raw_setup(&w, sizes[i]));
			bench_add(&tg[i], (raw_toggle(&w, sizes[i], true) +
					   raw_toggle(&w, sizes[i], false)) / 2);
			bench_add(&td[i], raw_teardown(&w));
		}
	}
	for (i = 0; i < NSIZES; i++)
		row("scaling, simulated kernel alone", "set-up (5 calls a device)", &su[i], sizes[i],
		    i ? "" : "the core's calls without the core, 9 rounds");
	for (i = 0; i < NSIZES; i++)
		row("scaling, simulated kernel alone", "proxy swap, every device", &tg[i], sizes[i], "");
	for (i = 0; i < NSIZES; i++)
		row("scaling, simulated kernel alone", "close everything", &td[i], sizes[i], "");
	{
		char v[64];

		snprintf(v, sizeof(v), "%.1fx / %.1fx", bench_median(&su[4]) / bench_median(&su[2]),
			 bench_median(&tg[4]) / bench_median(&tg[2]));
		bench_rowv("scaling, simulated kernel alone", "4096 / 256: set-up / proxy swap", "",
			   v, "ratio", "", "linear: 16x");
	}
}

/* `scale N [raw]`: one round at N devices (raw: the simulated kernel alone), for a profiler */
static int one(unsigned int n)
{
	struct setup s;

	printf("set-up of %u: %.2f ms\n", n, setup(&s, n) * 1e3);
	printf("GBPA toggle: %.3f ms\n", per_call(gbpa, &s, 0) * 1e3);
	printf("show: %.3f ms\n", per_call(show, &s, 0) * 1e3);
	printf("STE install, all, first: %.3f ms\n", once(ste_all, &s, 0) * 1e3);
	printf("STE install, all, later: %.3f ms\n", per_call(ste_all, &s, 1) * 1e3);
	printf("teardown: %.2f ms\n", teardown(&s) * 1e3);
	return 0;
}

int main(int argc, char **argv)
{
	static struct figs f[NSIZES];
	struct bench_stat setup_ratio = { 0 }, gbpa_ratio = { 0 };
	unsigned int i, r;

	devnull = fopen("/dev/null", "w");
	if (!devnull)
		bench_die("/dev/null", -2);
	if (argc > 2 && !strcmp(argv[2], "raw")) {
		struct raw w = { 0 };
		unsigned int n = (unsigned int)strtoul(argv[1], NULL, 0);

		printf("simulated kernel, set-up of %u: %.2f ms\n", n, raw_setup(&w, n) * 1e3);
		printf("teardown: %.2f ms\n", raw_teardown(&w) * 1e3);
		return 0;
	}
	if (argc > 1)
		return one((unsigned int)strtoul(argv[1], NULL, 0));
	bench_head();
	/*
	 * Rounds go over every size in turn, so that the ratios of one round (4096 / 256) compare
	 * figures taken side by side, whatever else the machine does meanwhile.
	 */
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < NSIZES; i++) {
			struct setup s;

			bench_add(&f[i].setup, setup(&s, sizes[i]));
			bench_add(&f[i].heap, (double)s.heap);
			bench_add(&f[i].gbpa, per_call(gbpa, &s, 0));
			bench_add(&f[i].show, per_call(show, &s, 0));
			/* the first install makes every vDEVICE; later ones swap proxies */
			bench_add(&f[i].ste_first, once(ste_all, &s, 0));
			bench_add(&f[i].ste, per_call(ste_all, &s, 1));
			bench_add(&f[i].teardown, teardown(&s));
		}
		bench_add(&setup_ratio, f[4].setup.v[r] / f[2].setup.v[r]);
		bench_add(&gbpa_ratio, f[4].gbpa.v[r] / f[2].gbpa.v[r]);
	}
	for (i = 0; i < NSIZES; i++)
		row("scaling, simulator", "set-up (bind + vsmmu plug)", &f[i].setup, sizes[i],
		    i ? "" : "one vSMMU, N devices on one SMMU; 9 rounds");
	for (i = 0; i < NSIZES; i++)
		row("scaling, simulator", "GBPA toggle", &f[i].gbpa, sizes[i], "");
	for (i = 0; i < NSIZES; i++)
		row("scaling, simulator", "show", &f[i].show, sizes[i], "");
	for (i = 0; i < NSIZES; i++)
		row("scaling, simulator", "STE install, all devices, first", &f[i].ste_first,
		    sizes[i], i ? "" : "CFGI_ALL: every vDEVICE made");
	for (i = 0; i < NSIZES; i++)
		row("scaling, simulator", "STE install, all devices, later", &f[i].ste, sizes[i],
		    i ? "" : "CFGI_ALL: abort <-> bypass");
	for (i = 0; i < NSIZES; i++)
		row("scaling, simulator", "teardown", &f[i].teardown, sizes[i], "");
	for (i = 0; i < NSIZES; i++) {
		char per[64];

		bench_row("memory, simulator", "set-up heap (core + simulator)", sizes[i],
			  &f[i].heap, 1.0 / 1024, "KiB",
			  bench_per(bench_median(&f[i].heap) / sizes[i], "bytes/device", per,
				    sizeof(per)), "");
	}
	{
		double g4k = bench_median(&f[4].gbpa);
		char v[64];

		bench_row("goal", "set-up 4096 / 256 <= 20x", 0, &setup_ratio, 1, "ratio", "",
			  bench_median(&setup_ratio) <= 20 ? "met (paired rounds)" :
			  "NOT met (paired rounds)");
		snprintf(v, sizeof(v), "%.2f", g4k * 1e3);
		bench_rowv("goal", "GBPA toggle over 4096 < 5 ms", "4096", v, "ms", "",
			   g4k < 5e-3 ? "met" : "NOT met");
		bench_row("goal", "GBPA toggle 4096 / 256 <= 20x", 0, &gbpa_ratio, 1, "ratio", "",
			  bench_median(&gbpa_ratio) <= 20 ? "met (paired rounds)" :
			  "NOT met (paired rounds)");
	}
	raw_table();
	fclose(devnull);
	return 0;
}
