// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What recording costs a program: the interposer's work per recorded call (the record built
 * and copied as a frame into the shared mapping of the raw file, as libiommush-record.so does;
 * and with one pwrite(2) instead, its fallback when the mapping fails), its cost on every
 * call it does not record (one table lookup, measured through the real .so), next to what the
 * calls themselves cost: a null system call (the floor of any kernel call) and the same calls
 * on the simulator; then the whole cost on a program, recorded calls against the same calls
 * unrecorded (bench/live/record-overhead under iommush record). Medians of 11 rounds, with the
 * spread (min..max). Prints; never asserts.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include "iommush/iommush.h"
#include "iommush/record.h"
#include "iommush/sim.h"
#include "bench.h"
#include "../preload/frame.h"

#define ROUNDS 11
#define N 20000

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat3 {
	double med, min, max;
};

static struct stat3 summarize(double *v)
{
	struct stat3 s;

	qsort(v, ROUNDS, sizeof(*v), cmp);
	s.med = v[ROUNDS / 2];
	s.min = v[0];
	s.max = v[ROUNDS - 1];
	return s;
}

static void row(const char *what, struct stat3 s)
{
	char v[80], m[24], lo[24], hi[24];

	snprintf(v, sizeof(v), "%s [%s-%s]", bench_num(s.med, m, sizeof(m)),
		 bench_num(s.min, lo, sizeof(lo)), bench_num(s.max, hi, sizeof(hi)));
	bench_rowv("recording", what, "", v, "ns", "", "");
}

/* the interposer's put(): time, reserve with one atomic add, copy the frame (or pwrite it) */
static double record_cost(int fd, struct ish_raw_hdr *h, char *data, struct ish_rec *r)
{
	_Alignas(8) char frame[8192];
	struct timespec ts;
	double t0 = now_ns();
	uint64_t off;
	size_t n;
	int i;

	for (i = 0; i < N; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r->t_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		n = ish_frame_size(r, 0);
		off = atomic_fetch_add(&h->used, (uint64_t)n);
		if (data) {
			ish_frame_put(r, 0, data + off, n);
		} else {
			ish_frame_put(r, 0, frame, n);
			if (pwrite(fd, frame, n, (off_t)(ISH_RAW_HDR + off)) != (ssize_t)n) {
				perror("bench: pwrite");
				exit(1);
			}
		}
	}
	return (now_ns() - t0) / N;
}

/*
 * The whole cost on a recorded program: bench/live/record-overhead (paired rounds of the
 * same calls recorded and not, in one process) under iommush record, with the simulated
 * kernel preloaded in the kernel's place. Its rows go into this table.
 */
static void end_to_end(const char *dir)
{
	char cmd[4 * PATH_MAX + 256];
	const char *iommush = getenv("IOMMUSH");
	char self[PATH_MAX + 32];

	/* the shell beside the build directory (make's default build), or in it */
	snprintf(self, sizeof(self), "%s/../../iommush", dir);
	if (access(self, X_OK) < 0)
		snprintf(self, sizeof(self), "%s/../iommush", dir);
	if (!iommush || !*iommush)
		iommush = self;
	snprintf(cmd, sizeof(cmd), "ISH_BENCH_TABLE=1 '%s' record -o /dev/null -- sh -c "
		 "'LD_PRELOAD=\"$LD_PRELOAD:%s/../tests/record/libsimkernel.so\" exec \"$@\"' sh "
		 "'%s/record-overhead' /dev/vfio/devices/vfio0 2>/dev/null", iommush, dir, dir);
	fflush(stdout);
	if (system(cmd) != 0)
		bench_rowv("recording", "end to end under iommush record", "", "-", "", "",
			   "not run: make bench builds record-overhead and libsimkernel.so");
}

static struct stat3 rounds_record(int fd, struct ish_raw_hdr *h, char *data, struct ish_rec *r)
{
	double v[ROUNDS];
	int k;

	for (k = 0; k < ROUNDS; k++) {
		atomic_store(&h->used, 0);
		v[k] = record_cost(fd, h, data, r);
	}
	return summarize(v);
}

