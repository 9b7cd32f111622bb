// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The marshalling of the core's typed wrappers: a mock backend records every call (the
 * request number, a copy of the uAPI struct as it was handed over and of what its data pointer
 * pointed to) and answers like the kernel would. Each wrapper is checked field by field, its
 * outputs copied back on success, and only the kernel's always-copied outputs on failure.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <linux/vfio.h>
#include "iommush/iommush.h"
#include "internal.h"	/* white-box: the registry layout */

/* The 7.3 kernel's struct sizes (kernel-semantics.md §1.3); the wrappers must pass these. */
_Static_assert(sizeof(struct iommu_destroy) == 8, "uapi");
_Static_assert(sizeof(struct iommu_ioas_alloc) == 12, "uapi");
_Static_assert(sizeof(struct iommu_ioas_map) == 40, "uapi");
_Static_assert(sizeof(struct iommu_ioas_unmap) == 24, "uapi");
_Static_assert(sizeof(struct iommu_hwpt_alloc) == 48, "uapi");
_Static_assert(sizeof(struct iommu_hw_info) == 40, "uapi");
_Static_assert(sizeof(struct iommu_hwpt_invalidate) == 32, "uapi");
_Static_assert(sizeof(struct iommu_viommu_alloc) == 40, "uapi");
_Static_assert(sizeof(struct iommu_vdevice_alloc) == 24, "uapi");
_Static_assert(sizeof(struct iommu_veventq_alloc) == 32, "uapi");
_Static_assert(sizeof(struct vfio_device_bind_iommufd) == 24, "uapi");
_Static_assert(sizeof(struct vfio_device_attach_iommufd_pt) == 16, "uapi");
_Static_assert(sizeof(struct vfio_device_detach_iommufd_pt) == 12, "uapi");

static const struct {
	unsigned long request;
	uint32_t size;
} sizes[] = {
	{ IOMMU_DESTROY, 8 }, { IOMMU_IOAS_ALLOC, 12 }, { IOMMU_IOAS_MAP, 40 },
	{ IOMMU_IOAS_UNMAP, 24 }, { IOMMU_HWPT_ALLOC, 48 }, { IOMMU_GET_HW_INFO, 40 },
	{ IOMMU_HWPT_INVALIDATE, 32 }, { IOMMU_VIOMMU_ALLOC, 40 }, { IOMMU_VDEVICE_ALLOC, 24 },
	{ IOMMU_VEVENTQ_ALLOC, 32 }, { VFIO_DEVICE_BIND_IOMMUFD, 24 },
	{ VFIO_DEVICE_ATTACH_IOMMUFD_PT, 16 }, { VFIO_DEVICE_DETACH_IOMMUFD_PT, 12 },
	{ VFIO_DEVICE_GET_INFO, 24 }, { VFIO_DEVICE_GET_REGION_INFO, 32 },
	{ IOMMU_IOAS_IOVA_RANGES, 32 }, { IOMMU_IOAS_ALLOW_IOVAS, 24 }, { IOMMU_IOAS_COPY, 40 },
	{ IOMMU_OPTION, 24 }, { IOMMU_IOAS_MAP_FILE, 40 }, { IOMMU_IOAS_CHANGE_PROCESS, 8 },
	{ IOMMU_IOAS_NOIOMMU_GET_PA, 40 },
};

#define IOMMUFD 3
#define DEV_FD 10	/* the first cdev; the next ones count up */
#define EVQ_FD 50
#define FIRST_ID 100

struct call {
	char op[8];		/* "ioctl", "open", "close", "read", "poll", "pread", "pwrite" */
	int fd;
	unsigned long request;
	_Alignas(8) unsigned char arg[64];	/* the uAPI struct, as handed over */
	uint32_t arg_len;
	unsigned char data[256];	/* what its data pointer pointed to, or a pwrite's bytes */
	size_t data_len;
	size_t len;		/* read/pread/pwrite length; poll timeout */
	uint64_t off;
	char spec[64];		/* open */
};

static struct mock {
	struct ish_backend be;
	struct call calls[64];
	unsigned int n;
	uint32_t next_id;
	int next_fd;
	/* the next ioctl with this request fails with fail_rc (and the kernel's entry_num) */
	unsigned long fail_req;
	int fail_rc;
	uint32_t inv_done;
	uint32_t attach_pt;	/* pt_id the kernel answers on attach, 0: as asked */
	uint32_t nregions;
	ssize_t pread_rc;	/* 0: all of it */
	const void *read_data;	/* what read() returns */
	size_t read_len;
	bool freed;
	uint32_t nranges;	/* IOVA_RANGES: how many the kernel has */
} M;

static struct call *record(const char *op, int fd)
{
	struct call *c;

	assert_true(M.n < sizeof(M.calls) / sizeof(M.calls[0]));
	c = &M.calls[M.n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->op, sizeof(c->op), "%s", op);
	c->fd = fd;
	return c;
}

static int mock_open_iommufd(struct ish_backend *be)
{
	record("open", -1);
	return IOMMUFD;
}

static int mock_open_device(struct ish_backend *be, const char *spec, struct ish_pci_dev *info)
{
	struct call *c = record("open", -1);

	snprintf(c->spec, sizeof(c->spec), "%s", spec);
	if (!strcmp(spec, "0000:00:09.0"))
		return -ENODEV;
	snprintf(info->bdf, sizeof(info->bdf), "%s", spec);
	snprintf(info->cdev, sizeof(info->cdev), "/dev/vfio/devices/vfio%d", M.next_fd - DEV_FD);
	return M.next_fd++;
}

static int mock_close(struct ish_backend *be, int fd)
{
	record("close", fd);
	return 0;
}

static uint32_t arg_size(unsigned long request)
{
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (sizes[i].request == request)
			return sizes[i].size;
	fail_msg("unexpected ioctl request 0x%lx", request);
	return 0;
}

static void copy_data(struct call *c, uint64_t uptr, size_t len)
{
	if (!uptr || !len)
		return;
	assert_true(len <= sizeof(c->data));
	memcpy(c->data, (const void *)(uintptr_t)uptr, len);
	c->data_len = len;
}

