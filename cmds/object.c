// SPDX-License-Identifier: GPL-2.0-or-later
/* destroy and show: any object by id, and everything the context holds. */
#include <errno.h>
#include <string.h>
#include "iommush/smmu.h"
#include "iommush/vsmmu.h"
#include "cmds.h"

static int cmd_destroy(struct shell *sh, const struct sh_call *c)
{
	uint32_t id = (uint32_t)sh_num(c, "ID", 0);
	struct ish_obj *o = ish_obj_find(sh->ctx, id);

	if (o && ish_obj_type(o) == ISH_OBJ_DEVICE)
		return sh_fail(sh, -EINVAL, "%u is a device: device unbind it", id);
	return ish_destroy_flags(sh->ctx, id, sh_has(c, "force") ? ISH_DESTROY_FORCE : 0);
}

static const struct sh_arg destroy_args[] = {
	{ "ID", SH_POS, SH_T_ID, 0, NULL, "any object but a device (IOMMU_DESTROY)" },
	{ "force", SH_FLAG, SH_T_WORD, SH_OPT, NULL,
	  "destroy it even though a vSMMU holds it; the vSMMU forgets it" },
	{ NULL }
};

const struct sh_group sh_group_destroy = {
	"destroy", "destroy an object", NULL, (const struct sh_cmd[]) {
		{ NULL, "ID [force]", "Destroy an IOAS, HWPT, vIOMMU, vDEVICE or vEVENTQ "
		  "(IOMMU_DESTROY); one a vSMMU holds only with force.",
		  destroy_args, cmd_destroy, 0 },
		{ 0 }
	}
};

/* ---- show ---------------------------------------------------------------------------------- */

const char *cmd_device_role(struct shell *sh, const struct ish_obj *dev)
{
	struct ish_vsmmu *vs = ish_vsmmu_of_device(sh->ctx, ish_obj_id(dev));
	struct ish_obj *pt;
	uint64_t ste[2];

	if (vs)
		return ish_role_name(ish_vsmmu_role(vs, ish_obj_id(dev)));
	if (!ish_obj_device_pt(dev))
		return "none";
	pt = ish_obj_find(sh->ctx, ish_obj_device_pt(dev));
	if (!pt)
		return "other";
	if (ish_obj_type(pt) == ISH_OBJ_HWPT_PAGING)
		return ish_obj_flags(pt) & IOMMU_HWPT_ALLOC_NEST_PARENT ? "s2-parent" : "paging";
	if (!ish_obj_nested_ste(pt, ste))
		return "other";
	switch (ish_ste_config(ste)) {
	case ISH_STE_CFG_ABORT: return "abort";
	case ISH_STE_CFG_BYPASS: return "bypass";
	default: return "translate";
	}
}

static void show_device(struct shell *sh, const struct ish_obj *o)
{
	struct ish_vsmmu *vs = ish_vsmmu_of_device(sh->ctx, ish_obj_id(o));
	const char *role;

	pr_str(sh, PR_ANY, "bdf", "  %s", ish_obj_device_pci(o)->bdf);
	if (ish_obj_device_pt(o))
		pr_u64(sh, PR_ANY, "pt", "  pt %llu", ish_obj_device_pt(o));
	else
		pr_null(sh, "pt");
	role = cmd_device_role(sh, o);
	pr_str(sh, PR_TEXT, NULL, "  %s", role);
	pr_str(sh, PR_JSON, "role", NULL, strcmp(role, "none") ? role : NULL);	/* on no page table */
	if (ish_obj_device_vdevice(o))
		pr_u64(sh, PR_ANY, "vdevice", "  vdevice %llu", ish_obj_device_vdevice(o));
	else
		pr_null(sh, "vdevice");
	pr_str(sh, vs ? PR_ANY : PR_JSON, "vsmmu", "  vsmmu %s", vs ? ish_vsmmu_name(vs) : NULL);
	{
		const struct ish_obj *pt = ish_obj_find(sh->ctx, ish_obj_device_pt(o));

		/* on a nested HWPT: does the driver forward its faults (taken at attach)? */
		if (pt && ish_obj_type(pt) == ISH_OBJ_HWPT_NESTED) {
			bool fwd = ish_device_events_forwarded(sh->ctx, ish_obj_id(o), NULL, 0);

			pr_str(sh, PR_ANY, "events", "  events %s", fwd ? "forwarded" : "on-host");
		} else {
			pr_null(sh, "events");
		}
	}
}

