// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The vSMMUv3 accel model: the seed's set/unset_iommu_device, GBPA, STE install,
 * invalidation and events, on top of the typed wrappers. Every multi-step operation unwinds
 * in reverse order on failure, and the registry always says what the kernel holds.
 *
 * Ownership: the vSMMU records itself (vs->owner) on every object it allocates and on every
 * device set on it. It destroys only through ish_destroy_owned() and attaches a device only
 * to an object it holds at that moment (or to the very S2 it found the device on), so an id
 * the kernel reused for somebody else is never touched. A forced hand destroy reaches
 * vsmmu_forget(), which drops the id.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "iommush/smmu.h"

#define STE0_CFG(w)	(((w) >> 1) & 7)
#define EVTQ_DEPTH_DEFAULT 64

static int reap_stale(struct ish_vsmmu *vs, struct ish_vsmmu_dev *d);

static const char *const role_names[] = {
	[ISH_ROLE_NONE] = "none", [ISH_ROLE_S2] = "s2-parent", [ISH_ROLE_BYPASS] = "bypass",
	[ISH_ROLE_ABORT] = "abort", [ISH_ROLE_TRANSLATE] = "translate", [ISH_ROLE_OTHER] = "other",
};

const char *ish_role_name(enum ish_role r)
{
	return (unsigned int)r <= ISH_ROLE_OTHER ? role_names[r] : "?";
}

struct ish_vsmmu *ish_vsmmu_find(struct ish_ctx *ctx, const char *name)
{
	struct ish_vsmmu *vs;

	/* a handful per context (one per physical SMMU a VM sees): a walk is the index */
	for (vs = ish_vsmmu_first(ctx); vs; vs = ish_vsmmu_next(vs))
		if (!strcmp(vs->name, name))
			return vs;
	return NULL;
}

struct ish_vsmmu *ish_vsmmu_first(struct ish_ctx *ctx)
{
	return ish_entry(ctx->vsmmus.first, struct ish_vsmmu, link);
}

struct ish_vsmmu *ish_vsmmu_next(const struct ish_vsmmu *vs)
{
	return ish_entry(vs->link.next, struct ish_vsmmu, link);
}

struct ish_vsmmu_dev *ish_vsmmu_dev_find(struct ish_vsmmu *vs, uint32_t dev_id)
{
	return ish_hmap_get(&vs->by_dev, dev_id);
}

struct ish_vsmmu_dev *ish_vsmmu_dev_by_vsid(struct ish_vsmmu *vs, uint32_t vsid)
{
	return ish_hmap_get(&vs->by_vsid, vsid);
}

struct ish_vsmmu_dev *ish_vsmmu_dev_first(const struct ish_vsmmu *vs)
{
	return ish_entry(vs->devs.first, struct ish_vsmmu_dev, link);
}

struct ish_vsmmu_dev *ish_vsmmu_dev_next(const struct ish_vsmmu_dev *d)
{
	return ish_entry(d->link.next, struct ish_vsmmu_dev, link);
}

static void vsmmu_forget(struct ish_owner *ow, uint32_t id);

/* the vSMMU behind an owner record, NULL when the owner is something else */
static struct ish_vsmmu *vsmmu_of_owner(struct ish_owner *ow)
{
	return ow && ow->forget == vsmmu_forget ? ish_container_of(ow, struct ish_vsmmu, owner) : NULL;
}

struct ish_vsmmu *ish_vsmmu_of_device(struct ish_ctx *ctx, uint32_t dev_id)
{
	struct ish_obj *dev = ish_obj_find(ctx, dev_id);

	if (!dev || dev->type != ISH_OBJ_DEVICE)
		return NULL;
	return vsmmu_of_owner(dev->owner);
}

/* ---- accessors -------------------------------------------------------------------------- */

const char *ish_vsmmu_name(const struct ish_vsmmu *vs) { return vs->name; }
uint32_t ish_vsmmu_ioas(const struct ish_vsmmu *vs) { return vs->ioas; }
const struct ish_vsmmu_cfg *ish_vsmmu_config(const struct ish_vsmmu *vs) { return &vs->cfg; }
const char *ish_vsmmu_iommu(const struct ish_vsmmu *vs) { return vs->iommu; }
uint32_t ish_vsmmu_s2_hwpt(const struct ish_vsmmu *vs) { return vs->s2_hwpt; }
uint32_t ish_vsmmu_viommu(const struct ish_vsmmu *vs) { return vs->viommu; }
uint32_t ish_vsmmu_abort_hwpt(const struct ish_vsmmu *vs) { return vs->abort_hwpt; }
uint32_t ish_vsmmu_bypass_hwpt(const struct ish_vsmmu *vs) { return vs->bypass_hwpt; }
uint32_t ish_vsmmu_veventq(const struct ish_vsmmu *vs) { return vs->veventq; }
bool ish_vsmmu_gbpa_abort(const struct ish_vsmmu *vs) { return vs->gbpa_abort; }
bool ish_vsmmu_enabled(const struct ish_vsmmu *vs) { return vs->enabled; }
bool ish_vsmmu_repeats_invalidations(const struct ish_vsmmu *vs) { return vs->repeat_inv; }
unsigned int ish_vsmmu_ndevs(const struct ish_vsmmu *vs) { return (unsigned int)vs->devs.n; }

bool ish_vsmmu_idr(const struct ish_vsmmu *vs, uint32_t idr[6])
{
	if (!vs->idr_valid)
		return false;
	memcpy(idr, vs->idr, sizeof(vs->idr));
	return true;
}

