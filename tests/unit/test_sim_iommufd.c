// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Conformance of the simulated kernel at the ioctl boundary: raw requests and uAPI structs
 * through the ops, checked against Linux 7.3's iommufd + VFIO cdev + SMMUv3 rules
 * (kernel-semantics.md §1-§3, §5, §8): the envelope, the id space, refcounts and
 * IOMMU_DESTROY, IOAS map/unmap, HWPT / vIOMMU / vDEVICE allocation, attach, tombstones,
 * close semantics, GET_HW_INFO and the fds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/mman.h>
#include <cmocka.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "iommush/sim.h"
#include "testing.h"

#define BDF_A "0000:00:01.0"	/* edu, smmu0, SID 0x8 */
#define BDF_B "0000:00:02.0"	/* edu, smmu0, SID 0x10 */
#define BDF_C "0000:10:00.0"	/* edu, smmu1, SID 0x1000 */
#define BDF_X "0000:00:03.0"	/* not on vfio-pci */

#define STE_V		1ULL
#define STE_ABORT	STE_V
#define STE_BYPASS	(STE_V | (4ULL << 1))
#define STE_S1(cd)	(STE_V | (5ULL << 1) | (cd))
#define MAP_RW		(IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

struct env {
	struct ish_backend *be;
	int iofd;
	int dfd[3];
	uint32_t dev[3];
	uint32_t ioas;
	void *mem;		/* 2 MiB mapped at IOVA 0 when env_open(.., true) */
};

static const char *const bdfs[3] = { BDF_A, BDF_B, BDF_C };

/* ---- helpers: one raw call each --------------------------------------------------------- */

static int io(struct env *e, unsigned long req, void *arg)
{
	return e->be->ops->ioctl(e->be, e->iofd, req, arg);
}

static int dio(struct env *e, int i, unsigned long req, void *arg)
{
	return e->be->ops->ioctl(e->be, e->dfd[i], req, arg);
}

static int destroy(struct env *e, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return io(e, IOMMU_DESTROY, &d);
}

static int ioas_alloc(struct env *e, uint32_t *id)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	int rc = io(e, IOMMU_IOAS_ALLOC, &a);

	*id = a.out_ioas_id;
	return rc;
}

static int map(struct env *e, uint32_t ioas, void *va, uint64_t len, uint64_t *iova,
	       uint32_t flags)
{
	struct iommu_ioas_map m = { .size = sizeof(m), .flags = flags, .ioas_id = ioas,
				    .user_va = (uintptr_t)va, .length = len, .iova = *iova };
	int rc = io(e, IOMMU_IOAS_MAP, &m);

	*iova = m.iova;
	return rc;
}

static int unmap(struct env *e, uint32_t ioas, uint64_t iova, uint64_t len, uint64_t *out)
{
	struct iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = ioas, .iova = iova,
				      .length = len };
	int rc = io(e, IOMMU_IOAS_UNMAP, &u);

	if (out)
		*out = u.length;
	return rc;
}

static int hwpt(struct env *e, uint32_t dev, uint32_t pt, uint32_t flags, uint32_t *id)
{
	struct iommu_hwpt_alloc a = { .size = sizeof(a), .flags = flags, .dev_id = dev,
				      .pt_id = pt };
	int rc = io(e, IOMMU_HWPT_ALLOC, &a);

	*id = a.out_hwpt_id;
	return rc;
}

static int nested(struct env *e, uint32_t dev, uint32_t viommu, uint64_t s0, uint64_t s1,
		  uint32_t *id)
{
	struct iommu_hwpt_arm_smmuv3 ste = { .ste = { s0, s1 } };
	struct iommu_hwpt_alloc a = {
		.size = sizeof(a), .dev_id = dev, .pt_id = viommu,
		.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3, .data_len = sizeof(ste),
		.data_uptr = (uintptr_t)&ste,
	};
	int rc = io(e, IOMMU_HWPT_ALLOC, &a);

	*id = a.out_hwpt_id;
	return rc;
}

static int viommu(struct env *e, uint32_t dev, uint32_t parent, uint32_t *id)
{
	struct iommu_viommu_alloc a = { .size = sizeof(a), .type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
					.dev_id = dev, .hwpt_id = parent };
	int rc = io(e, IOMMU_VIOMMU_ALLOC, &a);

	*id = a.out_viommu_id;
	return rc;
}

static int vdevice(struct env *e, uint32_t v, uint32_t dev, uint64_t vsid, uint32_t *id)
{
	struct iommu_vdevice_alloc a = { .size = sizeof(a), .viommu_id = v, .dev_id = dev,
					 .virt_id = vsid };
	int rc = io(e, IOMMU_VDEVICE_ALLOC, &a);

	*id = a.out_vdevice_id;
	return rc;
}

static int veventq(struct env *e, uint32_t v, uint32_t depth, uint32_t *id, int *fd)
{
	struct iommu_veventq_alloc a = { .size = sizeof(a), .viommu_id = v,
					 .type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
					 .veventq_depth = depth };
	int rc = io(e, IOMMU_VEVENTQ_ALLOC, &a);

	*id = a.out_veventq_id;
	*fd = (int)a.out_veventq_fd;
	return rc;
}

static int attach(struct env *e, int i, uint32_t pt, uint32_t *out)
{
	struct vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a), .pt_id = pt };
	int rc = dio(e, i, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);

	if (out)
		*out = a.pt_id;
	return rc;
}

static int detach(struct env *e, int i)
{
	struct vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };

	return dio(e, i, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

static int bind(struct env *e, int fd, uint32_t *id)
{
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = e->iofd };
	int rc = e->be->ops->ioctl(e->be, fd, VFIO_DEVICE_BIND_IOMMUFD, &b);

	*id = b.out_devid;
	return rc;
}

static int inval(struct env *e, uint32_t id, const uint64_t (*cmds)[2], uint32_t n,
		 uint32_t *done)
{
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv), .hwpt_id = id, .data_uptr = (uintptr_t)cmds,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, .entry_len = 16,
		.entry_num = n,
	};
	int rc = io(e, IOMMU_HWPT_INVALIDATE, &inv);

	*done = inv.entry_num;
	return rc;
}

static struct ish_sim_stats stats(struct env *e)
{
	struct ish_sim_stats st;

	ish_sim_get_stats(e->be, &st);
	return st;
}

/* A fresh host; @ndev devices opened and bound (A, B, C order); an IOAS when @with_map. */
static void env_on(struct env *e, struct ish_backend *be, int ndev, bool with_map)
{
	uint64_t iova = 0;
	int i;

	memset(e, 0, sizeof(*e));
	e->be = be;
	assert_non_null(e->be);
	e->iofd = e->be->ops->open_iommufd(e->be);
	assert_true(e->iofd >= 1000);
	for (i = 0; i < 3; i++)
		e->dfd[i] = -1;
	for (i = 0; i < ndev; i++) {
		e->dfd[i] = e->be->ops->open_device(e->be, bdfs[i], NULL);
		assert_true(e->dfd[i] >= 0);
		assert_int_equal(bind(e, e->dfd[i], &e->dev[i]), 0);
	}
	if (!with_map)
		return;
	assert_int_equal(ioas_alloc(e, &e->ioas), 0);
	e->mem = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(e->mem != MAP_FAILED);
	assert_int_equal(map(e, e->ioas, e->mem, 2 << 20, &iova,
			     IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW), 0);
}

static void env_open(struct env *e, int ndev, bool with_map)
{
	env_on(e, ish_sim_new(), ndev, with_map);
}

/* Close every fd; the simulated kernel must then hold nothing at all. */
static void env_close(struct env *e)
{
	struct ish_sim_stats st;
	int i;

	for (i = 0; i < 3; i++)
		if (e->dfd[i] >= 0)
			assert_int_equal(e->be->ops->close(e->be, e->dfd[i]), 0);
	assert_int_equal(e->be->ops->close(e->be, e->iofd), 0);
	st = stats(e);
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.open_fds, 0);
	assert_int_equal(st.pinned_pages, 0);
	e->be->ops->free(e->be);
	if (e->mem)
		munmap(e->mem, 2 << 20);
}

/* A nest parent on the IOAS for device @i, with the device on it, and a vIOMMU. */
static void nest_setup(struct env *e, int i, uint32_t *parent, uint32_t *v)
{
	assert_int_equal(hwpt(e, e->dev[i], e->ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, parent), 0);
	assert_int_equal(attach(e, i, *parent, NULL), 0);
	assert_int_equal(viommu(e, e->dev[i], *parent, v), 0);
}

/* ---- the envelope (§1.3, [ST] cmd_fail, cmd_length, cmd_ex_fail) ------------------------- */

struct op_size {
	unsigned long req;
	uint32_t size, min;
};

static const struct op_size op_sizes[] = {
	{ IOMMU_DESTROY, 8, 8 }, { IOMMU_IOAS_ALLOC, 12, 12 }, { IOMMU_IOAS_MAP, 40, 40 },
	{ IOMMU_IOAS_UNMAP, 24, 24 }, { IOMMU_HWPT_ALLOC, 48, 24 },
	{ IOMMU_GET_HW_INFO, 40, 32 }, { IOMMU_HWPT_INVALIDATE, 32, 32 },
	{ IOMMU_VIOMMU_ALLOC, 40, 24 }, { IOMMU_VDEVICE_ALLOC, 24, 24 },
	{ IOMMU_VEVENTQ_ALLOC, 32, 28 }, { IOMMU_HW_QUEUE_ALLOC, 40, 40 },
};

static void envelope_basics(void **state)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = 0 };
	struct env e;

	(void)state;
	env_open(&e, 0, false);
	assert_int_equal(io(&e, IOMMU_DESTROY, NULL), -EFAULT);
	assert_int_equal(io(&e, IOMMU_DESTROY, &d), -ENOENT);
	assert_int_equal(io(&e, _IO(IOMMUFD_TYPE, 0x7f), &d), -ENOTTY);
	assert_int_equal(io(&e, _IO(IOMMUFD_TYPE, 0x96), &d), -ENOTTY);
	/* the right number with another encoding is still not the command */
	assert_int_equal(io(&e, _IOW(IOMMUFD_TYPE, 0x80, struct iommu_destroy), &d), -ENOTTY);
	assert_int_equal(io(&e, VFIO_GET_API_VERSION, NULL), VFIO_API_VERSION);
	/* a vEVENTQ-less fd number */
	assert_int_equal(e.be->ops->ioctl(e.be, 4242, IOMMU_DESTROY, &d), -EBADF);
	env_close(&e);
}

static void envelope_sizes(void **state)
{
	uint64_t buf[16];
	struct env e;
	size_t i;
	int exact;

	(void)state;
	env_open(&e, 0, false);
	for (i = 0; i < sizeof(op_sizes) / sizeof(op_sizes[0]); i++) {
		const struct op_size *o = &op_sizes[i];

		memset(buf, 0, sizeof(buf));
		buf[0] = o->min - 1;
		assert_int_equal(io(&e, o->req, buf), -EINVAL);
		/* the full size and a longer one with a zero tail are the same call */
		buf[0] = o->size;
		exact = io(&e, o->req, buf);
		assert_int_not_equal(exact, -E2BIG);
		memset(buf, 0, sizeof(buf));
		buf[0] = o->size + 8;
		assert_int_equal(io(&e, o->req, buf), exact);
		((uint8_t *)buf)[o->size + 3] = 1;
		assert_int_equal(io(&e, o->req, buf), -E2BIG);
	}
	env_close(&e);
}

