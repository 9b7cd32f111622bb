// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one list of command groups, in help order: parsing, help, completion, --list-commands
 * and the man check are derived from it (shell/table.c). An explicit array rather than
 * constructors: objects of a static archive that nothing references are dropped, and their
 * constructors with them.
 */
#include "cmds.h"

const struct sh_group *const sh_groups[] = {
	&sh_group_pci, &sh_group_device, &sh_group_ioas, &sh_group_hwpt, &sh_group_viommu,
	&sh_group_vdevice, &sh_group_veventq, &sh_group_destroy, &sh_group_show,
	&sh_group_vsmmu, &sh_group_vmm, &sh_group_mem, &sh_group_region, &sh_group_mmio,
	&sh_group_sim,
	&sh_group_help, &sh_group_set, &sh_group_vars, &sh_group_let, &sh_group_echo,
	&sh_group_sleep, &sh_group_expect_error, &sh_group_source, &sh_group_quit,
	&sh_group_complete, &sh_group_check, &sh_group_next, &sh_group_continue,
	NULL
};

_Static_assert(sizeof(sh_groups) / sizeof(sh_groups[0]) <= SH_GROUPS_MAX, "too many groups");