uint32_t ish_vsmmu_dev_id(const struct ish_vsmmu_dev *d) { return d->dev; }
uint32_t ish_vsmmu_dev_vsid(const struct ish_vsmmu_dev *d) { return d->vsid; }
uint32_t ish_vsmmu_dev_s2_hwpt(const struct ish_vsmmu_dev *d) { return d->s2_hwpt; }
uint32_t ish_vsmmu_dev_vdevice(const struct ish_vsmmu_dev *d) { return d->vdevice; }
uint32_t ish_vsmmu_dev_translate(const struct ish_vsmmu_dev *d) { return d->translate; }
uint32_t ish_vsmmu_dev_stale(const struct ish_vsmmu_dev *d) { return d->stale; }

bool ish_vsmmu_dev_ste(const struct ish_vsmmu_dev *d, uint64_t ste[2])
{
	if (!d->ste_set)
		return false;
	ste[0] = d->ste[0];
	ste[1] = d->ste[1];
	return true;
}

uint32_t ish_vsmmu_gbpa_hwpt(const struct ish_vsmmu *vs)
{
	return vs->gbpa_abort ? vs->abort_hwpt : vs->bypass_hwpt;
}

enum ish_role ish_vsmmu_role(struct ish_vsmmu *vs, uint32_t dev_id)
{
	struct ish_obj *dev = ish_obj_find(vs->ctx, dev_id);
	struct ish_vsmmu_dev *d = ish_vsmmu_dev_find(vs, dev_id);
	uint32_t pt;

	if (!dev || dev->type != ISH_OBJ_DEVICE || !dev->u.device.pt)
		return ISH_ROLE_NONE;
	pt = dev->u.device.pt;
	if (pt == vs->abort_hwpt)
		return ISH_ROLE_ABORT;
	if (pt == vs->bypass_hwpt)
		return ISH_ROLE_BYPASS;
	if (d && pt == d->translate)
		return ISH_ROLE_TRANSLATE;
	if ((d && pt == d->s2_hwpt) || pt == vs->s2_hwpt)
		return ISH_ROLE_S2;
	return ISH_ROLE_OTHER;
}

/* ---- ownership ----------------------------------------------------------------------------- */

static void own(struct ish_vsmmu *vs, uint32_t id)
{
	struct ish_obj *o = id ? ish_obj_find(vs->ctx, id) : NULL;

	if (o)
		o->owner = &vs->owner;
}

static bool owns(struct ish_vsmmu *vs, uint32_t id)
{
	struct ish_obj *o = id ? ish_obj_find(vs->ctx, id) : NULL;

	return o && o->owner == &vs->owner;
}

static int destroy(struct ish_vsmmu *vs, uint32_t id)
{
	return ish_destroy_owned(vs->ctx, id, &vs->owner);
}

static void dev_free(struct ish_vsmmu *vs, struct ish_vsmmu_dev *d)
{
	ish_hmap_del(&vs->by_dev, d->dev);
	ish_hmap_del(&vs->by_vsid, d->vsid);
	ish_list_unlink(&vs->devs, &d->link);
	free(d);
}

/*
 * A forced hand destroy freed @id: whatever the vSMMU recorded under it is gone. A device
 * operation that needs it later fails with the reason instead of touching a reused id.
 */
static void vsmmu_forget(struct ish_owner *ow, uint32_t id)
{
	struct ish_vsmmu *vs = ish_container_of(ow, struct ish_vsmmu, owner);
	uint32_t *ids[] = { &vs->viommu, &vs->abort_hwpt, &vs->bypass_hwpt, &vs->veventq };
	struct ish_vsmmu_dev *d, *next;
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (*ids[i] == id)
			*ids[i] = 0;
	for (d = ish_vsmmu_dev_first(vs); d; d = next) {
		next = ish_vsmmu_dev_next(d);
		if (d->vdevice == id)
			d->vdevice = 0;
		if (d->translate == id)
			d->translate = 0;
		if (d->stale == id)
			d->stale = 0;
		if (d->dev == id)
			dev_free(vs, d);
	}
}

/*
 * Attach a device the vSMMU holds to @pt: one of its own objects, or the device's S2 when it
 * is still the object the device was found on (same serial), never a reused id.
 */
static int attach(struct ish_vsmmu *vs, struct ish_vsmmu_dev *d, uint32_t pt, const char *what)
{
	struct ish_ctx *ctx = vs->ctx;
	struct ish_obj *o = pt ? ish_obj_find(ctx, pt) : NULL;

	if (!owns(vs, d->dev))
		return ish_fail(ctx, -ESTALE, "device %u is no longer held by vSMMU %s", d->dev,
				vs->name);
	if (pt && pt == d->s2_hwpt) {
		if (!o || o->serial != d->s2_serial)
			return ish_fail(ctx, -ESTALE, "the S2 HWPT %u device %u was set on is gone%s",
					pt, d->dev, o ? " (the id now names another object)" : "");
	} else if (!owns(vs, pt)) {
		return ish_fail(ctx, -ENOENT, "vSMMU %s has no %s HWPT%s", vs->name, what,
				pt ? " it still holds" : " (destroyed by hand)");
	}
	return ish_device_attach(ctx, d->dev, pt, NULL);
}

int ish_vsmmu_create(struct ish_ctx *ctx, const char *name, uint32_t ioas_id,
		     const struct ish_vsmmu_cfg *cfg, struct ish_vsmmu **out)
{
	struct ish_vsmmu *vs;
	struct ish_obj *ioas;
	int rc;

	if (!*name || strlen(name) >= sizeof(vs->name))
		return ish_fail(ctx, -EINVAL, "a vSMMU name has 1 to %zu characters",
				sizeof(vs->name) - 1);
	if (ish_vsmmu_find(ctx, name))
		return ish_fail(ctx, -EEXIST, "vSMMU %s already exists", name);
	rc = ish_obj_get(ctx, ioas_id, ISH_OBJ_IOAS, &ioas);
	if (rc < 0)
		return rc;
	vs = calloc(1, sizeof(*vs));
	if (!vs)
		return -ENOMEM;
	snprintf(vs->name, sizeof(vs->name), "%s", name);
	vs->ctx = ctx;
	vs->owner.name = vs->name;
	vs->owner.forget = vsmmu_forget;
	vs->ioas = ioas_id;
	vs->cfg = *cfg;
	if (!vs->cfg.evtq_depth)
		vs->cfg.evtq_depth = EVTQ_DEPTH_DEFAULT;
	if (!cfg->auto_features) {
		memcpy(vs->idr, cfg->idr, sizeof(vs->idr));
		vs->idr_valid = true;
	}
	vs->gbpa_abort = cfg->gbpa_abort;
	vs->enabled = cfg->enabled;
	ish_list_append(&ctx->vsmmus, &vs->link);
	*out = vs;
	return 0;
}

