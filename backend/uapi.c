// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Typed wrappers, one kernel call each, that keep the registry in step with what the kernel
 * holds: an object enters the registry only once the kernel has published it and leaves it
 * exactly when the kernel frees it (auto HWPTs, tombstones included).
 */
#include <errno.h>
#include <fcntl.h>
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

	if ((rc != -ENOENT && rc != -EINVAL) || ish_err_has_msg(ctx))
		return rc;
	for (i = 0; i < n; i++) {
		o = ish_obj_find(ctx, args[i].id);
		if (!o)
			return strcmp(args[i].name, "id") ?
			       ish_fail(ctx, rc, "%s: no object has id %u", args[i].name, args[i].id) :
			       ish_fail(ctx, rc, "no object has id %u", args[i].id);
		if (!(args[i].types & (1u << o->type)))
			return ish_fail(ctx, rc, "%s %u is %s %s", args[i].name, args[i].id,
					o->type == ISH_OBJ_IOAS ? "an" : "a", ish_obj_type_name(o->type));
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

/* the device an object was made for, and its physical IOMMU: recorded now (the id may be reused) */
static void note_iommu(struct ish_ctx *ctx, struct ish_obj *o, uint32_t dev_id)
{
	struct ish_obj *dev = ish_obj_find(ctx, dev_id);

	if (dev && dev->type == ISH_OBJ_DEVICE) {
		snprintf(o->iommu, sizeof(o->iommu), "%s", dev->u.device.pci.iommu);
		snprintf(o->dev_bdf, sizeof(o->dev_bdf), "%s", dev->u.device.pci.bdf);
		o->dev_serial = dev->serial;
	}
}

/* the physical IOMMU of a device, "" when unknown */
static const char *dev_iommu(struct ish_ctx *ctx, uint32_t dev_id)
{
	struct ish_obj *dev = ish_obj_find(ctx, dev_id);

	return dev && dev->type == ISH_OBJ_DEVICE ? dev->u.device.pci.iommu : "";
}

/*
 * An EINVAL where the device and the object are behind different physical SMMUs: the kernel
 * checks that (arm_vsmmu_init, arm_smmu_attach_dev_nested, iommufd_vdevice_alloc_ioctl) and
 * says only EINVAL. The registry knows both SMMUs: say so.
 */
static int explain_other_smmu(struct ish_ctx *ctx, int rc, uint32_t dev_id, uint32_t obj_id)
{
	struct ish_obj *o = ish_obj_find(ctx, obj_id);
	const char *di = dev_iommu(ctx, dev_id);

	if (rc != -EINVAL || ish_err_has_msg(ctx) || !o || !o->iommu[0] || !di[0] ||
	    !strcmp(o->iommu, di))
		return rc;
	return ish_fail(ctx, rc, "device %u is behind %s, but %s %u is on %s: an object serves "
			"only devices of its own physical SMMU", dev_id, di,
			ish_obj_type_name(o->type), obj_id, o->iommu);
}

/* the IOAS an attach or allocation on @pt_id ends up pinning: the IOAS itself, or a HWPT's */
static struct ish_obj *ioas_of(struct ish_ctx *ctx, uint32_t pt_id)
{
	struct ish_obj *o = ish_obj_find(ctx, pt_id);

	if (o && o->type == ISH_OBJ_HWPT_PAGING)
		o = ish_obj_find(ctx, o->parent);
	return o && o->type == ISH_OBJ_IOAS ? o : NULL;
}

/*
 * EADDRINUSE when a domain is added to an IOAS: a mapping the page table cannot hold
 * (iopt_table_add_domain checks every area against the domain's page size), or one that
 * covers a range the device reserves (iopt_table_enforce_dev_resv_regions: the MSI window).
 */
static int explain_addrinuse(struct ish_ctx *ctx, int rc, uint32_t dev_id, uint32_t pt_id)
{
	struct ish_obj *ioas = ioas_of(ctx, pt_id);
	struct ish_link *l;

	if (rc != -EADDRINUSE || ish_err_has_msg(ctx) || !ioas)
		return rc;
	for (l = ioas->u.ioas.maps.first; l; l = l->next) {
		struct ish_map *m = ish_container_of(l, struct ish_map, ioas_link);

		if ((m->iova | m->length | (uintptr_t)m->va) & 0xfff)
			return ish_fail(ctx, rc, "IOAS %u maps iova 0x%llx length 0x%llx%s, not aligned "
					"to the 4 KiB pages a page table holds: unmap it, or map it "
					"page-aligned, before a device uses the IOAS", ioas->id,
					(unsigned long long)m->iova, (unsigned long long)m->length,
					((m->iova | m->length) & 0xfff) ? "" : " from an unaligned host address");
	}
	return ish_fail(ctx, rc, "a mapping of IOAS %u covers an IOVA range device %u reserves "
			"(on SMMUv3, its MSI window): map that memory at another IOVA", ioas->id,
			dev_id);
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
	rc = ish_device_index(ctx, o);
	if (rc < 0)
		goto forget_dev;
	*dev_id = bind.out_devid;
	return 0;

forget_dev:
	ish_obj_del(ctx, o);
close_fd:
	ish_sys_close(ctx, fd);
	return rc;
}

int ish_device_unbind(struct ish_ctx *ctx, uint32_t dev_id)
{
	struct ish_obj *dev, *vdev;
	uint32_t pt;
	int rc;

	rc = need_obj(ctx, dev_id, ISH_OBJ_DEVICE, &dev);
	if (rc < 0)
		return rc;
	/* the owner is recorded on the device: this floor needs no word from the vSMMU model */
	if (dev->owner)
		return ish_fail(ctx, -EBUSY, "device %u is set on vSMMU %s: unset it from the vSMMU "
				"first", dev_id, dev->owner->name);
	pt = dev->u.device.pt;
	ish_sys_close(ctx, dev->u.device.fd);
	/*
	 * The kernel detached it (freeing a lone auto HWPT) and tombstoned its vDEVICE
	 * (iommufd_device_unbind → iommufd_vdevice_tombstone: one vDEVICE per device).
	 */
	vdev = ish_obj_find(ctx, dev->u.device.vdevice);
	if (vdev && vdev->type == ISH_OBJ_VDEVICE && vdev->dev == dev_id) {
		ish_obj_retype(ctx, vdev, ISH_OBJ_TOMBSTONE);
		vdev->owner = NULL;
	}
	ish_hwpt_users_move(ctx, pt, 0);
	/* and every PASID (vfio_iommufd_physical_unbind detaches them first) */
	while (dev->u.device.pasids) {
		struct ish_pasid_att *a = dev->u.device.pasids;

		dev->u.device.pasids = a->next;
		ish_hwpt_users_move(ctx, a->pt, 0);
		ish_auto_hwpt_put(ctx, a->pt);
		free(a);
	}
	ish_obj_del(ctx, dev);
	if (pt)
		ish_auto_hwpt_put(ctx, pt);
	return 0;
}

/*
 * ENOENT from a nested attach: arm_smmu_attach_prepare_vmaster needs the device's vDEVICE on
 * that vIOMMU for an S1-translate vSTE (abort and bypass attach without one).
 */
static int explain_nested_attach(struct ish_ctx *ctx, int rc, struct ish_obj *dev, uint32_t pt_id)
{
	struct ish_obj *pt = ish_obj_find(ctx, pt_id), *vdev;

	if (rc != -ENOENT || ish_err_has_msg(ctx) || !pt || pt->type != ISH_OBJ_HWPT_NESTED ||
	    ish_ste_config(pt->u.nested.ste) != ISH_STE_CFG_S1_TRANS)
		return rc;
	vdev = ish_obj_find(ctx, dev->u.device.vdevice);
	if (vdev && vdev->type == ISH_OBJ_VDEVICE && vdev->parent == pt->parent)
		return rc;
	return ish_fail(ctx, rc, "nested HWPT %u translates (S1) and device %u has no vDEVICE on "
			"vIOMMU %u: the kernel takes the vSID from it, so allocate the vDEVICE "
			"first (abort and bypass HWPTs attach without one)", pt_id, dev->id,
			pt->parent);
}

/*
 * What the SMMU driver keeps of an attach for event forwarding: the vSID of the device's
 * vDEVICE on the nested HWPT's vIOMMU, taken at that moment and kept until the next attach
 * (arm_smmu_attach_prepare_vmaster, arm_smmu_attach_commit_vmaster).
 */
static void note_vmaster(struct ish_ctx *ctx, struct ish_obj *dev)
{
	struct ish_obj *pt = ish_obj_find(ctx, dev->u.device.pt);
	struct ish_obj *vdev = ish_obj_find(ctx, dev->u.device.vdevice);

	dev->u.device.vmaster = pt && pt->type == ISH_OBJ_HWPT_NESTED && vdev &&
				vdev->type == ISH_OBJ_VDEVICE && vdev->parent == pt->parent ?
				vdev->id : 0;
}

bool ish_device_events_forwarded(struct ish_ctx *ctx, uint32_t dev_id, char *why, size_t len)
{
	struct ish_obj *dev = ish_obj_find(ctx, dev_id), *pt, *q;

	if (!len)
		why = NULL;
	if (!dev || dev->type != ISH_OBJ_DEVICE) {
		if (why)
			snprintf(why, len, "%u is not a bound device", dev_id);
		return false;
	}
	pt = ish_obj_find(ctx, dev->u.device.pt);
	if (!pt || pt->type != ISH_OBJ_HWPT_NESTED) {
		if (why)
			snprintf(why, len, "device %u is not on a nested HWPT: the host SMMU driver "
				 "keeps its faults", dev_id);
		return false;
	}
	if (!dev->u.device.vmaster) {
		if (why)
			snprintf(why, len, "device %u was attached to nested HWPT %u %s: the driver "
				 "took no vSID then, so its faults stay on the host until it is "
				 "attached again", dev_id, pt->id, dev->u.device.vdevice ?
				 "before its vDEVICE existed" : "without a vDEVICE on its vIOMMU");
		return false;
	}
	for (q = ish_obj_first_of(ctx, ISH_OBJ_VEVENTQ); q; q = ish_obj_next_of(q))
		if (q->parent == pt->parent)
			return true;
	if (why)
		snprintf(why, len, "vIOMMU %u has no vEVENTQ to forward to", pt->parent);
	return false;
}

/* the registry after the RID's attach to @pt_id put it on @got (an auto HWPT for an IOAS) */
static void rid_attached(struct ish_ctx *ctx, struct ish_obj *dev, uint32_t pt_id, uint32_t got)
{
	struct ish_obj *pt = ish_obj_find(ctx, pt_id), *hwpt;
	uint32_t old;

	if (pt && pt->type == ISH_OBJ_IOAS && !ish_obj_find(ctx, got)) {
		/* the kernel made an auto HWPT for this device */
		hwpt = ish_obj_add(ctx, got, ISH_OBJ_HWPT_PAGING);
		if (hwpt) {
			hwpt->parent = pt_id;
			hwpt->dev = dev->id;
			hwpt->flags = ISH_HWPT_AUTO;
			note_iommu(ctx, hwpt, dev->id);
		}
	}
	old = dev->u.device.pt;
	dev->u.device.pt = got;
	ish_hwpt_users_move(ctx, old, got);
	note_vmaster(ctx, dev);
	if (old && old != got)
		ish_auto_hwpt_put(ctx, old);
}

int ish_device_attach(struct ish_ctx *ctx, uint32_t dev_id, uint32_t pt_id, uint32_t *out_pt)
{
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at), .pt_id = pt_id };
	struct ish_obj *dev, *pt;
	int rc;

	rc = need_obj(ctx, dev_id, ISH_OBJ_DEVICE, &dev);
	if (rc < 0)
		return rc;
	rc = ish_sys_ioctl(ctx, dev->u.device.fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at);
	if (rc == -EBUSY && dev->u.device.pasid0 && !ish_err_has_msg(ctx))
		return ish_fail(ctx, rc, "device %u's RID was attached as PASID 0 (IOMMU_NO_PASID): "
				"attach it again with pasid 0 to replace, or detach pasid 0 first",
				dev_id);
	if (rc < 0) {
		rc = EXPLAIN(ctx, rc, { "pt_id", pt_id, T(IOAS) | T(HWPT_PAGING) | T(HWPT_NESTED) });
		rc = explain_nested_attach(ctx, rc, dev, pt_id);
		rc = explain_other_smmu(ctx, rc, dev_id, pt_id);
		pt = ish_obj_find(ctx, pt_id);
		/* iommufd_hwpt_pasid_compat(): with PASIDs attached the RID's HWPT must take them */
		if (rc == -EINVAL && !ish_err_has_msg(ctx) && dev->u.device.pasids && pt &&
		    pt->type != ISH_OBJ_IOAS && !(pt->flags & IOMMU_HWPT_ALLOC_PASID))
			return ish_fail(ctx, rc, "device %u has PASIDs attached, and hwpt %u was "
					"allocated without the pasid flag: the RID's HWPT must be "
					"PASID-compatible while a PASID is attached", dev_id, pt_id);
		return explain_addrinuse(ctx, rc, dev_id, pt_id);
	}
	rid_attached(ctx, dev, pt_id, at.pt_id);
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
	/* a RID attached as PASID 0 stays: vfio_iommufd_physical_detach_ioas leaves it */
	if (dev->u.device.pasid0)
		return 0;
	old = dev->u.device.pt;
	dev->u.device.pt = 0;
	dev->u.device.vmaster = 0;
	ish_hwpt_users_move(ctx, old, 0);
	if (old)
		ish_auto_hwpt_put(ctx, old);
	return 0;
}

