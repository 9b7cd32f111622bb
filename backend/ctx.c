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

	if (ctx->err_set)
		return err;	/* the first failure is the one reported */
	ctx->err_set = true;
	ctx->err_no = err;
	va_start(ap, fmt);
	vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
	va_end(ap);
	return err;
}

int ish_fail_mark(struct ish_ctx *ctx, int err)
{
	if (!ctx->err_set && err < 0) {
		ctx->err_set = true;
		ctx->err_no = err;
		ctx->err[0] = '\0';
	}
	return err;
}

bool ish_err_has_msg(const struct ish_ctx *ctx)
{
	return ctx->err_set && ctx->err[0];
}

const char *ish_errmsg(const struct ish_ctx *ctx)
{
	return ctx->err;
}

int ish_errno(const struct ish_ctx *ctx)
{
	return ctx->err_set ? ctx->err_no : 0;
}

void ish_clear_err(struct ish_ctx *ctx)
{
	ctx->err_set = false;
	ctx->err_no = 0;
	ctx->err[0] = '\0';
	ctx->call_err = 0;
	ctx->call_name = NULL;
	ctx->call_injected = false;
}

const char *ish_err_call(const struct ish_ctx *ctx, int *err, bool *injected)
{
	if (err)
		*err = ctx->call_err;
	if (injected)
		*injected = ctx->call_injected;
	return ctx->call_name;
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
	ctx->injected_now = false;
	if (!ctx->fail_n || --ctx->fail_n)
		return false;
	ctx->fail_hit = true;
	ctx->injected_now = true;
	return true;
}

static void trace(struct ish_ctx *ctx, const struct ish_call *c, long rc)
{
	if (rc < 0 && !ctx->call_err) {
		/* the first failed call of an operation, for an errno that has no other word */
		ctx->call_err = (int)rc;
		ctx->call_name = c->request ? ish_ioctl_name(c->request) : c->op;
		if (!ctx->call_name)
			ctx->call_name = c->op;
		else if (!strcmp(ctx->call_name, "use-vfio"))
			ctx->call_name = "the rebind to vfio-pci";
		else if (!strcmp(ctx->call_name, "open"))
			ctx->call_name = "opening the VFIO cdev";
		ctx->call_injected = ctx->injected_now;
	}
	if (ctx->trace)
		ctx->trace(ctx->trace_arg, c, rc);
	if (ctx->rec)
		ish_ctx_record_call(ctx, c, rc);
}