/* What the kernel writes back on success. */
static void reply(unsigned long request, void *arg)
{
	switch (request) {
	case VFIO_DEVICE_BIND_IOMMUFD:
		((struct vfio_device_bind_iommufd *)arg)->out_devid = M.next_id++;
		break;
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		if (M.attach_pt)
			((struct vfio_device_attach_iommufd_pt *)arg)->pt_id = M.attach_pt;
		break;
	case IOMMU_IOAS_ALLOC:
		((struct iommu_ioas_alloc *)arg)->out_ioas_id = M.next_id++;
		break;
	case IOMMU_HWPT_ALLOC:
		((struct iommu_hwpt_alloc *)arg)->out_hwpt_id = M.next_id++;
		break;
	case IOMMU_VIOMMU_ALLOC:
		((struct iommu_viommu_alloc *)arg)->out_viommu_id = M.next_id++;
		break;
	case IOMMU_VDEVICE_ALLOC:
		((struct iommu_vdevice_alloc *)arg)->out_vdevice_id = M.next_id++;
		break;
	case IOMMU_VEVENTQ_ALLOC:
		((struct iommu_veventq_alloc *)arg)->out_veventq_id = M.next_id++;
		((struct iommu_veventq_alloc *)arg)->out_veventq_fd = EVQ_FD;
		break;
	case IOMMU_IOAS_MAP: {
		struct iommu_ioas_map *m = arg;

		if (!(m->flags & IOMMU_IOAS_MAP_FIXED_IOVA))
			m->iova = 0x7fe00000;
		break;
	}
	case IOMMU_IOAS_UNMAP:
		((struct iommu_ioas_unmap *)arg)->length = 0x3000;	/* whole areas inside */
		break;
	case IOMMU_IOAS_COPY: {
		struct iommu_ioas_copy *cp = arg;

		if (!(cp->flags & IOMMU_IOAS_MAP_FIXED_IOVA))
			cp->dst_iova = 0x900000;
		break;
	}
	case IOMMU_IOAS_MAP_FILE: {
		struct iommu_ioas_map_file *mf = arg;

		if (!(mf->flags & IOMMU_IOAS_MAP_FIXED_IOVA))
			mf->iova = 0xa00000;
		break;
	}
	case IOMMU_OPTION: {
		struct iommu_option *o = arg;

		if (o->op == IOMMU_OPTION_OP_GET)
			o->val64 = 1;
		break;
	}
	case IOMMU_IOAS_NOIOMMU_GET_PA: {
		struct iommu_ioas_noiommu_get_pa *g = arg;

		g->out_phys = 0x80000000 + (g->iova & 0xfff);
		g->length = 0x1000 - (g->iova & 0xfff);
		break;
	}
	case IOMMU_GET_HW_INFO: {
		struct iommu_hw_info *h = arg;
		struct iommu_hw_info_arm_smmuv3 s = {
			.idr = { 0x0d44101b, 0x02730010, 0, 0x1414, 0, 0x74 }, .aidr = 1,
		};

		memcpy((void *)(uintptr_t)h->data_uptr, &s, h->data_len < sizeof(s) ?
		       h->data_len : sizeof(s));
		h->data_len = sizeof(s);
		h->out_data_type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
		h->out_capabilities = 0x8;
		h->out_max_pasid_log2 = 5;
		break;
	}
	case VFIO_DEVICE_GET_INFO:
		((struct vfio_device_info *)arg)->num_regions = M.nregions;
		((struct vfio_device_info *)arg)->flags = VFIO_DEVICE_FLAGS_PCI;
		break;
	default:
		break;
	}
}

static int mock_ioctl(struct ish_backend *be, int fd, unsigned long request, void *arg)
{
	struct call *c = record("ioctl", fd);
	uint32_t len = arg_size(request);

	c->request = request;
	c->arg_len = len;
	/* the size field comes first in every one of them: never read past what it claims */
	assert_int_equal(*(uint32_t *)arg, len);
	memcpy(c->arg, arg, len);
	if (request == IOMMU_HWPT_ALLOC)
		copy_data(c, ((struct iommu_hwpt_alloc *)arg)->data_uptr,
			  ((struct iommu_hwpt_alloc *)arg)->data_len);
	if (request == IOMMU_HWPT_INVALIDATE) {
		struct iommu_hwpt_invalidate *inv = arg;

		copy_data(c, inv->data_uptr, (size_t)inv->entry_len * inv->entry_num);
	}
	if (request == VFIO_DEVICE_GET_REGION_INFO) {
		struct vfio_region_info *ri = arg;

		if (ri->index == 2)
			return -EINVAL;	/* a hole, like a missing VGA region */
		ri->size = 0x1000ULL << ri->index;
		ri->offset = (uint64_t)ri->index << 40;
		ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	}
	if (request == IOMMU_IOAS_ALLOW_IOVAS) {
		struct iommu_ioas_allow_iovas *al = arg;

		copy_data(c, al->allowed_iovas, (size_t)al->num_iovas * 16);
	}
	if (request == IOMMU_IOAS_IOVA_RANGES && M.fail_req != request) {
		/* iommufd_ioas_iova_ranges(): fill what fits, count all, EMSGSIZE when short */
		struct iommu_ioas_iova_ranges *g = arg;
		struct iommu_iova_range *out = (void *)(uintptr_t)g->allowed_iovas;
		uint32_t i, max = g->num_iovas;

		for (i = 0; i < M.nranges && i < max; i++) {
			out[i].start = (uint64_t)i << 32;
			out[i].last = ((uint64_t)i << 32) + 0xffff;
		}
		g->num_iovas = M.nranges;
		g->out_iova_alignment = 0x1000;
		return M.nranges > max ? -EMSGSIZE : 0;
	}
	if (M.fail_req == request) {
		M.fail_req = 0;
		if (request == IOMMU_HWPT_INVALIDATE)
			((struct iommu_hwpt_invalidate *)arg)->entry_num = M.inv_done;
		return M.fail_rc;
	}
	reply(request, arg);
	return 0;
}

static ssize_t mock_read(struct ish_backend *be, int fd, void *buf, size_t len)
{
	struct call *c = record("read", fd);
	size_t n = M.read_len < len ? M.read_len : len;

	c->len = len;
	memcpy(buf, M.read_data, n);
	return (ssize_t)n;
}

static ssize_t mock_write(struct ish_backend *be, int fd, const void *buf, size_t len)
{
	record("write", fd)->len = len;
	return (ssize_t)len;
}

static int mock_poll(struct ish_backend *be, int fd, int timeout_ms)
{
	record("poll", fd)->len = (size_t)timeout_ms;
	return 1;
}

static ssize_t mock_pread(struct ish_backend *be, int fd, void *buf, size_t len, uint64_t off)
{
	struct call *c = record("pread", fd);
	size_t i;

	c->len = len;
	c->off = off;
	for (i = 0; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)(0x11 * (i + 1));
	return M.pread_rc ? M.pread_rc : (ssize_t)len;
}

static ssize_t mock_pwrite(struct ish_backend *be, int fd, const void *buf, size_t len,
			   uint64_t off)
{
	struct call *c = record("pwrite", fd);

	c->len = len;
	c->off = off;
	copy_data(c, (uintptr_t)buf, len);
	return (ssize_t)len;
}

static void mock_free(struct ish_backend *be)
{
	M.freed = true;
}

static const struct ish_ops mock_ops = {
	.name = "mock",
	.open_iommufd = mock_open_iommufd,
	.open_device = mock_open_device,
	.close = mock_close,
	.ioctl = mock_ioctl,
	.read = mock_read,
	.write = mock_write,
	.poll = mock_poll,
	.pread = mock_pread,
	.pwrite = mock_pwrite,
	.free = mock_free,
};

/* ---- helpers -------------------------------------------------------------------------------- */

static int setup(void **state)
{
	struct ish_ctx *ctx;

	memset(&M, 0, sizeof(M));
	M.be.ops = &mock_ops;
	M.next_id = FIRST_ID;
	M.next_fd = DEV_FD;
	assert_int_equal(ish_ctx_new(&M.be, &ctx), 0);
	assert_int_equal(ish_ctx_iommufd(ctx), IOMMUFD);
	*state = ctx;
	return 0;
}

static int teardown(void **state)
{
	ish_ctx_free(*state);
	assert_true(M.freed);
	return 0;
}

/* the i-th call since @mark, which must be an ioctl @request on @fd; its struct */
static const void *ioctl_at(unsigned int mark, unsigned int i, int fd, unsigned long request)
{
	const struct call *c;

	assert_true(mark + i < M.n);
	c = &M.calls[mark + i];
	assert_string_equal(c->op, "ioctl");
	assert_int_equal(c->request, request);
	assert_int_equal(c->fd, fd);
	assert_int_equal(c->arg_len, arg_size(request));
	return c->arg;
}

static void assert_zero(const void *p, size_t len)
{
	static const unsigned char zero[64];

	assert_true(len <= sizeof(zero));
	assert_memory_equal(p, zero, len);
}