/* ---- ids and refcounts (§1.1, §1.2, §8) -------------------------------------------------- */

static void id_sequence_as_observed(void **state)
{
	uint32_t parent, paging, v, ab, by, x;
	struct env e;

	(void)state;
	env_open(&e, 2, true);
	/* dev 1, dev 2, ioas 3, nest parent 4, paging 5, vIOMMU 6, abort 7, bypass 8 */
	assert_int_equal(e.dev[0], 1);
	assert_int_equal(e.dev[1], 2);
	assert_int_equal(e.ioas, 3);
	assert_int_equal(hwpt(&e, e.dev[0], e.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, &parent), 0);
	assert_int_equal(parent, 4);
	assert_int_equal(hwpt(&e, e.dev[0], e.ioas, 0, &paging), 0);
	assert_int_equal(paging, 5);
	assert_int_equal(viommu(&e, e.dev[0], parent, &v), 0);
	assert_int_equal(v, 6);
	/* a failed allocation takes no id */
	assert_int_equal(nested(&e, e.dev[0], v, STE_V | (6ULL << 1), 0, &x), -EIO);
	assert_int_equal(nested(&e, e.dev[0], v, STE_ABORT, 0, &ab), 0);
	assert_int_equal(ab, 7);
	assert_int_equal(nested(&e, e.dev[0], v, STE_BYPASS, 0, &by), 0);
	assert_int_equal(by, 8);
	/* the lowest free id comes back first */
	assert_int_equal(destroy(&e, paging), 0);
	assert_int_equal(destroy(&e, ab), 0);
	assert_int_equal(ioas_alloc(&e, &x), 0);
	assert_int_equal(x, 5);
	assert_int_equal(ioas_alloc(&e, &x), 0);
	assert_int_equal(x, 7);
	assert_int_equal(ioas_alloc(&e, &x), 0);
	assert_int_equal(x, 9);
	env_close(&e);
}

static void destroy_busy_rules(void **state)
{
	uint32_t parent, v, vd, tr, q, auto_pt, paging;
	struct env e;
	int qfd;

	(void)state;
	env_open(&e, 2, true);
	assert_int_equal(destroy(&e, 0), -ENOENT);
	assert_int_equal(destroy(&e, 999), -ENOENT);
	assert_int_equal(destroy(&e, e.dev[0]), -EBUSY);	/* the binding holds it */
	assert_int_equal(attach(&e, 1, e.ioas, &auto_pt), 0);
	assert_int_equal(destroy(&e, auto_pt), -EBUSY);		/* a device is on it */
	assert_int_equal(destroy(&e, e.ioas), -EBUSY);		/* a HWPT is made from it */
	nest_setup(&e, 0, &parent, &v);
	assert_int_equal(destroy(&e, parent), -EBUSY);
	assert_int_equal(vdevice(&e, v, e.dev[0], 0x42, &vd), 0);
	assert_int_equal(destroy(&e, v), -EBUSY);		/* its vDEVICE */
	assert_int_equal(nested(&e, e.dev[0], v, STE_S1(0x100000), 0, &tr), 0);
	assert_int_equal(attach(&e, 0, tr, NULL), 0);
	assert_int_equal(destroy(&e, tr), -EBUSY);
	assert_int_equal(veventq(&e, v, 8, &q, &qfd), 0);
	assert_int_equal(destroy(&e, q), -EBUSY);		/* its own fd */
	assert_int_equal(e.be->ops->close(e.be, qfd), 0);
	assert_int_equal(destroy(&e, q), 0);
	assert_int_equal(destroy(&e, vd), 0);		/* a leaf, even while attached */
	assert_int_equal(destroy(&e, v), -EBUSY);		/* the nested HWPT */
	assert_int_equal(attach(&e, 0, parent, NULL), 0);
	assert_int_equal(destroy(&e, tr), 0);
	assert_int_equal(destroy(&e, v), 0);
	assert_int_equal(detach(&e, 0), 0);
	assert_int_equal(destroy(&e, parent), 0);
	/* an explicit HWPT no device uses can go; the IOAS is still held by the auto one */
	assert_int_equal(hwpt(&e, e.dev[0], e.ioas, 0, &paging), 0);
	assert_int_equal(destroy(&e, paging), 0);
	assert_int_equal(destroy(&e, e.ioas), -EBUSY);
	assert_int_equal(detach(&e, 1), 0);
	assert_int_equal(destroy(&e, auto_pt), -ENOENT);	/* went with its last device */
	assert_int_equal(destroy(&e, e.ioas), 0);
	env_close(&e);
}

/* ---- IOAS (§2 IOAS_MAP / UNMAP, [ST] area, unmap_fully_contained_areas) ------------------ */

static void ioas_map_checks(void **state)
{
	struct iommu_ioas_map m = { .size = sizeof(m), .flags = MAP_RW, .length = 4096 };
	struct env e;
	uint32_t ioas;
	uint64_t iova;
	char *buf;

	(void)state;
	env_open(&e, 0, false);
	buf = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(buf != MAP_FAILED);
	assert_int_equal(ioas_alloc(&e, &ioas), 0);
	{
		struct iommu_ioas_alloc a = { .size = sizeof(a), .flags = 1 };

		assert_int_equal(io(&e, IOMMU_IOAS_ALLOC, &a), -EOPNOTSUPP);
	}
	m.ioas_id = ioas;
	m.user_va = (uintptr_t)buf;
	m.flags = MAP_RW | 8;
	assert_int_equal(io(&e, IOMMU_IOAS_MAP, &m), -EOPNOTSUPP);
	m.flags = MAP_RW;
	m.__reserved = 1;
	assert_int_equal(io(&e, IOMMU_IOAS_MAP, &m), -EOPNOTSUPP);
	m.__reserved = 0;
	m.iova = UINT64_MAX;
	assert_int_equal(io(&e, IOMMU_IOAS_MAP, &m), -EOVERFLOW);
	m.iova = 0;
	m.flags = IOMMU_IOAS_MAP_FIXED_IOVA;
	assert_int_equal(io(&e, IOMMU_IOAS_MAP, &m), -EINVAL);	/* neither R nor W */
	m.flags = MAP_RW;
	m.ioas_id = 99;
	assert_int_equal(io(&e, IOMMU_IOAS_MAP, &m), -ENOENT);
	m.ioas_id = ioas;
	m.user_va = UINT64_MAX - 100;
	assert_int_equal(io(&e, IOMMU_IOAS_MAP, &m), -EOVERFLOW);
	m.user_va = (uintptr_t)buf;
	m.length = 0;
	assert_int_equal(io(&e, IOMMU_IOAS_MAP, &m), -EINVAL);
	/* without a domain any byte alignment goes, and a bad address is not noticed */
	iova = 0x1001;
	assert_int_equal(map(&e, ioas, (void *)0x5000, 3, &iova,
			     IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW), 0);
	assert_int_equal(unmap(&e, ioas, 0, UINT64_MAX, &iova), 0);
	assert_int_equal(iova, 3);
	assert_int_equal(destroy(&e, ioas), 0);
	munmap(buf, 1 << 20);
	env_close(&e);
}

static void ioas_overlaps_and_unmap(void **state)
{
	static const uint64_t over[5][2] = {
		{ 0x10000, 0x10000 }, { 0xf000, 0x2000 }, { 0x1f000, 0x2000 },
		{ 0xf000, 0x12000 }, { 0x11000, 0x1000 },
	};
	struct env e;
	uint32_t ioas;
	uint64_t iova, n;
	char *buf;
	int i;

	(void)state;
	env_open(&e, 0, false);
	buf = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_int_equal(ioas_alloc(&e, &ioas), 0);
	assert_int_equal(unmap(&e, ioas, 0x10000, 0x1000, NULL), -ENOENT);	/* empty */
	assert_int_equal(unmap(&e, ioas, 0, UINT64_MAX, &n), 0);		/* all of nothing */
	assert_int_equal(n, 0);
	iova = 0x10000;
	assert_int_equal(map(&e, ioas, buf, 0x10000, &iova, IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW), 0);
	for (i = 0; i < 5; i++) {
		iova = over[i][0];
		assert_int_equal(map(&e, ioas, buf, over[i][1], &iova,
				     IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW), -EEXIST);
	}
	/* cutting an area is refused */
	assert_int_equal(unmap(&e, ioas, 0x10000, 0x1000, NULL), -ENOENT);
	assert_int_equal(unmap(&e, ioas, 0x18000, 0x10000, NULL), -ENOENT);
	assert_int_equal(unmap(&e, ioas, 0, 0, NULL), -EINVAL);
	assert_int_equal(unmap(&e, ioas, UINT64_MAX, 1, NULL), -EOVERFLOW);
	assert_int_equal(unmap(&e, ioas, 3, UINT64_MAX - 1, NULL), -EOVERFLOW);
	assert_int_equal(unmap(&e, 77, 0, 1, NULL), -ENOENT);
	/* a superset takes whole areas, the exact sum */
	iova = 0x40000;
	assert_int_equal(map(&e, ioas, buf, 0x20000, &iova, IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW), 0);
	assert_int_equal(unmap(&e, ioas, 0, 0x100000, &n), 0);
	assert_int_equal(n, 0x30000);
	assert_int_equal(unmap(&e, ioas, 0, 0x100000, NULL), -ENOENT);
	munmap(buf, 1 << 20);
	env_close(&e);
}

static void ioas_auto_iova(void **state)
{
	struct env e;
	uint32_t ioas;
	uint64_t a = 0, b = 0, c = 0;
	char *buf;

	(void)state;
	env_open(&e, 0, false);
	buf = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_int_equal(ioas_alloc(&e, &ioas), 0);
	/* never IOVA 0; aligned to the length (a power of two) as far as user_va allows */
	assert_int_equal(map(&e, ioas, (void *)0x200000, 0x4000, &a, MAP_RW), 0);
	assert_true(a >= 4096);
	assert_int_equal(a % 0x4000, 0);
	/* ... and no more than user_va's own alignment */
	assert_int_equal(a, 0x4000);
	assert_int_equal(map(&e, ioas, (void *)0x201000, 0x2000, &b, MAP_RW), 0);
	assert_int_equal(b, 0x1000);
	assert_int_equal(unmap(&e, ioas, b, 0x2000, NULL), 0);
	assert_int_equal(map(&e, ioas, (void *)0x200000, 0x2000, &b, MAP_RW), 0);
	assert_int_equal(b, 0x2000);
	assert_int_equal(unmap(&e, ioas, b, 0x2000, NULL), 0);
	assert_int_equal(map(&e, ioas, buf, 0x3000, &b, MAP_RW), 0);
	assert_int_equal(b % 0x1000, 0);
	assert_true(b + 0x3000 <= a || b >= a + 0x4000);
	/* user_va's page offset is kept */
	assert_int_equal(map(&e, ioas, buf + 0x10, 0x100, &c, IOMMU_IOAS_MAP_READABLE), 0);
	assert_int_equal(c % 0x100, 0x10);
	assert_int_equal(unmap(&e, ioas, 0, UINT64_MAX, &a), 0);
	assert_int_equal(a, 0x4000 + 0x3000 + 0x100);
	munmap(buf, 4 << 20);
	env_close(&e);
}

