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

	if (o && o->type == ISH_OBJ_DEVICE)
		return sh_fail(sh, -EINVAL, "%u is a device: device unbind it", id);
	return ish_destroy(sh->ctx, id);
}

static const struct sh_arg destroy_args[] = {
	{ "ID", SH_POS, SH_T_ID, 0, NULL, "any object but a device (IOMMU_DESTROY)" },
	{ NULL }
};

const struct sh_group sh_group_destroy = {
	"destroy", "destroy an object", NULL, (const struct sh_cmd[]) {
		{ NULL, "ID", "Destroy an IOAS, HWPT, vIOMMU, vDEVICE or vEVENTQ (IOMMU_DESTROY).",
		  destroy_args, cmd_destroy, 0 },
		{ 0 }
	}
};

/* ---- show ---------------------------------------------------------------------------------- */

const char *cmd_device_role(struct shell *sh, const struct ish_obj *dev)
{
	struct ish_vsmmu *vs = ish_vsmmu_of_device(sh->ctx, dev->id);
	struct ish_obj *pt;

	if (vs)
		return ish_role_name(ish_vsmmu_role(vs, dev->id));
	if (!dev->u.device.pt)
		return "none";
	pt = ish_obj_find(sh->ctx, dev->u.device.pt);
	if (!pt)
		return "other";
	if (pt->type == ISH_OBJ_HWPT_PAGING)
		return pt->flags & IOMMU_HWPT_ALLOC_NEST_PARENT ? "s2-parent" : "paging";
	if (pt->type != ISH_OBJ_HWPT_NESTED)
		return "other";
	switch (ish_ste_config(pt->u.nested.ste)) {
	case ISH_STE_CFG_ABORT: return "abort";
	case ISH_STE_CFG_BYPASS: return "bypass";
	default: return "translate";
	}
}

static void show_device(struct shell *sh, const struct ish_obj *o)
{
	struct ish_vsmmu *vs = ish_vsmmu_of_device(sh->ctx, o->id);

	pr_str(sh, PR_ANY, "bdf", "  %s", o->u.device.pci.bdf);
	if (o->u.device.pt)
		pr_u64(sh, PR_ANY, "pt", "  pt %llu", o->u.device.pt);
	else
		pr_null(sh, "pt");
	pr_str(sh, PR_ANY, "role", "  %s", cmd_device_role(sh, o));
	if (o->u.device.vdevice)
		pr_u64(sh, PR_ANY, "vdevice", "  vdevice %llu", o->u.device.vdevice);
	if (vs)
		pr_str(sh, PR_ANY, "vsmmu", "  vsmmu %s", vs->name);
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
	pr_obj_open(sh, NULL);
	pr_u64(sh, PR_JSON, "id", NULL, o->id);
	pr_str(sh, PR_ANY, "type", "%-12s", ish_obj_type_name(o->type));
	pr_u64(sh, PR_TEXT, NULL, " %llu", o->id);
	switch (o->type) {
	case ISH_OBJ_DEVICE:
		show_device(sh, o);
		break;
	case ISH_OBJ_HWPT_PAGING:
		pr_u64(sh, PR_ANY, "ioas", "  ioas %llu", o->parent);
		pr_u64(sh, PR_ANY, "dev", "  dev %llu", o->dev);
		show_hwpt_flags(sh, o->flags);
		break;
	case ISH_OBJ_HWPT_NESTED:
		pr_u64(sh, PR_ANY, "viommu", "  viommu %llu", o->parent);
		pr_u64(sh, PR_ANY, "dev", "  dev %llu", o->dev);
		pr_str(sh, PR_ANY, "config", "  %s",
		       ish_ste_config_name((unsigned int)ish_ste_config(o->u.nested.ste)));
		cmd_print_ste(sh, "ste", o->u.nested.ste);
		break;
	case ISH_OBJ_VIOMMU:
		pr_u64(sh, PR_ANY, "hwpt", "  hwpt %llu", o->parent);
		pr_u64(sh, PR_ANY, "dev", "  dev %llu", o->dev);
		pr_u64(sh, PR_ANY, "viommu_type", "  type %llu", o->u.viommu.type);
		break;
	case ISH_OBJ_VDEVICE:
		pr_u64(sh, PR_ANY, "viommu", "  viommu %llu", o->parent);
		pr_u64(sh, PR_ANY, "dev", "  dev %llu", o->dev);
		pr_hex(sh, PR_ANY, "vsid", "  vsid 0x%llx", o->u.vdevice.virt_id);
		break;
	case ISH_OBJ_VEVENTQ:
		pr_u64(sh, PR_ANY, "viommu", "  viommu %llu", o->parent);
		pr_u64(sh, PR_ANY, "depth", "  depth %llu", o->u.veventq.depth);
		break;
	case ISH_OBJ_TOMBSTONE:
		pr_u64(sh, PR_ANY, "viommu", "  viommu %llu", o->parent);
		pr_u64(sh, PR_ANY, "dev", "  (was dev %llu)", o->dev);
		break;
	default:
		break;
	}
	if (o->owner[0])
		pr_str(sh, PR_ANY, "owner", "  [vsmmu %s]", o->owner);
	pr_obj_close(sh);
	pr_nl(sh);
}

