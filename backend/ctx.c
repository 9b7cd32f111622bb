// SPDX-License-Identifier: GPL-2.0-or-later
/* The context: one iommufd, the object registry, and the one choke point to the backend. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/vfio.h>
#include "internal.h"

int ish_fail(struct ish_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
	va_end(ap);
	return err;
}

const char *ish_errmsg(const struct ish_ctx *ctx)
{
	return ctx->err;
}

void ish_clear_err(struct ish_ctx *ctx)
{
	ctx->err[0] = '\0';
}

struct ish_backend *ish_ctx_backend(struct ish_ctx *ctx)
{
	return ctx->be;
}

int ish_ctx_iommufd(struct ish_ctx *ctx)
{
	return ctx->iommufd;
}

void ish_set_trace(struct ish_ctx *ctx, ish_trace_fn fn, void *arg)
{
	ctx->trace = fn;
	ctx->trace_arg = arg;
}

void ish_set_dry_run(struct ish_ctx *ctx, bool on)
{
	ctx->dry_run = on;
}

void ish_fail_nth(struct ish_ctx *ctx, unsigned long n, int err)
{
	ctx->fail_n = n;
	ctx->fail_err = err > 0 ? err : -err;
	ctx->fail_hit = false;
}

bool ish_fail_hit(const struct ish_ctx *ctx)
{
	return ctx->fail_hit;
}

unsigned long ish_ioctl_count(const struct ish_ctx *ctx)
{
	return ctx->n_ioctl;
}

unsigned long ish_call_count(const struct ish_ctx *ctx)
{
	return ctx->n_call;
}

/* Count the call; true when the armed fault fires on it. */
static bool call_fails(struct ish_ctx *ctx)
{
	ctx->n_call++;
	if (!ctx->fail_n || --ctx->fail_n)
		return false;
	ctx->fail_hit = true;
	return true;
}

static void trace(struct ish_ctx *ctx, const struct ish_call *c, long rc)
{
	if (ctx->trace)
		ctx->trace(ctx->trace_arg, c, rc);
	if (ctx->rec)
		ish_ctx_record_call(ctx, c, rc);
}

/* Dry run: invent what an allocation would have returned so that a script can go on. */
static void dry_fill(struct ish_ctx *ctx, unsigned long request, void *arg)
{
	uint32_t id = ctx->dry_next_id++;

	switch (request) {
	case IOMMU_IOAS_ALLOC:
		((struct iommu_ioas_alloc *)arg)->out_ioas_id = id;
		break;
	case IOMMU_HWPT_ALLOC:
		((struct iommu_hwpt_alloc *)arg)->out_hwpt_id = id;
		break;
	case IOMMU_VIOMMU_ALLOC:
		((struct iommu_viommu_alloc *)arg)->out_viommu_id = id;
		break;
	case IOMMU_VDEVICE_ALLOC:
		((struct iommu_vdevice_alloc *)arg)->out_vdevice_id = id;
		break;
	case IOMMU_VEVENTQ_ALLOC:
		((struct iommu_veventq_alloc *)arg)->out_veventq_id = id;
		((struct iommu_veventq_alloc *)arg)->out_veventq_fd = ctx->dry_next_fd++;
		break;
	case VFIO_DEVICE_BIND_IOMMUFD:
		((struct vfio_device_bind_iommufd *)arg)->out_devid = id;
		break;
	case IOMMU_GET_HW_INFO:
		/* an SMMUv3 with every ID register zero: the vSMMU model can go on */
		((struct iommu_hw_info *)arg)->out_data_type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
		ctx->dry_next_id--;
		break;
	default:
		ctx->dry_next_id--;
		break;
	}
}

int ish_sys_ioctl(struct ish_ctx *ctx, int fd, unsigned long request, void *arg)
{
	struct ish_call c = { .fd = fd, .request = request, .op = "ioctl", .arg = arg };
	unsigned char in[64];
	size_t sz = ish_ioctl_argsz(request);
	int rc;

	/* --trace shows what was asked next to what came back */
	if ((ctx->trace || ctx->rec) && arg && sz && sz <= sizeof(in)) {
		memcpy(in, arg, sz);
		c.in = in;
	}
	ctx->n_ioctl++;
	if (call_fails(ctx))
		rc = -ctx->fail_err;
	else if (ctx->dry_run) {
		dry_fill(ctx, request, arg);
		rc = 0;
	} else
		rc = ctx->be->ops->ioctl(ctx->be, fd, request, arg);
	trace(ctx, &c, rc);
	return rc;
}