/* ---- host compatibility (seed: what the vSMMU advertises must hold on the host) ---------- */

enum compat_rule { AT_MOST, SUBSET, ENDIAN };

static const struct {
	const char *field;
	enum compat_rule rule;
} compat_fields[] = {
	{ "S1P", AT_MOST }, { "ST_LEVEL", AT_MOST }, { "TTENDIAN", ENDIAN }, { "TTF", SUBSET },
	{ "SIDSIZE", AT_MOST }, { "SSIDSIZE", AT_MOST }, { "RIL", AT_MOST }, { "OAS", AT_MOST },
	{ "ATS", AT_MOST }, { "GRAN4K", AT_MOST }, { "GRAN16K", AT_MOST }, { "GRAN64K", AT_MOST },
};

static bool endian_ok(uint32_t host, uint32_t v)
{
	/* 0 = mixed serves both; 2 = little, 3 = big */
	return host == v || host == 0;
}

static int check_compat(struct ish_vsmmu *vs, const struct ish_hw_info *hw)
{
	size_t i;

	if (hw->type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
		return ish_fail(vs->ctx, -EOPNOTSUPP, "the device's IOMMU is not an ARM SMMUv3 "
				"(hw info type %u)", hw->type);
	for (i = 0; i < sizeof(compat_fields) / sizeof(compat_fields[0]); i++) {
		const struct ish_idr_field *f = ish_idr_find(compat_fields[i].field);
		uint32_t h, v;
		bool ok;

		if (!f)
			continue;
		h = ish_idr_get(f, hw->smmu.idr);
		v = ish_idr_get(f, vs->idr);
		switch (compat_fields[i].rule) {
		case AT_MOST:
			ok = v <= h;
			break;
		case SUBSET:
			ok = (v & h) == v;
			break;
		default:
			ok = endian_ok(h, v);
			break;
		}
		if (!ok)
			return ish_fail(vs->ctx, -EINVAL, "host SMMU incompatible with vSMMU %s: "
					"%s host %u (%s), vSMMU %u (%s)", vs->name, f->name, h,
					ish_idr_value_name(f, h), v, ish_idr_value_name(f, v));
	}
	return 0;
}

static int device_hw_info(struct ish_ctx *ctx, struct ish_obj *dev)
{
	struct ish_hw_info hw;

	if (dev->u.device.hw_valid)
		return 0;
	return ish_get_hw_info(ctx, dev->id, &hw);
}

/* ---- S2: what VFIO core does before the vSMMU sees the device ---------------------------- */

static struct ish_obj *find_nest_parent(struct ish_ctx *ctx, uint32_t ioas_id, const char *iommu)
{
	struct ish_obj *o;

	/* paging HWPTs are few (one per IOAS and SMMU, and the kernel shares auto domains) */
	for (o = ish_obj_first_of(ctx, ISH_OBJ_HWPT_PAGING); o; o = ish_obj_next_of(o))
		if (o->parent == ioas_id && (o->flags & IOMMU_HWPT_ALLOC_NEST_PARENT) &&
		    !strcmp(o->iommu, iommu))
			return o;
	return NULL;
}

static int s2_attach(struct ish_ctx *ctx, uint32_t dev_id, uint32_t ioas_id, uint32_t *hwpt_id,
		     bool *made_parent)
{
	struct ish_obj *dev, *ioas, *cur, *parent;
	uint32_t id;
	bool made = false;
	int rc;

	rc = ish_obj_get(ctx, dev_id, ISH_OBJ_DEVICE, &dev);
	if (rc < 0)
		return rc;
	rc = ish_obj_get(ctx, ioas_id, ISH_OBJ_IOAS, &ioas);
	if (rc < 0)
		return rc;
	cur = ish_obj_find(ctx, dev->u.device.pt);
	*made_parent = false;
	if (cur && cur->type == ISH_OBJ_HWPT_PAGING && cur->parent == ioas_id &&
	    (cur->flags & IOMMU_HWPT_ALLOC_NEST_PARENT)) {
		*hwpt_id = cur->id;
		return 0;
	}
	rc = device_hw_info(ctx, dev);
	if (rc < 0)
		return rc;
	parent = find_nest_parent(ctx, ioas_id, dev->u.device.pci.iommu);
	if (parent) {
		id = parent->id;
	} else {
		rc = ish_hwpt_alloc(ctx, dev_id, ioas_id, IOMMU_HWPT_ALLOC_NEST_PARENT,
				    IOMMU_HWPT_DATA_NONE, NULL, 0, &id);
		if (rc < 0)
			return rc;
		made = true;
	}
	rc = ish_device_attach(ctx, dev_id, id, NULL);
	if (rc < 0)
		goto free_parent;
	*hwpt_id = id;
	*made_parent = made;
	return 0;

free_parent:
	if (made)
		ish_destroy(ctx, id);
	return rc;
}

int ish_s2_attach(struct ish_ctx *ctx, uint32_t dev_id, uint32_t ioas_id, uint32_t *hwpt_id)
{
	bool made;

	return s2_attach(ctx, dev_id, ioas_id, hwpt_id, &made);
}

/* ---- set / unset ---------------------------------------------------------------------------- */

/* The first device's part of set: the vIOMMU, both proxies, the vEVENTQ, the GBPA proxy. */
static int alloc_viommu(struct ish_vsmmu *vs, struct ish_vsmmu_dev *d, struct ish_obj *dev)
{
	static const uint64_t abort_ste[2] = { ISH_STE_V, 0 };
	static const uint64_t bypass_ste[2] = { ISH_STE_V | (ISH_STE_CFG_BYPASS << 1), 0 };
	struct ish_ctx *ctx = vs->ctx;
	int rc;

	rc = ish_viommu_alloc(ctx, dev->id, d->s2_hwpt, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &vs->viommu);
	if (rc < 0)
		return rc;
	own(vs, vs->viommu);
	rc = ish_hwpt_alloc_nested(ctx, dev->id, vs->viommu, abort_ste, &vs->abort_hwpt);
	if (rc < 0)
		goto free_viommu;
	own(vs, vs->abort_hwpt);
	rc = ish_hwpt_alloc_nested(ctx, dev->id, vs->viommu, bypass_ste, &vs->bypass_hwpt);
	if (rc < 0)
		goto free_abort;
	own(vs, vs->bypass_hwpt);
	if (vs->cfg.events) {
		rc = ish_veventq_alloc(ctx, vs->viommu, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
				       vs->cfg.evtq_depth, &vs->veventq);
		if (rc < 0)
			goto free_bypass;
		own(vs, vs->veventq);
	}
	rc = attach(vs, d, ish_vsmmu_gbpa_hwpt(vs), vs->gbpa_abort ? "abort" : "bypass");
	if (rc < 0)
		goto free_veventq;
	vs->s2_hwpt = d->s2_hwpt;
	snprintf(vs->iommu, sizeof(vs->iommu), "%s", dev->u.device.pci.iommu);
	/* the vIOMMU's host SMMU is this device's: its hw info says whether to repeat */
	vs->repeat_inv = dev->u.device.hw_valid &&
			 (dev->u.device.hw.smmu.flags & IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_REPEAT_TLBI_CFGI);
	return 0;

free_veventq:
	if (vs->veventq)
		destroy(vs, vs->veventq);
	vs->veventq = 0;
free_bypass:
	destroy(vs, vs->bypass_hwpt);
	vs->bypass_hwpt = 0;
free_abort:
	destroy(vs, vs->abort_hwpt);
	vs->abort_hwpt = 0;
free_viommu:
	destroy(vs, vs->viommu);
	vs->viommu = 0;
	return rc;
}

/*
 * Free what the last device leaves behind: vEVENTQ, bypass, abort, vIOMMU, in that order.
 * A failure stops here with the rest still recorded, so a later call can finish the job.
 */
static int release_viommu(struct ish_vsmmu *vs)
{
	uint32_t *ids[] = { &vs->veventq, &vs->bypass_hwpt, &vs->abort_hwpt, &vs->viommu };
	size_t i;
	int rc;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (!*ids[i])
			continue;
		rc = destroy(vs, *ids[i]);
		if (rc < 0)
			return rc;
		*ids[i] = 0;
	}
	vs->s2_hwpt = 0;
	vs->iommu[0] = '\0';
	vs->repeat_inv = false;
	if (vs->cfg.auto_features)
		vs->idr_valid = false;
	return 0;
}