static uint32_t bind_dev(struct ish_ctx *ctx, const char *bdf)
{
	uint32_t id = 0;

	assert_int_equal(ish_device_bind(ctx, bdf, &id), 0);
	return id;
}

/* ---- devices -------------------------------------------------------------------------------- */

static void device_bind_marshals(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct vfio_device_bind_iommufd *b;
	unsigned int mark = M.n;
	struct ish_obj *o;
	uint32_t id = 0xdead;

	assert_int_equal(ish_device_bind(ctx, "0000:00:01.0", &id), 0);
	assert_int_equal(M.n - mark, 2);
	assert_string_equal(M.calls[mark].op, "open");
	assert_string_equal(M.calls[mark].spec, "0000:00:01.0");
	b = ioctl_at(mark, 1, DEV_FD, VFIO_DEVICE_BIND_IOMMUFD);
	assert_int_equal(b->argsz, 24);
	assert_int_equal(b->flags, 0);
	assert_int_equal(b->iommufd, IOMMUFD);
	assert_int_equal(b->out_devid, 0);
	assert_int_equal(b->token_uuid_ptr, 0);
	assert_int_equal(id, FIRST_ID);
	o = ish_obj_find(ctx, id);
	assert_non_null(o);
	assert_int_equal(o->type, ISH_OBJ_DEVICE);
	assert_int_equal(o->u.device.fd, DEV_FD);
	assert_string_equal(o->u.device.pci.bdf, "0000:00:01.0");
}

static void device_bind_failure_closes_the_cdev(void **state)
{
	struct ish_ctx *ctx = *state;
	unsigned int mark = M.n;
	uint32_t id = 0xdead;

	M.fail_req = VFIO_DEVICE_BIND_IOMMUFD;
	M.fail_rc = -EINVAL;
	assert_int_equal(ish_device_bind(ctx, "0000:00:01.0", &id), -EINVAL);
	assert_int_equal(id, 0xdead);
	assert_int_equal(M.n - mark, 3);
	ioctl_at(mark, 1, DEV_FD, VFIO_DEVICE_BIND_IOMMUFD);
	assert_string_equal(M.calls[mark + 2].op, "close");
	assert_int_equal(M.calls[mark + 2].fd, DEV_FD);
	assert_null(ish_obj_first(ctx));

	/* not on vfio-pci: no ioctl at all */
	mark = M.n;
	assert_int_equal(ish_device_bind(ctx, "0000:00:09.0", &id), -ENODEV);
	assert_int_equal(M.n - mark, 1);
	assert_string_equal(M.calls[mark].op, "open");
	assert_int_equal(id, 0xdead);
}

static void device_attach_detach_marshal(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct vfio_device_attach_iommufd_pt *at;
	const struct vfio_device_detach_iommufd_pt *de;
	uint32_t dev, dev2, ioas, pt = 0;
	unsigned int mark;

	dev = bind_dev(ctx, "0000:00:01.0");
	dev2 = bind_dev(ctx, "0000:00:02.0");
	assert_int_equal(ish_ioas_alloc(ctx, &ioas), 0);

	/* to an IOAS: the kernel answers with the auto HWPT it used */
	M.attach_pt = 555;
	mark = M.n;
	assert_int_equal(ish_device_attach(ctx, dev2, ioas, &pt), 0);
	assert_int_equal(M.n - mark, 1);
	at = ioctl_at(mark, 0, DEV_FD + 1, VFIO_DEVICE_ATTACH_IOMMUFD_PT);	/* dev2's cdev */
	assert_int_equal(at->argsz, 16);
	assert_int_equal(at->flags, 0);
	assert_int_equal(at->pt_id, ioas);
	assert_int_equal(at->pasid, 0);
	assert_int_equal(pt, 555);
	assert_int_equal(ish_obj_find(ctx, dev2)->u.device.pt, 555);

	/* a failed attach copies nothing back */
	M.fail_req = VFIO_DEVICE_ATTACH_IOMMUFD_PT;
	M.fail_rc = -EINVAL;
	pt = 0xdead;
	assert_int_equal(ish_device_attach(ctx, dev, 777, &pt), -EINVAL);
	assert_int_equal(pt, 0xdead);
	assert_int_equal(ish_obj_find(ctx, dev)->u.device.pt, 0);

	mark = M.n;
	assert_int_equal(ish_device_detach(ctx, dev2), 0);
	assert_int_equal(M.n - mark, 1);
	de = ioctl_at(mark, 0, DEV_FD + 1, VFIO_DEVICE_DETACH_IOMMUFD_PT);
	assert_int_equal(de->argsz, 12);
	assert_int_equal(de->flags, 0);
	assert_int_equal(de->pasid, 0);
	assert_int_equal(ish_obj_find(ctx, dev2)->u.device.pt, 0);
}

static void get_hw_info_marshals(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct iommu_hw_info *h;
	struct ish_hw_info info;
	unsigned int mark;
	uint32_t dev;

	dev = bind_dev(ctx, "0000:00:01.0");
	mark = M.n;
	memset(&info, 0xa5, sizeof(info));
	assert_int_equal(ish_get_hw_info(ctx, dev, &info), 0);
	assert_int_equal(M.n - mark, 1);
	h = ioctl_at(mark, 0, IOMMUFD, IOMMU_GET_HW_INFO);
	assert_int_equal(h->size, 40);
	assert_int_equal(h->flags, 0);
	assert_int_equal(h->dev_id, dev);
	assert_int_equal(h->data_len, sizeof(struct iommu_hw_info_arm_smmuv3));
	assert_int_equal(h->data_uptr, (uintptr_t)&info.smmu);
	assert_int_equal(h->in_data_type, 0);
	assert_int_equal(h->out_max_pasid_log2, 0);
	assert_zero(h->__reserved, sizeof(h->__reserved));
	assert_int_equal(h->out_capabilities, 0);
	assert_int_equal(info.type, IOMMU_HW_INFO_TYPE_ARM_SMMUV3);
	assert_int_equal(info.data_len, 40);
	assert_int_equal(info.capabilities, 0x8);
	assert_int_equal(info.max_pasid_log2, 5);
	assert_int_equal(info.smmu.idr[0], 0x0d44101b);
	assert_int_equal(info.smmu.idr[3], 0x1414);
	assert_int_equal(info.smmu.idr[5], 0x74);
	assert_int_equal(info.smmu.aidr, 1);
	assert_int_equal(info.smmu.flags, 0);
	assert_true(ish_obj_find(ctx, dev)->u.device.hw_valid);
	assert_int_equal(ish_obj_find(ctx, dev)->u.device.hw.smmu.idr[1], 0x02730010);

	/* an unknown device never reaches the kernel */
	mark = M.n;
	assert_int_equal(ish_get_hw_info(ctx, 999, &info), -ENOENT);
	assert_int_equal(M.n, mark);
}

/* ---- IOAS ------------------------------------------------------------------------------------ */

static void ioas_alloc_marshals(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct iommu_ioas_alloc *a;
	unsigned int mark = M.n;
	uint32_t id = 0xdead;

	assert_int_equal(ish_ioas_alloc(ctx, &id), 0);
	assert_int_equal(M.n - mark, 1);
	a = ioctl_at(mark, 0, IOMMUFD, IOMMU_IOAS_ALLOC);
	assert_int_equal(a->size, 12);
	assert_int_equal(a->flags, 0);
	assert_int_equal(a->out_ioas_id, 0);
	assert_int_equal(id, FIRST_ID);
	assert_int_equal(ish_obj_find(ctx, id)->type, ISH_OBJ_IOAS);

	M.fail_req = IOMMU_IOAS_ALLOC;
	M.fail_rc = -ENOMEM;
	id = 0xdead;
	assert_int_equal(ish_ioas_alloc(ctx, &id), -ENOMEM);
	assert_int_equal(id, 0xdead);
	assert_null(ish_obj_next(ish_obj_first(ctx)));
}