/* The PASIDs the device has, from its cached hw info: -1 when not known. */
static int pasid_bits(const struct ish_obj *dev)
{
	return dev->u.device.hw_valid ? dev->u.device.hw.max_pasid_log2 : -1;
}

/*
 * EINVAL from a PASID attach: iommufd_hwpt_pasid_compat() wants a HWPT allocated with
 * IOMMU_HWPT_ALLOC_PASID (and the RID's HWPT too, once PASIDs are attached), and the SMMU
 * driver a device with SubstreamIDs (arm_smmu_set_pasid: the CD table in the STE).
 */
static int explain_pasid_attach(struct ish_ctx *ctx, int rc, struct ish_obj *dev, uint32_t pasid,
				uint32_t pt_id)
{
	struct ish_obj *pt = ish_obj_find(ctx, pt_id), *rid = ish_obj_find(ctx, dev->u.device.pt);
	int bits = pasid_bits(dev);

	if (rc != -EINVAL || ish_err_has_msg(ctx))
		return rc;
	if (pt && pt->type == ISH_OBJ_IOAS)
		return ish_fail(ctx, rc, "a PASID does not attach to an IOAS: the kernel makes its "
				"automatic HWPT without IOMMU_HWPT_ALLOC_PASID "
				"(iommufd_device_auto_get_domain); allocate one with hwpt alloc ... "
				"pasid and attach the PASID to that");
	if (pt && (pt->type == ISH_OBJ_HWPT_PAGING || pt->type == ISH_OBJ_HWPT_NESTED) &&
	    !(pt->flags & IOMMU_HWPT_ALLOC_PASID))
		return ish_fail(ctx, rc, "hwpt %u was not allocated with the pasid flag "
				"(IOMMU_HWPT_ALLOC_PASID): only such a HWPT takes a PASID", pt_id);
	if (rid && !(rid->flags & IOMMU_HWPT_ALLOC_PASID))
		return ish_fail(ctx, rc, "device %u's RID is on hwpt %u, allocated without the pasid "
				"flag: while the RID is attached its HWPT must be PASID-compatible "
				"too", dev->id, rid->id);
	if (rid && (rid->type != ISH_OBJ_HWPT_PAGING || (rid->flags & IOMMU_HWPT_ALLOC_NEST_PARENT)))
		return ish_fail(ctx, rc, "device %u's RID is on hwpt %u, not a stage-1 paging HWPT: "
				"the SMMUv3 driver keeps PASIDs in the CD table of a stage-1 STE "
				"(arm_smmu_set_pasid), so the RID must be detached or on one", dev->id,
				rid->id);
	/* with max_pasids 0 the kernel does not check the range (iommu_attach_device_pasid) */
	if (bits > 0 && bits < 32 && pasid >= 1u << bits)
		return ish_fail(ctx, rc, "PASID %u is out of range: device %u has %u-bit PASIDs "
				"(0..%u)", pasid, dev->id, bits, (1u << bits) - 1);
	return rc;
}

/*
 * PASID 0 is IOMMU_NO_PASID: vfio's PASID attach of it attaches the RID (EBUSY when the RID
 * is attached, as the live kernel says), and its PASID detach detaches the RID.
 */
static int rid_by_pasid0(struct ish_ctx *ctx, struct ish_obj *dev, uint32_t pt_id,
			 uint32_t *out_pt)
{
	struct vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at), .flags = VFIO_DEVICE_ATTACH_PASID, .pt_id = pt_id, .pasid = 0,
	};
	int rc;

	rc = ish_sys_ioctl(ctx, dev->u.device.fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at);
	if (rc == -EBUSY && dev->u.device.pt && !ish_err_has_msg(ctx))
		return ish_fail(ctx, rc, "PASID 0 is the RID (IOMMU_NO_PASID), and device %u's RID is "
				"attached already: attach it without pasid to replace", dev->id);
	if (rc < 0)
		return EXPLAIN(ctx, rc, { "pt_id", pt_id, T(IOAS) | T(HWPT_PAGING) | T(HWPT_NESTED) });
	rid_attached(ctx, dev, pt_id, at.pt_id);
	dev->u.device.pasid0 = true;
	if (out_pt)
		*out_pt = at.pt_id;
	return 0;
}

int ish_device_attach_pasid(struct ish_ctx *ctx, uint32_t dev_id, uint32_t pasid, uint32_t pt_id,
			    uint32_t *out_pt)
{
	struct vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at), .flags = VFIO_DEVICE_ATTACH_PASID, .pt_id = pt_id, .pasid = pasid,
	};
	struct ish_obj *dev, *pt, *hwpt;
	struct ish_pasid_att *a, *fresh = NULL;
	uint32_t old;
	int rc;

	rc = need_obj(ctx, dev_id, ISH_OBJ_DEVICE, &dev);
	if (rc < 0)
		return rc;
	if (!pasid)
		return rid_by_pasid0(ctx, dev, pt_id, out_pt);
	for (a = dev->u.device.pasids; a && a->pasid != pasid; a = a->next)
		;
	if (!a) {
		fresh = calloc(1, sizeof(*fresh));
		if (!fresh)
			return -ENOMEM;
	}
	rc = ish_sys_ioctl(ctx, dev->u.device.fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at);
	if (rc < 0) {
		free(fresh);
		rc = EXPLAIN(ctx, rc, { "pt_id", pt_id, T(IOAS) | T(HWPT_PAGING) | T(HWPT_NESTED) });
		rc = explain_other_smmu(ctx, rc, dev_id, pt_id);
		return explain_pasid_attach(ctx, rc, dev, pasid, pt_id);
	}
	pt = ish_obj_find(ctx, pt_id);
	if (pt && pt->type == ISH_OBJ_IOAS && !ish_obj_find(ctx, at.pt_id)) {
		/* the kernel made an auto HWPT for this PASID, PASID-compatible */
		hwpt = ish_obj_add(ctx, at.pt_id, ISH_OBJ_HWPT_PAGING);
		if (hwpt) {
			hwpt->parent = pt_id;
			hwpt->dev = dev_id;
			hwpt->flags = ISH_HWPT_AUTO | IOMMU_HWPT_ALLOC_PASID;
			note_iommu(ctx, hwpt, dev_id);
		}
	}
	if (fresh) {
		fresh->pasid = pasid;
		fresh->next = dev->u.device.pasids;
		dev->u.device.pasids = fresh;
		a = fresh;
	}
	old = a->pt;
	a->pt = at.pt_id;
	ish_hwpt_users_move(ctx, old, at.pt_id);
	if (old && old != at.pt_id)
		ish_auto_hwpt_put(ctx, old);
	if (out_pt)
		*out_pt = at.pt_id;
	return 0;
}