int ish_sys_open_device(struct ish_ctx *ctx, const char *spec, struct ish_pci_dev *info)
{
	struct ish_call c = { .fd = -1, .op = "open", .arg = spec };
	int rc;

	if (call_fails(ctx))
		rc = -ctx->fail_err;
	else if (ctx->dry_run) {
		memset(info, 0, sizeof(*info));
		rc = ctx->be->ops->pci_lookup ? ctx->be->ops->pci_lookup(ctx->be, spec, info) : 0;
		if (rc >= 0)
			rc = ctx->dry_next_fd++;
	} else
		rc = ctx->be->ops->open_device(ctx->be, spec, info);
	trace(ctx, &c, rc);
	return rc;
}

/* Closing cannot fail in a way that keeps the fd, so no fault is injected here. */
void ish_sys_close(struct ish_ctx *ctx, int fd)
{
	struct ish_call c = { .fd = fd, .op = "close" };

	ctx->n_call++;
	if (!ctx->dry_run)
		ctx->be->ops->close(ctx->be, fd);
	trace(ctx, &c, 0);
}

ssize_t ish_sys_read(struct ish_ctx *ctx, int fd, void *buf, size_t len)
{
	struct ish_call c = { .fd = fd, .op = "read", .arg = buf, .len = len };
	ssize_t rc;

	if (call_fails(ctx))
		rc = -ctx->fail_err;
	else if (ctx->dry_run)
		rc = 0;
	else
		rc = ctx->be->ops->read(ctx->be, fd, buf, len);
	trace(ctx, &c, rc);
	return rc;
}

int ish_sys_poll(struct ish_ctx *ctx, int fd, int timeout_ms)
{
	struct ish_call c = { .fd = fd, .op = "poll", .len = (size_t)timeout_ms };
	int rc;

	if (call_fails(ctx))
		rc = -ctx->fail_err;
	else if (ctx->dry_run)
		rc = 0;
	else
		rc = ctx->be->ops->poll(ctx->be, fd, timeout_ms);
	trace(ctx, &c, rc);
	return rc;
}

ssize_t ish_sys_pread(struct ish_ctx *ctx, int fd, void *buf, size_t len, uint64_t off)
{
	struct ish_call c = { .fd = fd, .op = "pread", .arg = buf, .len = len, .off = off };
	ssize_t rc;

	if (call_fails(ctx))
		rc = -ctx->fail_err;
	else if (ctx->dry_run) {
		memset(buf, 0, len);
		rc = (ssize_t)len;
	} else
		rc = ctx->be->ops->pread(ctx->be, fd, buf, len, off);
	trace(ctx, &c, rc);
	return rc;
}

ssize_t ish_sys_pwrite(struct ish_ctx *ctx, int fd, const void *buf, size_t len, uint64_t off)
{
	struct ish_call c = { .fd = fd, .op = "pwrite", .arg = buf, .len = len, .off = off };
	ssize_t rc;

	if (call_fails(ctx))
		rc = -ctx->fail_err;
	else if (ctx->dry_run)
		rc = (ssize_t)len;
	else
		rc = ctx->be->ops->pwrite(ctx->be, fd, buf, len, off);
	trace(ctx, &c, rc);
	return rc;
}

/* ---- PCI: enumeration is not counted as a kernel call; the rebind is ---------------------- */

int ish_pci_list(struct ish_ctx *ctx, ish_pci_cb cb, void *arg)
{
	if (!ctx->be->ops->pci_list)
		return ish_fail(ctx, -EOPNOTSUPP, "the %s backend cannot enumerate PCI",
				ctx->be->ops->name);
	return ctx->be->ops->pci_list(ctx->be, cb, arg);
}

int ish_pci_lookup(struct ish_ctx *ctx, const char *spec, struct ish_pci_dev *info)
{
	int rc;

	if (!ctx->be->ops->pci_lookup)
		return ish_fail(ctx, -EOPNOTSUPP, "the %s backend cannot look up PCI",
				ctx->be->ops->name);
	memset(info, 0, sizeof(*info));
	rc = ctx->be->ops->pci_lookup(ctx->be, spec, info);
	if (rc == -ENOENT || rc == -ENODEV)
		return ish_fail(ctx, rc, "no PCI function %s", spec);
	return rc;
}