static void ioas_map_unmap_marshal(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct iommu_ioas_map *m;
	const struct iommu_ioas_unmap *u;
	static char buf[0x4000];
	uint64_t iova, unmapped = 0;
	unsigned int mark;
	uint32_t ioas;

	assert_int_equal(ish_ioas_alloc(ctx, &ioas), 0);
	iova = 0x100000;
	mark = M.n;
	assert_int_equal(ish_ioas_map(ctx, ioas, buf, 0x3000, &iova, IOMMU_IOAS_MAP_FIXED_IOVA |
				      IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE), 0);
	assert_int_equal(M.n - mark, 1);
	m = ioctl_at(mark, 0, IOMMUFD, IOMMU_IOAS_MAP);
	assert_int_equal(m->size, 40);
	assert_int_equal(m->flags, IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE);
	assert_int_equal(m->ioas_id, ioas);
	assert_int_equal(m->__reserved, 0);
	assert_int_equal(m->user_va, (uintptr_t)buf);
	assert_int_equal(m->length, 0x3000);
	assert_int_equal(m->iova, 0x100000);
	assert_int_equal(iova, 0x100000);
	assert_non_null(ish_map_first(ctx));
	assert_int_equal(ish_map_first(ctx)->iova, 0x100000);

	/* the kernel picks the IOVA: it comes back */
	mark = M.n;
	iova = 0;
	assert_int_equal(ish_ioas_map(ctx, ioas, buf + 0x3000, 0x1000, &iova,
				      IOMMU_IOAS_MAP_READABLE), 0);
	m = ioctl_at(mark, 0, IOMMUFD, IOMMU_IOAS_MAP);
	assert_int_equal(m->flags, IOMMU_IOAS_MAP_READABLE);
	assert_int_equal(m->user_va, (uintptr_t)(buf + 0x3000));
	assert_int_equal(iova, 0x7fe00000);
	assert_int_equal(ish_map_next(ish_map_first(ctx))->iova, 0x7fe00000);

	/* failed: nothing copied back, nothing recorded */
	M.fail_req = IOMMU_IOAS_MAP;
	M.fail_rc = -EEXIST;
	iova = 0x100000;
	assert_int_equal(ish_ioas_map(ctx, ioas, buf, 0x1000, &iova, IOMMU_IOAS_MAP_FIXED_IOVA |
				      IOMMU_IOAS_MAP_READABLE), -EEXIST);
	assert_int_equal(iova, 0x100000);
	assert_null(ish_map_next(ish_map_next(ish_map_first(ctx))));

	mark = M.n;
	/* the kernel says how much it unmapped: the whole areas inside the range */
	assert_int_equal(ish_ioas_unmap(ctx, ioas, 0x100000, 0x10000, &unmapped), 0);
	assert_int_equal(M.n - mark, 1);
	u = ioctl_at(mark, 0, IOMMUFD, IOMMU_IOAS_UNMAP);
	assert_int_equal(u->size, 24);
	assert_int_equal(u->ioas_id, ioas);
	assert_int_equal(u->iova, 0x100000);
	assert_int_equal(u->length, 0x10000);
	assert_int_equal(unmapped, 0x3000);
	assert_int_equal(ish_map_first(ctx)->iova, 0x7fe00000);

	/* everything: iova 0, length UINT64_MAX */
	mark = M.n;
	assert_int_equal(ish_ioas_unmap(ctx, ioas, 0, UINT64_MAX, NULL), 0);
	u = ioctl_at(mark, 0, IOMMUFD, IOMMU_IOAS_UNMAP);
	assert_int_equal(u->iova, 0);
	assert_int_equal(u->length, UINT64_MAX);
	assert_null(ish_map_first(ctx));
}

/* ---- HWPT, vIOMMU, vDEVICE ------------------------------------------------------------------- */

static void hwpt_alloc_paging_marshals(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct iommu_hwpt_alloc *a;
	uint32_t dev, ioas, hwpt = 0xdead;
	unsigned int mark;

	dev = bind_dev(ctx, "0000:00:01.0");
	assert_int_equal(ish_ioas_alloc(ctx, &ioas), 0);
	mark = M.n;
	assert_int_equal(ish_hwpt_alloc(ctx, dev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
					IOMMU_HWPT_DATA_NONE, NULL, 0, &hwpt), 0);
	assert_int_equal(M.n - mark, 1);
	a = ioctl_at(mark, 0, IOMMUFD, IOMMU_HWPT_ALLOC);
	assert_int_equal(a->size, 48);
	assert_int_equal(a->flags, IOMMU_HWPT_ALLOC_NEST_PARENT);
	assert_int_equal(a->dev_id, dev);
	assert_int_equal(a->pt_id, ioas);
	assert_int_equal(a->out_hwpt_id, 0);
	assert_int_equal(a->__reserved, 0);
	assert_int_equal(a->data_type, IOMMU_HWPT_DATA_NONE);
	assert_int_equal(a->data_len, 0);
	assert_int_equal(a->data_uptr, 0);
	assert_int_equal(a->fault_id, 0);
	assert_int_equal(a->__reserved2, 0);
	assert_int_equal(hwpt, FIRST_ID + 2);
	assert_int_equal(ish_obj_find(ctx, hwpt)->type, ISH_OBJ_HWPT_PAGING);
	assert_int_equal(ish_obj_find(ctx, hwpt)->flags, IOMMU_HWPT_ALLOC_NEST_PARENT);

	M.fail_req = IOMMU_HWPT_ALLOC;
	M.fail_rc = -EOPNOTSUPP;
	hwpt = 0xdead;
	assert_int_equal(ish_hwpt_alloc(ctx, dev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT |
					IOMMU_HWPT_ALLOC_DIRTY_TRACKING, IOMMU_HWPT_DATA_NONE,
					NULL, 0, &hwpt), -EOPNOTSUPP);
	assert_int_equal(hwpt, 0xdead);
	assert_null(ish_obj_find(ctx, FIRST_ID + 3));
}

static void hwpt_alloc_raw_data_pointer(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct iommu_hwpt_alloc *a;
	static const uint8_t blob[24] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	unsigned int mark = M.n;
	uint32_t hwpt;

	/* the raw call hands the caller's buffer over as is, whatever it holds */
	assert_int_equal(ish_hwpt_alloc(ctx, 7, 8, 0, 0x1234, blob, sizeof(blob), &hwpt), 0);
	a = ioctl_at(mark, 0, IOMMUFD, IOMMU_HWPT_ALLOC);
	assert_int_equal(a->dev_id, 7);
	assert_int_equal(a->pt_id, 8);
	assert_int_equal(a->data_type, 0x1234);
	assert_int_equal(a->data_len, sizeof(blob));
	assert_int_equal(a->data_uptr, (uintptr_t)blob);
	assert_int_equal(M.calls[mark].data_len, sizeof(blob));
	assert_memory_equal(M.calls[mark].data, blob, sizeof(blob));
}

