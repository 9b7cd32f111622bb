// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fail-Nth inside the simulated kernel (kernel-semantics.md §5.4): a whole VMM-like session
 * is run again and again with allocation 1, 2, ... N failing, until a run reaches no armed
 * allocation. A failing call must return -ENOMEM and leave no object, id or fd behind; after
 * each run, closing every fd must leave the simulated kernel empty (and valgrind clean).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <cmocka.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "iommush/sim.h"
#include "testing.h"

#define BASE		0x100000ULL
#define RAM_LEN		0x40000ULL
#define MAP_RW		(IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define STE_V		1ULL

struct run {
	struct ish_backend *be;
	int iofd, dfd[3], qfd;
	uint32_t dev[3], ioas, ioas2, parent, viommu, vdev, tr, by, q, auto_pt;
	uint8_t *ram;
};

static struct ish_sim_stats stats(struct run *r)
{
	struct ish_sim_stats st;

	ish_sim_get_stats(r->be, &st);
	return st;
}

/* One step: on failure it must be -ENOMEM with nothing created. */
static int step(struct run *r, int rc, const struct ish_sim_stats *before)
{
	struct ish_sim_stats now = stats(r);

	if (rc >= 0)
		return 0;
	if (rc != -ENOMEM)
		fail_msg("a step failed with %d, not -ENOMEM", rc);
	assert_int_equal(now.objects, before->objects);
	assert_int_equal(now.open_fds, before->open_fds);
	return rc;
}

#define STEP(r, expr)						\
	do {							\
		struct ish_sim_stats b_ = stats(r);		\
		int rc_ = step(r, (expr), &b_);			\
								\
		if (rc_ < 0)					\
			return rc_;				\
	} while (0)

static int io(struct run *r, unsigned long req, void *arg)
{
	return r->be->ops->ioctl(r->be, r->iofd, req, arg);
}

static int open_dev(struct run *r, int i, const char *bdf)
{
	int fd = r->be->ops->open_device(r->be, bdf, NULL);

	if (fd >= 0)
		r->dfd[i] = fd;
	return fd;
}

static int bind(struct run *r, int i)
{
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = r->iofd };
	int rc = r->be->ops->ioctl(r->be, r->dfd[i], VFIO_DEVICE_BIND_IOMMUFD, &b);

	r->dev[i] = b.out_devid;
	return rc;
}

static int attach(struct run *r, int i, uint32_t pt, uint32_t *out)
{
	struct vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a), .pt_id = pt };
	int rc = r->be->ops->ioctl(r->be, r->dfd[i], VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);

	if (out)
		*out = a.pt_id;
	return rc;
}

static int alloc_ioas(struct run *r, uint32_t *id)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	int rc = io(r, IOMMU_IOAS_ALLOC, &a);

	*id = a.out_ioas_id;
	return rc;
}

static int map(struct run *r)
{
	struct iommu_ioas_map m = { .size = sizeof(m), .ioas_id = r->ioas, .length = RAM_LEN,
				    .flags = IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW,
				    .user_va = (uintptr_t)r->ram, .iova = BASE };

	return io(r, IOMMU_IOAS_MAP, &m);
}

static int copy_allow(struct run *r)
{
	struct iommu_iova_range range = { 0x400000, 0x7fffff };
	struct iommu_ioas_allow_iovas al = { .size = sizeof(al), .num_iovas = 1,
					     .allowed_iovas = (uintptr_t)&range };
	struct iommu_ioas_copy c = { .size = sizeof(c), .flags = MAP_RW, .length = 0x2000,
				     .src_iova = BASE };
	int rc;

	al.ioas_id = r->ioas2;
	rc = io(r, IOMMU_IOAS_ALLOW_IOVAS, &al);
	if (rc < 0)
		return rc;
	c.dst_ioas_id = r->ioas2;
	c.src_ioas_id = r->ioas;
	return io(r, IOMMU_IOAS_COPY, &c);
}