/* Dry run: invent what an allocation would have returned so that a script can go on. */
static void dry_fill(struct ish_ctx *ctx, unsigned long request, void *arg)
{
	const struct ish_ioctl_desc *d = ish_ioctl_desc(request);
	uint32_t id;
	int fd;

	if (request == IOMMU_GET_HW_INFO) {
		/* an SMMUv3 with every ID register zero: the vSMMU model can go on */
		((struct iommu_hw_info *)arg)->out_data_type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
		return;
	}
	if (!d)
		return;
	if (d->out_id != ISH_NO_OUT) {
		id = ctx->dry_next_id++;
		memcpy((char *)arg + d->out_id, &id, sizeof(id));
	}
	if (d->out_fd != ISH_NO_OUT) {
		fd = ctx->dry_next_fd++;
		memcpy((char *)arg + d->out_fd, &fd, sizeof(fd));
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

/* ---- context life (floor 0's part; the teardown policy is session.c's) -------------------- */

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

void ish_ctx_release(struct ish_ctx *ctx)
{
	struct ish_obj *o;

	ish_maps_free_all(ctx);
	while ((o = ish_obj_first(ctx)))
		ish_obj_del(ctx, o);
	ish_hmap_free(&ctx->by_id);
	ish_hmap_free(&ctx->dev_index);
	ish_sys_close(ctx, ctx->iommufd);
	ish_ctx_record_end(ctx);
	if (ctx->be->ops->free)
		ctx->be->ops->free(ctx->be);
	free(ctx);
}

/* ---- registry: an O(1) index by id, lists in creation order overall and per type ---------- */

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
	struct ish_obj *o = ish_hmap_get(&ctx->by_id, id);

	if (o) {
		/*
		 * The kernel never hands out a live id twice: a record with this id is stale
		 * (its object died behind our back). The kernel is the truth; its owner forgets it.
		 */
		struct ish_owner *ow = o->owner;

		ish_obj_del(ctx, o);
		if (ow && ow->forget)
			ow->forget(ow, id);
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->id = id;
	o->type = type;
	o->serial = ++ctx->next_serial;
	if (type == ISH_OBJ_DEVICE)
		o->u.device.fd = -1;
	else if (type == ISH_OBJ_VEVENTQ)
		o->u.veventq.fd = -1;
	if (ish_hmap_put(&ctx->by_id, id, o) < 0) {
		free(o);
		return NULL;
	}
	ish_list_append(&ctx->objs, &o->all);
	ish_list_append(&ctx->bytype[type], &o->bytype);
	return o;
}

static void maps_unlink(struct ish_ctx *ctx, struct ish_map *m, struct ish_obj *ioas)
{
	ish_list_unlink(&ctx->maps, &m->all);
	if (ioas)
		ish_list_unlink(&ioas->u.ioas.maps, &m->ioas_link);
	free(m);
}

void ish_obj_del(struct ish_ctx *ctx, struct ish_obj *obj)
{
	if (obj->type == ISH_OBJ_DEVICE) {
		if (obj->u.device.key_bdf)
			ish_hmap_del(&ctx->dev_index, obj->u.device.key_bdf);
		if (obj->u.device.key_cdev)
			ish_hmap_del(&ctx->dev_index, obj->u.device.key_cdev);
	}
	if (obj->type == ISH_OBJ_IOAS) {
		while (obj->u.ioas.maps.first)
			maps_unlink(ctx, ish_entry(obj->u.ioas.maps.first, struct ish_map, ioas_link),
				    obj);
		free(obj->u.ioas.allowed);
	}
	ish_hmap_del(&ctx->by_id, obj->id);
	ish_list_unlink(&ctx->objs, &obj->all);
	ish_list_unlink(&ctx->bytype[obj->type], &obj->bytype);
	free(obj);
}

void ish_obj_retype(struct ish_ctx *ctx, struct ish_obj *obj, enum ish_obj_type type)
{
	ish_list_unlink(&ctx->bytype[obj->type], &obj->bytype);
	obj->type = type;
	ish_list_append(&ctx->bytype[type], &obj->bytype);
}

struct ish_obj *ish_obj_last_of(struct ish_ctx *ctx, enum ish_obj_type type)
{
	return ish_entry(ctx->bytype[type].last, struct ish_obj, bytype);
}

struct ish_obj *ish_obj_prev_of(const struct ish_obj *o)
{
	return ish_entry(o->bytype.prev, struct ish_obj, bytype);
}

struct ish_obj *ish_obj_first_of(struct ish_ctx *ctx, enum ish_obj_type type)
{
	return ish_entry(ctx->bytype[type].first, struct ish_obj, bytype);
}

struct ish_obj *ish_obj_next_of(const struct ish_obj *o)
{
	return ish_entry(o->bytype.next, struct ish_obj, bytype);
}

struct ish_obj *ish_obj_find(struct ish_ctx *ctx, uint32_t id)
{
	return ish_hmap_get(&ctx->by_id, id);
}

int ish_obj_get(struct ish_ctx *ctx, uint32_t id, enum ish_obj_type type, struct ish_obj **out)
{
	struct ish_obj *o = ish_obj_find(ctx, id);

	if (!o)
		return ish_fail(ctx, -ENOENT, "no object has id %u", id);
	if (o->type != type)
		return ish_fail(ctx, -EINVAL, "object %u is a %s, not a %s", id,
				ish_obj_type_name(o->type), ish_obj_type_name(type));
	*out = o;
	return 0;
}

struct ish_obj *ish_obj_first(struct ish_ctx *ctx)
{
	return ish_entry(ctx->objs.first, struct ish_obj, all);
}

struct ish_obj *ish_obj_next(const struct ish_obj *o)
{
	return ish_entry(o->all.next, struct ish_obj, all);
}

/* ---- accessors of the public API ---------------------------------------------------------- */

uint32_t ish_obj_id(const struct ish_obj *o) { return o->id; }
enum ish_obj_type ish_obj_type(const struct ish_obj *o) { return o->type; }
uint32_t ish_obj_parent(const struct ish_obj *o) { return o->parent; }
uint32_t ish_obj_dev(const struct ish_obj *o) { return o->dev; }
uint32_t ish_obj_flags(const struct ish_obj *o) { return o->flags; }

const char *ish_obj_iommu(const struct ish_obj *o)
{
	return o->type == ISH_OBJ_DEVICE ? o->u.device.pci.iommu : o->iommu;
}

const char *ish_obj_dev_bdf(const struct ish_obj *o)
{
	return o->type == ISH_OBJ_DEVICE ? o->u.device.pci.bdf : o->dev_bdf;
}

bool ish_obj_dev_alive(struct ish_ctx *ctx, const struct ish_obj *o)
{
	const struct ish_obj *dev = o->dev ? ish_obj_find(ctx, o->dev) : NULL;

	return dev && dev->type == ISH_OBJ_DEVICE && (!o->dev_serial || dev->serial == o->dev_serial);
}

const char *ish_obj_owner(const struct ish_obj *o)
{
	return o->owner ? o->owner->name : NULL;
}

uint32_t ish_obj_device_pt(const struct ish_obj *dev)
{
	return dev->type == ISH_OBJ_DEVICE ? dev->u.device.pt : 0;
}

uint32_t ish_obj_device_vdevice(const struct ish_obj *dev)
{
	return dev->type == ISH_OBJ_DEVICE ? dev->u.device.vdevice : 0;
}

const struct ish_pci_dev *ish_obj_device_pci(const struct ish_obj *dev)
{
	return dev->type == ISH_OBJ_DEVICE ? &dev->u.device.pci : NULL;
}

bool ish_obj_device_hw_info(const struct ish_obj *dev, struct ish_hw_info *info)
{
	if (dev->type != ISH_OBJ_DEVICE || !dev->u.device.hw_valid)
		return false;
	*info = dev->u.device.hw;
	return true;
}

bool ish_obj_nested_ste(const struct ish_obj *hwpt, uint64_t ste[2])
{
	if (hwpt->type != ISH_OBJ_HWPT_NESTED)
		return false;
	ste[0] = hwpt->u.nested.ste[0];
	ste[1] = hwpt->u.nested.ste[1];
	return true;
}

uint32_t ish_obj_viommu_type(const struct ish_obj *v)
{
	return v->type == ISH_OBJ_VIOMMU ? v->u.viommu.type : 0;
}

uint64_t ish_obj_vdevice_virt_id(const struct ish_obj *v)
{
	return v->type == ISH_OBJ_VDEVICE || v->type == ISH_OBJ_TOMBSTONE ? v->u.vdevice.virt_id : 0;
}

uint32_t ish_obj_veventq_depth(const struct ish_obj *q)
{
	return q->type == ISH_OBJ_VEVENTQ ? q->u.veventq.depth : 0;
}

/* ---- devices by address: one key space for BDFs and cdev numbers ------------------------ */

#define KEY_BDF (1ull << 40)
#define KEY_CDEV (2ull << 40)

/* "dddd:bb:dd.f" (canonical) -> its key; 0 when not one */
static uint64_t bdf_key(const char *bdf)
{
	unsigned int dom, bus, dev, fn;
	char tail;

	if (sscanf(bdf, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) != 4)
		return 0;
	return KEY_BDF | (uint64_t)dom << 16 | bus << 8 | dev << 3 | fn;
}

/* a cdev path -> its key: FNV-1a over the path, verified against the device on lookup */
static uint64_t cdev_key(const char *path)
{
	uint64_t h = 0xcbf29ce484222325ull;

	if (!*path)
		return 0;
	for (; *path; path++)
		h = (h ^ (unsigned char)*path) * 0x100000001b3ull;
	return KEY_CDEV | (h & ((1ull << 40) - 1));
}

int ish_device_index(struct ish_ctx *ctx, struct ish_obj *dev)
{
	uint64_t kb = bdf_key(dev->u.device.pci.bdf), kc = cdev_key(dev->u.device.pci.cdev);
	int rc;

	if (kb) {
		rc = ish_hmap_put(&ctx->dev_index, kb, dev);
		if (rc < 0)
			return rc;
		dev->u.device.key_bdf = kb;
	}
	if (kc && !ish_hmap_get(&ctx->dev_index, kc)) {	/* a collision: found by the walk */
		rc = ish_hmap_put(&ctx->dev_index, kc, dev);
		if (rc < 0)
			return rc;
		dev->u.device.key_cdev = kc;
	}
	return 0;
}

struct ish_obj *ish_device_find(struct ish_ctx *ctx, const char *spec)
{
	struct ish_obj *o;
	char *end, bdf[ISH_BDF_LEN];
	unsigned long id = strtoul(spec, &end, 0);

	if (*spec && !*end) {
		o = ish_obj_find(ctx, (uint32_t)id);
		if (o && o->type == ISH_OBJ_DEVICE && id <= UINT32_MAX)
			return o;
	}
	if (ish_bdf_canon(spec, bdf) == 0 && (o = ish_hmap_get(&ctx->dev_index, bdf_key(bdf))))
		return o;
	if (*spec != '/')
		return NULL;
	o = ish_hmap_get(&ctx->dev_index, cdev_key(spec));
	if (o && !strcmp(o->u.device.pci.cdev, spec))
		return o;
	if (!o)
		return NULL;
	/* two paths with one hash (never seen): the walk decides */
	for (o = ish_obj_first_of(ctx, ISH_OBJ_DEVICE); o; o = ish_obj_next_of(o))
		if (!strcmp(o->u.device.pci.cdev, spec))
			return o;
	return NULL;
}

void ish_hwpt_users_move(struct ish_ctx *ctx, uint32_t old, uint32_t new_pt)
{
	struct ish_obj *o;

	if (old == new_pt)
		return;
	if (old && (o = ish_obj_find(ctx, old)) && o->users)
		o->users--;
	if (new_pt && (o = ish_obj_find(ctx, new_pt)))
		o->users++;
}

void ish_auto_hwpt_put(struct ish_ctx *ctx, uint32_t hwpt_id)
{
	struct ish_obj *hwpt = ish_obj_find(ctx, hwpt_id);

	if (!hwpt || hwpt->type != ISH_OBJ_HWPT_PAGING || !(hwpt->flags & ISH_HWPT_AUTO) ||
	    hwpt->users)
		return;
	ish_obj_del(ctx, hwpt);
}

/* ---- IOAS mappings ------------------------------------------------------------------------ */

struct ish_map *ish_map_first(struct ish_ctx *ctx)
{
	return ish_entry(ctx->maps.first, struct ish_map, all);
}

struct ish_map *ish_map_next(const struct ish_map *m)
{
	return ish_entry(m->all.next, struct ish_map, all);
}

uint32_t ish_map_ioas(const struct ish_map *m) { return m->ioas; }
uint64_t ish_map_iova(const struct ish_map *m) { return m->iova; }
uint64_t ish_map_length(const struct ish_map *m) { return m->length; }
void *ish_map_va(const struct ish_map *m) { return m->va; }
uint32_t ish_map_flags(const struct ish_map *m) { return m->flags; }
bool ish_map_file(const struct ish_map *m) { return m->file; }

void ish_maps_drop_ioas(struct ish_ctx *ctx, uint32_t ioas_id)
{
	struct ish_obj *ioas = ish_obj_find(ctx, ioas_id);

	if (!ioas || ioas->type != ISH_OBJ_IOAS)
		return;
	while (ioas->u.ioas.maps.first)
		maps_unlink(ctx, ish_entry(ioas->u.ioas.maps.first, struct ish_map, ioas_link), ioas);
}

void ish_maps_free_all(struct ish_ctx *ctx)
{
	struct ish_map *m;

	while ((m = ish_map_first(ctx)))
		maps_unlink(ctx, m, ish_obj_find(ctx, m->ioas));
}