static void viommu_vdevice_nested_marshal(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct iommu_viommu_alloc *v;
	const struct iommu_vdevice_alloc *vd;
	const struct iommu_hwpt_alloc *a;
	const uint64_t ste[2] = { 0x0000000000108009ULL, 0x8000000000000000ULL };
	struct iommu_hwpt_arm_smmuv3 want = { .ste = { ste[0], ste[1] } };
	uint32_t dev, ioas, s2, viommu = 0xdead, vdev = 0xdead, nested = 0xdead;
	unsigned int mark;

	dev = bind_dev(ctx, "0000:00:01.0");
	assert_int_equal(ish_ioas_alloc(ctx, &ioas), 0);
	assert_int_equal(ish_hwpt_alloc(ctx, dev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
					IOMMU_HWPT_DATA_NONE, NULL, 0, &s2), 0);

	mark = M.n;
	assert_int_equal(ish_viommu_alloc(ctx, dev, s2, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &viommu), 0);
	assert_int_equal(M.n - mark, 1);
	v = ioctl_at(mark, 0, IOMMUFD, IOMMU_VIOMMU_ALLOC);
	assert_int_equal(v->size, 40);
	assert_int_equal(v->flags, 0);
	assert_int_equal(v->type, IOMMU_VIOMMU_TYPE_ARM_SMMUV3);
	assert_int_equal(v->dev_id, dev);
	assert_int_equal(v->hwpt_id, s2);
	assert_int_equal(v->out_viommu_id, 0);
	assert_int_equal(v->data_len, 0);
	assert_int_equal(v->__reserved, 0);
	assert_int_equal(v->data_uptr, 0);
	assert_int_equal(viommu, s2 + 1);
	assert_int_equal(ish_obj_find(ctx, viommu)->type, ISH_OBJ_VIOMMU);

	/* the vSID is 64-bit wide in the struct: nothing may be cut */
	mark = M.n;
	assert_int_equal(ish_vdevice_alloc(ctx, viommu, dev, 0x100000042ULL, &vdev), 0);
	vd = ioctl_at(mark, 0, IOMMUFD, IOMMU_VDEVICE_ALLOC);
	assert_int_equal(vd->size, 24);
	assert_int_equal(vd->viommu_id, viommu);
	assert_int_equal(vd->dev_id, dev);
	assert_int_equal(vd->out_vdevice_id, 0);
	assert_int_equal(vd->virt_id, 0x100000042ULL);
	assert_int_equal(vdev, viommu + 1);
	assert_int_equal(ish_obj_find(ctx, dev)->u.device.vdevice, vdev);

	mark = M.n;
	assert_int_equal(ish_hwpt_alloc_nested(ctx, dev, viommu, ste, &nested), 0);
	assert_int_equal(M.n - mark, 1);
	a = ioctl_at(mark, 0, IOMMUFD, IOMMU_HWPT_ALLOC);
	assert_int_equal(a->size, 48);
	assert_int_equal(a->flags, 0);
	assert_int_equal(a->dev_id, dev);
	assert_int_equal(a->pt_id, viommu);
	assert_int_equal(a->data_type, IOMMU_HWPT_DATA_ARM_SMMUV3);
	assert_int_equal(a->data_len, sizeof(struct iommu_hwpt_arm_smmuv3));
	assert_int_not_equal(a->data_uptr, 0);
	assert_int_equal(a->fault_id, 0);
	assert_int_equal(M.calls[mark].data_len, 16);
	assert_memory_equal(M.calls[mark].data, &want, sizeof(want));
	assert_int_equal(nested, vdev + 1);
	assert_int_equal(ish_obj_find(ctx, nested)->type, ISH_OBJ_HWPT_NESTED);
	assert_memory_equal(ish_obj_find(ctx, nested)->u.nested.ste, ste, 16);

	/* failures copy no id back */
	M.fail_req = IOMMU_VIOMMU_ALLOC;
	M.fail_rc = -EOPNOTSUPP;
	viommu = 0xdead;
	assert_int_equal(ish_viommu_alloc(ctx, dev, s2, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &viommu),
			 -EOPNOTSUPP);
	assert_int_equal(viommu, 0xdead);
	assert_non_null(strstr(ish_errmsg(ctx), "CANWBS"));
	M.fail_req = IOMMU_VDEVICE_ALLOC;
	M.fail_rc = -EEXIST;
	assert_int_equal(ish_vdevice_alloc(ctx, s2 + 1, dev, 8, &vdev), -EEXIST);
	assert_int_equal(vdev, s2 + 2);
	M.fail_req = IOMMU_HWPT_ALLOC;
	M.fail_rc = -EIO;
	assert_int_equal(ish_hwpt_alloc_nested(ctx, dev, s2 + 1, ste, &nested), -EIO);
	assert_int_equal(nested, s2 + 3);
}

static void invalidate_marshals_and_reports_entry_num(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct iommu_hwpt_invalidate *inv;
	const uint64_t cmds[3][2] = { { 0x10, 0 }, { 0x05 | (8ULL << 32), 1 }, { 0x11, 0 } };
	unsigned int mark = M.n;
	uint32_t done = 0xdead;

	assert_int_equal(ish_invalidate(ctx, 42, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
					sizeof(cmds[0]), 3, &done), 0);
	assert_int_equal(M.n - mark, 1);
	inv = ioctl_at(mark, 0, IOMMUFD, IOMMU_HWPT_INVALIDATE);
	assert_int_equal(inv->size, 32);
	assert_int_equal(inv->hwpt_id, 42);
	assert_int_equal(inv->data_uptr, (uintptr_t)cmds);
	assert_int_equal(inv->data_type, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3);
	assert_int_equal(inv->entry_len, 16);
	assert_int_equal(inv->entry_num, 3);
	assert_int_equal(inv->__reserved, 0);
	assert_int_equal(M.calls[mark].data_len, sizeof(cmds));
	assert_memory_equal(M.calls[mark].data, cmds, sizeof(cmds));
	assert_int_equal(done, 3);

	/* refused at the second command: entry_num says one was handled */
	M.fail_req = IOMMU_HWPT_INVALIDATE;
	M.fail_rc = -EIO;
	M.inv_done = 1;
	done = 0xdead;
	assert_int_equal(ish_invalidate(ctx, 42, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
					sizeof(cmds[0]), 3, &done), -EIO);
	assert_int_equal(done, 1);

	/* refused before any: 0, and no output pointer is fine */
	M.fail_req = IOMMU_HWPT_INVALIDATE;
	M.fail_rc = -EINVAL;
	M.inv_done = 0;
	assert_int_equal(ish_invalidate(ctx, 42, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
					sizeof(cmds[0]), 0, &done), -EINVAL);
	assert_int_equal(done, 0);
	assert_int_equal(ish_invalidate(ctx, 42, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
					sizeof(cmds[0]), 1, NULL), 0);
}

/* ---- vEVENTQ and DESTROY --------------------------------------------------------------------- */