static int hwpt(struct run *r, uint32_t pt, uint32_t flags, const void *ste, uint32_t *id)
{
	struct iommu_hwpt_alloc a = { .size = sizeof(a), .flags = flags, .dev_id = r->dev[0],
				      .pt_id = pt };
	int rc;

	if (ste) {
		a.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3;
		a.data_len = 16;
		a.data_uptr = (uintptr_t)ste;
	}
	rc = io(r, IOMMU_HWPT_ALLOC, &a);
	*id = a.out_hwpt_id;
	return rc;
}

static int viommu(struct run *r)
{
	struct iommu_viommu_alloc a = { .size = sizeof(a), .type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
					.dev_id = r->dev[0], .hwpt_id = r->parent };
	int rc = io(r, IOMMU_VIOMMU_ALLOC, &a);

	r->viommu = a.out_viommu_id;
	return rc;
}

static int vdevice(struct run *r)
{
	struct iommu_vdevice_alloc a = { .size = sizeof(a), .viommu_id = r->viommu,
					 .dev_id = r->dev[0], .virt_id = 0x42 };
	int rc = io(r, IOMMU_VDEVICE_ALLOC, &a);

	r->vdev = a.out_vdevice_id;
	return rc;
}

static int veventq(struct run *r)
{
	struct iommu_veventq_alloc a = { .size = sizeof(a), .viommu_id = r->viommu,
					 .type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, .veventq_depth = 4 };
	int rc = io(r, IOMMU_VEVENTQ_ALLOC, &a);

	if (!rc) {
		r->q = a.out_veventq_id;
		r->qfd = (int)a.out_veventq_fd;
	}
	return rc;
}

static int invalidate(struct run *r)
{
	const uint64_t cmds[2][2] = { { 0x10, 0 }, { 0x06 | 0x42ULL << 32, 0 } };
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv), .hwpt_id = r->viommu, .data_uptr = (uintptr_t)cmds,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, .entry_len = 16,
		.entry_num = 2,
	};

	return io(r, IOMMU_HWPT_INVALIDATE, &inv);
}

/* A faulting edu DMA (the CD is all zero): events, some of which may be lost. */
static int dma(struct run *r)
{
	uint64_t v[4] = { BASE, 0x40000, 64, 1 };
	uint16_t cmd = 0x6;
	int i;

	if (r->be->ops->pwrite(r->be, r->dfd[0], &cmd, 2, 7ULL << 40) != 2)
		return -EIO;
	for (i = 0; i < 4; i++)
		if (r->be->ops->pwrite(r->be, r->dfd[0], &v[i], 8, 0x80 + 8 * i) != 8)
			return -EIO;
	return 0;
}

static int read_events(struct run *r)
{
	uint8_t buf[512];
	ssize_t n = r->be->ops->read(r->be, r->qfd, buf, sizeof(buf));

	return n < 0 ? (int)n : 0;
}

static int destroy(struct run *r, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return io(r, IOMMU_DESTROY, &d);
}

static int session(struct run *r)
{
	const uint64_t ab[2] = { STE_V, 0 }, by[2] = { STE_V | 4ULL << 1, 0 };
	const uint64_t tr[2] = { STE_V | 5ULL << 1 | (BASE + 0x8000), 0 };

	STEP(r, r->iofd = r->be->ops->open_iommufd(r->be));
	STEP(r, open_dev(r, 0, "0000:00:01.0"));
	STEP(r, bind(r, 0));
	STEP(r, open_dev(r, 1, "0000:00:02.0"));
	STEP(r, bind(r, 1));
	STEP(r, open_dev(r, 2, "/dev/vfio/devices/vfio2"));
	STEP(r, bind(r, 2));
	STEP(r, alloc_ioas(r, &r->ioas));
	STEP(r, map(r));
	STEP(r, alloc_ioas(r, &r->ioas2));
	STEP(r, copy_allow(r));
	STEP(r, attach(r, 1, r->ioas, &r->auto_pt));
	STEP(r, attach(r, 2, r->ioas, NULL));
	STEP(r, hwpt(r, r->ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, NULL, &r->parent));
	STEP(r, attach(r, 0, r->parent, NULL));
	STEP(r, viommu(r));
	STEP(r, hwpt(r, r->viommu, 0, ab, &r->by));
	STEP(r, attach(r, 0, r->by, NULL));
	STEP(r, vdevice(r));
	STEP(r, veventq(r));
	STEP(r, hwpt(r, r->viommu, 0, by, &r->by));
	STEP(r, hwpt(r, r->viommu, 0, tr, &r->tr));
	STEP(r, attach(r, 0, r->tr, NULL));
	STEP(r, dma(r));
	STEP(r, read_events(r));
	STEP(r, invalidate(r));
	STEP(r, attach(r, 1, r->ioas2, NULL));
	STEP(r, attach(r, 0, r->ioas, NULL));
	STEP(r, destroy(r, r->tr));
	STEP(r, r->be->ops->close(r->be, r->dfd[0]));	/* unbind: tombstone */
	r->dfd[0] = -1;
	return 0;
}

