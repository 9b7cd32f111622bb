// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The context's life cycle and teardown policy: the top floor of backend/, above the uAPI
 * wrappers and the vSMMU model, so that neither of them is ever called from below.
 */
#include <errno.h>
#include <stdlib.h>
#include "internal.h"

/* Destroy every object of @type, newest first: linear, one walk of that type's list. */
static int destroy_type(struct ish_ctx *ctx, enum ish_obj_type type)
{
	struct ish_obj *o, *prev;
	int err = 0, rc;

	for (o = ish_obj_last_of(ctx, type); o; o = prev) {
		prev = ish_obj_prev_of(o);
		/* teardown frees what the user left, whoever held it */
		rc = ish_destroy_flags(ctx, o->id, ISH_DESTROY_FORCE);
		if (rc < 0) {
			/* the kernel keeps it; forget it so teardown ends (closing the fd frees it) */
			err = err ? err : rc;
			if (ish_obj_find(ctx, o->id) == o)
				ish_obj_del(ctx, o);
		}
	}
	return err;
}

/*
 * Reverse order of a VMM's set-up: vSMMUs first (they unwind their own objects), then
 * event queues, vDEVICEs, PASID attachments, device attachments, nested HWPTs, vIOMMUs, paging HWPTs, IOASes,
 * and last the device bindings, newest first.
 */
int ish_ctx_reset(struct ish_ctx *ctx)
{
	/* HW queues newest first: the highest index before the one it depends on */
	static const enum ish_obj_type after_detach[] = {
		ISH_OBJ_HWPT_NESTED, ISH_OBJ_HW_QUEUE, ISH_OBJ_VIOMMU, ISH_OBJ_HWPT_PAGING,
		ISH_OBJ_FAULT, ISH_OBJ_IOAS,
	};
	struct ish_obj *o, *prev;
	int err = 0, rc;
	size_t i;

	ish_vsmmu_free_all(ctx);
	/* a mapping of a vIOMMU's page0 holds the vIOMMU */
	for (o = ish_obj_first_of(ctx, ISH_OBJ_VIOMMU); o; o = ish_obj_next_of(o)) {
		if (o->u.viommu.map) {
			rc = ish_viommu_munmap(ctx, o->id);
			err = err ? err : rc;
		}
	}
	rc = destroy_type(ctx, ISH_OBJ_VEVENTQ);
	err = err ? err : rc;
	rc = destroy_type(ctx, ISH_OBJ_VDEVICE);
	err = err ? err : rc;
	/* PASIDs before the RID, newest first (the registry keeps them in that order) */
	for (o = ish_obj_first_of(ctx, ISH_OBJ_DEVICE); o; o = ish_obj_next_of(o)) {
		while (o->u.device.pasids) {
			struct ish_pasid_att *a = o->u.device.pasids;

			rc = ish_device_detach_pasid(ctx, o->id, a->pasid);
			if (rc < 0) {
				/* forget it: closing the cdev detaches it (vfio_iommufd_physical_unbind) */
				err = err ? err : rc;
				o->u.device.pasids = a->next;
				ish_hwpt_users_move(ctx, a->pt, 0);
				free(a);
			}
		}
	}
	for (o = ish_obj_first_of(ctx, ISH_OBJ_DEVICE); o; o = ish_obj_next_of(o)) {
		if (o->u.device.pt) {
			/* a RID attached as PASID 0 leaves only by its PASID detach */
			rc = o->u.device.pasid0 ? ish_device_detach_pasid(ctx, o->id, 0) :
						  ish_device_detach(ctx, o->id);
			err = err ? err : rc;
		}
	}
	for (i = 0; i < sizeof(after_detach) / sizeof(after_detach[0]); i++) {
		rc = destroy_type(ctx, after_detach[i]);
		err = err ? err : rc;
	}
	for (o = ish_obj_last_of(ctx, ISH_OBJ_DEVICE); o; o = prev) {
		prev = ish_obj_prev_of(o);
		o->owner = NULL;
		rc = ish_device_unbind(ctx, o->id);
		if (rc < 0) {
			err = err ? err : rc;
			ish_obj_del(ctx, o);
		}
	}
	/* tombstones live until the iommufd closes */
	ish_maps_free_all(ctx);
	return err;
}

void ish_ctx_free(struct ish_ctx *ctx)
{
	if (!ctx)
		return;
	ish_ctx_reset(ctx);
	ish_mems_free_all(ctx);
	ish_ctx_release(ctx);
}
