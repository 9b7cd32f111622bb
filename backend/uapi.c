// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Typed wrappers, one kernel call each, that keep the registry in step with what the kernel
 * holds: an object enters the registry only once the kernel has published it and leaves it
 * exactly when the kernel frees it (auto HWPTs, tombstones included).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <linux/vfio.h>
#include "internal.h"
#include "iommush/smmu.h"

static int need_obj(struct ish_ctx *ctx, uint32_t id, enum ish_obj_type type,
		    struct ish_obj **out)
{
	return ish_obj_get(ctx, id, type, out);
}

/* An id argument of a call, and the object types the kernel accepts for it. */
struct id_arg {
	const char *name;	/* the uAPI field: "dev_id", "pt_id" */
	uint32_t id;
	unsigned int types;	/* 1 << enum ish_obj_type */
};

#define T(t) (1u << ISH_OBJ_##t)

/*
 * The kernel says ENOENT or EINVAL without saying which id it means: name the first argument
 * the registry knows to be missing or of the wrong type. Leaves any detail already given.
 */
static int explain_ids(struct ish_ctx *ctx, int rc, const struct id_arg *args, size_t n)
{
	struct ish_obj *o;
	size_t i;

	if ((rc != -ENOENT && rc != -EINVAL) || ctx->err[0])
		return rc;
	for (i = 0; i < n; i++) {
		o = ish_obj_find(ctx, args[i].id);
		if (!o)
			return ish_fail(ctx, rc, "%s %u: no such object", args[i].name, args[i].id);
		if (!(args[i].types & (1u << o->type)))
			return ish_fail(ctx, rc, "%s %u is a %s", args[i].name, args[i].id,
					ish_obj_type_name(o->type));
	}
	return rc;
}

#define EXPLAIN(ctx, rc, ...) \
	explain_ids(ctx, rc, (const struct id_arg[]){ __VA_ARGS__ }, \
		    sizeof((const struct id_arg[]){ __VA_ARGS__ }) / sizeof(struct id_arg))

/* An object the kernel just made: on allocation failure of our own record, undo it. */
static int track(struct ish_ctx *ctx, uint32_t id, enum ish_obj_type type, struct ish_obj **out)
{
	struct ish_obj *o = ish_obj_add(ctx, id, type);

	if (!o) {
		struct iommu_destroy d = { .size = sizeof(d), .id = id };

		ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_DESTROY, &d);
		return -ENOMEM;
	}
	*out = o;
	return 0;
}

/* ---- devices ----------------------------------------------------------------------------- */

int ish_device_bind(struct ish_ctx *ctx, const char *spec, uint32_t *dev_id)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = ctx->iommufd };
	struct ish_pci_dev info;
	struct ish_obj *o;
	int fd, rc;

	if (ish_device_find(ctx, spec))
		return ish_fail(ctx, -EALREADY, "%s is already bound (device %u)", spec,
				ish_device_find(ctx, spec)->id);
	memset(&info, 0, sizeof(info));
	fd = ish_sys_open_device(ctx, spec, &info);
	if (fd == -ENODEV)
		return ish_fail(ctx, fd, "%s is not bound to vfio-pci", spec);
	if (fd == -EOPNOTSUPP)
		return ish_fail(ctx, fd, "%s is on vfio-pci but has no VFIO cdev: the kernel lacks "
				"CONFIG_VFIO_DEVICE_CDEV", spec);
	if (fd == -EACCES || fd == -EPERM)
		return ish_fail(ctx, fd, "no permission to open the VFIO cdev of %s%s%s: run as root, "
				"or give this user read-write access to it (chown, or a udev rule "
				"for vfio)", spec, info.cdev[0] ? " " : "", info.cdev);
	if (fd < 0)
		return fd;
	rc = ish_sys_ioctl(ctx, fd, VFIO_DEVICE_BIND_IOMMUFD, &bind);
	if (rc < 0)
		goto close_fd;
	o = ish_obj_add(ctx, bind.out_devid, ISH_OBJ_DEVICE);
	if (!o) {
		rc = -ENOMEM;
		goto close_fd;	/* closing the cdev unbinds */
	}
	o->u.device.fd = fd;
	o->u.device.pci = info;
	*dev_id = bind.out_devid;
	return 0;