int ish_device_detach_pasid(struct ish_ctx *ctx, uint32_t dev_id, uint32_t pasid)
{
	struct vfio_device_detach_iommufd_pt de = {
		.argsz = sizeof(de), .flags = VFIO_DEVICE_DETACH_PASID, .pasid = pasid,
	};
	struct ish_pasid_att **pp, *a;
	struct ish_obj *dev;
	int rc;

	rc = need_obj(ctx, dev_id, ISH_OBJ_DEVICE, &dev);
	if (rc < 0)
		return rc;
	rc = ish_sys_ioctl(ctx, dev->u.device.fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &de);
	if (rc < 0)
		return rc;
	if (!pasid) {
		/* IOMMU_NO_PASID: the RID, when vfio attached it as PASID 0 */
		if (dev->u.device.pasid0) {
			uint32_t old = dev->u.device.pt;

			dev->u.device.pasid0 = false;
			dev->u.device.pt = 0;
			dev->u.device.vmaster = 0;
			ish_hwpt_users_move(ctx, old, 0);
			if (old)
				ish_auto_hwpt_put(ctx, old);
		}
		return 0;
	}
	for (pp = &dev->u.device.pasids; *pp && (*pp)->pasid != pasid; pp = &(*pp)->next)
		;
	a = *pp;
	if (!a)
		return 0;	/* vfio_iommufd_physical_pasid_detach_ioas: not attached, nothing */
	*pp = a->next;
	ish_hwpt_users_move(ctx, a->pt, 0);
	ish_auto_hwpt_put(ctx, a->pt);
	free(a);
	return 0;
}

static int hw_info(struct ish_ctx *ctx, uint32_t dev_id, uint32_t flags, uint32_t type,
		   struct ish_hw_info *info)
{
	struct iommu_hw_info hw = { .size = sizeof(hw), .flags = flags, .dev_id = dev_id,
				    .in_data_type = type };
	struct ish_obj *dev;
	int rc;

	rc = need_obj(ctx, dev_id, ISH_OBJ_DEVICE, &dev);
	if (rc < 0)
		return rc;
	memset(info, 0, sizeof(*info));
	hw.data_len = sizeof(info->smmu);
	hw.data_uptr = (uintptr_t)&info->smmu;
	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_GET_HW_INFO, &hw);
	if (rc == -EOPNOTSUPP && flags && !ish_err_has_msg(ctx))
		return ish_fail(ctx, rc, "the IOMMU behind device %u has no hw info of type %u%s", dev_id,
				type, type == IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV ?
				" (tegra241-cmdqv): its SMMUv3 has no Tegra241 CMDQV extension" :
				type == IOMMU_HW_INFO_TYPE_ARM_SMMUV3 ? " (arm-smmuv3): it is no SMMUv3" :
				": an SMMUv3 answers types 0 (default) and 2 (arm-smmuv3), 3 "
				"(tegra241-cmdqv) only with that extension");
	if (rc < 0)
		return rc;
	info->type = hw.out_data_type;
	info->data_len = hw.data_len;
	info->capabilities = hw.out_capabilities;
	info->max_pasid_log2 = hw.out_max_pasid_log2;
	if (info->type == IOMMU_HW_INFO_TYPE_ARM_SMMUV3) {
		dev->u.device.hw = *info;
		dev->u.device.hw_valid = true;
	}
	return 0;
}

int ish_get_hw_info(struct ish_ctx *ctx, uint32_t dev_id, struct ish_hw_info *info)
{
	return hw_info(ctx, dev_id, 0, 0, info);
}

int ish_get_hw_info_type(struct ish_ctx *ctx, uint32_t dev_id, uint32_t type,
			 struct ish_hw_info *info)
{
	return hw_info(ctx, dev_id, IOMMU_HW_INFO_FLAG_INPUT_TYPE, type, info);
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
	struct ish_obj *ioas = ish_obj_find(ctx, ioas_id);
	struct ish_map *map;
	int rc;

	map = calloc(1, sizeof(*map));
	if (!map)
		return -ENOMEM;
	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_IOAS_MAP, &m);
	if (rc < 0) {
		free(map);
		if (rc == -ENOSPC && !ish_err_has_msg(ctx) && ioas && ioas->type == ISH_OBJ_IOAS &&
		    ioas->u.ioas.allowed)
			return ish_fail(ctx, rc, "no free IOVA range of 0x%llx bytes inside the %u "
					"range(s) IOAS %u allows (ioas allow): widen them, or map at a "
					"fixed IOVA", (unsigned long long)length,
					ioas->u.ioas.nallowed, ioas_id);
		return rc;
	}
	map->ioas = ioas_id;
	map->iova = m.iova;
	map->length = length;
	map->va = va;
	map->flags = flags;
	ish_list_append(&ctx->maps, &map->all);
	if (ioas && ioas->type == ISH_OBJ_IOAS)
		ish_list_append(&ioas->u.ioas.maps, &map->ioas_link);
	*iova = m.iova;
	return 0;
}

int ish_ioas_unmap(struct ish_ctx *ctx, uint32_t ioas_id, uint64_t iova, uint64_t length,
		   uint64_t *unmapped)
{
	struct iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = ioas_id, .iova = iova,
				      .length = length };
	struct ish_obj *ioas = ish_obj_find(ctx, ioas_id);
	struct ish_link *l, *next;
	bool all = !iova && length == UINT64_MAX;
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_IOAS_UNMAP, &u);
	if (rc == -EBUSY && ish_obj_first_of(ctx, ISH_OBJ_HW_QUEUE))
		return ish_fail(ctx, rc, "a HW queue pins guest memory in that range: destroy it "
				"first (iommufd_hw_queue_alloc_phys holds an access on it)");
	if (rc < 0)
		return rc;
	/* the kernel unmapped every area fully inside the range */
	for (l = ioas && ioas->type == ISH_OBJ_IOAS ? ioas->u.ioas.maps.first : NULL; l; l = next) {
		struct ish_map *m = ish_container_of(l, struct ish_map, ioas_link);

		next = l->next;
		if (all || (m->iova >= iova && m->iova + m->length - 1 <= iova + length - 1)) {
			ish_list_unlink(&ioas->u.ioas.maps, &m->ioas_link);
			ish_list_unlink(&ctx->maps, &m->all);
			free(m);
		}
	}
	if (unmapped)
		*unmapped = u.length;
	return 0;
}

/* a new registry record of a mapping; it joins the lists only with map_publish() */
static void map_publish(struct ish_ctx *ctx, struct ish_map *map)
{
	struct ish_obj *ioas = ish_obj_find(ctx, map->ioas);

	ish_list_append(&ctx->maps, &map->all);
	if (ioas && ioas->type == ISH_OBJ_IOAS)
		ish_list_append(&ioas->u.ioas.maps, &map->ioas_link);
}

/* the first try holds this many ranges: an IOAS has a handful (below, the MSI window, above) */
#define RANGES_FIRST 8

/* the end of an IOVA_RANGES call: the ranges handed out, or the error explained and @buf freed */
static int ranges_out(struct ish_ctx *ctx, int rc, uint32_t ioas_id,
		      const struct iommu_ioas_iova_ranges *r, struct iommu_iova_range *buf,
		      struct ish_iova_range **ranges, uint32_t *n, uint64_t *alignment)
{
	if (rc < 0) {
		free(buf);
		return EXPLAIN(ctx, rc, { "ioas_id", ioas_id, T(IOAS) });
	}
	*ranges = (struct ish_iova_range *)buf;
	*n = r->num_iovas;
	*alignment = r->out_iova_alignment;
	return 0;
}

int ish_ioas_iova_ranges(struct ish_ctx *ctx, uint32_t ioas_id, struct ish_iova_range **ranges,
			 uint32_t *n, uint64_t *alignment)
{
	struct iommu_ioas_iova_ranges r = { .size = sizeof(r), .ioas_id = ioas_id };
	struct iommu_iova_range *buf;
	uint32_t cap = RANGES_FIRST;
	int rc, tries;

	/* the layouts agree, so the kernel writes into what the caller gets */
	_Static_assert(sizeof(struct ish_iova_range) == sizeof(struct iommu_iova_range),
		       "ish_iova_range is iommu_iova_range");
	buf = malloc(cap * sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	/* EMSGSIZE says how many there are: grow to that and ask again; a change meanwhile, again */
	for (tries = 0; ; tries++) {
		r.num_iovas = cap;
		r.allowed_iovas = (uintptr_t)buf;
		rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_IOAS_IOVA_RANGES, &r);
		if (rc != -EMSGSIZE || tries == 2 || r.num_iovas <= cap)
			break;
		{
			struct iommu_iova_range *more = realloc(buf, r.num_iovas * sizeof(*buf));

			if (!more) {
				rc = -ENOMEM;
				goto free_buf;
			}
			buf = more;
			cap = r.num_iovas;
		}
	}
	return ranges_out(ctx, rc, ioas_id, &r, buf, ranges, n, alignment);

free_buf:
	free(buf);
	return rc;
}