static struct ish_obj *parent_of(struct ish_ctx *ctx, struct ish_obj *dev, uint32_t ioas_id)
{
	struct ish_obj *pt = ish_obj_find(ctx, dev->u.device.pt);

	if (pt && pt->type == ISH_OBJ_HWPT_PAGING && pt->parent == ioas_id &&
	    (pt->flags & IOMMU_HWPT_ALLOC_NEST_PARENT))
		return pt;
	return NULL;
}

/* A vSID the guest could not name: beyond the StreamID bits the vSMMU advertises (IDR1.SIDSIZE). */
static int check_vsid(struct ish_vsmmu *vs, uint32_t vsid)
{
	const struct ish_idr_field *f = ish_idr_find("SIDSIZE");
	uint32_t bits = f ? ish_idr_get(f, vs->idr) : 32;

	if (vs->ctx->dry_run)	/* the hw info of a dry run is made up: nothing to judge by */
		return 0;

	if (bits < 32 && vsid >> bits)
		return ish_fail(vs->ctx, -ERANGE, "vSID 0x%x does not fit the %u StreamID bits vSMMU "
				"%s advertises (SIDSIZE=%u): a guest could never name it", vsid, bits,
				vs->name, bits);
	return 0;
}

/* The refusals that need no kernel call, made before anything moves. */
static int plug_checks(struct ish_vsmmu *vs, struct ish_obj *dev, uint32_t vsid)
{
	struct ish_ctx *ctx = vs->ctx;
	struct ish_vsmmu *other = vsmmu_of_owner(dev->owner);
	struct ish_vsmmu_dev *d = ish_vsmmu_dev_by_vsid(vs, vsid);

	if (other && other != vs)
		return ish_fail(ctx, -EBUSY, "device %u is already set on vSMMU %s", dev->id,
				other->name);
	if (d && d->dev != dev->id)
		return ish_fail(ctx, -EEXIST, "vSID 0x%x of vSMMU %s is already device %u",
				vsid, vs->name, d->dev);
	if (vs->viommu && vs->abort_hwpt && strcmp(dev->u.device.pci.iommu, vs->iommu))
		return ish_fail(ctx, -EXDEV, "device %u is behind %s, but vSMMU %s's vIOMMU is on %s",
				dev->id, dev->u.device.pci.iommu[0] ? dev->u.device.pci.iommu : "?",
				vs->name, vs->iommu);
	/* with the IDRs fixed (by a device, or given in full) the vSID is judged now */
	return vs->idr_valid ? check_vsid(vs, vsid) : 0;
}