/* With a domain the IOAS is pinned: 4 KiB alignment, real memory, the MSI window reserved. */
static void ioas_with_domain(void **state)
{
	struct iommu_ioas_iova_ranges r = { .size = sizeof(r) };
	struct iommu_iova_range ranges[4];
	struct ish_sim_stats st;
	struct env e;
	uint64_t iova;
	uint32_t ioas2, pt, pt2;
	char *buf;

	(void)state;
	env_open(&e, 2, true);
	st = stats(&e);
	assert_int_equal(st.pinned_pages, 0);			/* no domain yet */
	assert_int_equal(attach(&e, 0, e.ioas, &pt), 0);
	st = stats(&e);
	assert_int_equal(st.pinned_pages, 512);
	buf = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	iova = 0x300000;
	assert_int_equal(map(&e, e.ioas, buf, 0x800, &iova, IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW),
			 -EINVAL);
	iova = 0x300800;
	assert_int_equal(map(&e, e.ioas, buf, 0x1000, &iova, IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW),
			 -EINVAL);
	/* the SW MSI window of the attached device */
	iova = 0x8000000;
	assert_int_equal(map(&e, e.ioas, buf, 0x1000, &iova, IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW),
			 -EINVAL);
	/* a domain maps whole pages */
	iova = 0x400000;
	assert_int_equal(map(&e, e.ioas, buf + 0x10, 0x1000, &iova,
			     IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW), -EINVAL);
	/* pinning memory that is not there */
	munmap(buf + 0x80000, 0x1000);
	iova = 0x400000;
	assert_int_equal(map(&e, e.ioas, buf + 0x7f000, 0x2000, &iova,
			     IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW), -EFAULT);
	r.ioas_id = e.ioas;
	r.num_iovas = 1;
	r.allowed_iovas = (uintptr_t)ranges;
	assert_int_equal(io(&e, IOMMU_IOAS_IOVA_RANGES, &r), -EMSGSIZE);
	assert_int_equal(r.num_iovas, 2);
	r.num_iovas = 4;
	assert_int_equal(io(&e, IOMMU_IOAS_IOVA_RANGES, &r), 0);
	assert_int_equal(r.num_iovas, 2);
	assert_int_equal(r.out_iova_alignment, 4096);
	assert_int_equal(ranges[0].start, 0);
	assert_int_equal(ranges[0].last, 0x7ffffff);
	assert_int_equal(ranges[1].start, 0x8100000);
	assert_int_equal(ranges[1].last, (1ULL << 48) - 1);
	/* an area on the window: a device can't come to this IOAS */
	assert_int_equal(ioas_alloc(&e, &ioas2), 0);
	iova = 0x8000000;
	assert_int_equal(map(&e, ioas2, buf, 0x1000, &iova, IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW), 0);
	assert_int_equal(attach(&e, 1, ioas2, NULL), -EADDRINUSE);
	/* an area a domain cannot map: no HWPT on that IOAS */
	assert_int_equal(unmap(&e, ioas2, 0, UINT64_MAX, NULL), 0);
	iova = 0x1800;
	assert_int_equal(map(&e, ioas2, buf, 0x800, &iova, IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW), 0);
	assert_int_equal(hwpt(&e, e.dev[1], ioas2, 0, &pt2), -EADDRINUSE);
	assert_int_equal(attach(&e, 1, ioas2, NULL), -EADDRINUSE);
	assert_int_equal(ioas_alloc(&e, &pt2), 0);
	assert_int_equal(pt2, ioas2 + 1);	/* the failed HWPTs took no id */
	assert_int_equal(attach(&e, 1, e.ioas, &pt2), 0);
	assert_int_equal(pt2, pt);
	munmap(buf, 1 << 20);
	env_close(&e);
}

/* ---- HWPT_ALLOC (§2 (a)-(c), §3, §8) ------------------------------------------------------ */

static void hwpt_paging_flags(void **state)
{
	struct iommu_hwpt_alloc a = { .size = sizeof(a) };
	struct iommu_hwpt_arm_smmuv3 ste = { .ste = { STE_ABORT, 0 } };
	struct env e;
	uint32_t id, parent;

	(void)state;
	env_open(&e, 1, true);
	a.dev_id = e.dev[0];
	a.pt_id = e.ioas;
	a.__reserved = 1;
	assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &a), -EOPNOTSUPP);
	a.__reserved = 0;
	a.data_len = 16;
	assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &a), -EINVAL);	/* NONE with data */
	a.data_len = 0;
	a.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3;
	assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &a), -EINVAL);	/* type without data */
	a.data_len = 16;
	a.data_uptr = (uintptr_t)&ste;
	assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &a), -EOPNOTSUPP);	/* paging takes none */
	assert_int_equal(hwpt(&e, e.ioas, e.ioas, 0, &id), -ENOENT);		/* dev = ioas */
	assert_int_equal(hwpt(&e, e.dev[0], e.dev[0], 0, &id), -EINVAL);	/* pt = dev */
	assert_int_equal(hwpt(&e, e.dev[0], 4242, 0, &id), -EINVAL);		/* pt missing */
	assert_int_equal(hwpt(&e, e.dev[0], e.ioas, 1U << 30, &id), -EOPNOTSUPP);
	assert_int_equal(hwpt(&e, e.dev[0], e.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT |
			      IOMMU_HWPT_FAULT_ID_VALID, &id), -EOPNOTSUPP);
	assert_int_equal(hwpt(&e, e.dev[0], e.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT |
			      IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &id), -EOPNOTSUPP);
	assert_int_equal(hwpt(&e, e.dev[0], e.ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &id),
			 -EOPNOTSUPP);
	assert_int_equal(hwpt(&e, e.dev[0], e.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT |
			      IOMMU_HWPT_ALLOC_PASID, &id), -EOPNOTSUPP);
	assert_int_equal(hwpt(&e, e.dev[0], e.ioas, IOMMU_HWPT_FAULT_ID_VALID, &id), -ENOENT);
	assert_int_equal(hwpt(&e, e.dev[0], e.ioas, IOMMU_HWPT_ALLOC_PASID, &id), 0);
	assert_int_equal(destroy(&e, id), 0);
	/* nesting on a parent HWPT (no vIOMMU): SMMUv3 has no such path */
	assert_int_equal(hwpt(&e, e.dev[0], e.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, &parent), 0);
	a.pt_id = parent;
	a.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3;
	assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &a), -EOPNOTSUPP);
	env_close(&e);
}

/* vfio-pci on a kernel without VFIO_DEVICE_CDEV: the driver, but no cdev to open */
static void a_function_without_its_cdev_is_on_vfio_pci_but_cannot_be_opened(void **state)
{
	struct ish_backend *be = ish_sim_new_empty();
	struct ish_sim_smmu_cfg cfg;
	struct ish_sim_dev_cfg dev = { .bdf = BDF_A, .vendor = 0x1234, .device = 0x11e8,
				       .name = "edu", .sid = 8, .vfio = true, .no_cdev = true };
	struct ish_pci_dev info;

	(void)state;
	ish_sim_smmu_default(&cfg);
	assert_int_equal(ish_sim_add_smmu(be, &cfg), 0);
	assert_int_equal(ish_sim_add_device(be, &dev), 0);
	assert_int_equal(be->ops->pci_lookup(be, BDF_A, &info), 0);
	assert_string_equal(info.driver, "vfio-pci");
	assert_string_equal(info.cdev, "");
	assert_int_equal(be->ops->open_device(be, BDF_A, &info), -ENODEV);
	be->ops->free(be);
}

static struct ish_backend *host_with(bool canwbs, bool nesting, uint32_t idr3)
{
	struct ish_backend *be = ish_sim_new_empty();
	struct ish_sim_smmu_cfg cfg;
	struct ish_sim_dev_cfg dev = { .bdf = BDF_A, .vendor = 0x1234, .device = 0x11e8,
				       .name = "edu", .sid = 8, .vfio = true, .edu = true };

	ish_sim_smmu_default(&cfg);
	cfg.canwbs = canwbs;
	cfg.nesting = nesting;
	cfg.idr[3] = idr3;
	assert_int_equal(ish_sim_add_smmu(be, &cfg), 0);
	assert_int_equal(ish_sim_add_device(be, &dev), 0);
	assert_int_equal(ish_sim_add_device(be, &dev), -EEXIST);
	return be;
}

/* VIOMMU_ALLOC needs nesting and CANWBS or S2FWB; NEST_PARENT needs nesting. */
static void viommu_needs_host_features(void **state)
{
	uint32_t parent, v;
	struct env e;

	(void)state;
	env_on(&e, host_with(false, true, 0x1414), 1, true);
	assert_int_equal(hwpt(&e, e.dev[0], e.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, &parent), 0);
	assert_int_equal(viommu(&e, e.dev[0], parent, &v), -EOPNOTSUPP);
	env_close(&e);
	env_on(&e, host_with(false, true, 0x1414 | 0x100), 1, true);	/* S2FWB */
	assert_int_equal(hwpt(&e, e.dev[0], e.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, &parent), 0);
	assert_int_equal(viommu(&e, e.dev[0], parent, &v), 0);
	env_close(&e);
	env_on(&e, host_with(true, false, 0x1414), 1, true);
	assert_int_equal(hwpt(&e, e.dev[0], e.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, &parent),
			 -EOPNOTSUPP);
	assert_int_equal(viommu(&e, e.dev[0], e.ioas, &v), -EOPNOTSUPP);
	env_close(&e);
}

static void viommu_checks(void **state)
{
	struct iommu_viommu_alloc a = { .size = sizeof(a), .type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3 };
	uint32_t parent, paging, v, v2, ab, parent_c;
	struct env e;

	(void)state;
	env_open(&e, 3, true);
	nest_setup(&e, 0, &parent, &v);
	assert_int_equal(hwpt(&e, e.dev[0], e.ioas, 0, &paging), 0);
	a.dev_id = e.dev[0];
	a.hwpt_id = parent;
	a.type = 0;
	assert_int_equal(io(&e, IOMMU_VIOMMU_ALLOC, &a), -EOPNOTSUPP);
	a.type = 99;
	assert_int_equal(io(&e, IOMMU_VIOMMU_ALLOC, &a), -EOPNOTSUPP);
	a.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
	a.flags = 1;
	assert_int_equal(io(&e, IOMMU_VIOMMU_ALLOC, &a), -EOPNOTSUPP);
	assert_int_equal(viommu(&e, 99, parent, &v2), -ENOENT);
	assert_int_equal(viommu(&e, e.dev[0], 0, &v2), -ENOENT);
	assert_int_equal(viommu(&e, e.dev[0], e.ioas, &v2), -ENOENT);
	assert_int_equal(viommu(&e, e.dev[0], paging, &v2), -EINVAL);	/* not a parent */
	assert_int_equal(nested(&e, e.dev[0], v, STE_ABORT, 0, &ab), 0);
	assert_int_equal(viommu(&e, e.dev[0], ab, &v2), -ENOENT);
	/* another SMMU's parent */
	assert_int_equal(viommu(&e, e.dev[2], parent, &v2), -EINVAL);
	assert_int_equal(hwpt(&e, e.dev[2], e.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, &parent_c), 0);
	assert_int_equal(viommu(&e, e.dev[2], parent_c, &v2), 0);
	assert_int_equal(destroy(&e, v2), 0);
	/* a second vIOMMU on one parent, for a device behind the same SMMU */
	assert_int_equal(viommu(&e, e.dev[1], parent, &v2), 0);
	env_close(&e);
}

