// SPDX-License-Identifier: GPL-2.0-or-later
/* pci: the host's PCI functions as the backend enumerates them (libpci names, or the sim's). */
#include <errno.h>
#include <string.h>
#include "cmds.h"

/* an empty string is "none": null in JSON */
static const char *or_null(const char *s)
{
	return s[0] ? s : NULL;
}

static void print_pci(struct shell *sh, const char *key, const struct ish_pci_dev *d, bool brief)
{
	pr_obj_open(sh, key);
	pr_str(sh, PR_ANY, "bdf", "%s", d->bdf);
	pr_str(sh, PR_TEXT, NULL, brief ? " " : "\n  ids       ", "");
	pr_hex(sh, PR_ANY, "vendor", "%04llx", d->vendor);
	pr_hex(sh, PR_ANY, "device", ":%04llx", d->device);
	pr_hex(sh, PR_ANY, "class", brief ? " class %06llx" : " class 0x%06llx", d->class);
	if (brief) {
		pr_str(sh, PR_TEXT, NULL, " %s", d->driver[0] ? d->driver : "-");
		pr_str(sh, PR_JSON, "driver", NULL, or_null(d->driver));
		pr_str(sh, PR_JSON, "cdev", NULL, or_null(d->cdev));
		pr_str(sh, PR_ANY, "name", "  %s\n", d->name);
		pr_obj_close(sh);
		return;
	}
	pr_str(sh, PR_ANY, "name", "\n  name      %s", d->name);
	pr_str(sh, PR_TEXT, NULL, "\n  driver    %s", d->driver[0] ? d->driver : "(none)");
	pr_str(sh, PR_JSON, "driver", NULL, or_null(d->driver));
	if (d->iommu_group >= 0)
		pr_int(sh, PR_ANY, "iommu_group", "\n  group     %lld", d->iommu_group);
	else {
		pr_text(sh, "\n  group     (none)");
		pr_null(sh, "iommu_group");
	}
	pr_str(sh, PR_TEXT, NULL, "\n  cdev      %s", d->cdev[0] ? d->cdev : "(not on vfio-pci)");
	pr_str(sh, PR_JSON, "cdev", NULL, or_null(d->cdev));
	pr_str(sh, PR_TEXT, NULL, "\n  iommu     %s\n", d->iommu[0] ? d->iommu : "(none)");
	pr_str(sh, PR_JSON, "iommu", NULL, or_null(d->iommu));
	pr_obj_close(sh);
}

static int list_one(void *arg, const struct ish_pci_dev *d)
{
	print_pci(arg, NULL, d, true);
	return 0;
}

static int cmd_pci_list(struct shell *sh, const struct sh_call *c)
{
	int rc;

	(void)c;
	pr_arr_open(sh, "devices");
	rc = ish_pci_list(sh->ctx, list_one, sh);
	pr_arr_close(sh);
	return rc < 0 ? rc : 0;
}

static int cmd_pci_show(struct shell *sh, const struct sh_call *c)
{
	struct ish_pci_dev d;
	int rc;

	rc = ish_pci_lookup(sh->ctx, sh_str(c, "BDF"), &d);
	if (rc < 0)
		return rc;
	print_pci(sh, "device", &d, false);
	return 0;
}

/* Only on this explicit request is a function taken from its host driver. */
static int cmd_pci_use_vfio(struct shell *sh, const struct sh_call *c)
{
	struct ish_pci_dev d;
	int rc;

	rc = ish_pci_use_vfio(sh->ctx, sh_str(c, "BDF"));
	if (rc < 0)
		return rc;
	rc = ish_pci_lookup(sh->ctx, sh_str(c, "BDF"), &d);
	if (rc < 0)
		return rc;
	pr_str(sh, PR_ANY, "cdev", "%s\n", d.cdev);
	return 0;
}

static const struct sh_arg show_args[] = {
	{ "BDF", SH_POS, SH_T_BDF, 0, NULL, "PCI address, [DDDD:]BB:DD.F" },
	{ NULL }
};

const struct sh_group sh_group_pci = {
	"pci", "the host's PCI functions", "iommush-pci(8)", (const struct sh_cmd[]) {
		{ "list", "", "List the PCI functions: address, ids, class, driver, name.", NULL,
		  cmd_pci_list, 0 },
		{ "show", "BDF", "Show one function: names, driver, IOMMU group, VFIO cdev, IOMMU.",
		  show_args, cmd_pci_show, 0 },
		{ "use-vfio", "BDF", "Move a function from its host driver to vfio-pci (only on this "
		  "request); it goes back to its driver when iommush ends. Prints its VFIO cdev.",
		  show_args, cmd_pci_use_vfio, 0 },
		{ 0 }
	}
};
