// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What iommush record costs a program, against the time its kernel calls take. Run under
 * `iommush record` it times the calls a VMM makes, paired in one process: each round makes
 * the same calls through ioctl(), which the interposer records, and through the ioctl the
 * interposer would call (libc's; or the simulated kernel's when libsimkernel.so is preloaded,
 * as bench/record runs it on a machine without /dev/iommu), which nothing records. The
 * overhead of a round is (recorded - plain) / plain; the figures are medians [min-max] of 11
 * rounds, for each kind of call and for all of them: a round's extra time over its plain time.
 * The calls: control calls (IOAS_ALLOC + DESTROY), invalidations (HWPT_INVALIDATE of 8
 * TLBI_NH_VA on a vIOMMU, where one can be allocated) and guest RAM mappings that pin
 * (IOAS_MAP + UNMAP of 2 MiB on the IOAS a device is attached to). Built in the live VM
 * (tests/live/run) and by make. Prints; never asserts.
 *   record-overhead /dev/vfio/devices/vfioN
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "../bench.h"

#define ROUNDS 11

typedef int (*ioctl_fn)(int, unsigned long, ...);

static int iofd, dev;
static uint32_t devid, ioas, viommu;
static void *ram;
static const size_t ram_len = 2 << 20;
static struct iommu_viommu_arm_smmuv3_invalidate cmds[8];

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void ctl(ioctl_fn fn)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	struct iommu_destroy d = { .size = sizeof(d) };

	if (fn(iofd, IOMMU_IOAS_ALLOC, &a))
		die("record-overhead: IOAS_ALLOC");
	d.id = a.out_ioas_id;
	if (fn(iofd, IOMMU_DESTROY, &d))
		die("record-overhead: DESTROY");
}

static void inv(ioctl_fn fn)
{
	struct iommu_hwpt_invalidate v = { .size = sizeof(v), .hwpt_id = viommu,
		.data_uptr = (uintptr_t)cmds, .entry_len = sizeof(cmds[0]), .entry_num = 8,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 };

	if (fn(iofd, IOMMU_HWPT_INVALIDATE, &v))
		die("record-overhead: HWPT_INVALIDATE");
	/* a second call, so that each kind of work is two calls a repetition */
	v.entry_num = 8;
	if (fn(iofd, IOMMU_HWPT_INVALIDATE, &v))
		die("record-overhead: HWPT_INVALIDATE");
}

static void map(ioctl_fn fn)
{
	struct iommu_ioas_map m = { .size = sizeof(m), .ioas_id = ioas,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = (uintptr_t)ram, .length = ram_len, .iova = 0x1000000 };
	struct iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = ioas, .iova = 0x1000000,
				      .length = ram_len };

	if (fn(iofd, IOMMU_IOAS_MAP, &m) || fn(iofd, IOMMU_IOAS_UNMAP, &u))
		die("record-overhead: IOAS_MAP");
}

struct work {
	const char *what;
	void (*run)(ioctl_fn);
	int n;				/* repetitions of two calls a round */
	struct bench_stat plain, rec, pct, add;
	double p, r;			/* this round's */
};

static double time_it(struct work *w, ioctl_fn fn)
{
	double t0 = bench_now();
	int i;

	for (i = 0; i < w->n; i++)
		w->run(fn);
	return (bench_now() - t0) * 1e9;
}