static void vste_rules(void **state)
{
	static const struct { uint64_t s0, s1; int rc; } cases[] = {
		{ 0x0f00000000000000ULL, 0xffffffffffffffffULL, 0 },	/* V=0: zeroed, taken */
		{ STE_ABORT, 1ULL << 8, -EIO },
		{ STE_V | (6ULL << 1), 0, -EIO },
		{ STE_V | (7ULL << 1), 0, -EIO },
		{ STE_V | (1ULL << 1), 0, -EIO },
		{ STE_ABORT | (1ULL << 60), 0, 0 },
		{ STE_ABORT | (1ULL << 52), 0, -EIO },
		{ STE_ABORT, 2ULL << 28, -EIO },			/* EATS = S1CHK */
		{ STE_ABORT, 0x080000ffULL | (1ULL << 28), 0 },
		{ STE_BYPASS, 1ULL << 19, -EIO },			/* MEV */
		{ STE_S1(0x108000), 1ULL << 28, 0 },
	};
	struct iommu_hwpt_arm_smmuv3 big[2] = { { .ste = { STE_ABORT, 0 } } };
	struct iommu_hwpt_alloc a = { .size = sizeof(a) };
	uint32_t parent, v, id, vd;
	struct env e;
	size_t i;

	(void)state;
	env_open(&e, 3, true);
	nest_setup(&e, 0, &parent, &v);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(nested(&e, e.dev[0], v, cases[i].s0, cases[i].s1, &id),
				 cases[i].rc);
	a.dev_id = e.dev[0];
	a.pt_id = v;
	a.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3;
	a.data_uptr = (uintptr_t)big;
	a.data_len = 8;
	assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &a), -EINVAL);
	a.data_len = 32;
	assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &a), 0);		/* zero tail */
	big[1].ste[1] = 1;
	assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &a), -E2BIG);
	a.data_len = 16;
	a.data_uptr = 0;
	assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &a), -EFAULT);
	a.data_uptr = (uintptr_t)big;
	a.data_type = IOMMU_HWPT_DATA_VTD_S1;
	assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &a), -EINVAL);
	a.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3;
	a.flags = IOMMU_HWPT_ALLOC_PASID;
	assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &a), -EOPNOTSUPP);
	a.flags = IOMMU_HWPT_ALLOC_NEST_PARENT;
	assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &a), -EOPNOTSUPP);
	a.flags = 1U << 31;
	assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &a), -EOPNOTSUPP);
	a.flags = IOMMU_HWPT_FAULT_ID_VALID;
	assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &a), -ENOENT);
	a.flags = 0;
	a.data_type = IOMMU_HWPT_DATA_NONE;
	a.data_len = 0;
	assert_int_equal(io(&e, IOMMU_HWPT_ALLOC, &a), -EOPNOTSUPP);
	assert_int_equal(nested(&e, e.dev[0], 9999, STE_ABORT, 0, &id), -EINVAL);
	assert_int_equal(nested(&e, e.dev[0], 0, STE_ABORT, 0, &id), -EINVAL);
	assert_int_equal(nested(&e, 99, v, STE_ABORT, 0, &id), -ENOENT);
	assert_int_equal(vdevice(&e, v, e.dev[0], 0x42, &vd), 0);
	assert_int_equal(nested(&e, e.dev[0], vd, STE_ABORT, 0, &id), -EINVAL);
	/* a device of the other SMMU */
	assert_int_equal(nested(&e, e.dev[2], v, STE_ABORT, 0, &id), -EINVAL);
	env_close(&e);
}

/* ---- vDEVICE and the nested attach rules (§2, §5.3, §8) --------------------------------- */

static void vdevice_rules(void **state)
{
	uint32_t parent, v, vd, vd2, x;
	struct env e;

	(void)state;
	env_open(&e, 3, true);
	nest_setup(&e, 0, &parent, &v);
	assert_int_equal(vdevice(&e, 99, e.dev[0], 1, &x), -ENOENT);
	assert_int_equal(vdevice(&e, v, 99, 1, &x), -ENOENT);
	assert_int_equal(vdevice(&e, v, e.dev[0], 0x42, &vd), 0);
	assert_int_equal(vdevice(&e, v, e.dev[0], 0x43, &x), -EEXIST);	/* one per device */
	assert_int_equal(vdevice(&e, v, e.dev[1], 0x42, &x), -EEXIST);	/* vSID taken */
	/* the other SMMU's device: EINVAL comes before the duplicate vSID */
	assert_int_equal(vdevice(&e, v, e.dev[2], 0x42, &x), -EINVAL);
	assert_int_equal(vdevice(&e, v, e.dev[1], 0x44, &vd2), 0);
	assert_int_equal(destroy(&e, vd), 0);
	assert_int_equal(vdevice(&e, v, e.dev[0], 0x44, &x), -EEXIST);
	assert_int_equal(vdevice(&e, v, e.dev[0], 0x42, &x), 0);
	assert_int_equal(x, vd);
	env_close(&e);
}

static void nested_attach_rules(void **state)
{
	uint32_t parent, v, ab, by, tr, vd, pt, parent_c, v_c, ab_c;
	struct env e;

	(void)state;
	env_open(&e, 3, true);
	nest_setup(&e, 0, &parent, &v);
	assert_int_equal(nested(&e, e.dev[0], v, STE_ABORT, 0, &ab), 0);
	assert_int_equal(nested(&e, e.dev[0], v, STE_BYPASS, 0, &by), 0);
	assert_int_equal(nested(&e, e.dev[0], v, STE_S1(0x108000), 0, &tr), 0);
	/* abort and bypass need no vDEVICE; translate does */
	assert_int_equal(attach(&e, 0, ab, &pt), 0);
	assert_int_equal(pt, ab);
	assert_int_equal(attach(&e, 0, by, NULL), 0);
	assert_int_equal(attach(&e, 0, tr, NULL), -ENOENT);
	assert_int_equal(destroy(&e, by), -EBUSY);	/* the failed replace changed nothing */
	assert_int_equal(vdevice(&e, v, e.dev[0], 0x42, &vd), 0);
	assert_int_equal(attach(&e, 0, tr, NULL), 0);
	assert_int_equal(attach(&e, 0, tr, NULL), 0);	/* the same again: a no-op */
	/* the second device behind the same SMMU shares the proxies */
	assert_int_equal(attach(&e, 1, by, NULL), 0);
	/* a device behind the other SMMU: EINVAL on SMMU 0's objects */
	assert_int_equal(attach(&e, 2, ab, NULL), -EINVAL);
	assert_int_equal(attach(&e, 2, parent, NULL), -EINVAL);
	assert_int_equal(hwpt(&e, e.dev[2], e.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, &parent_c), 0);
	assert_int_equal(attach(&e, 2, parent_c, NULL), 0);
	assert_int_equal(viommu(&e, e.dev[2], parent_c, &v_c), 0);
	assert_int_equal(nested(&e, e.dev[2], v_c, STE_ABORT, 0, &ab_c), 0);
	assert_int_equal(attach(&e, 2, ab_c, NULL), 0);
	/* other kinds of pt */
	assert_int_equal(attach(&e, 0, v, NULL), -EINVAL);
	assert_int_equal(attach(&e, 0, 777, NULL), -ENOENT);
	env_close(&e);
}

static void auto_domains(void **state)
{
	uint32_t a, b, c, ioas2, d;
	struct env e;

	(void)state;
	env_open(&e, 3, true);
	assert_int_equal(attach(&e, 0, e.ioas, &a), 0);
	assert_int_equal(a, 5);				/* +1 id: the auto HWPT */
	assert_int_equal(attach(&e, 1, e.ioas, &b), 0);
	assert_int_equal(b, a);				/* reused, no new id */
	assert_int_equal(attach(&e, 2, e.ioas, &c), 0);
	assert_int_equal(c, 6);				/* another SMMU: its own */
	assert_int_equal(attach(&e, 0, e.ioas, &d), 0);	/* again: the same */
	assert_int_equal(d, a);
	/* replace moves the device; the lone auto HWPT goes with its last device */
	assert_int_equal(ioas_alloc(&e, &ioas2), 0);
	assert_int_equal(attach(&e, 2, ioas2, &d), 0);
	assert_int_equal(destroy(&e, c), -ENOENT);
	assert_int_equal(detach(&e, 0), 0);
	assert_int_equal(detach(&e, 0), 0);		/* detaching nothing */
	assert_int_equal(destroy(&e, a), -EBUSY);	/* B still on it */
	assert_int_equal(detach(&e, 1), 0);
	assert_int_equal(destroy(&e, a), -ENOENT);
	env_close(&e);
}

/* ---- unbind and close (§1.2) ---------------------------------------------------------------- */

static void tombstone_on_unbind(void **state)
{
	uint32_t parent, v, vd, tr, x;
	struct ish_sim_stats st;
	struct env e;

	(void)state;
	env_open(&e, 2, true);
	nest_setup(&e, 1, &parent, &v);
	assert_int_equal(vdevice(&e, v, e.dev[0], 0x42, &vd), 0);
	assert_int_equal(nested(&e, e.dev[0], v, STE_S1(0x100000), 0, &tr), 0);
	assert_int_equal(attach(&e, 0, tr, NULL), 0);
	assert_int_equal(e.be->ops->close(e.be, e.dfd[0]), 0);
	e.dfd[0] = -1;
	st = stats(&e);
	assert_int_equal(st.tombstones, 1);
	assert_int_equal(destroy(&e, vd), -ENOENT);
	assert_int_equal(destroy(&e, e.dev[0]), -ENOENT);
	/* the id stays taken; the device's is free again */
	assert_int_equal(ioas_alloc(&e, &x), 0);
	assert_int_equal(x, e.dev[0]);
	assert_int_equal(ioas_alloc(&e, &x), 0);
	assert_int_equal(x, tr + 1);
	/* the nested HWPT and vIOMMU stay; no device on them any more */
	assert_int_equal(destroy(&e, tr), 0);
	assert_int_equal(destroy(&e, v), 0);
	env_close(&e);
}

/* The bound devices hold the context: closing /dev/iommu first destroys nothing. */
static void close_order(void **state)
{
	uint32_t parent, v, vd, q, pt;
	struct ish_sim_stats st;
	struct env e;
	int qfd;

	(void)state;
	env_open(&e, 2, true);
	nest_setup(&e, 0, &parent, &v);
	assert_int_equal(vdevice(&e, v, e.dev[0], 0x42, &vd), 0);
	assert_int_equal(veventq(&e, v, 4, &q, &qfd), 0);
	assert_int_equal(qfd, 1003);
	assert_int_equal(attach(&e, 1, e.ioas, &pt), 0);
	assert_int_equal(e.be->ops->close(e.be, e.iofd), 0);
	st = stats(&e);
	assert_int_equal(st.open_fds, 3);
	assert_int_equal(st.objects, 8);
	/* the device fds still work on the context */
	assert_int_equal(attach(&e, 1, parent, NULL), 0);
	assert_int_equal(e.be->ops->close(e.be, e.dfd[0]), 0);
	assert_int_equal(e.be->ops->close(e.be, e.dfd[1]), 0);
	st = stats(&e);
	assert_int_equal(st.tombstones, 1);
	assert_true(st.objects > 1);
	assert_int_equal(e.be->ops->close(e.be, qfd), 0);	/* the last holder */
	st = stats(&e);
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.open_fds, 0);
	assert_int_equal(e.be->ops->close(e.be, qfd), -EBADF);
	e.be->ops->free(e.be);
	munmap(e.mem, 2 << 20);
}