int ish_pci_use_vfio(struct ish_ctx *ctx, const char *bdf)
{
	struct ish_call c = { .fd = -1, .op = "use-vfio", .arg = bdf };
	int rc;

	if (!ctx->be->ops->pci_use_vfio)
		return ish_fail(ctx, -EOPNOTSUPP, "the %s backend cannot rebind drivers",
				ctx->be->ops->name);
	if (call_fails(ctx))
		rc = -ctx->fail_err;
	else if (ctx->dry_run)
		rc = 0;
	else
		rc = ctx->be->ops->pci_use_vfio(ctx->be, bdf);
	trace(ctx, &c, rc);
	if (rc == -ENODEV)
		return ish_fail(ctx, rc, "vfio-pci did not take %s (is the vfio-pci driver there?)",
				bdf);
	return rc;
}

/* ---- context life ---------------------------------------------------------------------- */

int ish_ctx_new(struct ish_backend *be, struct ish_ctx **out)
{
	struct ish_ctx *ctx;
	int fd;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->be = be;
	ctx->dry_next_id = ISH_DRY_ID_BASE;
	ctx->dry_next_fd = ISH_DRY_FD_BASE;
	fd = be->ops->open_iommufd(be);
	if (fd < 0) {
		free(ctx);
		return fd;
	}
	ctx->iommufd = fd;
	if (getenv("IOMMUSH_RECORD") && *getenv("IOMMUSH_RECORD")) {
		/* never a half recording: no file, no context */
		int rc = ish_ctx_record_start(ctx, getenv("IOMMUSH_RECORD"), fd);

		if (rc < 0) {
			be->ops->close(be, fd);
			free(ctx);
			return rc;
		}
	}
	*out = ctx;
	return 0;
}

/* Destroy every object of @type, newest first. */
static int destroy_type(struct ish_ctx *ctx, enum ish_obj_type type)
{
	struct ish_obj *o, *victim;
	int err = 0, rc;

	do {
		victim = NULL;
		for (o = ctx->objs; o; o = o->next)
			if (o->type == type)
				victim = o;
		if (!victim)
			break;
		rc = ish_destroy(ctx, victim->id);
		if (rc < 0) {
			/* the kernel keeps it; forget it so teardown ends (closing the fd frees it) */
			err = err ? err : rc;
			ish_obj_del(ctx, victim);
		}
	} while (victim);
	return err;
}

static struct ish_obj *last_device(struct ish_ctx *ctx)
{
	struct ish_obj *o, *last = NULL;

	for (o = ctx->objs; o; o = o->next)
		if (o->type == ISH_OBJ_DEVICE)
			last = o;
	return last;
}

/*
 * Reverse order of a VMM's set-up: vSMMUs first (they unwind their own objects), then
 * event queues, vDEVICEs, device attachments, nested HWPTs, vIOMMUs, paging HWPTs, IOASes,
 * and last the device bindings.
 */
int ish_ctx_reset(struct ish_ctx *ctx)
{
	static const enum ish_obj_type order[] = {
		ISH_OBJ_VEVENTQ, ISH_OBJ_VDEVICE, ISH_OBJ_HWPT_NESTED, ISH_OBJ_VIOMMU,
		ISH_OBJ_HWPT_PAGING, ISH_OBJ_IOAS,
	};
	struct ish_obj *o, *dev;
	int err = 0, rc;
	size_t i;

	ish_vsmmu_free_all(ctx);
	rc = destroy_type(ctx, ISH_OBJ_VEVENTQ);
	err = err ? err : rc;
	rc = destroy_type(ctx, ISH_OBJ_VDEVICE);
	err = err ? err : rc;
	for (o = ctx->objs; o; o = o->next) {
		if (o->type == ISH_OBJ_DEVICE && o->u.device.pt) {
			rc = ish_device_detach(ctx, o->id);
			err = err ? err : rc;
		}
	}
	for (i = 2; i < sizeof(order) / sizeof(order[0]); i++) {
		rc = destroy_type(ctx, order[i]);
		err = err ? err : rc;
	}
	while ((dev = last_device(ctx))) {
		rc = ish_device_unbind(ctx, dev->id);
		if (rc < 0) {
			err = err ? err : rc;
			ish_obj_del(ctx, dev);
		}
	}
	/* tombstones live until the iommufd closes */
	while (ctx->maps) {
		struct ish_map *m = ctx->maps;

		ctx->maps = m->next;
		free(m);
	}
	return err;
}

