// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One id space per iommufd: the lowest free id >= 1, freed ids reused at once, a failed
 * creation leaves no gap (an id bitmap: O(log n); the table: id -> object in O(1)). Each
 * object counts its "users" like the kernel's iommufd_object: 1 is the table itself, anything
 * more makes IOMMU_DESTROY say EBUSY. What a destroy does is the type's, from one table as
 * the kernel's iommufd_object_ops[].
 */
#include <stdlib.h>
#include "sim_internal.h"

struct sim_ictx *sim_ictx_new(struct sim *sim)
{
	struct sim_ictx *ictx = sim_calloc(sim, 1, sizeof(*ictx));

	if (!ictx)
		return NULL;
	ictx->sim = sim;
	ictx->refs = 1;
	if (sim_ida_alloc(sim, &ictx->ids, &(uint32_t){ 0 }) < 0) {	/* id 0: never an object */
		free(ictx);
		return NULL;
	}
	ictx->next = sim->ctxs;
	sim->ctxs = ictx;
	return ictx;
}

void sim_ictx_get(struct sim_ictx *ictx)
{
	ictx->refs++;
}

/*
 * What an object's destroy does to the objects it held, by type (iommufd_object_ops[].destroy).
 * A DEVICE is destroyed by its unbind (sim_vfio_unbind), a tombstone has nothing left to drop.
 */
static const struct sim_obj_ops {
	void (*destroy)(struct sim_obj *obj);
} obj_ops[] = {
	[SIM_DEVICE] = { NULL },
	[SIM_IOAS] = { sim_ioas_destroy },
	[SIM_HWPT_PAGING] = { sim_hwpt_destroy },
	[SIM_HWPT_NESTED] = { sim_hwpt_destroy },
	[SIM_VIOMMU] = { sim_viommu_destroy },
	[SIM_VDEVICE] = { sim_vdevice_destroy },
	[SIM_VEVENTQ] = { sim_veventq_destroy },
	[SIM_TOMBSTONE] = { NULL },
	[SIM_FAULT] = { sim_fault_destroy },
	[SIM_HW_QUEUE] = { sim_hw_queue_destroy },
	[SIM_ACCESS] = { NULL },	/* its HW queue frees it */
};

static void obj_release(struct sim_obj *obj)
{
	if (obj_ops[obj->type].destroy)
		obj_ops[obj->type].destroy(obj);
}

/*
 * Closing the context: destroy whatever only the table holds, pass after pass, as
 * iommufd_fops_release() does. A pass is linear and frees every object nothing else holds;
 * what held others frees them for the next pass, so the passes are bounded by the longest
 * chain of holders (vEVENTQ -> vIOMMU -> nest parent -> IOAS: 4), not by the count.
 */
static void ictx_teardown(struct sim_ictx *ictx)
{
	unsigned int destroyed;
	uint32_t id;

	do {
		destroyed = 0;
		for (id = 1; id < ictx->cap; id++) {
			struct sim_obj *o = ictx->objs[id];

			if (o && o->live && o->type != SIM_TOMBSTONE && o->users == 1) {
				sim_obj_remove(o);
				destroyed++;
			}
		}
	} while (destroyed);
	/* tombstones (and, were the counts ever wrong, the rest) go with the context */
	for (id = 1; id < ictx->cap; id++)
		free(ictx->objs[id]);
	free(ictx->objs);
	sim_ida_free(&ictx->ids);
}

void sim_ictx_put(struct sim_ictx *ictx)
{
	struct sim_ictx **p;

	if (--ictx->refs)
		return;
	ictx_teardown(ictx);
	for (p = &ictx->sim->ctxs; *p; p = &(*p)->next) {
		if (*p == ictx) {
			*p = ictx->next;
			break;
		}
	}
	free(ictx);
}

static int table_grow(struct sim_ictx *ictx)
{
	uint32_t cap = ictx->cap ? ictx->cap * 2 : 16;
	struct sim_obj **objs = sim_realloc(ictx->sim, ictx->objs, cap * sizeof(*objs));

	if (!objs)
		return -ENOMEM;
	memset(objs + ictx->cap, 0, (cap - ictx->cap) * sizeof(*objs));
	ictx->objs = objs;
	ictx->cap = cap;
	return 0;
}

/* A new object with its id reserved: invisible to lookups until sim_obj_finalize(). */
struct sim_obj *sim_obj_new(struct sim_ictx *ictx, enum sim_obj_type type)
{
	struct sim_obj *obj;
	uint32_t id;

	if (sim_ida_alloc(ictx->sim, &ictx->ids, &id) < 0)
		return NULL;
	while (id >= ictx->cap)
		if (table_grow(ictx) < 0)
			goto free_id;
	obj = sim_calloc(ictx->sim, 1, sizeof(*obj));
	if (!obj)
		goto free_id;
	obj->id = id;
	obj->type = type;
	obj->ictx = ictx;
	ictx->objs[id] = obj;
	ictx->nobjs++;
	return obj;

free_id:
	sim_ida_remove(&ictx->ids, id);
	return NULL;
}

static void obj_unpublish(struct sim_obj *obj)
{
	struct sim_ictx *ictx = obj->ictx;

	ictx->objs[obj->id] = NULL;
	sim_ida_remove(&ictx->ids, obj->id);
	ictx->nobjs--;
}

/* A creation that failed: its id is free again, as if nothing happened. */
void sim_obj_abort(struct sim_obj *obj)
{
	obj_unpublish(obj);
	free(obj);
}

/* Published: the table's own reference joins whatever the creation already took. */
void sim_obj_finalize(struct sim_obj *obj)
{
	obj->live = true;
	obj->users++;
}

struct sim_obj *sim_obj_any(struct sim_ictx *ictx, uint32_t id)
{
	struct sim_obj *o;

	if (!id || id >= ictx->cap)
		return NULL;
	o = ictx->objs[id];
	/* reserved and tombstoned ids are not there for lookups */
	if (!o || !o->live || o->type == SIM_TOMBSTONE)
		return NULL;
	return o;
}

struct sim_obj *sim_obj_get(struct sim_ictx *ictx, uint32_t id, enum sim_obj_type type)
{
	struct sim_obj *o = sim_obj_any(ictx, id);

	return o && o->type == type ? o : NULL;
}

void sim_obj_remove(struct sim_obj *obj)
{
	obj_unpublish(obj);
	obj_release(obj);
	free(obj);
}

/* IOMMU_DESTROY: -ENOENT for no such (or a reserved, tombstoned) id, -EBUSY when in use. */
int sim_obj_destroy_id(struct sim_ictx *ictx, uint32_t id)
{
	struct sim_obj *o = sim_obj_any(ictx, id);

	if (!o)
		return -ENOENT;
	if (o->users != 1)
		return -EBUSY;
	sim_obj_remove(o);
	return 0;
}

/* The vDEVICE of an unbound device: destroyed, but its id stays taken until close. */
void sim_obj_tombstone(struct sim_obj *obj)
{
	obj_release(obj);
	memset(&obj->u, 0, sizeof(obj->u));
	obj->type = SIM_TOMBSTONE;
}