typedef int (*ioctl_fn)(int, unsigned long, ...);

static struct stat3 rounds_null(ioctl_fn fn, int fd)
{
	double v[ROUNDS], t0;
	int k, i, x;

	for (k = 0; k < ROUNDS; k++) {
		t0 = now_ns();
		for (i = 0; i < N; i++)
			fn(fd, FIONREAD, &x);
		v[k] = (now_ns() - t0) / N;
	}
	return summarize(v);
}

int main(void)
{
	struct iommu_ioas_alloc ia = { .size = sizeof(ia) }, iao = ia;
	struct iommu_hwpt_alloc ha = { .size = sizeof(ha), .dev_id = 1, .pt_id = 4,
				       .data_type = IOMMU_HWPT_DATA_ARM_SMMUV3, .data_len = 16 };
	struct iommu_hwpt_invalidate inv = { .size = sizeof(inv), .hwpt_id = 4, .entry_len = 16,
					     .entry_num = 8,
					     .data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 };
	uint64_t ste[2] = { 0x10800b, 0 }, cmds[8][2] = { { 0 } };
	struct ish_rec r_ioas = { .op = ISH_REC_IOCTL, .fd = 3, .request = IOMMU_IOAS_ALLOC,
				  .in = &ia, .out = &iao, .argsz = sizeof(ia), .pid = 1, .tid = 1 };
	struct ish_rec r_hwpt = { .op = ISH_REC_IOCTL, .fd = 3, .request = IOMMU_HWPT_ALLOC,
				  .in = &ha, .out = &ha, .argsz = sizeof(ha), .buf = ste,
				  .buflen = sizeof(ste), .pid = 1, .tid = 1 };
	struct ish_rec r_inv = { .op = ISH_REC_IOCTL, .fd = 3, .request = IOMMU_HWPT_INVALIDATE,
				 .in = &inv, .out = &inv, .argsz = sizeof(inv), .buf = cmds,
				 .buflen = sizeof(cmds), .pid = 1, .tid = 1 };
	char path[] = "/tmp/bench-record.XXXXXX", so[PATH_MAX], *slash;
	struct stat3 s_ioas, s_hwpt, s_inv, s_pw, s_null, s_pass, s_sim_ioas, s_sim_inv, s_tr;
	struct ish_raw_hdr *hdr;
	char *data;
	struct ish_ctx *ctx;
	uint32_t dev, ioas, s2, viommu, id, done;
	double v[ROUNDS], t0;
	ssize_t n;
	void *h;
	int fd, nullfd, k, i;

	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, ISH_RAW_HDR + (64 << 20)) < 0) {
		perror("bench: raw file");
		return 1;
	}
	unlink(path);
	hdr = mmap(NULL, ISH_RAW_HDR, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	data = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, ISH_RAW_HDR);
	if (hdr == MAP_FAILED || data == MAP_FAILED) {
		perror("bench: mmap");
		return 1;
	}
	iao.out_ioas_id = 2;
	s_ioas = rounds_record(fd, hdr, data, &r_ioas);
	s_hwpt = rounds_record(fd, hdr, data, &r_hwpt);
	s_inv = rounds_record(fd, hdr, data, &r_inv);
	s_pw = rounds_record(fd, hdr, NULL, &r_ioas);
	close(fd);

	nullfd = open("/dev/null", O_RDONLY);
	s_null = rounds_null(ioctl, nullfd);
	/* the real interposer, on a call it does not record */
	n = readlink("/proc/self/exe", so, sizeof(so) - 64);
	if (n < 0)
		return 1;
	so[n] = '\0';
	slash = strrchr(so, '/');
	snprintf(slash ? slash : so, 64, "/../libiommush-record.so");
	setenv("IOMMUSH_RECORD_RAW", "/dev/null", 1);
	h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	s_pass.med = s_pass.min = s_pass.max = -1;
	if (h && dlsym(h, "ioctl"))
		s_pass = rounds_null((ioctl_fn)dlsym(h, "ioctl"), nullfd);

	/* the same calls on the simulator: a lower bound of what the kernel takes */
	if (ish_ctx_new(ish_sim_new(), &ctx) < 0 || ish_device_bind(ctx, "0000:00:01.0", &dev) < 0 ||
	    ish_ioas_alloc(ctx, &ioas) < 0 ||
	    ish_hwpt_alloc(ctx, dev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0, NULL, 0, &s2) < 0 ||
	    ish_viommu_alloc(ctx, dev, s2, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &viommu) < 0) {
		fprintf(stderr, "bench: simulator set-up failed\n");
		return 1;
	}
	for (k = 0; k < ROUNDS; k++) {
		t0 = now_ns();
		for (i = 0; i < N / 10; i++) {
			ish_ioas_alloc(ctx, &id);
			ish_destroy(ctx, id);
		}
		v[k] = (now_ns() - t0) / (N / 10) / 2;
	}
	s_sim_ioas = summarize(v);
	for (i = 0; i < 8; i++)
		cmds[i][0] = 0x10;	/* TLBI_NH_ALL */
	for (k = 0; k < ROUNDS; k++) {
		t0 = now_ns();
		for (i = 0; i < N / 10; i++)
			ish_invalidate(ctx, viommu, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds, 16,
				       8, &done);
		v[k] = (now_ns() - t0) / (N / 10);
	}
	s_sim_inv = summarize(v);
	ish_ctx_free(ctx);

	/* the translator: a long recording (an id handed out again and again) stays linear */
	{
		struct iommu_destroy dd = { .size = sizeof(dd), .id = 2 };
		struct ish_rec o = { .op = ISH_REC_OPEN, .fd = -1, .rc = 3, .path = "/dev/iommu" };
		struct ish_rec rd = { .op = ISH_REC_IOCTL, .fd = 3, .request = IOMMU_DESTROY,
				      .in = &dd, .out = &dd, .argsz = sizeof(dd) };
		struct ish_recorder *rr;
		FILE *sink = fopen("/dev/null", "w");
		unsigned long j, m = 100000;

		for (k = 0; k < ROUNDS; k++) {
			if (!sink || ish_recorder_new(sink, false, &rr) < 0)
				return 1;
			ish_recorder_add(rr, &o);
			t0 = now_ns();
			for (j = 0; j < m; j++) {
				ish_recorder_add(rr, &r_ioas);
				ish_recorder_add(rr, &rd);
			}
			v[k] = (now_ns() - t0) / (2.0 * m);
			ish_recorder_finish(rr);
		}
		s_tr = summarize(v);
		if (sink)
			fclose(sink);
	}

	bench_head();
	row("record IOMMU_IOAS_ALLOC", s_ioas);
	row("record IOMMU_HWPT_ALLOC (nested, STE)", s_hwpt);
	row("record IOMMU_HWPT_INVALIDATE (8 commands)", s_inv);
	row("record IOMMU_IOAS_ALLOC, pwrite fallback", s_pw);
	row("an unrecorded call through the interposer", s_pass);
	row("the same call without it (a null syscall)", s_null);
	row("IOMMU_IOAS_ALLOC or DESTROY on the simulator", s_sim_ioas);
	row("IOMMU_HWPT_INVALIDATE (8) on the simulator", s_sim_inv);
	row("translate a record (200000, one id reused)", s_tr);
	{
		char f[32], note[64];

		snprintf(f, sizeof(f), "%+.1f%%", s_pass.med >= 0 ?
			 100.0 * (s_pass.med - s_null.med) / s_null.med : 0.0);
		bench_rowv("recording", "interposer on an unrecorded call", "", f,
			   "of a null syscall", "", "");
		snprintf(f, sizeof(f), "%.1fx", s_ioas.med / s_null.med);
		snprintf(note, sizeof(note), "median of %d rounds of %d calls", ROUNDS, N);
		bench_rowv("recording", "recording IOMMU_IOAS_ALLOC", "", f, "null syscalls", "",
			   note);
	}
	if (h)
		dlclose(h);
	close(nullfd);
	if (slash) {
		*slash = '\0';
		end_to_end(so);
	}
	return 0;
}