close_fd:
	ish_sys_close(ctx, fd);
	return rc;
}

int ish_device_unbind(struct ish_ctx *ctx, uint32_t dev_id)
{
	struct ish_obj *dev, *o;
	struct ish_vsmmu *vs;
	uint32_t pt;
	int rc;

	rc = need_obj(ctx, dev_id, ISH_OBJ_DEVICE, &dev);
	if (rc < 0)
		return rc;
	vs = ish_vsmmu_of_device(ctx, dev_id);
	if (vs)
		return ish_fail(ctx, -EBUSY, "device %u is set on vSMMU %s: remove it from there first",
				dev_id, vs->name);
	pt = dev->u.device.pt;
	ish_sys_close(ctx, dev->u.device.fd);
	/* the kernel detached it (freeing a lone auto HWPT) and tombstoned its vDEVICE */
	for (o = ctx->objs; o; o = o->next)
		if (o->type == ISH_OBJ_VDEVICE && o->dev == dev_id)
			o->type = ISH_OBJ_TOMBSTONE;
	ish_obj_del(ctx, dev);
	if (pt)
		ish_auto_hwpt_put(ctx, pt);
	return 0;
}

int ish_device_attach(struct ish_ctx *ctx, uint32_t dev_id, uint32_t pt_id, uint32_t *out_pt)
{
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at), .pt_id = pt_id };
	struct ish_obj *dev, *pt, *hwpt;
	uint32_t old;
	int rc;

	rc = need_obj(ctx, dev_id, ISH_OBJ_DEVICE, &dev);
	if (rc < 0)
		return rc;
	rc = ish_sys_ioctl(ctx, dev->u.device.fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at);
	if (rc < 0)
		return EXPLAIN(ctx, rc, { "pt_id", pt_id,
					  T(IOAS) | T(HWPT_PAGING) | T(HWPT_NESTED) });
	pt = ish_obj_find(ctx, pt_id);
	if (pt && pt->type == ISH_OBJ_IOAS && !ish_obj_find(ctx, at.pt_id)) {
		/* the kernel made an auto HWPT for this device */
		hwpt = ish_obj_add(ctx, at.pt_id, ISH_OBJ_HWPT_PAGING);
		if (hwpt) {
			hwpt->parent = pt_id;
			hwpt->dev = dev_id;
			hwpt->flags = ISH_HWPT_AUTO;
		}
	}
	old = dev->u.device.pt;
	dev->u.device.pt = at.pt_id;
	if (old && old != at.pt_id)
		ish_auto_hwpt_put(ctx, old);
	if (out_pt)
		*out_pt = at.pt_id;
	return 0;
}

int ish_device_detach(struct ish_ctx *ctx, uint32_t dev_id)
{
	struct vfio_device_detach_iommufd_pt de = { .argsz = sizeof(de) };
	struct ish_obj *dev;
	uint32_t old;
	int rc;

	rc = need_obj(ctx, dev_id, ISH_OBJ_DEVICE, &dev);
	if (rc < 0)
		return rc;
	rc = ish_sys_ioctl(ctx, dev->u.device.fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &de);
	if (rc < 0)
		return rc;
	old = dev->u.device.pt;
	dev->u.device.pt = 0;
	if (old)
		ish_auto_hwpt_put(ctx, old);
	return 0;
}

int ish_get_hw_info(struct ish_ctx *ctx, uint32_t dev_id, struct ish_hw_info *info)
{
	struct iommu_hw_info hw = { .size = sizeof(hw), .dev_id = dev_id };
	struct ish_obj *dev;
	int rc;

	rc = need_obj(ctx, dev_id, ISH_OBJ_DEVICE, &dev);
	if (rc < 0)
		return rc;
	memset(info, 0, sizeof(*info));
	hw.data_len = sizeof(info->smmu);
	hw.data_uptr = (uintptr_t)&info->smmu;
	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_GET_HW_INFO, &hw);
	if (rc < 0)
		return rc;
	info->type = hw.out_data_type;
	info->data_len = hw.data_len;
	info->capabilities = hw.out_capabilities;
	info->max_pasid_log2 = hw.out_max_pasid_log2;
	dev->u.device.hw = *info;
	dev->u.device.hw_valid = true;
	return 0;
}