int ish_ioas_iova_ranges_room(struct ish_ctx *ctx, uint32_t ioas_id, uint32_t room,
			      struct ish_iova_range **ranges, uint32_t *n, uint64_t *alignment)
{
	struct iommu_ioas_iova_ranges r = { .size = sizeof(r), .ioas_id = ioas_id,
					    .num_iovas = room };
	struct iommu_iova_range *buf;
	int rc;

	/* room 0 still gets a valid pointer: the kernel writes nothing through it */
	buf = calloc(room ? room : 1, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	r.allowed_iovas = (uintptr_t)buf;
	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_IOAS_IOVA_RANGES, &r);
	if (rc == -EMSGSIZE) {
		/* iommufd_ioas_iova_ranges() answers the count and alignment with EMSGSIZE */
		*n = r.num_iovas;
		*alignment = r.out_iova_alignment;
		rc = ish_fail(ctx, rc, "IOAS %u has %u usable ranges, more than room %u: "
			      "ioas ranges %u room %u fetches them", ioas_id, r.num_iovas, room,
			      ioas_id, r.num_iovas);
		goto free_buf;
	}
	return ranges_out(ctx, rc, ioas_id, &r, buf, ranges, n, alignment);

free_buf:
	free(buf);
	return rc;
}

int ish_ioas_allow_iovas(struct ish_ctx *ctx, uint32_t ioas_id, const struct ish_iova_range *r,
			 uint32_t n)
{
	struct iommu_ioas_allow_iovas a = { .size = sizeof(a), .ioas_id = ioas_id, .num_iovas = n,
					    .allowed_iovas = (uintptr_t)r };
	struct ish_obj *ioas = ish_obj_find(ctx, ioas_id);
	struct ish_iova_range *copy = NULL;
	int rc;

	if (n) {
		copy = malloc(n * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, r, n * sizeof(*copy));
	}
	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_IOAS_ALLOW_IOVAS, &a);
	if (rc < 0) {
		free(copy);
		if (rc == -EADDRINUSE && !ish_err_has_msg(ctx))
			return ish_fail(ctx, rc, "an allowed range covers a range IOAS %u reserves "
					"(an attached device's MSI window, or outside a domain's "
					"aperture): see ioas ranges %u", ioas_id, ioas_id);
		if (rc == -EINVAL && !ish_err_has_msg(ctx) && ioas && ioas->type == ISH_OBJ_IOAS)
			return ish_fail(ctx, rc, "a range is empty or one byte (start >= last), or "
					"overlaps another of the list");
		return EXPLAIN(ctx, rc, { "ioas_id", ioas_id, T(IOAS) });
	}
	if (ioas && ioas->type == ISH_OBJ_IOAS) {
		free(ioas->u.ioas.allowed);
		ioas->u.ioas.allowed = copy;
		ioas->u.ioas.nallowed = n;
	} else {
		free(copy);
	}
	return 0;
}

const struct ish_iova_range *ish_ioas_allowed(struct ish_ctx *ctx, uint32_t ioas_id,
					      uint32_t *n)
{
	struct ish_obj *ioas = ish_obj_find(ctx, ioas_id);

	if (!ioas || ioas->type != ISH_OBJ_IOAS || !ioas->u.ioas.allowed) {
		*n = 0;
		return NULL;
	}
	*n = ioas->u.ioas.nallowed;
	return ioas->u.ioas.allowed;
}

/* the mappings of @ioas that [iova, last] meets, in IOVA order: their count */
static size_t maps_meeting(struct ish_obj *ioas, uint64_t iova, uint64_t last)
{
	struct ish_link *l;
	size_t n = 0;

	for (l = ioas ? ioas->u.ioas.maps.first : NULL; l; l = l->next) {
		struct ish_map *m = ish_container_of(l, struct ish_map, ioas_link);

		if (m->iova <= last && iova <= m->iova + m->length - 1)
			n++;
	}
	return n;
}

/*
 * The copy's records: one per source mapping the range crosses (iopt_get_pages takes the
 * pages of each area), each seeing the source's bytes. Made before the call, so that a
 * failure to allocate them leaves the kernel untouched.
 */
int ish_ioas_copy(struct ish_ctx *ctx, uint32_t dst, uint32_t src, uint64_t src_iova,
		  uint64_t length, uint64_t *dst_iova, uint32_t flags)
{
	struct iommu_ioas_copy c = {
		.size = sizeof(c), .flags = flags, .dst_ioas_id = dst, .src_ioas_id = src,
		.length = length, .dst_iova = *dst_iova, .src_iova = src_iova,
	};
	struct ish_obj *sioas = ish_obj_find(ctx, src);
	uint64_t last = length ? src_iova + length - 1 : src_iova;
	struct ish_map **recs = NULL;
	struct ish_link *l;
	size_t n = 0, i;
	int rc;

	if (sioas && sioas->type != ISH_OBJ_IOAS)
		sioas = NULL;
	if (length && last >= src_iova)
		n = maps_meeting(sioas, src_iova, last);
	if (n) {
		recs = calloc(n, sizeof(*recs));
		if (!recs)
			return -ENOMEM;
		for (i = 0; i < n; i++) {
			recs[i] = calloc(1, sizeof(**recs));
			if (!recs[i]) {
				rc = -ENOMEM;
				goto free_recs;
			}
		}
	}
	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_IOAS_COPY, &c);
	if (rc < 0) {
		struct ish_obj *dioas = ish_obj_find(ctx, dst);

		if (rc == -ENOENT && !ish_err_has_msg(ctx) && sioas && dioas &&
		    dioas->type == ISH_OBJ_IOAS)
			rc = ish_fail(ctx, rc, "IOAS %u does not map all of iova 0x%llx length 0x%llx "
				      "without a gap", src, (unsigned long long)src_iova,
				      (unsigned long long)length);
		if (rc == -EPERM && !ish_err_has_msg(ctx))
			rc = ish_fail(ctx, rc, "the source pages are mapped readonly: a writeable copy "
				      "needs writeable pages (copy without writeable)");
		rc = EXPLAIN(ctx, rc, { "src_ioas_id", src, T(IOAS) }, { "dst_ioas_id", dst, T(IOAS) });
		goto free_recs;
	}
	i = 0;
	for (l = sioas ? sioas->u.ioas.maps.first : NULL; l && i < n; l = l->next) {
		struct ish_map *m = ish_container_of(l, struct ish_map, ioas_link), *d;
		uint64_t s, e;

		if (!(m->iova <= last && src_iova <= m->iova + m->length - 1))
			continue;
		s = m->iova > src_iova ? m->iova : src_iova;
		e = m->iova + m->length - 1 < last ? m->iova + m->length - 1 : last;
		d = recs[i++];
		d->ioas = dst;
		d->iova = c.dst_iova + (s - src_iova);
		d->length = e - s + 1;
		d->va = m->va ? (uint8_t *)m->va + (s - m->iova) : NULL;
		d->flags = flags & (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE);
		d->file = m->file;
	}
	for (; i < n; i++)
		free(recs[i]);
	for (i = 0; i < n; i++)
		if (recs[i] && recs[i]->length)
			map_publish(ctx, recs[i]);
	free(recs);
	*dst_iova = c.dst_iova;
	return 0;

free_recs:
	for (i = 0; i < n; i++)
		free(recs[i]);
	free(recs);
	return rc;
}

int ish_ioas_map_file(struct ish_ctx *ctx, uint32_t ioas_id, int fd, uint64_t start,
		      uint64_t length, uint64_t *iova, uint32_t flags)
{
	struct iommu_ioas_map_file m = {
		.size = sizeof(m), .flags = flags, .ioas_id = ioas_id, .fd = fd,
		.start = start, .length = length, .iova = *iova,
	};
	struct ish_mem *mem = ish_mem_by_fd(ctx, fd);
	struct ish_map *map;
	int rc;

	map = calloc(1, sizeof(*map));
	if (!map)
		return -ENOMEM;
	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_IOAS_MAP_FILE, &m);
	if (rc < 0) {
		if (rc == -EBADF && !ish_err_has_msg(ctx))
			rc = ish_fail(ctx, rc, "fd %d is not open", fd);
		else if (rc == -EINVAL && !ish_err_has_msg(ctx) && length && mem &&
			 (start >= ish_mem_size(mem) || length > ish_mem_size(mem) - start))
			rc = ish_fail(ctx, rc, "the range is past the end of the memfd (size 0x%zx): "
				      "pinning it fails", ish_mem_size(mem));
		else if (rc == -EINVAL && !ish_err_has_msg(ctx) && !mem)
			rc = ish_fail(ctx, rc, "fd %d is no mem buffer's memfd: the kernel pins only "
				      "memfd (shmem, hugetlbfs) pages and VFIO PCI dma-bufs", fd);
		free(map);
		return EXPLAIN(ctx, rc, { "ioas_id", ioas_id, T(IOAS) });
	}
	map->ioas = ioas_id;
	map->iova = m.iova;
	map->length = length;
	/* where this process sees those bytes: in the mem buffer mapping that memfd */
	map->va = mem && start < ish_mem_size(mem) ? (uint8_t *)ish_mem_va(mem) + start : NULL;
	map->flags = flags & (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE);
	map->file = true;
	map_publish(ctx, map);
	*iova = m.iova;
	return 0;
}