static int set_checks(struct ish_vsmmu *vs, struct ish_obj *dev, uint32_t vsid)
{
	int rc = plug_checks(vs, dev, vsid);

	if (rc < 0)
		return rc;
	if (!parent_of(vs->ctx, dev, vs->ioas))
		return ish_fail(vs->ctx, -EINVAL, "device %u is not attached to a nest-parent HWPT "
				"of IOAS %u (the S2 of vSMMU %s)", dev->id, vs->ioas, vs->name);
	return 0;
}

/* Record a device as the vSMMU's: its entry, both indexes, and the owner on the device. */
static int dev_add(struct ish_vsmmu *vs, struct ish_obj *dev, uint32_t vsid,
		   struct ish_vsmmu_dev **out)
{
	struct ish_obj *s2 = parent_of(vs->ctx, dev, vs->ioas);
	struct ish_vsmmu_dev *d = calloc(1, sizeof(*d));
	int rc;

	if (!d)
		return -ENOMEM;
	d->dev = dev->id;
	d->vsid = vsid;
	d->s2_hwpt = s2->id;
	d->s2_serial = s2->serial;
	rc = ish_hmap_put(&vs->by_dev, d->dev, d);
	if (rc < 0)
		goto free_d;
	rc = ish_hmap_put(&vs->by_vsid, vsid, d);
	if (rc < 0)
		goto unindex_dev;
	ish_list_append(&vs->devs, &d->link);
	dev->owner = &vs->owner;
	*out = d;
	return 0;

unindex_dev:
	ish_hmap_del(&vs->by_dev, d->dev);
free_d:
	free(d);
	return rc;
}

static void dev_drop(struct ish_vsmmu *vs, struct ish_vsmmu_dev *d)
{
	ish_disown(vs->ctx, d->dev, &vs->owner);
	dev_free(vs, d);
}

int ish_vsmmu_set_device(struct ish_vsmmu *vs, uint32_t dev_id, uint32_t vsid)
{
	struct ish_ctx *ctx = vs->ctx;
	struct ish_vsmmu_dev *d;
	struct ish_obj *dev;
	bool first;
	int rc;

	rc = ish_obj_get(ctx, dev_id, ISH_OBJ_DEVICE, &dev);
	if (rc < 0)
		return rc;
	d = ish_vsmmu_dev_find(vs, dev_id);
	if (d) {
		if (d->vsid == vsid)
			return 0;
		return ish_fail(ctx, -EEXIST, "device %u is already set on vSMMU %s with vSID 0x%x",
				dev_id, vs->name, d->vsid);
	}
	rc = set_checks(vs, dev, vsid);
	if (rc < 0)
		return rc;
	if (vs->viommu && !vs->abort_hwpt) {
		rc = release_viommu(vs);
		if (rc < 0)
			return rc;
	}
	rc = device_hw_info(ctx, dev);
	if (rc < 0)
		return rc;
	first = !vs->viommu;
	if (!vs->idr_valid) {
		unsigned int i;

		/* "auto": the host's IDRs, with the fields the user forced */
		for (i = 0; i < 6; i++)
			vs->idr[i] = (dev->u.device.hw.smmu.idr[i] & ~vs->cfg.idr_mask[i]) |
				     (vs->cfg.idr[i] & vs->cfg.idr_mask[i]);
		vs->idr_valid = true;
	}
	rc = check_compat(vs, &dev->u.device.hw);
	if (rc < 0)
		goto forget_idr;
	rc = check_vsid(vs, vsid);
	if (rc < 0)
		goto forget_idr;
	rc = dev_add(vs, dev, vsid, &d);
	if (rc < 0)
		goto forget_idr;
	if (first)
		rc = alloc_viommu(vs, d, dev);
	else
		rc = attach(vs, d, ish_vsmmu_gbpa_hwpt(vs), vs->gbpa_abort ? "abort" : "bypass");
	if (rc < 0)
		goto drop_dev;
	return 0;

drop_dev:
	dev_drop(vs, d);
forget_idr:
	if (first && vs->cfg.auto_features)
		vs->idr_valid = false;
	return rc;
}

int ish_vsmmu_plug(struct ish_vsmmu *vs, uint32_t dev_id, uint32_t vsid)
{
	struct ish_ctx *ctx = vs->ctx;
	struct ish_obj *dev, *old;
	uint32_t old_pt, s2;
	bool made;
	int rc;

	rc = ish_obj_get(ctx, dev_id, ISH_OBJ_DEVICE, &dev);
	if (rc < 0)
		return rc;
	if (ish_vsmmu_dev_find(vs, dev_id))
		return ish_vsmmu_set_device(vs, dev_id, vsid);
	rc = plug_checks(vs, dev, vsid);
	if (rc < 0)
		return rc;
	/* an auto HWPT dies when the device leaves it: going back means its IOAS */
	old_pt = dev->u.device.pt;
	old = ish_obj_find(ctx, old_pt);
	if (old && old->type == ISH_OBJ_HWPT_PAGING && (old->flags & ISH_HWPT_AUTO))
		old_pt = old->parent;
	rc = s2_attach(ctx, dev_id, vs->ioas, &s2, &made);
	if (rc < 0)
		return rc;
	rc = ish_vsmmu_set_device(vs, dev_id, vsid);
	if (rc < 0)
		goto undo_s2;
	return 0;

undo_s2:
	/* the refusal's message stays: the first failure is the one reported */
	if (old_pt != s2) {
		if (old_pt)
			ish_device_attach(ctx, dev_id, old_pt, NULL);
		else
			ish_device_detach(ctx, dev_id);
		if (made)
			ish_destroy(ctx, s2);
	}
	return rc;
}