/* ---- IOAS ------------------------------------------------------------------------------- */

int ish_ioas_alloc(struct ish_ctx *ctx, uint32_t *ioas_id)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	struct ish_obj *o;
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_IOAS_ALLOC, &a);
	if (rc < 0)
		return rc;
	rc = track(ctx, a.out_ioas_id, ISH_OBJ_IOAS, &o);
	if (rc < 0)
		return rc;
	*ioas_id = a.out_ioas_id;
	return 0;
}

int ish_ioas_map(struct ish_ctx *ctx, uint32_t ioas_id, void *va, uint64_t length,
		 uint64_t *iova, uint32_t flags)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m), .flags = flags, .ioas_id = ioas_id,
		.user_va = (uintptr_t)va, .length = length, .iova = *iova,
	};
	struct ish_map *map, **p;
	int rc;

	map = calloc(1, sizeof(*map));
	if (!map)
		return -ENOMEM;
	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_IOAS_MAP, &m);
	if (rc < 0) {
		free(map);
		return rc;
	}
	map->ioas = ioas_id;
	map->iova = m.iova;
	map->length = length;
	map->va = va;
	map->flags = flags;
	for (p = &ctx->maps; *p; p = &(*p)->next)
		;
	*p = map;
	*iova = m.iova;
	return 0;
}

int ish_ioas_unmap(struct ish_ctx *ctx, uint32_t ioas_id, uint64_t iova, uint64_t length,
		   uint64_t *unmapped)
{
	struct iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = ioas_id, .iova = iova,
				      .length = length };
	struct ish_map **p, *m;
	bool all = !iova && length == UINT64_MAX;
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_IOAS_UNMAP, &u);
	if (rc < 0)
		return rc;
	/* the kernel unmapped every area fully inside the range */
	for (p = &ctx->maps; (m = *p);) {
		if (m->ioas == ioas_id &&
		    (all || (m->iova >= iova && m->iova + m->length - 1 <= iova + length - 1))) {
			*p = m->next;
			free(m);
		} else {
			p = &m->next;
		}
	}
	if (unmapped)
		*unmapped = u.length;
	return 0;
}

void ish_maps_drop_ioas(struct ish_ctx *ctx, uint32_t ioas_id)
{
	struct ish_map **p, *m;

	for (p = &ctx->maps; (m = *p);) {
		if (m->ioas == ioas_id) {
			*p = m->next;
			free(m);
		} else {
			p = &m->next;
		}
	}
}

/* ---- HWPT, vIOMMU, vDEVICE ------------------------------------------------------------------ */

int ish_hwpt_alloc(struct ish_ctx *ctx, uint32_t dev_id, uint32_t pt_id, uint32_t flags,
		   uint32_t data_type, const void *data, uint32_t data_len, uint32_t *hwpt_id)
{
	struct iommu_hwpt_alloc a = {
		.size = sizeof(a), .flags = flags, .dev_id = dev_id, .pt_id = pt_id,
		.data_type = data_type, .data_len = data_len, .data_uptr = (uintptr_t)data,
	};
	struct ish_obj *o, *pt = ish_obj_find(ctx, pt_id);
	bool nested = pt && pt->type != ISH_OBJ_IOAS;
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_HWPT_ALLOC, &a);
	if (rc < 0)
		return EXPLAIN(ctx, rc, { "dev_id", dev_id, T(DEVICE) },
			       { "pt_id", pt_id, T(IOAS) | T(HWPT_PAGING) | T(VIOMMU) });
	rc = track(ctx, a.out_hwpt_id, nested ? ISH_OBJ_HWPT_NESTED : ISH_OBJ_HWPT_PAGING, &o);
	if (rc < 0)
		return rc;
	o->parent = pt_id;
	o->dev = dev_id;
	o->flags = flags;
	if (nested && data_type == IOMMU_HWPT_DATA_ARM_SMMUV3 && data_len >= 16)
		memcpy(o->u.nested.ste, data, 16);
	*hwpt_id = a.out_hwpt_id;
	return 0;
}