/* Process exit with everything alive: the backend's free closes all. */
static void free_with_everything_alive(void **state)
{
	uint32_t parent, v, vd, q, tr;
	struct env e;
	int qfd;

	(void)state;
	env_open(&e, 3, true);
	nest_setup(&e, 0, &parent, &v);
	assert_int_equal(vdevice(&e, v, e.dev[0], 0x42, &vd), 0);
	assert_int_equal(veventq(&e, v, 4, &q, &qfd), 0);
	assert_int_equal(nested(&e, e.dev[0], v, STE_S1(0x100000), 0, &tr), 0);
	assert_int_equal(attach(&e, 0, tr, NULL), 0);
	assert_int_equal(attach(&e, 2, e.ioas, NULL), 0);
	e.be->ops->free(e.be);		/* valgrind / ASan say whether anything leaked */
	munmap(e.mem, 2 << 20);
}

/* ---- VFIO cdev: open, bind (§2 BIND) ------------------------------------------------------ */

static int count_dev(void *arg, const struct ish_pci_dev *d)
{
	struct ish_pci_dev *seen = arg;
	int i = 0;

	while (seen[i].bdf[0])
		i++;
	seen[i] = *d;
	return 0;
}

static void open_and_enumerate(void **state)
{
	struct ish_pci_dev seen[8], info;
	struct env e;
	int fd;

	(void)state;
	env_open(&e, 0, false);
	assert_int_equal(e.be->ops->open_device(e.be, "0000:00:09.0", &info), -ENOENT);
	assert_int_equal(e.be->ops->open_device(e.be, "/dev/vfio/devices/vfio7", &info), -ENOENT);
	assert_int_equal(e.be->ops->open_device(e.be, BDF_X, &info), -ENODEV);
	assert_int_equal(e.be->ops->open_device(e.be, "zz", &info), -EINVAL);
	fd = e.be->ops->open_device(e.be, "/dev/vfio/devices/vfio2", &info);
	assert_true(fd >= 1000);
	assert_string_equal(info.bdf, BDF_C);
	assert_string_equal(info.iommu, "smmu1");
	assert_int_equal(e.be->ops->close(e.be, fd), 0);
	fd = e.be->ops->open_device(e.be, "00:02.0", &info);
	assert_true(fd >= 1000);
	assert_string_equal(info.cdev, "/dev/vfio/devices/vfio1");
	assert_string_equal(info.driver, "vfio-pci");
	assert_int_equal(info.vendor, 0x1234);
	assert_int_equal(info.device, 0x11e8);
	assert_int_equal(e.be->ops->close(e.be, fd), 0);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(e.be->ops->pci_list(e.be, count_dev, seen), 0);
	assert_string_equal(seen[0].bdf, BDF_A);
	assert_string_equal(seen[2].bdf, BDF_X);
	assert_string_equal(seen[2].cdev, "");
	assert_string_not_equal(seen[2].driver, "vfio-pci");
	assert_string_equal(seen[3].bdf, BDF_C);
	assert_string_equal(seen[0].name, "Qemu edu test device");
	assert_int_equal(e.be->ops->pci_lookup(e.be, BDF_B, &info), 0);
	assert_string_equal(info.iommu, "smmu0");
	env_close(&e);
}