/*
 * A VFIO dma-buf of one range of a region, as VFIO_DEVICE_FEATURE_DMA_BUF takes it: the header,
 * the request, its one range, back to back (both structs end in flexible arrays).
 */
#define DMABUF_HDR sizeof(struct vfio_device_feature)
#define DMABUF_REQ sizeof(struct vfio_device_feature_dma_buf)
#define DMABUF_LEN (DMABUF_HDR + DMABUF_REQ + sizeof(struct vfio_region_dma_range))

int ish_ioas_map_dmabuf(struct ish_ctx *ctx, uint32_t ioas_id, uint32_t dev_id, uint32_t region,
			uint64_t offset, uint64_t length, uint64_t *iova, uint32_t flags)
{
	const struct vfio_device_feature hdr = {
		.argsz = DMABUF_LEN, .flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF,
	};
	const struct vfio_device_feature_dma_buf req = {
		.region_index = region, .open_flags = O_RDWR | O_CLOEXEC, .nr_ranges = 1,
	};
	const struct vfio_region_dma_range range = { .offset = offset, .length = length };
	_Alignas(8) unsigned char f[DMABUF_LEN];
	struct ish_obj *dev;
	int fd, rc;

	rc = need_obj(ctx, dev_id, ISH_OBJ_DEVICE, &dev);
	if (rc < 0)
		return rc;
	memcpy(f, &hdr, DMABUF_HDR);
	memcpy(f + DMABUF_HDR, &req, DMABUF_REQ);
	memcpy(f + DMABUF_HDR + DMABUF_REQ, &range, sizeof(range));
	fd = ish_sys_ioctl(ctx, dev->u.device.fd, VFIO_DEVICE_FEATURE, f);
	if (fd < 0) {
		if (fd == -ENOTTY && !ish_err_has_msg(ctx))
			return ish_fail(ctx, fd, "device %u exports no dma-buf: the kernel lacks "
					"CONFIG_VFIO_PCI_DMABUF (needs PCI_P2PDMA), or its driver has "
					"no such feature", dev_id);
		return fd;
	}
	/* MAP_FILE takes its own reference to the dma-buf: ours goes whatever happens */
	rc = ish_ioas_map_file(ctx, ioas_id, fd, 0, length, iova, flags);
	ish_sys_close(ctx, fd);
	return rc;
}

static int option(struct ish_ctx *ctx, uint16_t op, uint32_t option_id, uint32_t object_id,
		  uint64_t *val)
{
	struct iommu_option o = { .size = sizeof(o), .option_id = option_id, .op = op,
				  .object_id = object_id, .val64 = *val };
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_OPTION, &o);
	if (rc < 0) {
		if (ish_err_has_msg(ctx))
			return rc;
		if (rc == -EOPNOTSUPP && option_id == IOMMU_OPTION_RLIMIT_MODE && object_id)
			return ish_fail(ctx, rc, "RLIMIT_MODE is global: give no IOAS");
		if (rc == -EBUSY && option_id == IOMMU_OPTION_RLIMIT_MODE)
			return ish_fail(ctx, rc, "RLIMIT_MODE is set only while this iommufd holds no "
					"object");
		if (rc == -EPERM && option_id == IOMMU_OPTION_RLIMIT_MODE)
			return ish_fail(ctx, rc, "setting RLIMIT_MODE needs CAP_SYS_RESOURCE");
		if (rc == -EINVAL && op == IOMMU_OPTION_OP_SET && *val > 1)
			return ish_fail(ctx, rc, "the value is 0 or 1");
		if (rc == -EINVAL && option_id == IOMMU_OPTION_HUGE_PAGES)
			return ish_fail(ctx, rc, "IOAS %u maps pages into a domain already: huge pages "
					"go off only before the first map of an attached IOAS",
					object_id);
		if (rc == -EADDRINUSE && option_id == IOMMU_OPTION_HUGE_PAGES)
			return ish_fail(ctx, rc, "IOAS %u has a mapping not aligned to pages: huge "
					"pages off means page-aligned IOVAs", object_id);
		if (option_id == IOMMU_OPTION_HUGE_PAGES)
			return EXPLAIN(ctx, rc, { "object_id", object_id, T(IOAS) });
		return rc;
	}
	*val = o.val64;
	return 0;
}

int ish_option_get(struct ish_ctx *ctx, uint32_t option_id, uint32_t object_id, uint64_t *val)
{
	*val = 0;
	return option(ctx, IOMMU_OPTION_OP_GET, option_id, object_id, val);
}

int ish_option_set(struct ish_ctx *ctx, uint32_t option_id, uint32_t object_id, uint64_t val)
{
	return option(ctx, IOMMU_OPTION_OP_SET, option_id, object_id, &val);
}

int ish_ioas_change_process(struct ish_ctx *ctx)
{
	struct iommu_ioas_change_process c = { .size = sizeof(c) };
	struct ish_map *m;
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_IOAS_CHANGE_PROCESS, &c);
	if (rc == -EINVAL && !ish_err_has_msg(ctx))
		for (m = ish_map_first(ctx); m; m = ish_map_next(m))
			if (!m->file)
				return ish_fail(ctx, rc, "IOAS %u maps user memory at iova 0x%llx (IOAS "
						"map): only MAP_FILE pages can change process",
						m->ioas, (unsigned long long)m->iova);
	return rc;
}

int ish_ioas_noiommu_get_pa(struct ish_ctx *ctx, uint32_t ioas_id, uint64_t iova,
			    uint64_t *length, uint64_t *phys)
{
	struct iommu_ioas_noiommu_get_pa g = { .size = sizeof(g), .ioas_id = ioas_id,
					       .iova = iova, .length = *length };
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_IOAS_NOIOMMU_GET_PA, &g);
	if (rc < 0) {
		if (rc == -EOPNOTSUPP && !ish_err_has_msg(ctx))
			return ish_fail(ctx, rc, "no noiommu page table holds iova 0x%llx: the kernel "
					"lacks CONFIG_IOMMUFD_NOIOMMU, or IOAS %u is not one of "
					"noiommu devices", (unsigned long long)iova, ioas_id);
		if (rc == -EPERM && !ish_err_has_msg(ctx))
			return ish_fail(ctx, rc, "physical addresses need CAP_SYS_RAWIO");
		return EXPLAIN(ctx, rc, { "ioas_id", ioas_id, T(IOAS) });
	}
	*length = g.length;
	*phys = g.out_phys;
	return 0;
}

/* ---- HWPT, vIOMMU, vDEVICE ------------------------------------------------------------------ */

/*
 * EOPNOTSUPP for a nest parent (arm_smmu_domain_alloc_paging_flags): SMMUv3 takes NEST_PARENT
 * alone, and only on an SMMU with both stages (IDR0.S1P and S2P) to nest.
 */
static int explain_no_nesting(struct ish_ctx *ctx, int rc, uint32_t dev_id, uint32_t flags)
{
	const struct ish_idr_field *s1 = ish_idr_find("S1P"), *s2 = ish_idr_find("S2P");
	struct ish_obj *dev = ish_obj_find(ctx, dev_id);

	if (ish_err_has_msg(ctx))
		return rc;
	if (flags & ~IOMMU_HWPT_ALLOC_NEST_PARENT)
		return ish_fail(ctx, rc, "an SMMUv3 nest parent takes no other flag: allocate it with "
				"NEST_PARENT alone");
	if (dev && dev->type == ISH_OBJ_DEVICE && dev->u.device.hw_valid && s1 && s2 &&
	    !(ish_idr_get(s1, dev->u.device.hw.smmu.idr) && ish_idr_get(s2, dev->u.device.hw.smmu.idr)))
		return ish_fail(ctx, rc, "the SMMU behind device %u cannot nest: it has stage 1 %s and "
				"stage 2 %s (SMMU_IDR0.S1P, S2P), and a nest parent needs both", dev_id,
				ish_idr_get(s1, dev->u.device.hw.smmu.idr) ? "yes" : "no",
				ish_idr_get(s2, dev->u.device.hw.smmu.idr) ? "yes" : "no");
	return ish_fail(ctx, rc, "the SMMU behind device %u cannot make a nest parent: nesting "
			"needs both translation stages (SMMU_IDR0.S1P and S2P; `device info` shows "
			"them)", dev_id);
}

/*
 * EOPNOTSUPP for DIRTY_TRACKING: arm_smmu_domain_alloc_paging_flags() takes it only for a
 * stage-1 domain on an SMMU with hardware dirty-state updates (SMMU_IDR0.HTTU = 2) and a
 * coherent table walk (arm_smmu_dbm_capable).
 */
static int explain_no_dirty(struct ish_ctx *ctx, int rc, uint32_t dev_id)
{
	const struct ish_idr_field *httu = ish_idr_find("HTTU");
	struct ish_obj *dev = ish_obj_find(ctx, dev_id);

	if (ish_err_has_msg(ctx))
		return rc;
	if (dev && dev->type == ISH_OBJ_DEVICE && dev->u.device.hw_valid && httu)
		return ish_fail(ctx, rc, "the SMMU behind device %u does not track dirty pages: it has "
				"SMMU_IDR0.HTTU %u (%s) and dirty tracking needs 2 (access flag and "
				"dirty state), a coherent walk and a stage-1 domain", dev_id,
				ish_idr_get(httu, dev->u.device.hw.smmu.idr),
				ish_idr_value_name(httu, ish_idr_get(httu, dev->u.device.hw.smmu.idr)));
	return ish_fail(ctx, rc, "the SMMU behind device %u does not track dirty pages: dirty "
			"tracking needs hardware dirty-state updates (SMMU_IDR0.HTTU = 2; `device "
			"info` shows it and capability dirty-tracking) and a stage-1 domain", dev_id);
}