int ish_hwpt_alloc_nested(struct ish_ctx *ctx, uint32_t dev_id, uint32_t viommu_id,
			  const uint64_t ste[2], uint32_t *hwpt_id)
{
	struct iommu_hwpt_arm_smmuv3 data = { .ste = { ste[0], ste[1] } };

	return ish_hwpt_alloc(ctx, dev_id, viommu_id, 0, IOMMU_HWPT_DATA_ARM_SMMUV3, &data,
			      sizeof(data), hwpt_id);
}

int ish_viommu_alloc(struct ish_ctx *ctx, uint32_t dev_id, uint32_t hwpt_id, uint32_t type,
		     uint32_t *viommu_id)
{
	struct iommu_viommu_alloc a = { .size = sizeof(a), .type = type, .dev_id = dev_id,
					.hwpt_id = hwpt_id };
	struct ish_obj *o;
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_VIOMMU_ALLOC, &a);
	rc = EXPLAIN(ctx, rc, { "dev_id", dev_id, T(DEVICE) }, { "hwpt_id", hwpt_id, T(HWPT_PAGING) });
	if (rc == -EOPNOTSUPP && type == IOMMU_VIOMMU_TYPE_ARM_SMMUV3)
		return ish_fail(ctx, rc, "the host SMMU cannot back a vIOMMU: it needs nesting "
				"(S1+S2) and either CANWBS on the root complex (ACPI IORT memory "
				"access flags) or S2FWB (SMMU_IDR3.FWB)");
	if (rc < 0)
		return rc;
	rc = track(ctx, a.out_viommu_id, ISH_OBJ_VIOMMU, &o);
	if (rc < 0)
		return rc;
	o->parent = hwpt_id;
	o->dev = dev_id;
	o->u.viommu.type = type;
	*viommu_id = a.out_viommu_id;
	return 0;
}

int ish_vdevice_alloc(struct ish_ctx *ctx, uint32_t viommu_id, uint32_t dev_id,
		      uint64_t virt_id, uint32_t *vdevice_id)
{
	struct iommu_vdevice_alloc a = { .size = sizeof(a), .viommu_id = viommu_id,
					 .dev_id = dev_id, .virt_id = virt_id };
	struct ish_obj *o, *dev;
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_VDEVICE_ALLOC, &a);
	if (rc < 0)
		return EXPLAIN(ctx, rc, { "viommu_id", viommu_id, T(VIOMMU) },
			       { "dev_id", dev_id, T(DEVICE) });
	rc = track(ctx, a.out_vdevice_id, ISH_OBJ_VDEVICE, &o);
	if (rc < 0)
		return rc;
	o->parent = viommu_id;
	o->dev = dev_id;
	o->u.vdevice.virt_id = virt_id;
	dev = ish_obj_find(ctx, dev_id);
	if (dev && dev->type == ISH_OBJ_DEVICE)
		dev->u.device.vdevice = a.out_vdevice_id;
	*vdevice_id = a.out_vdevice_id;
	return 0;
}

int ish_invalidate(struct ish_ctx *ctx, uint32_t id, uint32_t data_type, const void *entries,
		   uint32_t entry_len, uint32_t n, uint32_t *done)
{
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv), .hwpt_id = id, .data_uptr = (uintptr_t)entries,
		.data_type = data_type, .entry_len = entry_len, .entry_num = n,
	};
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_HWPT_INVALIDATE, &inv);
	if (done)
		*done = inv.entry_num;
	return rc;
}