static void bind_rules(void **state)
{
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b) };
	struct vfio_device_info di = { .argsz = sizeof(di) };
	uint8_t big[32] = { 0 };
	struct env e;
	uint32_t id;
	int fd, fd2;

	(void)state;
	env_open(&e, 0, false);
	fd = e.be->ops->open_device(e.be, BDF_A, NULL);
	fd2 = e.be->ops->open_device(e.be, BDF_A, NULL);
	assert_true(fd >= 0 && fd2 >= 0);
	/* nothing but BIND before a bind */
	assert_int_equal(e.be->ops->ioctl(e.be, fd, VFIO_DEVICE_GET_INFO, &di), -EINVAL);
	b.argsz = 15;
	assert_int_equal(e.be->ops->ioctl(e.be, fd, VFIO_DEVICE_BIND_IOMMUFD, &b), -EINVAL);
	b.argsz = sizeof(b);
	b.iommufd = -1;
	assert_int_equal(e.be->ops->ioctl(e.be, fd, VFIO_DEVICE_BIND_IOMMUFD, &b), -EINVAL);
	b.iommufd = e.iofd;
	b.flags = 2;
	assert_int_equal(e.be->ops->ioctl(e.be, fd, VFIO_DEVICE_BIND_IOMMUFD, &b), -EINVAL);
	b.flags = VFIO_DEVICE_BIND_FLAG_TOKEN;
	assert_int_equal(e.be->ops->ioctl(e.be, fd, VFIO_DEVICE_BIND_IOMMUFD, &b), -EFAULT);
	b.token_uuid_ptr = (uintptr_t)big;
	assert_int_equal(e.be->ops->ioctl(e.be, fd, VFIO_DEVICE_BIND_IOMMUFD, &b), -EINVAL);
	b.flags = 0;
	b.iommufd = 3333;
	assert_int_equal(e.be->ops->ioctl(e.be, fd, VFIO_DEVICE_BIND_IOMMUFD, &b), -EBADF);
	b.iommufd = fd2;
	assert_int_equal(e.be->ops->ioctl(e.be, fd, VFIO_DEVICE_BIND_IOMMUFD, &b), -EBADFD);
	memcpy(big, &b, sizeof(b));
	((struct vfio_device_bind_iommufd *)big)->argsz = sizeof(big);
	((struct vfio_device_bind_iommufd *)big)->iommufd = e.iofd;
	big[30] = 1;
	assert_int_equal(e.be->ops->ioctl(e.be, fd, VFIO_DEVICE_BIND_IOMMUFD, big), -E2BIG);
	assert_int_equal(bind(&e, fd, &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(bind(&e, fd, &id), -EINVAL);	/* bound already */
	assert_int_equal(bind(&e, fd2, &id), -EINVAL);	/* open through another fd */
	assert_int_equal(e.be->ops->ioctl(e.be, fd, VFIO_DEVICE_GET_INFO, &di), 0);
	assert_int_equal(e.be->ops->ioctl(e.be, fd, IOMMU_DESTROY, &di), -ENOTTY);
	assert_int_equal(e.be->ops->close(e.be, fd), 0);
	assert_int_equal(bind(&e, fd2, &id), 0);	/* the unbind freed it */
	assert_int_equal(id, 1);
	assert_int_equal(e.be->ops->close(e.be, fd2), 0);
	env_close(&e);
}

static void attach_detach_args(void **state)
{
	struct vfio_device_attach_iommufd_pt a = { .argsz = 11 };
	struct vfio_device_detach_iommufd_pt d = { .argsz = 7 };
	struct env e;

	(void)state;
	env_open(&e, 1, true);
	a.pt_id = e.ioas;
	assert_int_equal(dio(&e, 0, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), -EINVAL);
	a.argsz = 12;
	a.flags = 2;
	assert_int_equal(dio(&e, 0, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), -EINVAL);
	a.flags = VFIO_DEVICE_ATTACH_PASID;
	assert_int_equal(dio(&e, 0, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), -EINVAL);
	a.argsz = 16;
	a.pasid = 1;
	/* no function here has PASIDs */
	assert_int_equal(dio(&e, 0, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), -EINVAL);
	a.flags = 0;
	a.argsz = 12;
	assert_int_equal(dio(&e, 0, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), 0);
	assert_int_equal(a.pt_id, 3);
	assert_int_equal(dio(&e, 0, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d), -EINVAL);
	d.argsz = 8;
	d.flags = VFIO_DEVICE_DETACH_PASID;
	assert_int_equal(dio(&e, 0, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d), -EINVAL);
	d.argsz = 12;
	/* detaching a PASID that is not attached */
	assert_int_equal(dio(&e, 0, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d), 0);
	d.flags = 0;
	assert_int_equal(dio(&e, 0, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d), 0);
	assert_int_equal(destroy(&e, 3), -ENOENT);
	env_close(&e);
}

/* ---- GET_HW_INFO (§2, §8) ---------------------------------------------------------------- */

static void hw_info(void **state)
{
	struct iommu_hw_info_arm_smmuv3 info[2];
	struct iommu_hw_info h = { .size = sizeof(h) };
	uint8_t *raw = (uint8_t *)info;
	struct env e;

	(void)state;
	env_open(&e, 1, false);
	h.dev_id = e.dev[0];
	h.data_uptr = (uintptr_t)info;
	memset(info, 0xa5, sizeof(info));
	h.data_len = sizeof(info);
	assert_int_equal(io(&e, IOMMU_GET_HW_INFO, &h), 0);
	assert_int_equal(h.data_len, 40);
	assert_int_equal(h.out_data_type, IOMMU_HW_INFO_TYPE_ARM_SMMUV3);
	assert_int_equal(h.out_capabilities, IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED);
	assert_int_equal(h.out_max_pasid_log2, 0);
	assert_int_equal(info[0].idr[0], 0x0d44101b);
	assert_int_equal(info[0].idr[1], 0x02730010);
	assert_int_equal(info[0].idr[2], 0);
	assert_int_equal(info[0].idr[3], 0x1414);
	assert_int_equal(info[0].idr[5], 0x74);
	assert_int_equal(info[0].iidr, 0);
	assert_int_equal(info[0].aidr, 1);
	assert_int_equal(raw[79], 0);			/* a larger buffer: zero-filled */
	memset(info, 0xa5, sizeof(info));
	h.data_len = 8;
	assert_int_equal(io(&e, IOMMU_GET_HW_INFO, &h), 0);
	assert_int_equal(h.data_len, 40);
	assert_int_equal(raw[8], 0xa5);			/* only 8 bytes copied */
	h.data_len = 0;
	assert_int_equal(io(&e, IOMMU_GET_HW_INFO, &h), 0);
	h.flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
	h.in_data_type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	assert_int_equal(io(&e, IOMMU_GET_HW_INFO, &h), -EOPNOTSUPP);
	h.in_data_type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
	assert_int_equal(io(&e, IOMMU_GET_HW_INFO, &h), 0);
	h.flags = 2;
	assert_int_equal(io(&e, IOMMU_GET_HW_INFO, &h), -EOPNOTSUPP);
	h.flags = 0;
	h.__reserved[1] = 1;
	assert_int_equal(io(&e, IOMMU_GET_HW_INFO, &h), -EOPNOTSUPP);
	h.__reserved[1] = 0;
	h.dev_id = 0;
	assert_int_equal(io(&e, IOMMU_GET_HW_INFO, &h), -ENOENT);
	h.dev_id = e.dev[0];
	h.data_len = 8;
	h.data_uptr = 0;
	assert_int_equal(io(&e, IOMMU_GET_HW_INFO, &h), -EFAULT);
	env_close(&e);
}

/* The rest of the table: what a plain SMMUv3 host answers. */
static void other_commands(void **state)
{
	struct iommu_hw_queue_alloc q = { .size = sizeof(q), .type = 1, .length = 4096 };
	struct iommu_vfio_ioas vi = { .size = sizeof(vi), .op = IOMMU_VFIO_IOAS_GET };
	struct iommu_option o = { .size = sizeof(o), .option_id = IOMMU_OPTION_HUGE_PAGES,
				  .op = IOMMU_OPTION_OP_GET };
	struct iommu_hwpt_set_dirty_tracking dt = { .size = sizeof(dt) };
	uint32_t parent, v;
	struct env e;

	(void)state;
	env_open(&e, 1, true);
	nest_setup(&e, 0, &parent, &v);
	q.type = 0;
	assert_int_equal(io(&e, IOMMU_HW_QUEUE_ALLOC, &q), -EOPNOTSUPP);
	q.type = 1;
	q.length = 0;
	assert_int_equal(io(&e, IOMMU_HW_QUEUE_ALLOC, &q), -EINVAL);
	q.length = 2;
	q.nesting_parent_iova = UINT64_MAX;
	assert_int_equal(io(&e, IOMMU_HW_QUEUE_ALLOC, &q), -EOVERFLOW);
	q.nesting_parent_iova = 0;
	assert_int_equal(io(&e, IOMMU_HW_QUEUE_ALLOC, &q), -ENOENT);
	q.viommu_id = v;
	assert_int_equal(io(&e, IOMMU_HW_QUEUE_ALLOC, &q), -EOPNOTSUPP);
	assert_int_equal(io(&e, IOMMU_VFIO_IOAS, &vi), -ENODEV);
	vi.op = IOMMU_VFIO_IOAS_SET;
	vi.ioas_id = 77;
	assert_int_equal(io(&e, IOMMU_VFIO_IOAS, &vi), -ENOENT);
	vi.ioas_id = e.ioas;
	assert_int_equal(io(&e, IOMMU_VFIO_IOAS, &vi), 0);
	vi.op = IOMMU_VFIO_IOAS_GET;
	vi.ioas_id = 0;
	assert_int_equal(io(&e, IOMMU_VFIO_IOAS, &vi), 0);
	assert_int_equal(vi.ioas_id, e.ioas);
	o.object_id = e.ioas;
	assert_int_equal(io(&e, IOMMU_OPTION, &o), 0);
	assert_int_equal(o.val64, 1);
	o.option_id = IOMMU_OPTION_RLIMIT_MODE;
	o.op = IOMMU_OPTION_OP_SET;
	o.object_id = 0;
	assert_int_equal(io(&e, IOMMU_OPTION, &o), -EBUSY);	/* objects exist */
	dt.hwpt_id = parent;
	assert_int_equal(io(&e, IOMMU_HWPT_SET_DIRTY_TRACKING, &dt), -EOPNOTSUPP);
	dt.hwpt_id = v;
	assert_int_equal(io(&e, IOMMU_HWPT_SET_DIRTY_TRACKING, &dt), -ENOENT);
	env_close(&e);
}

/* ---- HWPT_INVALIDATE on a vIOMMU (§2, §6, §8) -------------------------------------------- */

#define CMD_SID(op, sid)	((op) | ((uint64_t)(sid) << 32))
#define TG_4K			(1ULL << 10)

static void invalidate_envelope(void **state)
{
	const uint64_t nh_all[2][2] = { { 0x10, 0 }, { 0x10, 0 } };
	const uint64_t narrow[2] = { 0x10, 0x10 };
	uint8_t wide[2][32] = { { 0x10 }, { 0x10 } };
	struct iommu_hwpt_invalidate inv = { .size = sizeof(inv) };
	uint32_t parent, v, ab, done;
	struct env e;

	(void)state;
	env_open(&e, 1, true);
	nest_setup(&e, 0, &parent, &v);
	assert_int_equal(nested(&e, e.dev[0], v, STE_ABORT, 0, &ab), 0);
	inv.hwpt_id = v;
	inv.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3;
	inv.entry_len = 16;
	inv.entry_num = 0;
	inv.data_uptr = (uintptr_t)nh_all;
	assert_int_equal(io(&e, IOMMU_HWPT_INVALIDATE, &inv), -EINVAL);	/* no probe */
	assert_int_equal(inv.entry_num, 0);
	inv.entry_num = 2;
	inv.__reserved = 1;
	assert_int_equal(io(&e, IOMMU_HWPT_INVALIDATE, &inv), -EOPNOTSUPP);
	assert_int_equal(inv.entry_num, 0);
	inv.__reserved = 0;
	inv.entry_num = 2;
	inv.data_uptr = 0;
	assert_int_equal(io(&e, IOMMU_HWPT_INVALIDATE, &inv), -EINVAL);
	inv.data_uptr = (uintptr_t)nh_all;
	inv.entry_num = 2;
	inv.entry_len = 0;
	assert_int_equal(io(&e, IOMMU_HWPT_INVALIDATE, &inv), -EINVAL);
	inv.entry_num = 2;
	inv.entry_len = 4097;
	assert_int_equal(io(&e, IOMMU_HWPT_INVALIDATE, &inv), -EINVAL);
	inv.entry_len = 16;
	inv.entry_num = (1U << 19) + 1;
	assert_int_equal(io(&e, IOMMU_HWPT_INVALIDATE, &inv), -EINVAL);
	inv.entry_num = 2;
	inv.data_type = 0;
	assert_int_equal(io(&e, IOMMU_HWPT_INVALIDATE, &inv), -EINVAL);
	inv.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3;
	/* by id: the vIOMMU only */
	assert_int_equal(inval(&e, ab, nh_all, 1, &done), -EOPNOTSUPP);
	assert_int_equal(inval(&e, parent, nh_all, 1, &done), -EINVAL);
	assert_int_equal(done, 0);
	assert_int_equal(inval(&e, e.ioas, nh_all, 1, &done), -EINVAL);
	assert_int_equal(inval(&e, e.dev[0], nh_all, 1, &done), -EINVAL);
	assert_int_equal(inval(&e, 999, nh_all, 1, &done), -ENOENT);
	assert_int_equal(inval(&e, v, nh_all, 2, &done), 0);
	assert_int_equal(done, 2);
	/* entries of other lengths: zero-extended, or E2BIG past a non-zero tail */
	inv.hwpt_id = v;
	inv.entry_num = 2;
	inv.entry_len = 8;
	inv.data_uptr = (uintptr_t)narrow;
	assert_int_equal(io(&e, IOMMU_HWPT_INVALIDATE, &inv), 0);
	inv.data_uptr = (uintptr_t)wide;
	inv.entry_len = 32;
	assert_int_equal(io(&e, IOMMU_HWPT_INVALIDATE, &inv), 0);
	assert_int_equal(inv.entry_num, 2);
	wide[1][20] = 1;
	assert_int_equal(io(&e, IOMMU_HWPT_INVALIDATE, &inv), -E2BIG);
	assert_int_equal(inv.entry_num, 0);
	env_close(&e);
}

static void invalidate_commands(void **state)
{
	static const struct { uint64_t c0, c1; int rc; } one[] = {
		{ 0x46, 0, -EIO },				/* CMD_SYNC */
		{ 0x03 | (8ULL << 32), 0, -EIO },		/* CFGI_STE */
		{ 0x04 | (8ULL << 32), 31, -EIO },		/* CFGI_ALL */
		{ 0x40 | (0x42ULL << 32), 0, -EIO },		/* ATC_INV: no ATS */
		{ 0x28, 0, -EIO },				/* TLBI_S12_VMALL */
		{ 0x2a, 0, -EIO },				/* TLBI_S2_IPA */
		{ 0x10 | (0x77ULL << 32), 0, 0 },		/* NH_ALL, a VMID: overwritten */
		{ 0x10, 1ULL << 12, -EIO },
		{ 0x10 | (1ULL << 12), 0, -EIO },
		{ 0x11 | (1ULL << 48) | (5ULL << 32), 0, 0 },	/* NH_ASID */
		{ 0x11 | (1ULL << 48), 1, -EIO },
		{ 0x12 | (1ULL << 48), 0x800000 | 1, 0 },	/* NH_VA leaf */
		{ 0x12 | (1ULL << 48), 0x800000 | TG_4K, -EIO },	/* TG 4K, nothing else */
		{ 0x12 | (1ULL << 48) | (3ULL << 12), 0x800000 | TG_4K, 0 },
		{ 0x12 | (1ULL << 48) | (1ULL << 25), 0x800000 | TG_4K, -EIO },	/* no DS */
		{ 0x12 | (1ULL << 48), 0x800000 | (1ULL << 8), -EIO },	/* TTL, TG 0 */
		{ 0x12 | (1ULL << 48), 0x800000 | (2ULL << 10) | (1ULL << 8), -EIO },
		{ 0x13, 0x800000, 0 },				/* NH_VAA */
		{ 0x13 | (1ULL << 48), 0x800000, -EIO },
		{ 0x30, 0, 0 },					/* NSNH_ALL */
		{ 0x30 | (1ULL << 32), 0, -EIO },
		{ CMD_SID(0x05, 0x42), 1, 0 },			/* CFGI_CD leaf */
		{ CMD_SID(0x05, 0x42) | (1ULL << 12), 0, -EIO },	/* an SSID, SSIDSIZE 0 */
		{ CMD_SID(0x05, 0x99), 0, -EIO },		/* unknown vSID */
		{ CMD_SID(0x06, 0x42), 0, 0 },			/* CFGI_CD_ALL */
		{ CMD_SID(0x06, 0x42), 1, -EIO },
	};
	uint64_t cmds[3][2] = { { 0x05 | (0x42ULL << 32), 1 }, { 0x06 | (0x42ULL << 32), 0 },
				{ 0x10, 0 } };
	uint32_t parent, v, vd, done;
	struct env e;
	size_t i;

	(void)state;
	env_open(&e, 1, true);
	nest_setup(&e, 0, &parent, &v);
	assert_int_equal(vdevice(&e, v, e.dev[0], 0x42, &vd), 0);
	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		const uint64_t c[1][2] = { { one[i].c0, one[i].c1 } };

		done = 77;
		assert_int_equal(inval(&e, v, c, 1, &done), one[i].rc);
		assert_int_equal(done, one[i].rc ? 0 : 1);
	}
	assert_int_equal(inval(&e, v, (const uint64_t (*)[2])cmds, 3, &done), 0);
	assert_int_equal(done, 3);
	/* the first bad one stops it; entry_num says where */
	cmds[1][0] = 0x05 | (0x99ULL << 32);
	assert_int_equal(inval(&e, v, (const uint64_t (*)[2])cmds, 3, &done), -EIO);
	assert_int_equal(done, 1);
	cmds[0][0] = 0x10;
	cmds[0][1] = 0;
	assert_int_equal(inval(&e, v, (const uint64_t (*)[2])cmds, 3, &done), -EIO);
	assert_int_equal(done, 1);
	/* a destroyed vDEVICE's vSID is gone */
	assert_int_equal(destroy(&e, vd), 0);
	cmds[0][0] = CMD_SID(0x06, 0x42);
	assert_int_equal(inval(&e, v, (const uint64_t (*)[2])cmds, 1, &done), -EIO);
	env_close(&e);
}

/* 7.1 only looked at the opcode (and the vSID); the caps on the array came later. */
static void invalidate_profile_7_1(void **state)
{
	const uint64_t stray[1][2] = { { 0x10 | (1ULL << 12), 1 } };
	const uint64_t va_tg[1][2] = { { 0x12, 1ULL << 10 } };
	const uint64_t sync[1][2] = { { 0x46, 0 } };
	uint32_t parent, v, done;
	struct env e;

	(void)state;
	env_open(&e, 1, true);
	nest_setup(&e, 0, &parent, &v);
	ish_sim_set_profile(e.be, ISH_SIM_PROFILE_7_1);
	assert_int_equal(inval(&e, v, stray, 1, &done), 0);
	assert_int_equal(inval(&e, v, va_tg, 1, &done), 0);
	assert_int_equal(inval(&e, v, sync, 1, &done), -EIO);
	ish_sim_set_profile(e.be, ISH_SIM_PROFILE_7_3);
	assert_int_equal(inval(&e, v, stray, 1, &done), -EIO);
	env_close(&e);
}