/*
 * The device an object was made for, by id while that id still names it, and always by
 * address; then the physical SMMU the object is on.
 */
static void show_origin(struct shell *sh, const struct ish_obj *o)
{
	const char *bdf = ish_obj_dev_bdf(o), *iommu = ish_obj_iommu(o);
	bool alive = ish_obj_dev_alive(sh->ctx, o);

	if (alive) {
		pr_u64(sh, PR_ANY, "dev", "  dev %llu", ish_obj_dev(o));
	} else {
		pr_text(sh, "  dev -");
		pr_null(sh, "dev");
	}
	pr_str(sh, bdf[0] ? PR_ANY : PR_JSON, "dev_bdf", alive ? " (%s)" : " (was %s)",
	       bdf[0] ? bdf : NULL);
	pr_str(sh, iommu[0] ? PR_ANY : PR_JSON, "iommu", "  %s", iommu[0] ? iommu : NULL);
}

static void show_hwpt_flags(struct shell *sh, uint32_t flags)
{
	pr_bool(sh, PR_ANY, "nest_parent", "  nest-parent", flags & IOMMU_HWPT_ALLOC_NEST_PARENT);
	pr_bool(sh, PR_ANY, "dirty_tracking", "  dirty-tracking",
		flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	pr_bool(sh, PR_ANY, "auto", "  auto", flags & ISH_HWPT_AUTO);
}

static void show_obj(struct shell *sh, const struct ish_obj *o)
{
	uint64_t ste[2] = { 0, 0 };

	ish_obj_nested_ste(o, ste);
	pr_obj_open(sh, NULL);
	pr_u64(sh, PR_JSON, "id", NULL, ish_obj_id(o));
	pr_str(sh, PR_ANY, "type", "%-12s", ish_obj_type_name(ish_obj_type(o)));
	pr_u64(sh, PR_TEXT, NULL, " %llu", ish_obj_id(o));
	switch (ish_obj_type(o)) {
	case ISH_OBJ_DEVICE:
		show_device(sh, o);
		break;
	case ISH_OBJ_HWPT_PAGING:
		pr_u64(sh, PR_ANY, "ioas", "  ioas %llu", ish_obj_parent(o));
		show_origin(sh, o);
		show_hwpt_flags(sh, ish_obj_flags(o));
		break;
	case ISH_OBJ_HWPT_NESTED:
		pr_u64(sh, PR_ANY, "viommu", "  viommu %llu", ish_obj_parent(o));
		show_origin(sh, o);
		pr_str(sh, PR_ANY, "config", "  %s",
		       ish_ste_config_name((unsigned int)ish_ste_config(ste)));
		cmd_print_ste(sh, "ste", ste);
		break;
	case ISH_OBJ_VIOMMU:
		pr_u64(sh, PR_ANY, "hwpt", "  hwpt %llu", ish_obj_parent(o));
		show_origin(sh, o);
		pr_u64(sh, PR_ANY, "viommu_type", "  type %llu", ish_obj_viommu_type(o));
		break;
	case ISH_OBJ_VDEVICE:
		pr_u64(sh, PR_ANY, "viommu", "  viommu %llu", ish_obj_parent(o));
		show_origin(sh, o);
		pr_hex(sh, PR_ANY, "vsid", "  vsid 0x%llx", ish_obj_vdevice_virt_id(o));
		break;
	case ISH_OBJ_VEVENTQ:
		pr_u64(sh, PR_ANY, "viommu", "  viommu %llu", ish_obj_parent(o));
		pr_u64(sh, PR_ANY, "depth", "  depth %llu", ish_obj_veventq_depth(o));
		break;
	case ISH_OBJ_TOMBSTONE:
		pr_u64(sh, PR_ANY, "viommu", "  viommu %llu", ish_obj_parent(o));
		pr_u64(sh, PR_ANY, "dev", "  (was dev %llu", ish_obj_dev(o));
		pr_str(sh, PR_TEXT, NULL, " %s)", ish_obj_dev_bdf(o));
		pr_str(sh, PR_JSON, "dev_bdf", NULL,
		       ish_obj_dev_bdf(o)[0] ? ish_obj_dev_bdf(o) : NULL);
		break;
	default:
		break;
	}
	if (ish_obj_type(o) != ISH_OBJ_DEVICE)	/* devices say "vsmmu" */
		pr_str(sh, ish_obj_owner(o) ? PR_ANY : PR_JSON, "owner", "  [vsmmu %s]",
		       ish_obj_owner(o));
	pr_obj_close(sh);
	pr_nl(sh);
}

static const struct ish_mem *mem_of(struct shell *sh, const void *va)
{
	const struct ish_mem *m;

	for (m = ish_mem_first(sh->ctx); m; m = ish_mem_next(m))
		if ((const char *)va >= (const char *)ish_mem_va(m) &&
		    (const char *)va < (const char *)ish_mem_va(m) + ish_mem_size(m))
			return m;
	return NULL;
}

static void show_memory(struct shell *sh)
{
	const struct ish_mem *m;
	const struct ish_map *map;

	pr_arr_open(sh, "mems");
	for (m = ish_mem_first(sh->ctx); m; m = ish_mem_next(m)) {
		pr_obj_open(sh, NULL);
		pr_u64(sh, PR_ANY, "id", "mem %llu", ish_mem_id(m));
		pr_hex(sh, PR_ANY, "size", "  size 0x%llx", ish_mem_size(m));
		pr_bool(sh, PR_ANY, "memfd", "  memfd", ish_mem_fd(m) >= 0);
		pr_nl(sh);
		pr_obj_close(sh);
	}
	pr_arr_close(sh);
	pr_arr_open(sh, "maps");
	for (map = ish_map_first(sh->ctx); map; map = ish_map_next(map)) {
		m = mem_of(sh, ish_map_va(map));
		pr_obj_open(sh, NULL);
		pr_u64(sh, PR_ANY, "ioas", "map ioas %llu", ish_map_ioas(map));
		pr_hex(sh, PR_ANY, "iova", "  iova 0x%llx", ish_map_iova(map));
		pr_hex(sh, PR_ANY, "length", "  length 0x%llx", ish_map_length(map));
		if (m) {
			pr_u64(sh, PR_ANY, "mem", "  mem %llu", ish_mem_id(m));
			pr_hex(sh, PR_ANY, "offset", "  offset 0x%llx",
			       (uint64_t)((const char *)ish_map_va(map) - (const char *)ish_mem_va(m)));
		} else {
			pr_null(sh, "mem");	/* not one of the session's buffers */
			pr_null(sh, "offset");
		}
		pr_bool(sh, PR_ANY, "readonly", "  readonly",
			!(ish_map_flags(map) & IOMMU_IOAS_MAP_WRITEABLE));
		pr_bool(sh, PR_ANY, "file", "  file", ish_map_file(map));
		pr_obj_close(sh);
		pr_nl(sh);
	}
	pr_arr_close(sh);
}

static int cmd_show(struct shell *sh, const struct sh_call *c)
{
	struct ish_obj *o;
	struct ish_vsmmu *vs;

	/* which kernel this is: a session on the simulator never passes for a real one */
	pr_str(sh, PR_ANY, "backend", "backend %s\n", sh->backend ? sh->backend : "?");
	pr_arr_open(sh, "objects");
	for (o = ish_obj_first(sh->ctx); o; o = ish_obj_next(o))
		show_obj(sh, o);
	pr_arr_close(sh);
	pr_arr_open(sh, "vsmmus");
	for (vs = ish_vsmmu_first(sh->ctx); vs; vs = ish_vsmmu_next(vs))
		cmd_print_vsmmu(sh, vs);
	pr_arr_close(sh);
	show_memory(sh);
	return 0;
}

static const struct sh_arg show_args[] = {
	{ NULL }
};

const struct sh_group sh_group_show = {
	"show", "everything the session holds", NULL, (const struct sh_cmd[]) {
		{ NULL, "", "Every object with its id, type and parents; devices with their "
		  "page table and role; vSMMUs; host buffers and mappings.", show_args, cmd_show,
		  0 },
		{ 0 }
	}
};