int ish_vsmmu_unset_device(struct ish_vsmmu *vs, uint32_t dev_id)
{
	struct ish_vsmmu_dev *d = ish_vsmmu_dev_find(vs, dev_id);
	int rc;

	if (!d)
		return 0;
	/* back to the S2 parent first: the proxies and its translate HWPT become free */
	rc = attach(vs, d, d->s2_hwpt, "S2");
	if (rc < 0)
		return rc;
	rc = reap_stale(vs, d);
	if (rc < 0)
		return rc;
	if (d->translate) {
		rc = destroy(vs, d->translate);
		if (rc < 0)
			return rc;
		d->translate = 0;
	}
	if (d->vdevice) {
		rc = destroy(vs, d->vdevice);
		if (rc < 0)
			return rc;
		d->vdevice = 0;
	}
	dev_drop(vs, d);
	if (!vs->devs.n)
		return release_viommu(vs);
	return 0;
}

/* ---- where a device belongs, and moving it there --------------------------------------- */

/* Where a device should be for its STE: ABORT or BYPASS (a proxy), or TRANSLATE. */
static enum ish_role place_for(const struct ish_vsmmu_dev *d, bool gbpa_abort, bool enabled)
{
	uint64_t cfg;

	if (!enabled || !d->ste_set)
		return gbpa_abort ? ISH_ROLE_ABORT : ISH_ROLE_BYPASS;
	if (!(d->ste[0] & ISH_STE_V))
		return ISH_ROLE_ABORT;
	cfg = STE0_CFG(d->ste[0]);
	if (cfg == ISH_STE_CFG_BYPASS)
		return ISH_ROLE_BYPASS;
	if (cfg == ISH_STE_CFG_S1_TRANS)
		return ISH_ROLE_TRANSLATE;
	return ISH_ROLE_ABORT;
}

static uint32_t proxy_id(const struct ish_vsmmu *vs, enum ish_role r)
{
	return r == ISH_ROLE_ABORT ? vs->abort_hwpt : vs->bypass_hwpt;
}

static uint32_t current_pt(struct ish_ctx *ctx, uint32_t dev_id)
{
	struct ish_obj *dev = ish_obj_find(ctx, dev_id);

	return dev && dev->type == ISH_OBJ_DEVICE ? dev->u.device.pt : 0;
}

/* ---- STE install ------------------------------------------------------------------------- */

/* A replaced translate HWPT that could not be freed is retried before anything else. */
static int reap_stale(struct ish_vsmmu *vs, struct ish_vsmmu_dev *d)
{
	int rc;

	if (!d->stale)
		return 0;
	rc = destroy(vs, d->stale);
	if (rc < 0)
		return rc;
	d->stale = 0;
	return 0;
}

/* Free the translate HWPT the device just left; on failure it stays recorded as stale. */
static int drop_translate(struct ish_vsmmu *vs, struct ish_vsmmu_dev *d, uint32_t old)
{
	int rc = destroy(vs, old);

	if (rc < 0) {
		d->stale = old;
		return ish_fail(vs->ctx, rc, "the device moved, but its previous translate HWPT %u "
				"could not be freed yet (retried on the next change)", old);
	}
	return 0;
}

/* Allocate and attach a translate HWPT for the device's STE, then free the previous one. */
static int attach_translate(struct ish_vsmmu *vs, struct ish_vsmmu_dev *d, const uint64_t ste[2])
{
	struct ish_ctx *ctx = vs->ctx;
	uint64_t masked[2] = { ste[0] & ISH_STE0_NESTING_ALLOWED, ste[1] & ISH_STE1_NESTING_ALLOWED };
	uint32_t id, old = d->translate;
	int rc;

	rc = reap_stale(vs, d);
	if (rc < 0)
		return rc;
	if (!vs->viommu)
		return ish_fail(ctx, -ENOENT, "vSMMU %s has no vIOMMU (destroyed by hand)", vs->name);
	rc = ish_hwpt_alloc_nested(ctx, d->dev, vs->viommu, masked, &id);
	if (rc < 0)
		return rc;
	own(vs, id);
	rc = attach(vs, d, id, "translate");
	if (rc < 0)
		goto free_new;
	d->translate = id;
	return old ? drop_translate(vs, d, old) : 0;

free_new:
	destroy(vs, id);
	return rc;
}

static int move_to_proxy(struct ish_vsmmu *vs, struct ish_vsmmu_dev *d, enum ish_role r)
{
	struct ish_ctx *ctx = vs->ctx;
	uint32_t old = d->translate, proxy = proxy_id(vs, r);
	int rc;

	rc = reap_stale(vs, d);
	if (rc < 0)
		return rc;
	if (!proxy || proxy != current_pt(ctx, d->dev)) {
		rc = attach(vs, d, proxy, ish_role_name(r));
		if (rc < 0)
			return rc;
	}
	d->translate = 0;
	return old ? drop_translate(vs, d, old) : 0;
}

static int check_ste(struct ish_vsmmu *vs, const uint64_t ste[2])
{
	uint64_t cfg = STE0_CFG(ste[0]);

	if (!(ste[0] & ISH_STE_V))
		return 0;
	if (cfg != ISH_STE_CFG_ABORT && cfg != ISH_STE_CFG_BYPASS && cfg != ISH_STE_CFG_S1_TRANS)
		/* EIO, as the kernel answers invalid STE data */
		return ish_fail(vs->ctx, -EIO, "STE Config=%u (%s) is not one a stage-1 vSMMU "
				"accepts (abort, bypass, s1-translate)", (unsigned int)cfg,
				ish_ste_config_name((unsigned int)cfg));
	return 0;
}