/* ---- VEVENTQ_ALLOC (§2, §8) -------------------------------------------------------------- */

static void veventq_alloc_rules(void **state)
{
	struct iommu_veventq_alloc a = { .size = sizeof(a), .type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
					 .veventq_depth = 64 };
	uint32_t parent, v, q, q2;
	struct env e;
	int fd, fd2;

	(void)state;
	env_open(&e, 1, true);
	nest_setup(&e, 0, &parent, &v);
	a.viommu_id = 999;
	a.veventq_depth = 0;
	assert_int_equal(io(&e, IOMMU_VEVENTQ_ALLOC, &a), -EINVAL);	/* depth first */
	a.veventq_depth = 64;
	assert_int_equal(io(&e, IOMMU_VEVENTQ_ALLOC, &a), -ENOENT);
	a.viommu_id = v;
	a.flags = 1;
	assert_int_equal(io(&e, IOMMU_VEVENTQ_ALLOC, &a), -EOPNOTSUPP);
	a.flags = 0;
	a.__reserved = 1;
	assert_int_equal(io(&e, IOMMU_VEVENTQ_ALLOC, &a), -EOPNOTSUPP);
	a.__reserved = 0;
	a.type = 0;
	assert_int_equal(io(&e, IOMMU_VEVENTQ_ALLOC, &a), -EOPNOTSUPP);
	a.type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3;
	a.veventq_depth = (1U << 19) + 1;
	assert_int_equal(io(&e, IOMMU_VEVENTQ_ALLOC, &a), -EINVAL);
	assert_int_equal(veventq(&e, v, 1U << 19, &q, &fd), 0);
	assert_int_equal(veventq(&e, v, 4, &q2, &fd2), -EEXIST);
	/* another type is another queue, even one this driver never fills */
	a.type = IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV;
	a.veventq_depth = 4;
	assert_int_equal(io(&e, IOMMU_VEVENTQ_ALLOC, &a), 0);
	assert_int_equal(a.out_veventq_fd, fd + 1);
	assert_int_equal(e.be->ops->close(e.be, fd), 0);
	assert_int_equal(destroy(&e, q), 0);
	assert_int_equal(veventq(&e, v, 4, &q2, &fd2), 0);
	assert_int_equal(q2, q);
	assert_int_equal(fd2, fd);
	assert_int_equal(destroy(&e, v), -EBUSY);
	ish_sim_set_profile(e.be, ISH_SIM_PROFILE_7_1);
	assert_int_equal(e.be->ops->close(e.be, fd2), 0);
	assert_int_equal(destroy(&e, q2), 0);
	assert_int_equal(veventq(&e, v, (1U << 19) + 1, &q2, &fd2), 0);
	/* the queue fds hold the context: without these closes nothing would be freed */
	assert_int_equal(e.be->ops->close(e.be, fd2), 0);
	assert_int_equal(e.be->ops->close(e.be, (int)a.out_veventq_fd), 0);
	env_close(&e);
}

/* ---- IOAS_COPY and ALLOW_IOVAS ------------------------------------------------------------- */

static int copy(struct env *e, uint32_t dst, uint32_t src, uint64_t src_iova, uint64_t len,
		uint64_t *dst_iova, uint32_t flags)
{
	struct iommu_ioas_copy c = { .size = sizeof(c), .flags = flags, .dst_ioas_id = dst,
				     .src_ioas_id = src, .length = len, .src_iova = src_iova,
				     .dst_iova = *dst_iova };
	int rc = io(e, IOMMU_IOAS_COPY, &c);

	*dst_iova = c.dst_iova;
	return rc;
}

static void ioas_copy(void **state)
{
	const uint32_t fixed = IOMMU_IOAS_MAP_FIXED_IOVA;
	uint32_t a, b;
	uint64_t iova, n;
	struct env e;
	char *buf;

	(void)state;
	env_open(&e, 0, false);
	buf = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_int_equal(ioas_alloc(&e, &a), 0);
	assert_int_equal(ioas_alloc(&e, &b), 0);
	iova = 0x10000;
	assert_int_equal(map(&e, a, buf, 0x4000, &iova, fixed | MAP_RW), 0);
	iova = 0x14000;
	assert_int_equal(map(&e, a, buf + 0x8000, 0x4000, &iova, fixed | MAP_RW), 0);
	iova = 0x20000;
	assert_int_equal(map(&e, a, buf, 0x1000, &iova, fixed | IOMMU_IOAS_MAP_READABLE), 0);
	/* across two areas: two areas at the destination, the same pages */
	iova = 0x100000;
	assert_int_equal(copy(&e, b, a, 0x11000, 0x6000, &iova, fixed | MAP_RW), 0);
	assert_int_equal(unmap(&e, b, 0x100000, 0x3000, &n), 0);
	assert_int_equal(n, 0x3000);
	iova = 0;
	assert_int_equal(copy(&e, b, a, 0x11000, 0x6000, &iova, MAP_RW), 0);
	assert_true(iova >= 4096);
	/* a gap, past the end, nothing, bad ids and flags */
	assert_int_equal(copy(&e, b, a, 0x17000, 0x2000, &iova, MAP_RW), -ENOENT);
	assert_int_equal(copy(&e, b, a, 0x30000, 0x1000, &iova, MAP_RW), -ENOENT);
	assert_int_equal(copy(&e, b, a, 0x10000, 0, &iova, MAP_RW), -EINVAL);
	assert_int_equal(copy(&e, b, a, 0x10000, UINT64_MAX, &iova, MAP_RW), -EOVERFLOW);
	assert_int_equal(copy(&e, b, a, 0x10000, 0x1000, &iova, 0x10), -EOPNOTSUPP);
	assert_int_equal(copy(&e, b, 99, 0x10000, 0x1000, &iova, MAP_RW), -ENOENT);
	assert_int_equal(copy(&e, 99, a, 0x10000, 0x1000, &iova, MAP_RW), -ENOENT);
	iova = 0x103000;
	assert_int_equal(copy(&e, b, a, 0x11000, 0x1000, &iova, fixed | MAP_RW), -EEXIST);
	/* writable only where the source pages were */
	iova = 0x200000;
	assert_int_equal(copy(&e, b, a, 0x20000, 0x1000, &iova, fixed | MAP_RW), -EPERM);
	assert_int_equal(copy(&e, b, a, 0x20000, 0x1000, &iova,
			      fixed | IOMMU_IOAS_MAP_READABLE), 0);
	munmap(buf, 1 << 20);
	env_close(&e);
}

static int allow(struct env *e, uint32_t ioas, const struct iommu_iova_range *r, uint32_t n)
{
	struct iommu_ioas_allow_iovas a = { .size = sizeof(a), .ioas_id = ioas, .num_iovas = n,
					    .allowed_iovas = (uintptr_t)r };

	return io(e, IOMMU_IOAS_ALLOW_IOVAS, &a);
}

static void ioas_allow_iovas(void **state)
{
	struct iommu_iova_range r[2] = { { 0x300000, 0x3fffff }, { 0x100000, 0x1fffff } };
	struct iommu_iova_range msi = { 0x7000000, 0x8ffffff };
	void *va = (void *)0x10000000;	/* no domain: not touched */
	uint32_t ioas2, ioas3;
	uint64_t iova = 0;
	struct env e;

	(void)state;
	env_open(&e, 2, true);
	assert_int_equal(ioas_alloc(&e, &ioas3), 0);
	assert_int_equal(allow(&e, ioas3, r, 2), 0);
	/* automatic IOVAs only inside, lowest first; fixed ones anywhere */
	assert_int_equal(map(&e, ioas3, va, 0x80000, &iova, MAP_RW), 0);
	assert_int_equal(iova, 0x100000);
	assert_int_equal(map(&e, ioas3, va, 0x100000, &iova, MAP_RW), 0);
	assert_int_equal(iova, 0x300000);
	assert_int_equal(map(&e, ioas3, va, 0x100000, &iova, MAP_RW), -ENOSPC);
	iova = 0x900000;
	assert_int_equal(map(&e, ioas3, va, 0x1000, &iova, IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW), 0);
	r[0].start = 5;
	r[0].last = 4;
	assert_int_equal(allow(&e, ioas3, r, 1), -EINVAL);
	assert_int_equal(allow(&e, 99, r, 1), -ENOENT);
	/* the MSI window of an attached device cannot be allowed, and the other way round */
	assert_int_equal(attach(&e, 0, e.ioas, NULL), 0);
	assert_int_equal(allow(&e, e.ioas, &msi, 1), -EADDRINUSE);
	assert_int_equal(ioas_alloc(&e, &ioas2), 0);
	assert_int_equal(allow(&e, ioas2, &msi, 1), 0);
	assert_int_equal(attach(&e, 1, ioas2, NULL), -EADDRINUSE);
	assert_int_equal(allow(&e, ioas2, NULL, 0), 0);		/* none: no limit again */
	assert_int_equal(attach(&e, 1, ioas2, NULL), 0);
	env_close(&e);
}

/* ---- MAP_FILE, CHANGE_PROCESS, OPTION HUGE_PAGES, NOIOMMU_GET_PA (ioas.c, io_pagetable.c) */

static int map_file(struct env *e, uint32_t ioas, int fd, uint64_t start, uint64_t len,
		    uint64_t *iova, uint32_t flags)
{
	struct iommu_ioas_map_file m = { .size = sizeof(m), .flags = flags, .ioas_id = ioas,
					 .fd = fd, .start = start, .length = len, .iova = *iova };
	int rc = io(e, IOMMU_IOAS_MAP_FILE, &m);

	*iova = m.iova;
	return rc;
}

static int option(struct env *e, uint32_t id, uint16_t op, uint32_t obj, uint64_t *val)
{
	struct iommu_option o = { .size = sizeof(o), .option_id = id, .op = op, .object_id = obj,
				  .val64 = *val };
	int rc = io(e, IOMMU_OPTION, &o);

	*val = o.val64;
	return rc;
}

static int change_process(struct env *e)
{
	struct iommu_ioas_change_process c = { .size = sizeof(c) };

	return io(e, IOMMU_IOAS_CHANGE_PROCESS, &c);
}

