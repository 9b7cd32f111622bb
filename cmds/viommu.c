// SPDX-License-Identifier: GPL-2.0-or-later
/* viommu: vIOMMU objects, and CMDQ invalidations forwarded to them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "iommush/smmu.h"
#include "cmds.h"

static int cmd_alloc(struct shell *sh, const struct sh_call *c)
{
	uint32_t dev, hwpt = (uint32_t)sh_num(c, "HWPT", 0), id;
	uint32_t type = (uint32_t)sh_num(c, "type", IOMMU_VIOMMU_TYPE_ARM_SMMUV3);
	int rc;

	rc = sh_dev(sh, c, "DEV", &dev);
	if (rc < 0)
		return rc;
	if (sh_has(c, "cmdqv") && sh_has(c, "type"))
		return sh_usage(sh, "cmdqv is the type TEGRA241_CMDQV: give one of them");
	if (sh_has(c, "cmdqv"))
		rc = ish_viommu_alloc_cmdqv(sh->ctx, dev, hwpt, &id, NULL, NULL);
	else
		rc = ish_viommu_alloc(sh->ctx, dev, hwpt, type, &id);
	if (rc < 0)
		return rc;
	sh_print_new(sh, "viommu", id);
	return 0;
}

/* map a TEGRA241_CMDQV vIOMMU's VINTF page0 from the iommufd, and say where it is */
static int cmd_mmap(struct shell *sh, const struct sh_call *c)
{
	uint32_t id = (uint32_t)sh_num(c, "VIOMMU", 0);
	uint64_t off, len;
	struct ish_obj *o;
	int rc;

	rc = ish_obj_get(sh->ctx, id, ISH_OBJ_VIOMMU, &o);
	if (rc < 0)
		return rc;
	if (!ish_obj_viommu_mmap(o, &off, &len))
		return sh_fail(sh, -ENXIO, "viommu %u has no mmap region: only a TEGRA241_CMDQV "
			       "vIOMMU (viommu alloc ... cmdqv) has one, its VINTF page0", id);
	rc = ish_viommu_mmap(sh->ctx, id, NULL, NULL);
	if (rc < 0)
		return rc;
	pr_hex(sh, PR_ANY, "offset", "offset 0x%llx", off);
	pr_hex(sh, PR_ANY, "length", "  length 0x%llx  mapped\n", len);
	return 0;
}

static int cmd_munmap(struct shell *sh, const struct sh_call *c)
{
	return ish_viommu_munmap(sh->ctx, (uint32_t)sh_num(c, "VIOMMU", 0));
}

/* the host IDRs behind a vIOMMU, when its device's hw info was read: explains refusals */

static int cmd_invalidate(struct shell *sh, const struct sh_call *c)
{
	uint32_t viommu = (uint32_t)sh_num(c, "VIOMMU", 0), n, done = 0;
	uint64_t (*cmds)[2];
	int rc;

	rc = cmd_parse_cmds(sh, c->rest, c->nrest, &cmds, &n);
	if (rc < 0)
		return rc;
	rc = ish_invalidate(sh->ctx, viommu, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
			    sizeof(cmds[0]), n, &done);
	if (rc < 0) {
		rc = ish_invalidate_explain(sh->ctx, viommu, (const uint64_t (*)[2])cmds, n, done, rc);
		free(cmds);
		return rc;
	}
	free(cmds);
	pr_u64(sh, PR_ANY, "handled", "%llu command", done);
	pr_text(sh, "%s handled\n", done == 1 ? "" : "s");
	return 0;
}

static const struct sh_arg alloc_args[] = {
	{ "DEV", SH_POS, SH_T_DEV, 0, NULL, "a device behind the physical SMMU" },
	{ "HWPT", SH_POS, SH_T_HWPT, 0, NULL, "its nest-parent HWPT (the S2)" },
	{ "type", SH_KW, SH_T_U32, SH_OPT, NULL, "IOMMU_VIOMMU_TYPE_* (default 1, arm-smmuv3)" },
	{ "cmdqv", SH_FLAG, SH_T_WORD, SH_OPT, NULL,
	  "a TEGRA241_CMDQV vIOMMU: a VINTF of the host's CMDQV, with HW queues and an mmap" },
	{ NULL }
};

static const struct sh_arg mmap_args[] = {
	{ "VIOMMU", SH_POS, SH_T_VIOMMU, 0, NULL, "a TEGRA241_CMDQV vIOMMU" },
	{ NULL }
};

static const struct sh_arg inval_args[] = {
	{ "VIOMMU", SH_POS, SH_T_VIOMMU, 0, NULL, "the vIOMMU" },
	{ "CMD", SH_REST, SH_T_CMDS, 0, NULL,
	  "NAME [FIELD=VALUE...] or raw W0 W1; several separated by \",\", sent in one call" },
	{ NULL }
};

const struct sh_group sh_group_viommu = {
	"viommu", "virtual IOMMUs", "iommush-viommu(8)", (const struct sh_cmd[]) {
		{ "alloc", "DEV HWPT [type N | cmdqv]", "Allocate a vIOMMU on a nest-parent HWPT "
		  "(IOMMU_VIOMMU_ALLOC); prints its id.", alloc_args, cmd_alloc, 0 },
		{ "mmap", "VIOMMU", "Map a TEGRA241_CMDQV vIOMMU's VINTF page0 from the iommufd "
		  "(mmap at the offset VIOMMU_ALLOC gave); prints offset and length.", mmap_args,
		  cmd_mmap, 0 },
		{ "munmap", "VIOMMU", "Unmap it: the mapping holds the vIOMMU until then.",
		  mmap_args, cmd_munmap, 0 },
		{ "invalidate", "VIOMMU CMD [FIELD=VALUE...] [, CMD ...]",
		  "Forward CMDQ commands (IOMMU_HWPT_INVALIDATE); on a refusal, say which one and "
		  "how many were handled.", inval_args, cmd_invalidate, 0 },
		{ 0 }
	}
};
