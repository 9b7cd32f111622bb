// SPDX-License-Identifier: GPL-2.0-or-later
/* hwpt: paging HWPTs on an IOAS (nest parents), nested HWPTs on a vIOMMU from an STE. */
#include <errno.h>
#include "iommush/smmu.h"
#include "cmds.h"

static int alloc_nested(struct shell *sh, const struct sh_call *c, uint32_t dev, uint32_t pt)
{
	uint64_t ste[2];
	uint32_t id;
	int rc;

	if (sh_has(c, "nest-parent") || sh_has(c, "dirty-tracking"))
		return sh_usage(sh, "nest-parent and dirty-tracking are for a paging HWPT, not one "
				"made from an STE");
	if (sh_has(c, "ste") && c->nrest)
		return sh_usage(sh, "give either ste W0 W1 or FIELD=VALUE words, not both");
	if (sh_has(c, "ste")) {
		ste[0] = sh_num2(c, "ste", 0);
		ste[1] = sh_num2(c, "ste", 1);
	} else {
		rc = cmd_parse_ste(sh, c->rest, c->nrest, ste);
		if (rc < 0)
			return rc;
	}
	if (sh_has(c, "fault")) {
		struct iommu_hwpt_arm_smmuv3 data = { .ste = { ste[0], ste[1] } };

		rc = ish_hwpt_alloc_fault(sh->ctx, dev, pt, 0, IOMMU_HWPT_DATA_ARM_SMMUV3, &data,
					  sizeof(data), (uint32_t)sh_num(c, "fault", 0), &id);
	} else {
		rc = ish_hwpt_alloc_nested(sh->ctx, dev, pt, ste, &id);	/* the core explains EIO */
	}
	if (rc < 0)
		return rc;
	sh_print_new(sh, "hwpt", id);
	return 0;
}

static int cmd_alloc(struct shell *sh, const struct sh_call *c)
{
	uint32_t dev, pt = (uint32_t)sh_num(c, "PT", 0), flags = 0, id;
	int rc;

	rc = sh_dev(sh, c, "DEV", &dev);
	if (rc < 0)
		return rc;
	if (sh_has(c, "ste") || c->nrest)
		return alloc_nested(sh, c, dev, pt);
	if (sh_has(c, "nest-parent"))
		flags |= IOMMU_HWPT_ALLOC_NEST_PARENT;
	if (sh_has(c, "dirty-tracking"))
		flags |= IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	if (sh_has(c, "fault"))
		rc = ish_hwpt_alloc_fault(sh->ctx, dev, pt, flags, IOMMU_HWPT_DATA_NONE, NULL, 0,
					  (uint32_t)sh_num(c, "fault", 0), &id);
	else
		rc = ish_hwpt_alloc(sh->ctx, dev, pt, flags, IOMMU_HWPT_DATA_NONE, NULL, 0, &id);
	if (rc < 0)
		return rc;
	sh_print_new(sh, "hwpt", id);
	return 0;
}

static const struct sh_arg alloc_args[] = {
	{ "DEV", SH_POS, SH_T_DEV, 0, NULL, "the device it is for" },
	{ "PT", SH_POS, SH_T_PARENT, 0, NULL,
	  "an IOAS (paging HWPT) or a vIOMMU (nested HWPT from an STE)" },
	{ "nest-parent", SH_FLAG, SH_T_WORD, SH_OPT, NULL,
	  "paging: usable as the S2 of nested HWPTs and vIOMMUs (IOMMU_HWPT_ALLOC_NEST_PARENT)" },
	{ "dirty-tracking", SH_FLAG, SH_T_WORD, SH_OPT, NULL,
	  "paging: IOMMU_HWPT_ALLOC_DIRTY_TRACKING" },
	{ "fault", SH_KW, SH_T_FAULT, SH_OPT, NULL,
	  "IOPF-capable: report its page faults to this fault queue (FAULT_ID_VALID)" },
	{ "ste", SH_KW, SH_T_U64, SH_OPT | SH_TWO, NULL, "nested: the two vSTE words, raw" },
	{ "FIELD=VALUE", SH_REST, SH_T_STE_FIELDS, SH_OPT, NULL,
	  "nested: vSTE fields by name (config=s1-translate s1contextptr=0x...); V=1 unless given" },
	{ NULL }
};

const struct sh_group sh_group_hwpt = {
	"hwpt", "hardware page tables", "iommush-hwpt(8)", (const struct sh_cmd[]) {
		{ "alloc", "DEV PT [nest-parent] [dirty-tracking] [fault FAULT] "
		  "[ste W0 W1 | FIELD=VALUE...]",
		  "Allocate a HWPT (IOMMU_HWPT_ALLOC): paging on an IOAS, or nested on a vIOMMU "
		  "from a vSTE; prints its id.", alloc_args, cmd_alloc, 0 },
		{ 0 }
	}
};