static const uint32_t *viommu_host_idr(struct ish_ctx *ctx, uint32_t viommu_id)
{
	struct ish_obj *v = ish_obj_find(ctx, viommu_id), *dev;

	if (!v || v->type != ISH_OBJ_VIOMMU)
		return NULL;
	dev = ish_obj_find(ctx, v->dev);
	if (!dev || dev->type != ISH_OBJ_DEVICE || !dev->u.device.hw_valid)
		return NULL;
	return dev->u.device.hw.smmu.idr;
}

/* A SID-based command naming a vSID no vDEVICE of the vIOMMU has: the kernel says EIO. */
static bool unknown_vsid(struct ish_ctx *ctx, uint32_t viommu_id, const uint64_t cmd[2],
			 char *why, size_t len)
{
	const struct ish_cmd_desc *d = ish_cmd_by_opcode((uint8_t)(cmd[0] & 0xff));
	const struct ish_field *f = d ? ish_field_find(d->fields, "sid") : NULL;
	struct ish_obj *o;
	uint64_t sid;

	if (!f)
		return false;
	sid = ish_field_get(f, cmd);
	for (o = ctx->objs; o; o = o->next)
		if (o->type == ISH_OBJ_VDEVICE && o->parent == viommu_id && o->u.vdevice.virt_id == sid)
			return false;
	snprintf(why, len, "no vDEVICE has vSID 0x%llx on vIOMMU %u", (unsigned long long)sid,
		 viommu_id);
	return true;
}

int ish_invalidate_explain(struct ish_ctx *ctx, uint32_t viommu_id, const uint64_t (*cmds)[2],
			   uint32_t n, uint32_t done, int rc)
{
	const uint32_t *idr = viommu_host_idr(ctx, viommu_id);
	char cmd[128], why[192] = "";

	if (rc >= 0 || done >= n)
		return rc;
	ish_cmd_format(cmds[done], cmd, sizeof(cmd));
	if (rc == -EIO) {
		if (!(idr && ish_cmd_validate_user(cmds[done], idr, why, sizeof(why)) < 0 && why[0]) &&
		    !unknown_vsid(ctx, viommu_id, cmds[done], why, sizeof(why)))
			snprintf(why, sizeof(why), "invalid command data");
	} else {
		snprintf(why, sizeof(why), "%s", strerror(-rc));
	}
	return ish_fail(ctx, rc, "command %u (%s) refused: %s; %u handled", done + 1, cmd, why, done);
}

/* ---- vEVENTQ ------------------------------------------------------------------------------- */

int ish_veventq_alloc(struct ish_ctx *ctx, uint32_t viommu_id, uint32_t type, uint32_t depth,
		      uint32_t *veventq_id)
{
	struct iommu_veventq_alloc a = { .size = sizeof(a), .viommu_id = viommu_id, .type = type,
					 .veventq_depth = depth };
	struct ish_obj *o;
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_VEVENTQ_ALLOC, &a);
	if (rc < 0)
		return EXPLAIN(ctx, rc, { "viommu_id", viommu_id, T(VIOMMU) });
	o = ish_obj_add(ctx, a.out_veventq_id, ISH_OBJ_VEVENTQ);
	if (!o) {
		struct iommu_destroy d = { .size = sizeof(d), .id = a.out_veventq_id };

		ish_sys_close(ctx, a.out_veventq_fd);
		ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_DESTROY, &d);
		return -ENOMEM;
	}
	o->parent = viommu_id;
	o->u.veventq.fd = a.out_veventq_fd;
	o->u.veventq.type = type;
	o->u.veventq.depth = depth;
	*veventq_id = a.out_veventq_id;
	return 0;
}

#define VEVENT_REC_LEN (sizeof(struct iommufd_vevent_header) + sizeof(struct iommu_vevent_arm_smmuv3))

/* Turn one read() worth of records into decoded events; sequence gaps are losses. */
static size_t parse_records(struct ish_obj *q, const uint8_t *buf, size_t len,
			    struct ish_vevent *ev, size_t max)
{
	size_t off = 0, n = 0;