static void veventq_alloc_read_destroy_marshal(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct iommu_veventq_alloc *q;
	const struct iommu_destroy *d;
	struct {
		struct iommufd_vevent_header h;
		uint64_t evt[4];
	} recs[2] = {
		{ { 0, 7 }, { 0x420000000aULL, 0, 0x1000, 0 } },
		{ { 0, 9 }, { 0x4200000010ULL, 1, 0x2000, 3 } },
	};
	struct ish_vevent ev[4];
	uint32_t id = 0xdead;
	unsigned int mark = M.n;

	assert_int_equal(ish_veventq_alloc(ctx, 77, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 64, &id), 0);
	assert_int_equal(M.n - mark, 1);
	q = ioctl_at(mark, 0, IOMMUFD, IOMMU_VEVENTQ_ALLOC);
	assert_int_equal(q->size, 32);
	assert_int_equal(q->flags, 0);
	assert_int_equal(q->viommu_id, 77);
	assert_int_equal(q->type, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3);
	assert_int_equal(q->veventq_depth, 64);
	assert_int_equal(q->out_veventq_id, 0);
	assert_int_equal(q->out_veventq_fd, 0);
	assert_int_equal(q->__reserved, 0);
	assert_int_equal(id, FIRST_ID);
	assert_int_equal(ish_obj_find(ctx, id)->u.veventq.fd, EVQ_FD);

	/* no wait: straight to read(), room for @max records of 8 + 32 bytes */
	M.read_data = recs;
	M.read_len = sizeof(recs);
	mark = M.n;
	assert_int_equal(ish_veventq_read(ctx, id, ev, 4, 0), 2);
	assert_int_equal(M.n - mark, 1);
	assert_string_equal(M.calls[mark].op, "read");
	assert_int_equal(M.calls[mark].fd, EVQ_FD);
	assert_int_equal(M.calls[mark].len, 4 * 40);
	assert_int_equal(ev[0].seq, 7);
	assert_int_equal(ev[0].evt[0], 0x420000000aULL);
	assert_int_equal(ev[1].seq, 9);
	assert_int_equal(ev[1].gap, 1);
	assert_int_equal(ev[1].evt[3], 3);
	/* a wait polls the queue's fd first */
	mark = M.n;
	M.read_len = 0;
	assert_int_equal(ish_veventq_read(ctx, id, ev, 1, 250), 0);
	assert_string_equal(M.calls[mark].op, "poll");
	assert_int_equal(M.calls[mark].fd, EVQ_FD);
	assert_int_equal(M.calls[mark].len, 250);
	assert_string_equal(M.calls[mark + 1].op, "read");
	assert_int_equal(M.calls[mark + 1].len, 40);

	/* the queue's fd holds a reference: closed before IOMMU_DESTROY */
	mark = M.n;
	assert_int_equal(ish_destroy(ctx, id), 0);
	assert_int_equal(M.n - mark, 2);
	assert_string_equal(M.calls[mark].op, "close");
	assert_int_equal(M.calls[mark].fd, EVQ_FD);
	d = ioctl_at(mark, 1, IOMMUFD, IOMMU_DESTROY);
	assert_int_equal(d->size, 8);
	assert_int_equal(d->id, id);
	assert_null(ish_obj_find(ctx, id));
}

static void destroy_marshals(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct iommu_destroy *d;
	unsigned int mark;
	uint32_t ioas;

	assert_int_equal(ish_ioas_alloc(ctx, &ioas), 0);
	M.fail_req = IOMMU_DESTROY;
	M.fail_rc = -EBUSY;
	mark = M.n;
	assert_int_equal(ish_destroy(ctx, ioas), -EBUSY);
	d = ioctl_at(mark, 0, IOMMUFD, IOMMU_DESTROY);
	assert_int_equal(d->size, 8);
	assert_int_equal(d->id, ioas);
	assert_non_null(ish_obj_find(ctx, ioas));	/* the kernel kept it */
	mark = M.n;
	assert_int_equal(ish_destroy(ctx, ioas), 0);
	assert_int_equal(M.n - mark, 1);
	assert_null(ish_obj_find(ctx, ioas));
	/* an id the registry does not know still goes to the kernel, which decides */
	mark = M.n;
	assert_int_equal(ish_destroy(ctx, 4242), 0);
	d = ioctl_at(mark, 0, IOMMUFD, IOMMU_DESTROY);
	assert_int_equal(d->id, 4242);
}

/* ---- VFIO regions ---------------------------------------------------------------------------- */

static void region_list_marshals_and_caches(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct vfio_device_info *di;
	const struct vfio_region_info *ri;
	struct ish_region r[ISH_MAX_REGIONS];
	unsigned int mark, i;
	uint32_t dev;

	dev = bind_dev(ctx, "0000:00:01.0");
	M.nregions = 4;
	mark = M.n;
	assert_int_equal(ish_region_list(ctx, dev, r, ISH_MAX_REGIONS), 4);
	assert_int_equal(M.n - mark, 5);
	di = ioctl_at(mark, 0, DEV_FD, VFIO_DEVICE_GET_INFO);
	assert_int_equal(di->argsz, 24);
	assert_int_equal(di->flags, 0);
	assert_int_equal(di->num_regions, 0);
	for (i = 0; i < 4; i++) {
		ri = ioctl_at(mark, 1 + i, DEV_FD, VFIO_DEVICE_GET_REGION_INFO);
		assert_int_equal(ri->argsz, 32);
		assert_int_equal(ri->flags, 0);
		assert_int_equal(ri->index, i);
		assert_int_equal(ri->cap_offset, 0);
		assert_int_equal(r[i].index, i);
		assert_int_equal(r[i].size, i == 2 ? 0 : 0x1000ULL << i);
		assert_int_equal(r[i].offset, i == 2 ? 0 : (uint64_t)i << 40);
		assert_int_equal(r[i].flags, i == 2 ? 0 : VFIO_REGION_INFO_FLAG_READ |
				 VFIO_REGION_INFO_FLAG_WRITE);
	}
	/* read once per device; a short array gets the first ones */
	mark = M.n;
	assert_int_equal(ish_region_list(ctx, dev, r, 2), 2);
	assert_int_equal(M.n, mark);
	assert_int_equal(r[1].size, 0x2000);
}

static void mmio_read_write_marshal(void **state)
{
	struct ish_ctx *ctx = *state;
	unsigned int mark;
	uint64_t val = 0;
	uint32_t dev;

	dev = bind_dev(ctx, "0000:00:01.0");
	M.nregions = 2;
	assert_int_equal(ish_region_list(ctx, dev, NULL, 0), 0);
	mark = M.n;
	assert_int_equal(ish_mmio_read(ctx, dev, 1, 0x18, 4, &val), 0);
	assert_int_equal(M.n - mark, 1);
	assert_string_equal(M.calls[mark].op, "pread");
	assert_int_equal(M.calls[mark].fd, DEV_FD);
	assert_int_equal(M.calls[mark].len, 4);
	assert_int_equal(M.calls[mark].off, (1ULL << 40) + 0x18);
	assert_int_equal(val, 0x44332211);
	assert_int_equal(ish_mmio_read(ctx, dev, 0, 0x8, 8, &val), 0);
	assert_int_equal(M.calls[M.n - 1].off, 0x8);
	assert_int_equal(val, 0x8877665544332211ULL);
	assert_int_equal(ish_mmio_read(ctx, dev, 0, 0x3, 1, &val), 0);
	assert_int_equal(val, 0x11);

	mark = M.n;
	assert_int_equal(ish_mmio_write(ctx, dev, 1, 0x1ffe, 2, 0xbeef), 0);
	assert_int_equal(M.n - mark, 1);
	assert_string_equal(M.calls[mark].op, "pwrite");
	assert_int_equal(M.calls[mark].fd, DEV_FD);
	assert_int_equal(M.calls[mark].len, 2);
	assert_int_equal(M.calls[mark].off, (1ULL << 40) + 0x1ffe);
	assert_int_equal(M.calls[mark].data[0], 0xef);
	assert_int_equal(M.calls[mark].data[1], 0xbe);

	/* refused before any access */
	mark = M.n;
	val = 0xdead;
	assert_int_equal(ish_mmio_read(ctx, dev, 0, 0, 3, &val), -EINVAL);
	assert_int_equal(ish_mmio_read(ctx, dev, 0, 2, 4, &val), -EINVAL);
	assert_int_equal(ish_mmio_read(ctx, dev, 0, 0x1000, 4, &val), -ERANGE);
	assert_int_equal(ish_mmio_write(ctx, dev, 1, 0x2000, 1, 0), -ERANGE);
	assert_int_equal(ish_mmio_read(ctx, dev, 5, 0, 4, &val), -ENOENT);
	assert_int_equal(M.n, mark);
	assert_int_equal(val, 0xdead);
	/* a short read is an error, the value untouched */
	M.pread_rc = 2;
	assert_int_equal(ish_mmio_read(ctx, dev, 0, 0, 4, &val), -EIO);
	assert_int_equal(val, 0xdead);
	M.pread_rc = -EINTR;
	assert_int_equal(ish_mmio_read(ctx, dev, 0, 0, 4, &val), -EINTR);
}

