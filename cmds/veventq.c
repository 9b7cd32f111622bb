// SPDX-License-Identifier: GPL-2.0-or-later
/* veventq: event queues of a vIOMMU, read and decoded. */
#include "cmds.h"

#define DEPTH_DEFAULT 64

static int cmd_alloc(struct shell *sh, const struct sh_call *c)
{
	uint32_t viommu = (uint32_t)sh_num(c, "VIOMMU", 0), id;
	int rc;

	rc = ish_veventq_alloc(sh->ctx, viommu, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
			       (uint32_t)sh_num(c, "depth", DEPTH_DEFAULT), &id);
	if (rc < 0)
		return rc;
	sh_print_new(sh, "veventq", id);
	return 0;
}

static int cmd_read(struct shell *sh, const struct sh_call *c)
{
	return cmd_read_events(sh, c, (uint32_t)sh_num(c, "ID", 0), NULL);
}

static const struct sh_arg alloc_args[] = {
	{ "VIOMMU", SH_POS, SH_T_VIOMMU, 0, NULL, "the vIOMMU" },
	{ "depth", SH_KW, SH_T_U32, SH_OPT, NULL, "events it holds before it drops (default 64)" },
	{ NULL }
};

static const struct sh_arg read_args[] = {
	{ "ID", SH_POS, SH_T_VEVENTQ, 0, NULL, "the vEVENTQ" },
	{ "wait", SH_KW, SH_T_U64, SH_OPT, NULL,
	  "wait up to MS milliseconds for the first event (Ctrl-C ends the wait)" },
	EXPECT_ARGS,
	COUNT_ARG,
	{ NULL }
};

const struct sh_group sh_group_veventq = {
	"veventq", "vIOMMU event queues", "iommush-veventq(8)", (const struct sh_cmd[]) {
		{ "alloc", "VIOMMU [depth N]", "Allocate an ARM SMMUv3 event queue "
		  "(IOMMU_VEVENTQ_ALLOC); prints its id.", alloc_args, cmd_alloc, 0 },
		{ "read", "ID [wait MS] [expect EVENT [sid VSID]] [count N]", "Read and decode "
		  "the queued events; lost events and sequence gaps are reported; expect fails unless "
		  "one came, count unless N came.", read_args, cmd_read, 0 },
		{ 0 }
	}
};