	while (n < max && off + sizeof(struct iommufd_vevent_header) <= len) {
		struct iommufd_vevent_header h;
		struct ish_vevent *e;

		memcpy(&h, buf + off, sizeof(h));
		/* a record cut short (a short read) is no event: never one of zeros */
		if (!(h.flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS) &&
		    off + sizeof(h) + sizeof(e->evt) > len)
			break;
		e = &ev[n++];
		off += sizeof(h);
		memset(e, 0, sizeof(*e));
		e->seq = h.sequence;
		e->lost = h.flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS;
		if (q->u.veventq.seq_valid && h.sequence != q->u.veventq.next_seq)
			e->gap = (h.sequence - q->u.veventq.next_seq) & 0x7fffffff;
		q->u.veventq.seq_valid = true;
		q->u.veventq.next_seq = (h.sequence + 1) & 0x7fffffff;
		if (e->lost)
			continue;
		memcpy(e->evt, buf + off, sizeof(e->evt));
		off += sizeof(e->evt);
	}
	return n;
}

int ish_veventq_read(struct ish_ctx *ctx, uint32_t veventq_id, struct ish_vevent *ev,
		     size_t max, int timeout_ms)
{
	struct ish_obj *q;
	uint8_t *buf;
	ssize_t got;
	int rc;

	rc = need_obj(ctx, veventq_id, ISH_OBJ_VEVENTQ, &q);
	if (rc < 0)
		return rc;
	if (!max)
		return 0;
	if (timeout_ms) {
		rc = ish_sys_poll(ctx, q->u.veventq.fd, timeout_ms);
		if (rc <= 0)
			return rc;
	}
	buf = malloc(max * VEVENT_REC_LEN);
	if (!buf)
		return -ENOMEM;
	got = ish_sys_read(ctx, q->u.veventq.fd, buf, max * VEVENT_REC_LEN);
	rc = got < 0 ? (int)got : (int)parse_records(q, buf, (size_t)got, ev, max);
	free(buf);
	return rc;
}

/* ---- DESTROY ------------------------------------------------------------------------------ */

int ish_destroy(struct ish_ctx *ctx, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };
	struct ish_obj *o = ish_obj_find(ctx, id), *dev;
	int rc;

	if (o && o->type == ISH_OBJ_VEVENTQ && o->u.veventq.fd >= 0) {
		/* its fd holds a reference: the kernel says EBUSY until it is closed */
		ish_sys_close(ctx, o->u.veventq.fd);
		o->u.veventq.fd = -1;
	}
	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_DESTROY, &d);
	if (rc == -ENOENT && o && o->type == ISH_OBJ_TOMBSTONE)
		return ish_fail(ctx, rc, "%u is a tombstone: the vDEVICE of an unbound device, "
				"reserved until the iommufd closes", id);
	if (rc == -EBUSY && o && !ctx->err[0])
		return ish_fail(ctx, rc, "%s %u is still in use (attached, or a parent of "
				"another object)", ish_obj_type_name(o->type), id);
	if (rc < 0)
		return EXPLAIN(ctx, rc, { "id", id, ~0u });
	if (!o)
		return rc;
	if (o->type == ISH_OBJ_VDEVICE) {
		dev = ish_obj_find(ctx, o->dev);
		if (dev && dev->type == ISH_OBJ_DEVICE && dev->u.device.vdevice == id)
			dev->u.device.vdevice = 0;
	}
	if (o->type == ISH_OBJ_IOAS)
		ish_maps_drop_ioas(ctx, id);
	ish_obj_del(ctx, o);
	return 0;
}

/* ---- VFIO regions ------------------------------------------------------------------------- */