/* ---- the IOAS calls of issue 14 ---------------------------------------------------------- */

static void iova_ranges_grow_on_emsgsize(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct iommu_ioas_iova_ranges *g;
	struct ish_iova_range *r = NULL;
	uint64_t align = 0;
	unsigned int mark;
	uint32_t ioas, n = 0;

	assert_int_equal(ish_ioas_alloc(ctx, &ioas), 0);
	/* a handful: one call */
	M.nranges = 3;
	mark = M.n;
	assert_int_equal(ish_ioas_iova_ranges(ctx, ioas, &r, &n, &align), 0);
	assert_int_equal(M.n - mark, 1);
	g = ioctl_at(mark, 0, IOMMUFD, IOMMU_IOAS_IOVA_RANGES);
	assert_int_equal(g->size, 32);
	assert_int_equal(g->ioas_id, ioas);
	assert_int_equal(g->num_iovas, 8);
	assert_int_equal(g->__reserved, 0);
	assert_int_equal(n, 3);
	assert_int_equal(align, 0x1000);
	assert_int_equal(r[2].start, 2ULL << 32);
	assert_int_equal(r[2].last, (2ULL << 32) + 0xffff);
	free(r);
	/* more than the first try holds: EMSGSIZE told how many, the second call has room */
	M.nranges = 20;
	mark = M.n;
	assert_int_equal(ish_ioas_iova_ranges(ctx, ioas, &r, &n, &align), 0);
	assert_int_equal(M.n - mark, 2);
	assert_int_equal(((const struct iommu_ioas_iova_ranges *)
			  ioctl_at(mark, 1, IOMMUFD, IOMMU_IOAS_IOVA_RANGES))->num_iovas, 20);
	assert_int_equal(n, 20);
	assert_int_equal(r[19].start, 19ULL << 32);
	free(r);
	/* another error: nothing handed out */
	M.fail_req = IOMMU_IOAS_IOVA_RANGES;
	M.fail_rc = -ENOENT;
	r = NULL;
	assert_int_equal(ish_ioas_iova_ranges(ctx, ioas, &r, &n, &align), -ENOENT);
	assert_null(r);
}

/* room N: exactly one call with the caller's room, as a VMM makes it; short is EMSGSIZE */
static void iova_ranges_room_is_one_call(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct iommu_ioas_iova_ranges *g;
	struct ish_iova_range *r = NULL;
	uint64_t align = 0;
	unsigned int mark;
	uint32_t ioas, n = 0;

	assert_int_equal(ish_ioas_alloc(ctx, &ioas), 0);
	M.nranges = 3;
	/* QEMU's probe: room 0, EMSGSIZE with the count, no array handed out */
	mark = M.n;
	assert_int_equal(ish_ioas_iova_ranges_room(ctx, ioas, 0, &r, &n, &align), -EMSGSIZE);
	assert_int_equal(M.n - mark, 1);
	g = ioctl_at(mark, 0, IOMMUFD, IOMMU_IOAS_IOVA_RANGES);
	assert_int_equal(g->size, 32);
	assert_int_equal(g->ioas_id, ioas);
	assert_int_equal(g->num_iovas, 0);
	assert_int_not_equal(g->allowed_iovas, 0);
	assert_null(r);
	assert_int_equal(n, 3);
	assert_int_equal(align, 0x1000);
	assert_non_null(strstr(ish_errmsg(ctx), "has 3 usable ranges, more than room 0"));
	assert_non_null(strstr(ish_errmsg(ctx), "room 3 fetches them"));
	/* short by one: still one call, still EMSGSIZE */
	mark = M.n;
	assert_int_equal(ish_ioas_iova_ranges_room(ctx, ioas, 2, &r, &n, &align), -EMSGSIZE);
	assert_int_equal(M.n - mark, 1);
	assert_null(r);
	/* then the sized call: one, with room for the count */
	mark = M.n;
	assert_int_equal(ish_ioas_iova_ranges_room(ctx, ioas, 3, &r, &n, &align), 0);
	assert_int_equal(M.n - mark, 1);
	assert_int_equal(((const struct iommu_ioas_iova_ranges *)
			  ioctl_at(mark, 0, IOMMUFD, IOMMU_IOAS_IOVA_RANGES))->num_iovas, 3);
	assert_int_equal(n, 3);
	assert_int_equal(r[2].start, 2ULL << 32);
	free(r);
	/* more room than ranges: fine, the count is the kernel's */
	r = NULL;
	assert_int_equal(ish_ioas_iova_ranges_room(ctx, ioas, 100, &r, &n, &align), 0);
	assert_int_equal(n, 3);
	free(r);
	/* another error: nothing handed out */
	M.fail_req = IOMMU_IOAS_IOVA_RANGES;
	M.fail_rc = -ENOENT;
	r = NULL;
	assert_int_equal(ish_ioas_iova_ranges_room(ctx, ioas, 8, &r, &n, &align), -ENOENT);
	assert_null(r);
}