static void run_close(struct run *r)
{
	struct ish_sim_stats st;
	int i;

	for (i = 0; i < 3; i++)
		if (r->dfd[i] >= 0)
			r->be->ops->close(r->be, r->dfd[i]);
	if (r->qfd >= 0)
		r->be->ops->close(r->be, r->qfd);
	if (r->iofd >= 0)
		r->be->ops->close(r->be, r->iofd);
	st = stats(r);
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.open_fds, 0);
	r->be->ops->free(r->be);
	munmap(r->ram, RAM_LEN);
}

static void run_open(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->iofd = r->qfd = r->dfd[0] = r->dfd[1] = r->dfd[2] = -1;
	r->be = ish_sim_new();
	assert_non_null(r->be);
	r->ram = mmap(NULL, RAM_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(r->ram != MAP_FAILED);
}

static void sweep(void **state)
{
	unsigned long n;
	struct run r;
	int rc;

	(void)state;
	run_open(&r);
	assert_int_equal(session(&r), 0);
	run_close(&r);
	for (n = 1; n < 500; n++) {
		run_open(&r);
		ish_sim_fail_alloc(r.be, n);
		rc = session(&r);
		ish_sim_fail_alloc(r.be, 0);
		if (!ish_sim_fail_alloc_hit(r.be)) {
			assert_int_equal(rc, 0);
			run_close(&r);
			break;
		}
		run_close(&r);
	}
	print_message("%lu allocations swept\n", n - 1);
	assert_true(n > 20 && n < 500);
}

/* An event whose record cannot be allocated is counted as lost, not an error. */
static void event_alloc_failure_is_a_loss(void **state)
{
	const uint64_t evt[4] = { 0x10 | 8ULL << 32, 0, 0, 0 };
	struct run r;
	uint8_t buf[64];
	uint32_t flags, seq;

	(void)state;
	run_open(&r);
	r.iofd = r.be->ops->open_iommufd(r.be);
	assert_int_equal(open_dev(&r, 0, "0000:00:01.0"), 1001);
	assert_int_equal(bind(&r, 0), 0);
	assert_int_equal(alloc_ioas(&r, &r.ioas), 0);
	assert_int_equal(hwpt(&r, r.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, NULL, &r.parent), 0);
	assert_int_equal(attach(&r, 0, r.parent, NULL), 0);
	assert_int_equal(viommu(&r), 0);
	assert_int_equal(vdevice(&r), 0);
	assert_int_equal(veventq(&r), 0);
	{
		const uint64_t ab[2] = { STE_V, 0 };

		assert_int_equal(hwpt(&r, r.viommu, 0, ab, &r.by), 0);
		assert_int_equal(attach(&r, 0, r.by, NULL), 0);
	}
	ish_sim_fail_alloc(r.be, 1);
	assert_int_equal(ish_sim_inject_event(r.be, "0000:00:01.0", evt), 1);
	assert_true(ish_sim_fail_alloc_hit(r.be));
	assert_int_equal(r.be->ops->read(r.be, r.qfd, buf, sizeof(buf)), 8);
	memcpy(&flags, buf, 4);
	memcpy(&seq, buf + 4, 4);
	assert_int_equal(flags, IOMMU_VEVENTQ_FLAG_LOST_EVENTS);
	assert_int_equal(seq, 0);
	run_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sweep),
		cmocka_unit_test(event_alloc_failure_is_a_loss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