int main(int argc, char **argv)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct iommu_hwpt_alloc s2 = { .size = sizeof(s2), .flags = IOMMU_HWPT_ALLOC_NEST_PARENT };
	struct iommu_viommu_alloc va = { .size = sizeof(va), .type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3 };
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	struct work works[] = {
		{ .what = "IOAS_ALLOC + DESTROY", .run = ctl, .n = 1000 },
		{ .what = "HWPT_INVALIDATE, 8 TLBI_NH_VA", .run = inv, .n = 500 },
		{ .what = "IOAS_MAP + UNMAP, 2 MiB pinned", .run = map, .n = 50 },
	};
	const char *pre = getenv("LD_PRELOAD"), *sk;
	struct bench_stat all = { .n = 0 };
	ioctl_fn plain, rec = ioctl;
	bool recorded;
	void *h = NULL;
	char note[160], f[48], x[24];
	int k, i, nw = 3;

	/* the ioctl past the interposer: the simulated kernel's, else libc's */
	sk = pre ? strstr(pre, "libsimkernel.so") : NULL;
	if (sk) {
		const char *start = sk;
		char path[4096];

		while (start > pre && start[-1] != ':' && start[-1] != ' ')
			start--;
		snprintf(path, sizeof(path), "%.*s", (int)(sk - start) + 15, start);
		h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	}
	if (!h)
		h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	plain = h ? (ioctl_fn)dlsym(h, "ioctl") : NULL;
	if (!plain)
		die("record-overhead: the plain ioctl");

	recorded = dlsym(RTLD_DEFAULT, "ioctl") != (void *)plain;
	iofd = open("/dev/iommu", O_RDWR);
	dev = open(argc > 1 ? argv[1] : "/dev/vfio/devices/vfio0", O_RDWR);
	if (iofd < 0 || dev < 0)
		die("record-overhead: open");
	bind.iommufd = iofd;
	if (ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind) || ioctl(iofd, IOMMU_IOAS_ALLOC, &a))
		die("record-overhead: bind");
	devid = bind.out_devid;
	ioas = a.out_ioas_id;
	s2.dev_id = devid;
	s2.pt_id = ioas;
	if (ioctl(iofd, IOMMU_HWPT_ALLOC, &s2))
		die("record-overhead: nest-parent HWPT");
	at.pt_id = s2.out_hwpt_id;
	ram = mmap(NULL, ram_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED || ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at))
		die("record-overhead: attach");
	memset(ram, 1, ram_len);
	va.dev_id = devid;
	va.hwpt_id = s2.out_hwpt_id;
	if (ioctl(iofd, IOMMU_VIOMMU_ALLOC, &va) == 0) {
		viommu = va.out_viommu_id;
		for (i = 0; i < 8; i++) {
			cmds[i].cmd[0] = 0x12 | (1ull << 48);	/* TLBI_NH_VA, ASID 1 */
			cmds[i].cmd[1] = 0x800000ull + (uint64_t)i * 0x1000;
		}
	} else {
		works[1] = works[2];	/* no vIOMMU on this host: no invalidations */
		nw = 2;
	}

	for (k = 0; k < ROUNDS; k++) {
		double all_p = 0, all_r = 0;

		for (i = 0; i < nw; i++) {
			struct work *w = &works[i];
			double p, r;

			/* alternate which goes first, so that neither always finds a warm cache */
			if (k & 1) {
				r = time_it(w, rec);
				p = time_it(w, plain);
			} else {
				p = time_it(w, plain);
				r = time_it(w, rec);
			}
			bench_add(&w->plain, p / (2.0 * w->n));
			bench_add(&w->rec, r / (2.0 * w->n));
			bench_add(&w->pct, 100.0 * (r - p) / p);
			bench_add(&w->add, (r - p) / (2.0 * w->n));
			all_p += p;
			all_r += r;
		}
		bench_add(&all, 100.0 * (all_r - all_p) / all_p);
	}

	bench_head();
	snprintf(note, sizeof(note), "%s; %s", sk ? "on the simulator (preloaded)" :
		 "on this kernel", recorded ? "paired rounds in one process" :
		 "NOT under iommush record");
	for (i = 0; i < nw; i++) {
		struct work *w = &works[i];
		char fig[96];

		snprintf(fig, sizeof(fig), "%s: the kernel call, plain", w->what);
		bench_row("recording", fig, (unsigned)(2 * w->n), &w->plain, 1, "ns a call", NULL,
			  note);
		snprintf(fig, sizeof(fig), "%s: recorded", w->what);
		bench_row("recording", fig, (unsigned)(2 * w->n), &w->rec, 1, "ns a call", NULL,
			  "");
		snprintf(fig, sizeof(fig), "%s: overhead", w->what);
		snprintf(f, sizeof(f), "%s ns a call", bench_num(bench_median(&w->add), x,
								 sizeof(x)));
		bench_row("recording", fig, ROUNDS, &w->pct, 1, "% of the call", f, "goal < 5%");
	}
	bench_row("recording", "overhead over all these calls (a round's)", ROUNDS, &all, 1,
		  "% of their kernel call time", NULL, "goal < 5%");
	return 0;
}