static int regions_load(struct ish_ctx *ctx, struct ish_obj *dev)
{
	struct vfio_device_info di = { .argsz = sizeof(di) };
	uint32_t i, n;
	int rc;

	if (dev->u.device.nregions)
		return 0;
	rc = ish_sys_ioctl(ctx, dev->u.device.fd, VFIO_DEVICE_GET_INFO, &di);
	if (rc < 0)
		return rc;
	n = di.num_regions < ISH_MAX_REGIONS ? di.num_regions : ISH_MAX_REGIONS;
	for (i = 0; i < n; i++) {
		struct vfio_region_info ri = { .argsz = sizeof(ri), .index = i };

		rc = ish_sys_ioctl(ctx, dev->u.device.fd, VFIO_DEVICE_GET_REGION_INFO, &ri);
		if (rc == -EINVAL) {	/* e.g. no VGA region */
			ri.size = 0;
			ri.flags = 0;
		} else if (rc < 0) {
			return rc;
		}
		dev->u.device.region_off[i] = ri.offset;
		dev->u.device.region_size[i] = ri.size;
		dev->u.device.region_flags[i] = ri.flags;
	}
	dev->u.device.nregions = n;
	return 0;
}

int ish_region_list(struct ish_ctx *ctx, uint32_t dev_id, struct ish_region *r, size_t max)
{
	struct ish_obj *dev;
	uint32_t i;
	int rc;

	rc = need_obj(ctx, dev_id, ISH_OBJ_DEVICE, &dev);
	if (rc < 0)
		return rc;
	rc = regions_load(ctx, dev);
	if (rc < 0)
		return rc;
	for (i = 0; i < dev->u.device.nregions && i < max; i++) {
		r[i].index = i;
		r[i].flags = dev->u.device.region_flags[i];
		r[i].size = dev->u.device.region_size[i];
		r[i].offset = dev->u.device.region_off[i];
	}
	return (int)i;
}

static int mmio_check(struct ish_ctx *ctx, uint32_t dev_id, uint32_t index, uint64_t off,
		      unsigned int width, struct ish_obj **out)
{
	struct ish_obj *dev;
	int rc;

	if (width != 1 && width != 2 && width != 4 && width != 8)
		return ish_fail(ctx, -EINVAL, "width must be 1, 2, 4 or 8, not %u", width);
	if (off % width)
		return ish_fail(ctx, -EINVAL, "offset 0x%llx is not %u-byte aligned",
				(unsigned long long)off, width);
	rc = need_obj(ctx, dev_id, ISH_OBJ_DEVICE, &dev);
	if (rc < 0)
		return rc;
	rc = regions_load(ctx, dev);
	if (rc < 0)
		return rc;
	if (index >= dev->u.device.nregions || !dev->u.device.region_size[index])
		return ish_fail(ctx, -ENOENT, "device %u has no region %u", dev_id, index);
	if (off + width > dev->u.device.region_size[index])
		return ish_fail(ctx, -ERANGE, "offset 0x%llx is past the end of region %u (size 0x%llx)",
				(unsigned long long)off, index,
				(unsigned long long)dev->u.device.region_size[index]);
	*out = dev;
	return 0;
}

int ish_mmio_read(struct ish_ctx *ctx, uint32_t dev_id, uint32_t index, uint64_t off,
		  unsigned int width, uint64_t *val)
{
	struct ish_obj *dev;
	uint64_t v = 0;
	ssize_t n;
	int rc;

	rc = mmio_check(ctx, dev_id, index, off, width, &dev);
	if (rc < 0)
		return rc;
	n = ish_sys_pread(ctx, dev->u.device.fd, &v, width, dev->u.device.region_off[index] + off);
	if (n < 0)
		return (int)n;
	if ((size_t)n != width)
		return -EIO;
	*val = v;	/* little-endian host: the low bytes hold the value */
	return 0;
}

int ish_mmio_write(struct ish_ctx *ctx, uint32_t dev_id, uint32_t index, uint64_t off,
		   unsigned int width, uint64_t val)
{
	struct ish_obj *dev;
	ssize_t n;
	int rc;

	rc = mmio_check(ctx, dev_id, index, off, width, &dev);
	if (rc < 0)
		return rc;
	n = ish_sys_pwrite(ctx, dev->u.device.fd, &val, width, dev->u.device.region_off[index] + off);
	if (n < 0)
		return (int)n;
	return (size_t)n == width ? 0 : -EIO;
}