static void ioas_map_file(void **state)
{
	const uint32_t fixed = IOMMU_IOAS_MAP_FIXED_IOVA;
	struct iommu_ioas_noiommu_get_pa g = { .size = sizeof(g), .length = 4096 };
	uint64_t iova, n;
	int fd, rofd, plain;
	uint32_t b;
	struct env e;
	char *va;

	(void)state;
	env_open(&e, 1, true);
	fd = memfd_create("t", 0);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 0x10000), 0);
	va = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(va != MAP_FAILED);
	assert_int_equal(ioas_alloc(&e, &b), 0);
	/* iommufd_ioas_map_file()'s order: flags, overflow, no access, the IOAS, the length */
	iova = 0x400000;
	assert_int_equal(map_file(&e, b, fd, 0, 0x1000, &iova, 0x10 | MAP_RW), -EOPNOTSUPP);
	assert_int_equal(map_file(&e, b, fd, 0, UINT64_MAX, &iova, MAP_RW), -EOVERFLOW);
	assert_int_equal(map_file(&e, b, fd, 0, 0x1000, &iova, fixed), -EINVAL);
	assert_int_equal(map_file(&e, 99, fd, 0, 0x1000, &iova, MAP_RW), -ENOENT);
	assert_int_equal(map_file(&e, b, fd, 0, 0, &iova, MAP_RW), -EINVAL);
	assert_int_equal(map_file(&e, b, fd, 3, UINT64_MAX - 1, &iova, MAP_RW), -EOVERFLOW);
	assert_int_equal(map_file(&e, b, 999, 0, 0x1000, &iova, MAP_RW), -EBADF);
	/* without a domain nothing is pinned: past the end of the file maps */
	assert_int_equal(map_file(&e, b, fd, 0, 0x10000, &iova, fixed | MAP_RW), 0);
	iova = 0x500000;
	assert_int_equal(map_file(&e, b, fd, 0xf000, 0x2000, &iova, fixed | MAP_RW), 0);
	/* a domain pins: past the end is memfd_pin_folios()'s EINVAL */
	assert_int_equal(attach(&e, 0, b, NULL), -EINVAL);
	assert_int_equal(unmap(&e, b, 0x500000, 0x2000, &n), 0);
	assert_int_equal(attach(&e, 0, b, NULL), 0);
	iova = 0x600000;
	assert_int_equal(map_file(&e, b, fd, 0xf000, 0x2000, &iova, fixed | MAP_RW), -EINVAL);
	/* not shmem: a pipe is no memfd */
	{
		int p[2];

		assert_int_equal(pipe(p), 0);
		plain = p[0];
		assert_int_equal(map_file(&e, b, plain, 0, 0x1000, &iova, fixed | MAP_RW), -EINVAL);
		close(p[0]);
		close(p[1]);
	}
	/* the kernel never checks the fd's open mode: a read-only one maps writeable too */
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		rofd = open(path, O_RDONLY);
		assert_true(rofd >= 0);
		assert_int_equal(map_file(&e, b, rofd, 0, 0x1000, &iova, fixed | MAP_RW), 0);
		assert_int_equal(unmap(&e, b, 0x600000, 0x1000, &n), 0);
		assert_int_equal(map_file(&e, b, rofd, 0, 0x1000, &iova,
					  fixed | IOMMU_IOAS_MAP_READABLE), 0);
		close(rofd);	/* the area holds the file */
	}
	/* the bytes the device reaches are the file's */
	memset(va, 0x5a, 16);
	assert_int_equal(unmap(&e, b, 0x600000, 0x1000, &n), 0);
	/* COPY of file pages keeps them file pages: CHANGE_PROCESS needs nothing but those */
	iova = 0x800000;
	assert_int_equal(copy(&e, e.ioas, b, 0x400000, 0x2000, &iova, fixed | MAP_RW), 0);
	assert_int_equal(change_process(&e), -EINVAL);	/* e.ioas maps user memory */
	assert_int_equal(unmap(&e, e.ioas, 0, UINT64_MAX, &n), 0);
	assert_int_equal(change_process(&e), 0);
	/* VFIO_DEVICE_FEATURE DMA_BUF: the header's checks, then the stub's ENOTTY */
	{
		/* header, request, one range: both structs end in flexible arrays */
		_Alignas(8) unsigned char ft[8 + 16 + 16] = { 0 };
		struct vfio_device_feature h = { .argsz = sizeof(ft),
						 .flags = VFIO_DEVICE_FEATURE_GET |
							  VFIO_DEVICE_FEATURE_DMA_BUF };

		memcpy(ft, &h, sizeof(h));
		ft[8 + 12] = 1;		/* nr_ranges */
		ft[8 + 16 + 9] = 0x10;	/* length 0x1000 */
		assert_int_equal(dio(&e, 0, VFIO_DEVICE_FEATURE, ft), -ENOTTY);
		h.flags |= VFIO_DEVICE_FEATURE_SET;
		memcpy(ft, &h, sizeof(h));
		assert_int_equal(dio(&e, 0, VFIO_DEVICE_FEATURE, ft), -EINVAL);
		h.flags = 1u << 20;
		memcpy(ft, &h, sizeof(h));
		assert_int_equal(dio(&e, 0, VFIO_DEVICE_FEATURE, ft), -EINVAL);
		h.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF;
		h.argsz = 4;
		memcpy(ft, &h, sizeof(h));
		assert_int_equal(dio(&e, 0, VFIO_DEVICE_FEATURE, ft), -EINVAL);
	}
	/* no CONFIG_IOMMUFD_NOIOMMU: the stub's EOPNOTSUPP */
	g.ioas_id = b;
	g.iova = 0x400000;
	assert_int_equal(io(&e, IOMMU_IOAS_NOIOMMU_GET_PA, &g), -EOPNOTSUPP);
	munmap(va, 0x10000);
	close(fd);
	env_close(&e);
}

static void option_huge_pages(void **state)
{
	const uint16_t get = IOMMU_OPTION_OP_GET, set = IOMMU_OPTION_OP_SET;
	uint64_t v = 0, iova;
	uint32_t b, c;
	struct env e;
	char *buf;

	(void)state;
	env_open(&e, 1, false);
	buf = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* RLIMIT_MODE: global, settable while the context holds no object */
	assert_int_equal(option(&e, IOMMU_OPTION_RLIMIT_MODE, get, 0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(option(&e, IOMMU_OPTION_RLIMIT_MODE, get, 1, &v), -EOPNOTSUPP);
	v = 1;
	assert_int_equal(option(&e, IOMMU_OPTION_RLIMIT_MODE, set, 0, &v), -EBUSY);
	assert_int_equal(option(&e, 7, get, 0, &v), -EOPNOTSUPP);
	assert_int_equal(ioas_alloc(&e, &b), 0);
	assert_int_equal(ioas_alloc(&e, &c), 0);
	assert_int_equal(option(&e, IOMMU_OPTION_HUGE_PAGES, get, 99, &v), -ENOENT);
	assert_int_equal(option(&e, IOMMU_OPTION_HUGE_PAGES, get, b, &v), 0);
	assert_int_equal(v, 1);
	v = 2;
	assert_int_equal(option(&e, IOMMU_OPTION_HUGE_PAGES, set, b, &v), -EINVAL);
	/* an unaligned area: EADDRINUSE (iopt_check_iova_alignment) */
	iova = 0x10001;
	assert_int_equal(map(&e, b, buf + 1, 0x1000, &iova, IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW), 0);
	v = 0;
	assert_int_equal(option(&e, IOMMU_OPTION_HUGE_PAGES, set, b, &v), -EADDRINUSE);
	assert_int_equal(unmap(&e, b, 0, UINT64_MAX, &iova), 0);
	assert_int_equal(option(&e, IOMMU_OPTION_HUGE_PAGES, set, b, &v), 0);
	assert_int_equal(option(&e, IOMMU_OPTION_HUGE_PAGES, get, b, &v), 0);
	assert_int_equal(v, 0);
	/* off: maps need page alignment even without a domain */
	iova = 0x10001;
	assert_int_equal(map(&e, b, buf + 1, 0x1000, &iova, IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW),
			 -EINVAL);
	/* a domain holding pages: EINVAL */
	iova = 0x10000;
	assert_int_equal(map(&e, c, buf, 0x1000, &iova, IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW), 0);
	assert_int_equal(attach(&e, 0, c, NULL), 0);
	v = 0;
	assert_int_equal(option(&e, IOMMU_OPTION_HUGE_PAGES, set, c, &v), -EINVAL);
	v = 1;
	assert_int_equal(option(&e, IOMMU_OPTION_HUGE_PAGES, set, c, &v), 0);
	/* COPY: no access at all is EINVAL, after the flags and overflow checks */
	iova = 0x40000;
	assert_int_equal(copy(&e, b, c, 0x10000, 0x1000, &iova, IOMMU_IOAS_MAP_FIXED_IOVA), -EINVAL);
	assert_int_equal(copy(&e, b, c, UINT64_MAX, 0x1000, &iova, 0x10), -EOPNOTSUPP);
	munmap(buf, 1 << 20);
	env_close(&e);
}

static void allow_iovas_list_rules(void **state)
{
	struct iommu_iova_range one = { 0x1000, 0x1000 };
	struct iommu_iova_range two[2] = { { 0x100000, 0x1fffff }, { 0x1ff000, 0x2fffff } };
	struct iommu_ioas_iova_ranges q = { .size = sizeof(q) };
	struct env e;
	uint32_t b;

	(void)state;
	env_open(&e, 1, false);
	assert_int_equal(ioas_alloc(&e, &b), 0);
	assert_int_equal(allow(&e, b, &one, 1), -EINVAL);	/* start >= last */
	assert_int_equal(allow(&e, b, two, 2), -EINVAL);	/* they overlap */
	/* IOVA_RANGES: the holes of the reserved ranges only; EMSGSIZE gives the count */
	two[1].start = 0x200000;
	assert_int_equal(allow(&e, b, two, 2), 0);
	q.ioas_id = b;
	assert_int_equal(io(&e, IOMMU_IOAS_IOVA_RANGES, &q), -EMSGSIZE);
	assert_int_equal(q.num_iovas, 1);
	assert_int_equal(attach(&e, 0, b, NULL), 0);
	q.num_iovas = 0;
	assert_int_equal(io(&e, IOMMU_IOAS_IOVA_RANGES, &q), -EMSGSIZE);
	assert_int_equal(q.num_iovas, 2);
	assert_int_equal(q.out_iova_alignment, 0x1000);
	/* short by one (iommufd_ioas_iova_ranges()): what fits is filled, the count is all */
	memset(two, 0, sizeof(two));
	q.num_iovas = 1;
	q.allowed_iovas = (uintptr_t)two;
	assert_int_equal(io(&e, IOMMU_IOAS_IOVA_RANGES, &q), -EMSGSIZE);
	assert_int_equal(q.num_iovas, 2);
	assert_int_equal(two[0].start, 0);
	assert_int_equal(two[0].last, 0x7ffffff);
	assert_int_equal(two[1].last, 0);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(envelope_basics),
		cmocka_unit_test(envelope_sizes),
		cmocka_unit_test(id_sequence_as_observed),
		cmocka_unit_test(destroy_busy_rules),
		cmocka_unit_test(ioas_map_checks),
		cmocka_unit_test(ioas_overlaps_and_unmap),
		cmocka_unit_test(ioas_auto_iova),
		cmocka_unit_test(ioas_with_domain),
		cmocka_unit_test(ioas_copy),
		cmocka_unit_test(ioas_allow_iovas),
		cmocka_unit_test(ioas_map_file),
		cmocka_unit_test(option_huge_pages),
		cmocka_unit_test(allow_iovas_list_rules),
		cmocka_unit_test(hwpt_paging_flags),
		cmocka_unit_test(viommu_needs_host_features),
		cmocka_unit_test(a_function_without_its_cdev_is_on_vfio_pci_but_cannot_be_opened),
		cmocka_unit_test(viommu_checks),
		cmocka_unit_test(vste_rules),
		cmocka_unit_test(vdevice_rules),
		cmocka_unit_test(nested_attach_rules),
		cmocka_unit_test(auto_domains),
		cmocka_unit_test(tombstone_on_unbind),
		cmocka_unit_test(close_order),
		cmocka_unit_test(free_with_everything_alive),
		cmocka_unit_test(open_and_enumerate),
		cmocka_unit_test(bind_rules),
		cmocka_unit_test(attach_detach_args),
		cmocka_unit_test(hw_info),
		cmocka_unit_test(other_commands),
		cmocka_unit_test(invalidate_envelope),
		cmocka_unit_test(invalidate_commands),
		cmocka_unit_test(invalidate_profile_7_1),
		cmocka_unit_test(veventq_alloc_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