int ish_vsmmu_install_ste(struct ish_vsmmu *vs, uint32_t dev_id, const uint64_t ste[2])
{
	struct ish_ctx *ctx = vs->ctx;
	struct ish_vsmmu_dev *d = ish_vsmmu_dev_find(vs, dev_id), saved;
	enum ish_role r;
	uint32_t before;
	int rc;

	if (!d)
		return ish_fail(ctx, -ENOENT, "device %u is not set on vSMMU %s", dev_id, vs->name);
	/* the guest SID is known from the first install on, whatever the STE says */
	if (!d->vdevice) {
		if (!vs->viommu)
			return ish_fail(ctx, -ENOENT, "vSMMU %s has no vIOMMU (destroyed by hand)",
					vs->name);
		rc = ish_vdevice_alloc(ctx, vs->viommu, d->dev, d->vsid, &d->vdevice);
		if (rc < 0)
			return rc;
		own(vs, d->vdevice);
	}
	rc = check_ste(vs, ste);
	if (rc < 0)
		return rc;
	saved = *d;
	before = current_pt(ctx, d->dev);
	d->ste[0] = ste[0];
	d->ste[1] = ste[1];
	d->ste_set = true;
	r = place_for(d, vs->gbpa_abort, vs->enabled);
	rc = r == ISH_ROLE_TRANSLATE ? attach_translate(vs, d, ste) : move_to_proxy(vs, d, r);
	if (rc < 0 && current_pt(ctx, d->dev) == before && d->translate == saved.translate) {
		/* refused before the device moved: it stays exactly where it was */
		d->ste[0] = saved.ste[0];
		d->ste[1] = saved.ste[1];
		d->ste_set = saved.ste_set;
	}
	return rc;
}

int ish_vsmmu_install_range(struct ish_vsmmu *vs, uint32_t lo, uint32_t hi, const uint64_t ste[2],
			    int *first_err, uint32_t *failed_dev)
{
	struct ish_vsmmu_dev *d;
	int n = 0, rc;

	*first_err = 0;
	*failed_dev = 0;
	for (d = ish_vsmmu_dev_first(vs); d; d = ish_vsmmu_dev_next(d)) {
		if (d->vsid < lo || d->vsid > hi)
			continue;
		rc = ish_vsmmu_install_ste(vs, d->dev, ste);
		if (rc < 0) {
			if (!*first_err) {
				/* the message kept is this failure's, even if it gave none */
				*first_err = ish_fail_mark(vs->ctx, rc);
				*failed_dev = d->dev;
			}
			continue;
		}
		n++;
	}
	return n;
}

/* Put one device where (gbpa_abort, enabled) and its STE say. */
static int place(struct ish_vsmmu *vs, struct ish_vsmmu_dev *d, bool gbpa_abort, bool enabled)
{
	enum ish_role r = place_for(d, gbpa_abort, enabled);

	if (r != ISH_ROLE_TRANSLATE)
		return move_to_proxy(vs, d, r);
	if (d->translate && current_pt(vs->ctx, d->dev) == d->translate)
		return 0;
	return attach_translate(vs, d, d->ste);
}

/* whether a device moves when (GBPA, SMMUEN) goes from the vSMMU's to these */
static bool moves(const struct ish_vsmmu *vs, const struct ish_vsmmu_dev *d, bool gbpa_abort,
		  bool enabled)
{
	enum ish_role to = place_for(d, gbpa_abort, enabled);

	return to != place_for(d, vs->gbpa_abort, vs->enabled) ||
	       (to == ISH_ROLE_TRANSLATE && !d->translate);
}

/*
 * GBPA or SMMUEN changed: move every device whose place changes. On failure the devices
 * already moved go back, newest first, and the state stays as it was.
 */
static int retarget(struct ish_vsmmu *vs, bool gbpa_abort, bool enabled)
{
	struct ish_vsmmu_dev *d, **moved;
	size_t i = 0;
	int rc = 0;

	if (!vs->viommu)
		goto done;
	moved = calloc(vs->devs.n ? vs->devs.n : 1, sizeof(*moved));
	if (!moved)
		return -ENOMEM;
	for (d = ish_vsmmu_dev_first(vs); d; d = ish_vsmmu_dev_next(d)) {
		if (!moves(vs, d, gbpa_abort, enabled))
			continue;
		rc = place(vs, d, gbpa_abort, enabled);
		if (rc < 0)
			break;
		moved[i++] = d;
	}
	if (rc < 0)
		while (i--)
			place(vs, moved[i], vs->gbpa_abort, vs->enabled);
	free(moved);
	if (rc < 0)
		return rc;
done:
	vs->gbpa_abort = gbpa_abort;
	vs->enabled = enabled;
	return 0;
}

int ish_vsmmu_set_gbpa(struct ish_vsmmu *vs, bool abort)
{
	return abort == vs->gbpa_abort ? 0 : retarget(vs, abort, vs->enabled);
}

int ish_vsmmu_set_enabled(struct ish_vsmmu *vs, bool enabled)
{
	return enabled == vs->enabled ? 0 : retarget(vs, vs->gbpa_abort, enabled);
}

/* ---- invalidation and events --------------------------------------------------------------- */

/* what the T264-SMMU-3 erratum covers: the CFGI_* and TLBI_* opcodes (not ATC_INV) */
static bool tlbi_or_cfgi(const uint64_t cmd[2])
{
	uint8_t op = (uint8_t)cmd[0];

	return (op >= ISH_CMD_CFGI_STE && op <= 0x07) ||
	       (op >= ISH_CMD_TLBI_NH_ALL && op <= ISH_CMD_TLBI_NSNH_ALL);
}

/*
 * The erratum's second pass: the batch's TLBI and CFGI commands again, in their order, in one
 * more call (which, like every vIOMMU invalidation, the kernel ends with a CMD_SYNC). O(n).
 */