static const struct ish_mem *mem_of(struct shell *sh, const void *va)
{
	const struct ish_mem *m;

	for (m = ish_mem_first(sh->ctx); m; m = m->next)
		if ((const char *)va >= (const char *)m->va &&
		    (const char *)va < (const char *)m->va + m->size)
			return m;
	return NULL;
}

static void show_memory(struct shell *sh)
{
	const struct ish_mem *m;
	const struct ish_map *map;

	pr_arr_open(sh, "mems");
	for (m = ish_mem_first(sh->ctx); m; m = m->next) {
		pr_obj_open(sh, NULL);
		pr_u64(sh, PR_ANY, "id", "mem %llu", m->id);
		pr_hex(sh, PR_ANY, "size", "  size 0x%llx\n", m->size);
		pr_obj_close(sh);
	}
	pr_arr_close(sh);
	pr_arr_open(sh, "maps");
	for (map = ish_map_first(sh->ctx); map; map = map->next) {
		m = mem_of(sh, map->va);
		pr_obj_open(sh, NULL);
		pr_u64(sh, PR_ANY, "ioas", "map ioas %llu", map->ioas);
		pr_hex(sh, PR_ANY, "iova", "  iova 0x%llx", map->iova);
		pr_hex(sh, PR_ANY, "length", "  length 0x%llx", map->length);
		if (m) {
			pr_u64(sh, PR_ANY, "mem", "  mem %llu", m->id);
			pr_hex(sh, PR_ANY, "offset", "  offset 0x%llx",
			       (uint64_t)((const char *)map->va - (const char *)m->va));
		}
		pr_bool(sh, PR_ANY, "readonly", "  readonly",
			!(map->flags & IOMMU_IOAS_MAP_WRITEABLE));
		pr_obj_close(sh);
		pr_nl(sh);
	}
	pr_arr_close(sh);
}

static int cmd_show(struct shell *sh, const struct sh_call *c)
{
	struct ish_obj *o;
	struct ish_vsmmu *vs;

	if (sh_has(c, "-j"))
		pr_json_local_begin(sh);
	/* which kernel this is: a session on the simulator never passes for a real one */
	pr_str(sh, PR_ANY, "backend", "backend %s\n", sh->backend ? sh->backend : "?");
	pr_arr_open(sh, "objects");
	for (o = ish_obj_first(sh->ctx); o; o = o->next)
		show_obj(sh, o);
	pr_arr_close(sh);
	pr_arr_open(sh, "vsmmus");
	for (vs = ish_vsmmu_first(sh->ctx); vs; vs = vs->next)
		cmd_print_vsmmu(sh, vs);
	pr_arr_close(sh);
	show_memory(sh);
	pr_json_local_end(sh);
	return 0;
}

static const struct sh_arg show_args[] = {
	{ "-j", SH_FLAG, SH_T_WORD, SH_OPT, NULL, "print this one as JSON" },
	{ NULL }
};

const struct sh_group sh_group_show = {
	"show", "everything the session holds", NULL, (const struct sh_cmd[]) {
		{ NULL, "[-j]", "Every object with its id, type and parents; devices with their "
		  "page table and role; vSMMUs; host buffers and mappings.", show_args, cmd_show,
		  0 },
		{ 0 }
	}
};