static int hwpt_alloc_call(struct ish_ctx *ctx, uint32_t dev_id, uint32_t pt_id, uint32_t flags,
			   uint32_t data_type, const void *data, uint32_t data_len,
			   uint32_t fault_id, uint32_t *hwpt_id)
{
	struct iommu_hwpt_alloc a = {
		.size = sizeof(a), .flags = flags, .dev_id = dev_id, .pt_id = pt_id,
		.data_type = data_type, .data_len = data_len, .data_uptr = (uintptr_t)data,
		.fault_id = fault_id,
	};
	struct ish_obj *o, *pt = ish_obj_find(ctx, pt_id);
	bool nested = pt && pt->type != ISH_OBJ_IOAS;
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_HWPT_ALLOC, &a);
	if (rc < 0) {
		rc = EXPLAIN(ctx, rc, { "dev_id", dev_id, T(DEVICE) },
			     { "pt_id", pt_id, T(IOAS) | T(HWPT_PAGING) | T(VIOMMU) });
		rc = explain_other_smmu(ctx, rc, dev_id, pt_id);
		/* iommufd_hwpt_paging_alloc refuses the pair before the driver sees it */
		if (!nested && rc == -EOPNOTSUPP && (flags & IOMMU_HWPT_ALLOC_NEST_PARENT) &&
		    (flags & IOMMU_HWPT_FAULT_ID_VALID))
			return ish_fail(ctx, rc, "a nest parent cannot be IOPF-capable: faults are "
					"reported by the stage 1 (a nested HWPT, or a plain paging one)");
		if (!nested && rc == -EOPNOTSUPP && (flags & IOMMU_HWPT_ALLOC_NEST_PARENT))
			return explain_no_nesting(ctx, rc, dev_id, flags);
		if (!nested && rc == -EOPNOTSUPP && (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
			return explain_no_dirty(ctx, rc, dev_id);
		if (!nested)
			return explain_addrinuse(ctx, rc, dev_id, pt_id);
		if (rc == -EIO && !ish_err_has_msg(ctx) && data_type == IOMMU_HWPT_DATA_ARM_SMMUV3 &&
		    data_len >= 16) {
			uint64_t ste[2];
			char why[160] = "";

			/* the kernel says EIO and nothing else: name the field it objects to */
			memcpy(ste, data, sizeof(ste));
			if (ish_ste_validate(ste, why, sizeof(why)) < 0 && why[0])
				return ish_fail(ctx, rc, "vSTE rejected: %s", why);
		}
		return rc;
	}
	rc = track(ctx, a.out_hwpt_id, nested ? ISH_OBJ_HWPT_NESTED : ISH_OBJ_HWPT_PAGING, &o);
	if (rc < 0)
		return rc;
	o->parent = pt_id;
	o->dev = dev_id;
	o->flags = flags;
	note_iommu(ctx, o, dev_id);
	if (nested && data_type == IOMMU_HWPT_DATA_ARM_SMMUV3 && data_len >= 16)
		memcpy(o->u.nested.ste, data, 16);
	*hwpt_id = a.out_hwpt_id;
	return 0;
}

int ish_hwpt_alloc(struct ish_ctx *ctx, uint32_t dev_id, uint32_t pt_id, uint32_t flags,
		   uint32_t data_type, const void *data, uint32_t data_len, uint32_t *hwpt_id)
{
	return hwpt_alloc_call(ctx, dev_id, pt_id, flags, data_type, data, data_len, 0, hwpt_id);
}

int ish_hwpt_alloc_nested(struct ish_ctx *ctx, uint32_t dev_id, uint32_t viommu_id,
			  const uint64_t ste[2], uint32_t *hwpt_id)
{
	struct iommu_hwpt_arm_smmuv3 data = { .ste = { ste[0], ste[1] } };

	return ish_hwpt_alloc(ctx, dev_id, viommu_id, 0, IOMMU_HWPT_DATA_ARM_SMMUV3, &data,
			      sizeof(data), hwpt_id);
}

/* EOPNOTSUPP from a dirty call: only a HWPT allocated with DIRTY_TRACKING has dirty ops. */
static int explain_dirty_ops(struct ish_ctx *ctx, int rc, uint32_t hwpt_id)
{
	struct ish_obj *h = ish_obj_find(ctx, hwpt_id);

	if (rc != -EOPNOTSUPP || ish_err_has_msg(ctx) || !h || h->type != ISH_OBJ_HWPT_PAGING)
		return rc;
	if (!(h->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		return ish_fail(ctx, rc, "hwpt-paging %u was %s without dirty-tracking "
				"(IOMMU_HWPT_ALLOC_DIRTY_TRACKING): only such a HWPT tracks dirty "
				"pages, and only on an SMMU with SMMU_IDR0.HTTU = 2", hwpt_id,
				h->flags & ISH_HWPT_AUTO ? "made by the kernel on attach, so" :
				"allocated");
	return rc;
}

int ish_hwpt_set_dirty_tracking(struct ish_ctx *ctx, uint32_t hwpt_id, bool enable)
{
	struct iommu_hwpt_set_dirty_tracking d = {
		.size = sizeof(d), .flags = enable ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt_id,
	};
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_HWPT_SET_DIRTY_TRACKING, &d);
	rc = EXPLAIN(ctx, rc, { "hwpt_id", hwpt_id, T(HWPT_PAGING) });
	return explain_dirty_ops(ctx, rc, hwpt_id);
}

int ish_hwpt_get_dirty_bitmap(struct ish_ctx *ctx, uint32_t hwpt_id, uint64_t iova,
			      uint64_t length, uint64_t page_size, uint32_t flags,
			      uint64_t *bitmap)
{
	struct iommu_hwpt_get_dirty_bitmap g = {
		.size = sizeof(g), .hwpt_id = hwpt_id, .flags = flags, .iova = iova,
		.length = length, .page_size = page_size, .data = (uintptr_t)bitmap,
	};
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_HWPT_GET_DIRTY_BITMAP, &g);
	if (rc == -EINVAL && !ish_err_has_msg(ctx) && ish_obj_find(ctx, hwpt_id) &&
	    ish_obj_find(ctx, hwpt_id)->type == ISH_OBJ_HWPT_PAGING)
		/* iommufd_check_iova_range() */
		return ish_fail(ctx, rc, "the range is refused: length must be non-zero, and iova "
				"and iova + length multiples of both page-size (0x%llx) and the "
				"IOAS's IOVA alignment", (unsigned long long)page_size);
	if (rc == -EOVERFLOW && !ish_err_has_msg(ctx))
		return ish_fail(ctx, rc, "iova 0x%llx + length 0x%llx wraps past the end of the "
				"address space", (unsigned long long)iova, (unsigned long long)length);
	rc = EXPLAIN(ctx, rc, { "hwpt_id", hwpt_id, T(HWPT_PAGING) });
	return explain_dirty_ops(ctx, rc, hwpt_id);
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
	if (rc == -EINVAL && !ish_err_has_msg(ctx)) {
		struct ish_obj *h = ish_obj_find(ctx, hwpt_id);

		/* iommufd_viommu_alloc_ioctl: the S2 must be a nest parent */
		if (h && h->type == ISH_OBJ_HWPT_PAGING && !(h->flags & IOMMU_HWPT_ALLOC_NEST_PARENT))
			return ish_fail(ctx, rc, "hwpt-paging %u is not a nest parent%s: a vIOMMU sits on "
					"an S2 HWPT allocated with the NEST_PARENT flag", hwpt_id,
					h->flags & ISH_HWPT_AUTO ? " (the kernel made it on attach)" : "");
		rc = explain_other_smmu(ctx, rc, dev_id, hwpt_id);
	}
	if (rc == -EOPNOTSUPP && type == IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV && !ish_err_has_msg(ctx))
		return ish_fail(ctx, rc, "the host SMMU has no Tegra241 CMDQV: vIOMMU type 2 "
				"(tegra241-cmdqv) needs an SMMUv3 with that extension (its driver's "
				"get_viommu_size answers 0); use type 1 (arm-smmuv3)");
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
	note_iommu(ctx, o, dev_id);
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
	if (rc < 0) {
		rc = EXPLAIN(ctx, rc, { "viommu_id", viommu_id, T(VIOMMU) },
			     { "dev_id", dev_id, T(DEVICE) });
		return explain_other_smmu(ctx, rc, dev_id, viommu_id);
	}
	rc = track(ctx, a.out_vdevice_id, ISH_OBJ_VDEVICE, &o);
	if (rc < 0)
		return rc;
	o->parent = viommu_id;
	o->dev = dev_id;
	o->u.vdevice.virt_id = virt_id;
	note_iommu(ctx, o, dev_id);
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
	for (o = ish_obj_last_of(ctx, ISH_OBJ_VDEVICE); o; o = ish_obj_prev_of(o))
		if (o->parent == viommu_id && o->u.vdevice.virt_id == sid)
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

	struct ish_obj *target = ish_obj_find(ctx, viommu_id);

	if (rc >= 0 || done >= n)
		return rc;
	if (target && target->type != ISH_OBJ_VIOMMU && (rc == -EINVAL || rc == -EOPNOTSUPP ||
							  rc == -ENOENT))
		/* the id, not a command: iommufd_hwpt_invalidate takes a vIOMMU or a nested HWPT */
		return ish_fail(ctx, rc, "%u is %s %s%s, not a vIOMMU: SMMUv3 commands go to the "
				"vIOMMU%s", viommu_id, target->type == ISH_OBJ_IOAS ? "an" : "a",
				ish_obj_type_name(target->type),
				target->type == ISH_OBJ_HWPT_PAGING &&
				(target->flags & IOMMU_HWPT_ALLOC_NEST_PARENT) ? " (the nest parent)" : "",
				target->type == ISH_OBJ_HWPT_NESTED ? " it was made on" : "");
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

/* a poll of @timeout_ms first (0: none; nothing came: 0), then one read: both event queues */
static ssize_t queue_read(struct ish_ctx *ctx, int fd, void *buf, size_t len, int timeout_ms)
{
	if (timeout_ms) {
		int rc = ish_sys_poll(ctx, fd, timeout_ms);

		if (rc <= 0)
			return rc;
	}
	return ish_sys_read(ctx, fd, buf, len);
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
	buf = malloc(max * VEVENT_REC_LEN);
	if (!buf)
		return -ENOMEM;
	got = queue_read(ctx, q->u.veventq.fd, buf, max * VEVENT_REC_LEN, timeout_ms);
	rc = got <= 0 ? (int)got : (int)parse_records(q, buf, (size_t)got, ev, max);
	free(buf);
	return rc;
}

/* ---- fault queues ------------------------------------------------------------------------- */

int ish_fault_alloc(struct ish_ctx *ctx, uint32_t *fault_id)
{
	struct iommu_fault_alloc a = { .size = sizeof(a) };
	struct ish_obj *o;
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_FAULT_QUEUE_ALLOC, &a);
	if (rc < 0)
		return rc;
	o = ish_obj_add(ctx, a.out_fault_id, ISH_OBJ_FAULT);
	if (!o) {
		struct iommu_destroy d = { .size = sizeof(d), .id = a.out_fault_id };

		ish_sys_close(ctx, (int)a.out_fault_fd);
		ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_DESTROY, &d);
		return -ENOMEM;
	}
	o->u.fault.fd = (int)a.out_fault_fd;
	*fault_id = a.out_fault_id;
	return 0;
}