static void allow_copy_map_file_marshal(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct ish_iova_range want[2] = { { 0x100000, 0x1fffff }, { 0x400000, 0x4fffff } };
	const struct ish_iova_range *got;
	const struct iommu_ioas_allow_iovas *al;
	const struct iommu_ioas_copy *cp;
	const struct iommu_ioas_map_file *mf;
	static char buf[0x4000];
	uint32_t a, b, n, mem;
	uint64_t iova;
	unsigned int mark;
	struct ish_map *m;

	assert_int_equal(ish_ioas_alloc(ctx, &a), 0);
	assert_int_equal(ish_ioas_alloc(ctx, &b), 0);
	mark = M.n;
	assert_int_equal(ish_ioas_allow_iovas(ctx, a, want, 2), 0);
	al = ioctl_at(mark, 0, IOMMUFD, IOMMU_IOAS_ALLOW_IOVAS);
	assert_int_equal(al->size, 24);
	assert_int_equal(al->ioas_id, a);
	assert_int_equal(al->num_iovas, 2);
	assert_int_equal(M.calls[mark].data_len, 32);
	assert_memory_equal(M.calls[mark].data, want, 32);
	got = ish_ioas_allowed(ctx, a, &n);
	assert_int_equal(n, 2);
	assert_int_equal(got[1].last, 0x4fffff);
	/* refused: the registry keeps the old list */
	M.fail_req = IOMMU_IOAS_ALLOW_IOVAS;
	M.fail_rc = -EADDRINUSE;
	assert_int_equal(ish_ioas_allow_iovas(ctx, a, want, 1), -EADDRINUSE);
	assert_int_equal(ish_ioas_allowed(ctx, a, &n)[1].start, 0x400000);
	assert_int_equal(ish_ioas_allow_iovas(ctx, a, NULL, 0), 0);
	assert_null(ish_ioas_allowed(ctx, a, &n));
	assert_int_equal(n, 0);

	/* COPY across two source mappings: two records in b, each seeing its source's bytes */
	iova = 0x10000;
	assert_int_equal(ish_ioas_map(ctx, a, buf, 0x2000, &iova, IOMMU_IOAS_MAP_FIXED_IOVA |
				      IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE), 0);
	iova = 0x12000;
	assert_int_equal(ish_ioas_map(ctx, a, buf + 0x3000, 0x1000, &iova,
				      IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE), 0);
	mark = M.n;
	iova = 0x700000;
	assert_int_equal(ish_ioas_copy(ctx, b, a, 0x11000, 0x2000, &iova,
				       IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE), 0);
	cp = ioctl_at(mark, 0, IOMMUFD, IOMMU_IOAS_COPY);
	assert_int_equal(cp->size, 40);
	assert_int_equal(cp->dst_ioas_id, b);
	assert_int_equal(cp->src_ioas_id, a);
	assert_int_equal(cp->src_iova, 0x11000);
	assert_int_equal(cp->length, 0x2000);
	assert_int_equal(cp->dst_iova, 0x700000);
	for (n = 0, m = ish_map_first(ctx); m; m = ish_map_next(m)) {
		if (ish_map_ioas(m) != b)
			continue;
		if (ish_map_iova(m) == 0x700000) {
			assert_int_equal(ish_map_length(m), 0x1000);
			assert_ptr_equal(ish_map_va(m), buf + 0x1000);
		} else {
			assert_int_equal(ish_map_iova(m), 0x701000);
			assert_ptr_equal(ish_map_va(m), buf + 0x3000);
		}
		assert_int_equal(ish_map_flags(m), IOMMU_IOAS_MAP_READABLE);
		n++;
	}
	assert_int_equal(n, 2);
	/* a failed copy records nothing */
	M.fail_req = IOMMU_IOAS_COPY;
	M.fail_rc = -ENOENT;
	iova = 0;
	assert_int_equal(ish_ioas_copy(ctx, b, a, 0x10000, 0x1000, &iova,
				       IOMMU_IOAS_MAP_READABLE), -ENOENT);
	for (n = 0, m = ish_map_first(ctx); m; m = ish_map_next(m))
		n++;
	assert_int_equal(n, 4);
	/* the kernel picks: it comes back */
	assert_int_equal(ish_ioas_copy(ctx, b, a, 0x10000, 0x1000, &iova,
				       IOMMU_IOAS_MAP_READABLE), 0);
	assert_int_equal(iova, 0x900000);

	/* MAP_FILE of a memfd buffer: recorded at that buffer's bytes, as a file */
	assert_int_equal(ish_mem_alloc_memfd(ctx, 0x4000, &mem), 0);
	assert_true(ish_mem_fd(ish_mem_find(ctx, mem)) >= 0);
	mark = M.n;
	iova = 0;
	assert_int_equal(ish_ioas_map_file(ctx, b, ish_mem_fd(ish_mem_find(ctx, mem)), 0x1000,
					   0x2000, &iova, IOMMU_IOAS_MAP_READABLE), 0);
	mf = ioctl_at(mark, 0, IOMMUFD, IOMMU_IOAS_MAP_FILE);
	assert_int_equal(mf->size, 40);
	assert_int_equal(mf->ioas_id, b);
	assert_int_equal(mf->fd, ish_mem_fd(ish_mem_find(ctx, mem)));
	assert_int_equal(mf->start, 0x1000);
	assert_int_equal(mf->length, 0x2000);
	assert_int_equal(iova, 0xa00000);
	for (m = ish_map_first(ctx); ish_map_next(m); m = ish_map_next(m))
		;
	assert_true(ish_map_file(m));
	assert_ptr_equal(ish_map_va(m), (char *)ish_mem_va(ish_mem_find(ctx, mem)) + 0x1000);
	assert_int_equal(ish_mem_free(ctx, mem), -EBUSY);
	assert_int_equal(ish_ioas_unmap(ctx, b, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(ish_mem_free(ctx, mem), 0);
}

static void option_change_process_get_pa_marshal(void **state)
{
	struct ish_ctx *ctx = *state;
	const struct iommu_option *o;
	const struct iommu_ioas_noiommu_get_pa *g;
	uint64_t v = 7, len = 0x4000, pa = 0;
	unsigned int mark;
	uint32_t a;

	assert_int_equal(ish_ioas_alloc(ctx, &a), 0);
	mark = M.n;
	assert_int_equal(ish_option_get(ctx, IOMMU_OPTION_HUGE_PAGES, a, &v), 0);
	o = ioctl_at(mark, 0, IOMMUFD, IOMMU_OPTION);
	assert_int_equal(o->size, 24);
	assert_int_equal(o->option_id, IOMMU_OPTION_HUGE_PAGES);
	assert_int_equal(o->op, IOMMU_OPTION_OP_GET);
	assert_int_equal(o->object_id, a);
	assert_int_equal(o->val64, 0);
	assert_int_equal(v, 1);
	mark = M.n;
	assert_int_equal(ish_option_set(ctx, IOMMU_OPTION_RLIMIT_MODE, 0, 1), 0);
	o = ioctl_at(mark, 0, IOMMUFD, IOMMU_OPTION);
	assert_int_equal(o->op, IOMMU_OPTION_OP_SET);
	assert_int_equal(o->object_id, 0);
	assert_int_equal(o->val64, 1);
	M.fail_req = IOMMU_OPTION;
	M.fail_rc = -EBUSY;
	assert_int_equal(ish_option_set(ctx, IOMMU_OPTION_RLIMIT_MODE, 0, 1), -EBUSY);

	mark = M.n;
	assert_int_equal(ish_ioas_change_process(ctx), 0);
	assert_int_equal(((const struct iommu_ioas_change_process *)
			  ioctl_at(mark, 0, IOMMUFD, IOMMU_IOAS_CHANGE_PROCESS))->size, 8);

	mark = M.n;
	assert_int_equal(ish_ioas_noiommu_get_pa(ctx, a, 0x10800, &len, &pa), 0);
	g = ioctl_at(mark, 0, IOMMUFD, IOMMU_IOAS_NOIOMMU_GET_PA);
	assert_int_equal(g->size, 40);
	assert_int_equal(g->ioas_id, a);
	assert_int_equal(g->iova, 0x10800);
	assert_int_equal(g->length, 0x4000);
	assert_int_equal(g->flags, 0);
	assert_int_equal(pa, 0x80000800);
	assert_int_equal(len, 0x800);
	M.fail_req = IOMMU_IOAS_NOIOMMU_GET_PA;
	M.fail_rc = -EOPNOTSUPP;
	len = 0x1000;
	pa = 5;
	assert_int_equal(ish_ioas_noiommu_get_pa(ctx, a, 0x10800, &len, &pa), -EOPNOTSUPP);
	assert_int_equal(pa, 5);
	assert_int_equal(len, 0x1000);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(device_bind_marshals),
		T(device_bind_failure_closes_the_cdev),
		T(device_attach_detach_marshal),
		T(get_hw_info_marshals),
		T(ioas_alloc_marshals),
		T(ioas_map_unmap_marshal),
		T(hwpt_alloc_paging_marshals),
		T(hwpt_alloc_raw_data_pointer),
		T(viommu_vdevice_nested_marshal),
		T(invalidate_marshals_and_reports_entry_num),
		T(veventq_alloc_read_destroy_marshal),
		T(destroy_marshals),
		T(region_list_marshals_and_caches),
		T(mmio_read_write_marshal),
		T(iova_ranges_grow_on_emsgsize),
		T(iova_ranges_room_is_one_call),
		T(allow_copy_map_file_marshal),
		T(option_change_process_get_pa_marshal),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
