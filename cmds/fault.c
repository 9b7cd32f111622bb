// SPDX-License-Identifier: GPL-2.0-or-later
/* fault: fault queues (IOPF page requests and their responses); hwq: HW queues of a vIOMMU. */
#include <errno.h>
#include <string.h>
#include "cmds.h"

#define FAULTS_PER_READ 16

static int cmd_fault_alloc(struct shell *sh, const struct sh_call *c)
{
	uint32_t id;
	int rc;

	(void)c;
	rc = ish_fault_alloc(sh->ctx, &id);
	if (rc < 0)
		return rc;
	sh_print_new(sh, "fault", id);
	return 0;
}

static void print_pgfault(struct shell *sh, const struct iommu_hwpt_pgfault *f)
{
	pr_obj_open(sh, NULL);
	pr_u64(sh, PR_ANY, "cookie", "cookie %llu", f->cookie);
	pr_u64(sh, PR_ANY, "dev", "  dev %llu", f->dev_id);
	pr_hex(sh, PR_ANY, "addr", "  addr 0x%llx", f->addr);
	pr_str(sh, PR_ANY, "access", "  %s", f->perm & IOMMU_PGFAULT_PERM_WRITE ? "write" :
	       f->perm & IOMMU_PGFAULT_PERM_READ ? "read" : "none");
	pr_hex(sh, PR_ANY, "perm", "  perm 0x%llx", f->perm);
	pr_u64(sh, PR_ANY, "grpid", "  grpid %llu", f->grpid);
	pr_bool(sh, PR_ANY, "last_page", "  last-page", f->flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	if (f->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID)
		pr_u64(sh, PR_ANY, "pasid", "  pasid %llu", f->pasid);
	else
		pr_null(sh, "pasid");
	pr_obj_close(sh);
	pr_nl(sh);
}

static int cmd_fault_read(struct shell *sh, const struct sh_call *c)
{
	uint32_t fault = (uint32_t)sh_num(c, "FAULT", 0);
	uint64_t want = sh_num(c, "count", 0), wait = sh->no_wait ? 0 : sh_num(c, "wait", 0);
	struct iommu_hwpt_pgfault f[FAULTS_PER_READ];
	uint64_t total = 0;
	int n = 0, i, timeout;

	if (wait > 0x7fffffff)
		return sh_usage(sh, "wait: at most 2147483647 ms");
	timeout = (int)wait;
	pr_arr_open(sh, "faults");
	do {
		size_t max = FAULTS_PER_READ;

		if (want && want - total < max)
			max = (size_t)(want - total);
		n = ish_fault_read(sh->ctx, fault, f, max, timeout);
		if (n < 0)
			break;
		for (i = 0; i < n; i++)
			print_pgfault(sh, &f[i]);
		total += (uint64_t)n;
		timeout = 0;	/* wait for the first only, then drain */
	} while (n == FAULTS_PER_READ && (!want || total < want));
	pr_arr_close(sh);
	if (n < 0)
		return n;
	if (!total)
		pr_text(sh, "no page requests\n");
	if (total)
		sh_set_result(sh, "%u", f[0].cookie);	/* $? names the first cookie */
	return 0;
}

static const char *const codes[] = { "success", "invalid", NULL };

static int cmd_fault_respond(struct shell *sh, const struct sh_call *c)
{
	const char *code = sh_str(c, "CODE");
	uint64_t n;
	int rc;

	if (!strcmp(code, "success"))
		n = IOMMUFD_PAGE_RESP_SUCCESS;
	else if (!strcmp(code, "invalid"))
		n = IOMMUFD_PAGE_RESP_INVALID;
	else if (!sh_parse_u64(code, &n) || n > UINT32_MAX)
		return sh_usage(sh, "CODE: \"%s\" is neither success, invalid nor a number", code);
	rc = ish_fault_respond(sh->ctx, (uint32_t)sh_num(c, "FAULT", 0),
			       (uint32_t)sh_num(c, "COOKIE", 0), (uint32_t)n);
	return rc < 0 ? rc : 0;
}

static const struct sh_arg fault_read_args[] = {
	{ "FAULT", SH_POS, SH_T_FAULT, 0, NULL, "the fault queue" },
	{ "count", SH_KW, SH_T_U32, SH_OPT, NULL, "read at most N page requests (default: all)" },
	{ "wait", SH_KW, SH_T_U64, SH_OPT, NULL,
	  "wait up to MS milliseconds for the first one (Ctrl-C ends the wait)" },
	{ NULL }
};

static const struct sh_arg fault_respond_args[] = {
	{ "FAULT", SH_POS, SH_T_FAULT, 0, NULL, "the fault queue" },
	{ "COOKIE", SH_POS, SH_T_U32, 0, NULL, "the cookie the page request was read with" },
	{ "CODE", SH_POS, SH_T_WORD, 0, codes,
	  "success (retry the access) or invalid (abort it), or a number" },
	{ NULL }
};

const struct sh_group sh_group_fault = {
	"fault", "fault queues (I/O page faults)", "iommush-fault(8)", (const struct sh_cmd[]) {
		{ "alloc", "", "Allocate a fault queue and its fd (IOMMU_FAULT_QUEUE_ALLOC); "
		  "prints its id.", NULL, cmd_fault_alloc, 0 },
		{ "read", "FAULT [count N] [wait MS]", "Read the page requests queued (whole "
		  "groups), each with the cookie its response quotes.", fault_read_args,
		  cmd_fault_read, 0 },
		{ "respond", "FAULT COOKIE CODE", "Answer a page request read before: success "
		  "retries the stalled access, invalid aborts it.", fault_respond_args,
		  cmd_fault_respond, 0 },
		{ 0 }
	}
};

/* ---- hwq ------------------------------------------------------------------------------------ */

static const char *const hwq_types[] = { "tegra241-cmdqv", NULL };

static int cmd_hwq_alloc(struct shell *sh, const struct sh_call *c)
{
	const char *type = sh_str(c, "TYPE");
	uint64_t t;
	uint32_t id;
	int rc;

	if (!strcmp(type, "tegra241-cmdqv"))
		t = IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV;
	else if (!sh_parse_u64(type, &t) || t > UINT32_MAX)
		return sh_usage(sh, "TYPE: \"%s\" is neither tegra241-cmdqv nor a number", type);
	rc = ish_hw_queue_alloc(sh->ctx, (uint32_t)sh_num(c, "VIOMMU", 0), (uint32_t)t,
				(uint32_t)sh_num(c, "INDEX", 0), sh_num(c, "ADDR", 0),
				sh_num(c, "LEN", 0), &id);
	if (rc < 0)
		return rc;
	sh_print_new(sh, "hwq", id);
	return 0;
}

static const struct sh_arg hwq_alloc_args[] = {
	{ "VIOMMU", SH_POS, SH_T_VIOMMU, 0, NULL, "the vIOMMU (a TEGRA241_CMDQV one)" },
	{ "TYPE", SH_POS, SH_T_WORD, 0, hwq_types, "tegra241-cmdqv, or a number" },
	{ "INDEX", SH_POS, SH_T_U32, 0, NULL, "its index: 0 first, then each in turn" },
	{ "ADDR", SH_POS, SH_T_U64, 0, NULL, "the guest queue's nesting-parent IOVA (guest PA)" },
	{ "LEN", SH_POS, SH_T_SIZE, 0, NULL, "its length in bytes" },
	{ NULL }
};

const struct sh_group sh_group_hwq = {
	"hwq", "HW queues of a vIOMMU", "iommush-fault(8)", (const struct sh_cmd[]) {
		{ "alloc", "VIOMMU TYPE INDEX ADDR LEN", "Allocate a HW queue on a vIOMMU from "
		  "guest memory (IOMMU_HW_QUEUE_ALLOC); prints its id.", hwq_alloc_args,
		  cmd_hwq_alloc, 0 },
		{ 0 }
	}
};