int ish_hwpt_alloc_fault(struct ish_ctx *ctx, uint32_t dev_id, uint32_t pt_id, uint32_t flags,
			 uint32_t data_type, const void *data, uint32_t data_len,
			 uint32_t fault_id, uint32_t *hwpt_id)
{
	struct ish_obj *o;
	int rc;

	rc = hwpt_alloc_call(ctx, dev_id, pt_id, flags | IOMMU_HWPT_FAULT_ID_VALID, data_type,
			     data, data_len, fault_id, hwpt_id);
	if (rc == -ENOENT && !ish_err_has_msg(ctx))
		rc = EXPLAIN(ctx, rc, { "fault_id", fault_id, T(FAULT) });
	if (rc < 0)
		return rc;
	o = ish_obj_find(ctx, *hwpt_id);
	if (o)
		o->fault = fault_id;
	return 0;
}

#define PGFAULT_LEN sizeof(struct iommu_hwpt_pgfault)

int ish_fault_read(struct ish_ctx *ctx, uint32_t fault_id, struct iommu_hwpt_pgfault *f,
		   size_t max, int timeout_ms)
{
	struct ish_obj *q;
	ssize_t got;
	int rc;

	rc = need_obj(ctx, fault_id, ISH_OBJ_FAULT, &q);
	if (rc < 0)
		return rc;
	if (!max)
		return 0;
	got = queue_read(ctx, q->u.fault.fd, f, max * PGFAULT_LEN, timeout_ms);
	if (got == -EINVAL)
		return ish_fail(ctx, (int)got, "the first page request group does not fit %zu "
				"record%s: the kernel hands out whole groups only", max,
				max == 1 ? "" : "s");
	if (got < 0)
		return (int)got;
	return (int)((size_t)got / PGFAULT_LEN);
}

int ish_fault_respond(struct ish_ctx *ctx, uint32_t fault_id, uint32_t cookie, uint32_t code)
{
	struct iommu_hwpt_page_response r = { .cookie = cookie, .code = code };
	struct ish_obj *q;
	ssize_t rc;

	rc = need_obj(ctx, fault_id, ISH_OBJ_FAULT, &q);
	if (rc < 0)
		return (int)rc;
	rc = ish_sys_write(ctx, q->u.fault.fd, &r, sizeof(r));
	if (rc == -EINVAL && code != IOMMUFD_PAGE_RESP_SUCCESS && code != IOMMUFD_PAGE_RESP_INVALID)
		return ish_fail(ctx, (int)rc, "response code %u: the kernel takes SUCCESS (0) or "
				"INVALID (1) only", code);
	if (rc == -EINVAL)
		return ish_fail(ctx, (int)rc, "no page request read from fault %u has cookie %u "
				"(answered already, or never read)", fault_id, cookie);
	return rc < 0 ? (int)rc : 0;
}

/* ---- TEGRA241 CMDQV vIOMMU and HW queues ---------------------------------------------------- */

int ish_viommu_alloc_cmdqv(struct ish_ctx *ctx, uint32_t dev_id, uint32_t hwpt_id,
			   uint32_t *viommu_id, uint64_t *mmap_off, uint64_t *mmap_len)
{
	struct iommu_viommu_tegra241_cmdqv data = { 0 };
	struct iommu_viommu_alloc a = {
		.size = sizeof(a), .type = IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, .dev_id = dev_id,
		.hwpt_id = hwpt_id, .data_len = sizeof(data), .data_uptr = (uintptr_t)&data,
	};
	struct ish_obj *o;
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_VIOMMU_ALLOC, &a);
	rc = EXPLAIN(ctx, rc, { "dev_id", dev_id, T(DEVICE) }, { "hwpt_id", hwpt_id, T(HWPT_PAGING) });
	if (rc == -ENOSPC)
		return ish_fail(ctx, rc, "every VINTF of the host's CMDQV is taken (VINTF0 is the "
				"host's own)");
	if (rc == -EOPNOTSUPP && !ish_err_has_msg(ctx))
		return ish_fail(ctx, rc, "the host SMMU has no Tegra241 CMDQV (or cannot back a "
				"vIOMMU at all): the driver sizes no TEGRA241_CMDQV vIOMMU");
	if (rc < 0)
		return rc;
	rc = track(ctx, a.out_viommu_id, ISH_OBJ_VIOMMU, &o);
	if (rc < 0)
		return rc;
	o->parent = hwpt_id;
	o->dev = dev_id;
	o->u.viommu.type = IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV;
	o->u.viommu.mmap_off = data.out_vintf_mmap_offset;
	o->u.viommu.mmap_len = data.out_vintf_mmap_length;
	note_iommu(ctx, o, dev_id);
	*viommu_id = a.out_viommu_id;
	if (mmap_off)
		*mmap_off = data.out_vintf_mmap_offset;
	if (mmap_len)
		*mmap_len = data.out_vintf_mmap_length;
	return 0;
}

int ish_viommu_mmap(struct ish_ctx *ctx, uint32_t viommu_id, void **addr, uint64_t *len)
{
	struct ish_obj *v;
	void *p;
	int rc;

	rc = need_obj(ctx, viommu_id, ISH_OBJ_VIOMMU, &v);
	if (rc < 0)
		return rc;
	if (!v->u.viommu.mmap_len)
		return ish_fail(ctx, -ENXIO, "viommu %u has no mmap region: only a TEGRA241_CMDQV "
				"vIOMMU has one, its VINTF page0", viommu_id);
	if (v->u.viommu.map)
		return ish_fail(ctx, -EEXIST, "viommu %u is mapped already", viommu_id);
	rc = ish_sys_mmap(ctx, ctx->iommufd, v->u.viommu.mmap_off, v->u.viommu.mmap_len, &p);
	if (rc == -ENXIO)
		return ish_fail(ctx, rc, "the kernel has no mmap region at 0x%llx of 0x%llx bytes",
				(unsigned long long)v->u.viommu.mmap_off,
				(unsigned long long)v->u.viommu.mmap_len);
	if (rc < 0)
		return rc;
	v->u.viommu.map = p;
	if (addr)
		*addr = p;
	if (len)
		*len = v->u.viommu.mmap_len;
	return 0;
}

int ish_viommu_munmap(struct ish_ctx *ctx, uint32_t viommu_id)
{
	struct ish_obj *v;
	int rc;

	rc = need_obj(ctx, viommu_id, ISH_OBJ_VIOMMU, &v);
	if (rc < 0)
		return rc;
	if (!v->u.viommu.map && !ctx->dry_run)
		return ish_fail(ctx, -EINVAL, "viommu %u is not mapped", viommu_id);
	rc = ish_sys_munmap(ctx, v->u.viommu.map, v->u.viommu.mmap_len);
	if (rc < 0)
		return rc;
	v->u.viommu.map = NULL;
	return 0;
}

/* the HW queue of @index - 1 on @viommu_id, 0 when none */
static uint32_t hwq_below(struct ish_ctx *ctx, uint32_t viommu_id, uint32_t index)
{
	struct ish_obj *o;

	if (!index)
		return 0;
	for (o = ish_obj_last_of(ctx, ISH_OBJ_HW_QUEUE); o; o = ish_obj_prev_of(o))
		if (o->parent == viommu_id && o->u.hwq.index == index - 1)
			return o->id;
	return 0;
}