void ish_ctx_free(struct ish_ctx *ctx)
{
	if (!ctx)
		return;
	ish_ctx_reset(ctx);
	while (ctx->objs)
		ish_obj_del(ctx, ctx->objs);
	while (ctx->mems) {
		struct ish_mem *m = ctx->mems;

		ctx->mems = m->next;
		munmap(m->va, m->size);
		free(m);
	}
	ish_sys_close(ctx, ctx->iommufd);
	ish_ctx_record_end(ctx);
	if (ctx->be->ops->free)
		ctx->be->ops->free(ctx->be);
	free(ctx);
}

/* ---- registry ---------------------------------------------------------------------------- */

static const char *const type_names[ISH_OBJ_NTYPES] = {
	[ISH_OBJ_DEVICE] = "device",
	[ISH_OBJ_IOAS] = "ioas",
	[ISH_OBJ_HWPT_PAGING] = "hwpt-paging",
	[ISH_OBJ_HWPT_NESTED] = "hwpt-nested",
	[ISH_OBJ_VIOMMU] = "viommu",
	[ISH_OBJ_VDEVICE] = "vdevice",
	[ISH_OBJ_VEVENTQ] = "veventq",
	[ISH_OBJ_TOMBSTONE] = "tombstone",
};

const char *ish_obj_type_name(enum ish_obj_type t)
{
	return (unsigned int)t < ISH_OBJ_NTYPES ? type_names[t] : "?";
}

struct ish_obj *ish_obj_add(struct ish_ctx *ctx, uint32_t id, enum ish_obj_type type)
{
	struct ish_obj *o = calloc(1, sizeof(*o)), **p;

	if (!o)
		return NULL;
	o->id = id;
	o->type = type;
	o->u.device.fd = -1;
	for (p = &ctx->objs; *p; p = &(*p)->next)
		;
	*p = o;
	return o;
}

void ish_obj_del(struct ish_ctx *ctx, struct ish_obj *obj)
{
	struct ish_obj **p;

	for (p = &ctx->objs; *p; p = &(*p)->next) {
		if (*p == obj) {
			*p = obj->next;
			free(obj);
			return;
		}
	}
}

struct ish_obj *ish_obj_find(struct ish_ctx *ctx, uint32_t id)
{
	struct ish_obj *o;

	for (o = ctx->objs; o; o = o->next)
		if (o->id == id)
			return o;
	return NULL;
}

int ish_obj_get(struct ish_ctx *ctx, uint32_t id, enum ish_obj_type type, struct ish_obj **out)
{
	struct ish_obj *o = ish_obj_find(ctx, id);

	if (!o)
		return ish_fail(ctx, -ENOENT, "no object with id %u", id);
	if (o->type != type)
		return ish_fail(ctx, -EINVAL, "object %u is a %s, not a %s", id,
				ish_obj_type_name(o->type), ish_obj_type_name(type));
	*out = o;
	return 0;
}

struct ish_obj *ish_obj_first(struct ish_ctx *ctx)
{
	return ctx->objs;
}

struct ish_map *ish_map_first(struct ish_ctx *ctx)
{
	return ctx->maps;
}

struct ish_obj *ish_device_find(struct ish_ctx *ctx, const char *spec)
{
	struct ish_obj *o;
	char *end, bdf[ISH_BDF_LEN];
	unsigned long id = strtoul(spec, &end, 0);
	bool is_bdf = ish_bdf_canon(spec, bdf) == 0;

	for (o = ctx->objs; o; o = o->next) {
		if (o->type != ISH_OBJ_DEVICE)
			continue;
		if ((*spec && !*end && o->id == id) || (is_bdf && !strcmp(o->u.device.pci.bdf, bdf)) ||
		    (o->u.device.pci.cdev[0] && !strcmp(o->u.device.pci.cdev, spec)))
			return o;
	}
	return NULL;
}

void ish_auto_hwpt_put(struct ish_ctx *ctx, uint32_t hwpt_id)
{
	struct ish_obj *o, *hwpt = ish_obj_find(ctx, hwpt_id);

	if (!hwpt || hwpt->type != ISH_OBJ_HWPT_PAGING || !(hwpt->flags & ISH_HWPT_AUTO))
		return;
	for (o = ctx->objs; o; o = o->next)
		if (o->type == ISH_OBJ_DEVICE && o->u.device.pt == hwpt_id)
			return;
	ish_obj_del(ctx, hwpt);
}