static int repeat_invalidate(struct ish_vsmmu *vs, const uint64_t (*cmds)[2], uint32_t n)
{
	uint64_t (*again)[2] = NULL;
	const uint64_t (*send)[2] = cmds;
	uint32_t i, m = 0, done = 0, *from = NULL;
	int rc;

	for (i = 0; i < n; i++)
		m += tlbi_or_cfgi(cmds[i]);
	if (!m)
		return 0;
	if (m < n) {
		again = malloc(m * sizeof(*again));
		from = malloc(m * sizeof(*from));
		if (!again || !from) {
			rc = ish_fail(vs->ctx, -ENOMEM, "no memory to repeat %u invalidations", m);
			goto free_copy;
		}
		for (i = 0, m = 0; i < n; i++) {
			if (!tlbi_or_cfgi(cmds[i]))
				continue;
			again[m][0] = cmds[i][0];
			again[m][1] = cmds[i][1];
			from[m++] = i;
		}
		send = (const uint64_t (*)[2])again;
	}
	rc = ish_invalidate(vs->ctx, vs->viommu, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, send,
			    sizeof(send[0]), m, &done);
	rc = ish_invalidate_explain(vs->ctx, vs->viommu, send, m, done, rc);
	if (rc < 0 && !ish_err_has_msg(vs->ctx))
		rc = ish_fail(vs->ctx, rc, "the erratum's repeat of the TLBI/CFGI commands failed at "
			      "command %u of the batch", from ? from[done < m ? done : m - 1] : done);
free_copy:
	free(from);
	free(again);
	return rc;
}

int ish_vsmmu_invalidate(struct ish_vsmmu *vs, const uint64_t (*cmds)[2], uint32_t n,
			 uint32_t *done)
{
	int rc;

	*done = 0;
	if (!vs->viommu)
		return ish_fail(vs->ctx, -ENODEV, "vSMMU %s has no vIOMMU yet (no device set)",
				vs->name);
	rc = ish_invalidate(vs->ctx, vs->viommu, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
			    sizeof(cmds[0]), n, done);
	rc = ish_invalidate_explain(vs->ctx, vs->viommu, cmds, n, *done, rc);
	if (rc < 0 || !vs->repeat_inv)
		return rc;
	return repeat_invalidate(vs, cmds, n);
}

int ish_vsmmu_read_events(struct ish_vsmmu *vs, struct ish_vevent *ev, size_t max, int timeout_ms)
{
	if (!vs->veventq)
		return ish_fail(vs->ctx, -ENOENT, "vSMMU %s has no event queue%s", vs->name,
				!vs->cfg.events ? " (create it with events)" :
				vs->viommu ? " any more (it was destroyed by hand)" :
				" yet (no device set)");
	return ish_veventq_read(vs->ctx, vs->veventq, ev, max, timeout_ms);
}

/* ---- teardown ------------------------------------------------------------------------------- */

static void vsmmu_free(struct ish_vsmmu *vs)
{
	struct ish_vsmmu_dev *d;

	while ((d = ish_vsmmu_dev_first(vs)))
		dev_free(vs, d);
	ish_hmap_free(&vs->by_dev);
	ish_hmap_free(&vs->by_vsid);
	ish_list_unlink(&vs->ctx->vsmmus, &vs->link);
	free(vs);
}

int ish_vsmmu_destroy(struct ish_vsmmu *vs)
{
	struct ish_vsmmu_dev *d;
	int rc;

	/* newest device first, as a VMM unplugs them */
	while ((d = ish_entry(vs->devs.last, struct ish_vsmmu_dev, link))) {
		rc = ish_vsmmu_unset_device(vs, d->dev);
		if (rc < 0)
			return rc;
	}
	rc = release_viommu(vs);
	if (rc < 0)
		return rc;
	vsmmu_free(vs);
	return 0;
}

/*
 * Context teardown: unwind what can be unwound, newest vSMMU first; what cannot be is handed
 * back to the user (disowned: the registry still has it, and the context's teardown frees it).
 */
void ish_vsmmu_free_all(struct ish_ctx *ctx)
{
	struct ish_vsmmu *vs;
	struct ish_vsmmu_dev *d;

	while ((vs = ish_entry(ctx->vsmmus.last, struct ish_vsmmu, link))) {
		if (ish_vsmmu_destroy(vs) == 0)
			continue;
		for (d = ish_vsmmu_dev_first(vs); d; d = ish_vsmmu_dev_next(d)) {
			ish_disown(ctx, d->dev, &vs->owner);
			ish_disown(ctx, d->vdevice, &vs->owner);
			ish_disown(ctx, d->translate, &vs->owner);
			ish_disown(ctx, d->stale, &vs->owner);
		}
		ish_disown(ctx, vs->veventq, &vs->owner);
		ish_disown(ctx, vs->bypass_hwpt, &vs->owner);
		ish_disown(ctx, vs->abort_hwpt, &vs->owner);
		ish_disown(ctx, vs->viommu, &vs->owner);
		vsmmu_free(vs);
	}
}

/* ---- on demand: the vEVENTQ of a guest's CR0.EVENTQEN (the VMM front end) ------------------ */

/* the kernel's bound on veventq_depth (iommufd_veventq_alloc) */
#define VEVENTQ_DEPTH_MAX (1u << 19)

int ish_vsmmu_set_events(struct ish_vsmmu *vs, bool on, uint32_t depth)
{
	bool had = vs->veventq != 0;
	int rc;

	if (!on) {
		if (vs->veventq) {
			rc = destroy(vs, vs->veventq);
			if (rc < 0)
				return rc;
			vs->veventq = 0;
		}
		vs->cfg.events = false;
		return 0;
	}
	if (!depth || depth > VEVENTQ_DEPTH_MAX)
		return ish_fail(vs->ctx, -EINVAL, "a vEVENTQ holds 1 to %u records, not %u",
				VEVENTQ_DEPTH_MAX, depth);
	if (vs->viommu && !vs->veventq) {
		rc = ish_veventq_alloc(vs->ctx, vs->viommu, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, depth,
				       &vs->veventq);
		if (rc < 0)
			return rc;
		own(vs, vs->veventq);
	}
	vs->cfg.events = true;
	if (!had)
		vs->cfg.evtq_depth = depth;
	return 0;
}