static int explain_hwq(struct ish_ctx *ctx, int rc, uint32_t viommu_id, uint32_t type,
		       uint32_t index, uint64_t iova, uint64_t length)
{
	struct ish_obj *v = ish_obj_find(ctx, viommu_id);

	if (ish_err_has_msg(ctx))
		return rc;
	if (rc == -EOPNOTSUPP && type == IOMMU_HW_QUEUE_TYPE_DEFAULT)
		return ish_fail(ctx, rc, "HW queue type 0 is DEFAULT, reserved: the kernel knows "
				"TEGRA241_CMDQV (1) only");
	if (rc == -EOPNOTSUPP && v && v->type == ISH_OBJ_VIOMMU &&
	    v->u.viommu.type != IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV)
		return ish_fail(ctx, rc, "vIOMMU %u is not a TEGRA241_CMDQV one: only a Tegra241 "
				"CMDQV VINTF has HW queues", viommu_id);
	if (rc == -EOPNOTSUPP && type != IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV)
		return ish_fail(ctx, rc, "HW queue type %u: the kernel knows TEGRA241_CMDQV (1) only",
				type);
	if (rc == -EIO)
		return ish_fail(ctx, rc, "index %u before index %u: the CMDQV maps its queues in "
				"ascending order", index, index - 1);
	if (rc == -EEXIST)
		return ish_fail(ctx, rc, "vIOMMU %u has a queue of index %u already", viommu_id,
				index);
	if (rc == -ENOENT && v && v->type == ISH_OBJ_VIOMMU)
		return ish_fail(ctx, rc, "nothing is mapped there in the nest parent's IOAS");
	if (rc == -EFAULT)
		return ish_fail(ctx, rc, "the queue's pages are not physically contiguous");
	if (rc == -EINVAL && !length)
		return ish_fail(ctx, rc, "a HW queue of length 0");
	if (rc == -EINVAL && v && v->type == ISH_OBJ_VIOMMU && (length & (length - 1) || length < 32))
		return ish_fail(ctx, rc, "length 0x%llx: the CMDQV takes a power of two from 32 "
				"bytes (2 commands) up to the SMMU's IDR1.CMDQS", (unsigned long long)length);
	if (rc == -EINVAL && v && v->type == ISH_OBJ_VIOMMU && (iova & (length - 1)))
		return ish_fail(ctx, rc, "base 0x%llx is not aligned to the length 0x%llx",
				(unsigned long long)iova, (unsigned long long)length);
	if (rc == -EINVAL && v && v->type == ISH_OBJ_VIOMMU)
		return ish_fail(ctx, rc, "index %u is past the VINTF's queues, or the length is "
				"more than the SMMU's IDR1.CMDQS allows", index);
	if (rc == -EOVERFLOW)
		return ish_fail(ctx, rc, "0x%llx + 0x%llx - 1 wraps past 2^64",
				(unsigned long long)iova, (unsigned long long)length);
	return EXPLAIN(ctx, rc, { "viommu_id", viommu_id, T(VIOMMU) });
}

int ish_hw_queue_alloc(struct ish_ctx *ctx, uint32_t viommu_id, uint32_t type, uint32_t index,
		       uint64_t iova, uint64_t length, uint32_t *hw_queue_id)
{
	struct iommu_hw_queue_alloc a = {
		.size = sizeof(a), .viommu_id = viommu_id, .type = type, .index = index,
		.nesting_parent_iova = iova, .length = length,
	};
	struct ish_obj *o;
	int rc;

	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_HW_QUEUE_ALLOC, &a);
	if (rc < 0)
		return explain_hwq(ctx, rc, viommu_id, type, index, iova, length);
	rc = track(ctx, a.out_hw_queue_id, ISH_OBJ_HW_QUEUE, &o);
	if (rc < 0)
		return rc;
	o->parent = viommu_id;
	o->u.hwq.type = type;
	o->u.hwq.index = index;
	o->u.hwq.prev = hwq_below(ctx, viommu_id, index);
	o->u.hwq.iova = iova;
	o->u.hwq.length = length;
	*hw_queue_id = a.out_hw_queue_id;
	return 0;
}

/* ---- DESTROY ------------------------------------------------------------------------------ */

/* What keeps @id alive, for an EBUSY: "device 1 is attached to it" / "vIOMMU 4 sits on it" */
static void holders(struct ish_ctx *ctx, uint32_t id, char *buf, size_t len)
{
	struct ish_obj *o;
	size_t n = 0;
	int k = 0;

	buf[0] = '\0';
	for (o = ish_obj_first(ctx); o && n < len; o = ish_obj_next(o)) {
		const char *what = NULL;

		if (o->type == ISH_OBJ_DEVICE && o->u.device.pt == id)
			what = "attached to it";
		else if (o->fault == id)
			what = "reporting to it";
		else if (o->type == ISH_OBJ_HW_QUEUE && o->u.hwq.prev == id)
			what = "depending on it (HW queues go in descending order)";
		else if (o->parent == id && o->type != ISH_OBJ_DEVICE)
			what = "made on it";
		if (!what)
			continue;
		if (k++ == 3) {
			n += (size_t)snprintf(buf + n, len - n, ", ...");
			break;
		}
		n += (size_t)snprintf(buf + n, len - n, "%s%s %u %s", k > 1 ? ", " : "",
				      ish_obj_type_name(o->type), o->id, what);
	}
}

/* a HWPT of the registry reports to fault queue @id */
static bool fault_held(struct ish_ctx *ctx, uint32_t id)
{
	static const enum ish_obj_type types[] = { ISH_OBJ_HWPT_PAGING, ISH_OBJ_HWPT_NESTED };
	struct ish_obj *o;
	size_t i;

	for (i = 0; i < 2; i++)
		for (o = ish_obj_first_of(ctx, types[i]); o; o = ish_obj_next_of(o))
			if (o->fault == id)
				return true;
	return false;
}

/* The call itself, and the registry after it. */
static int do_destroy(struct ish_ctx *ctx, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };
	struct ish_obj *o = ish_obj_find(ctx, id), *dev;
	struct ish_owner *ow;
	char why[160];
	int rc;

	if (o && o->type == ISH_OBJ_VEVENTQ && o->u.veventq.fd >= 0) {
		/* its fd holds a reference: the kernel says EBUSY until it is closed */
		ish_sys_close(ctx, o->u.veventq.fd);
		o->u.veventq.fd = -1;
	}
	/* so is a fault queue's, but while a HWPT still reports to it the kernel says EBUSY
	 * anyway: keep the fd then, or the queue could never be read again */
	if (o && o->type == ISH_OBJ_FAULT && o->u.fault.fd >= 0 && !fault_held(ctx, id)) {
		ish_sys_close(ctx, o->u.fault.fd);
		o->u.fault.fd = -1;
	}
	rc = ish_sys_ioctl(ctx, ctx->iommufd, IOMMU_DESTROY, &d);
	if (rc == -ENOENT && o && o->type == ISH_OBJ_TOMBSTONE)
		return ish_fail(ctx, rc, "%u is a tombstone: the vDEVICE of an unbound device, "
				"reserved until the iommufd closes", id);
	if (rc == -EBUSY && !o && ish_obj_first_of(ctx, ISH_OBJ_HW_QUEUE))
		return ish_fail(ctx, rc, "%u is not an object of this session: the kernel's own "
				"access of a HW queue (made just after it) is busy while the queue "
				"lives", id);
	if (rc == -EBUSY && o && o->type == ISH_OBJ_VIOMMU && o->u.viommu.map)
		return ish_fail(ctx, rc, "viommu %u is mmapped: each mapping holds it (viommu munmap "
				"first)", id);
	if (rc == -EBUSY && o) {
		holders(ctx, id, why, sizeof(why));
		return ish_fail(ctx, rc, "%s %u is still in use%s%s", ish_obj_type_name(o->type), id,
				why[0] ? ": " : " (attached, or a parent of another object)", why);
	}
	if (rc < 0)
		return EXPLAIN(ctx, rc, { "id", id, ~0u });
	if (!o)
		return rc;
	if (o->type == ISH_OBJ_VDEVICE) {
		dev = ish_obj_find(ctx, o->dev);
		if (dev && dev->type == ISH_OBJ_DEVICE && dev->u.device.vdevice == id)
			dev->u.device.vdevice = 0;
	}
	ow = o->owner;
	ish_obj_del(ctx, o);
	if (ow && ow->forget)
		ow->forget(ow, id);
	return 0;
}

int ish_destroy_flags(struct ish_ctx *ctx, uint32_t id, unsigned int flags)
{
	struct ish_obj *o = ish_obj_find(ctx, id);

	if (o && o->owner && !(flags & ISH_DESTROY_FORCE))
		return ish_fail(ctx, -EBUSY, "%s %u belongs to vSMMU %s, which frees it when its device "
				"is unset or the vSMMU destroyed; a forced destroy makes the vSMMU "
				"forget it",
				ish_obj_type_name(o->type), id, o->owner->name);
	return do_destroy(ctx, id);
}

int ish_destroy(struct ish_ctx *ctx, uint32_t id)
{
	return ish_destroy_flags(ctx, id, 0);
}

int ish_destroy_owned(struct ish_ctx *ctx, uint32_t id, struct ish_owner *ow)
{
	struct ish_obj *o = ish_obj_find(ctx, id);
	int rc;

	if (!o || o->owner != ow)
		return ish_fail(ctx, -ESTALE, "vSMMU %s no longer holds object %u (it was destroyed "
				"by hand): nothing destroyed", ow->name, id);
	o->owner = NULL;	/* its own destroy: no callback */
	rc = do_destroy(ctx, id);
	if (rc < 0)
		o->owner = ow;	/* the kernel keeps it: still the vSMMU's */
	return rc;
}

void ish_disown(struct ish_ctx *ctx, uint32_t id, struct ish_owner *ow)
{
	struct ish_obj *o = id ? ish_obj_find(ctx, id) : NULL;

	if (o && o->owner == ow)
		o->owner = NULL;
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
