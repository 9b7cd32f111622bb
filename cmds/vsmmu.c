// SPDX-License-Identifier: GPL-2.0-or-later
/* vsmmu: the core's vSMMUv3 accel model, driven command by command as a VMM would. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "iommush/smmu.h"
#include "iommush/vsmmu.h"
#include "cmds.h"

/* an id that may be 0 (none): text "-", JSON null */
static void pr_id(struct shell *sh, const char *key, const char *label, uint32_t id)
{
	pr_text(sh, "  %s ", label);
	if (id)
		pr_u64(sh, PR_ANY, key, "%llu", id);
	else {
		pr_text(sh, "-");
		pr_null(sh, key);
	}
}

static uint32_t dev_pt(struct shell *sh, uint32_t dev)
{
	struct ish_obj *o = ish_obj_find(sh->ctx, dev);

	return o ? ish_obj_device_pt(o) : 0;
}

static void print_vdev(struct shell *sh, const char *key, struct ish_vsmmu *vs,
		       const struct ish_vsmmu_dev *d)
{
	uint32_t dev = ish_vsmmu_dev_id(d);
	const char *role;
	uint64_t ste[2];

	pr_obj_open(sh, key);
	pr_u64(sh, PR_ANY, "dev", key ? "device %llu" : "  device %llu", dev);
	pr_hex(sh, PR_ANY, "vsid", "  vsid 0x%llx", ish_vsmmu_dev_vsid(d));
	pr_id(sh, "pt", "pt", dev_pt(sh, dev));
	role = ish_role_name(ish_vsmmu_role(vs, dev));
	pr_str(sh, PR_TEXT, NULL, "  %s", role);
	pr_str(sh, PR_JSON, "role", NULL, strcmp(role, "none") ? role : NULL);
	pr_id(sh, "vdevice", "vdevice", ish_vsmmu_dev_vdevice(d));
	pr_u64(sh, PR_JSON, "s2_hwpt", NULL, ish_vsmmu_dev_s2_hwpt(d));
	if (ish_vsmmu_dev_translate(d))
		pr_u64(sh, PR_ANY, "translate", "  translate %llu", ish_vsmmu_dev_translate(d));
	else
		pr_null(sh, "translate");
	if (ish_vsmmu_dev_ste(d, ste))
		cmd_print_ste(sh, "ste", ste);
	else
		pr_null(sh, "ste");	/* the guest has installed none */
	pr_obj_close(sh);
	pr_nl(sh);
}

/* the IDR fields given at create ("auto" except these) */
static void print_forced(struct shell *sh, const struct ish_vsmmu_cfg *cfg)
{
	const struct ish_idr_field *f;
	bool any = false;

	pr_obj_open(sh, "forced");	/* {} when none */
	for (f = ish_idr_fields; cfg->auto_features && f->name; f++) {
		if (!(cfg->idr_mask[f->reg] & (1u << f->lo)))
			continue;
		pr_text(sh, any ? " " : "  forced ");
		pr_u64(sh, PR_JSON, f->name, NULL, ish_idr_get(f, cfg->idr));
		pr_text(sh, "%s=%u", f->name, ish_idr_get(f, cfg->idr));
		any = true;
	}
	pr_obj_close(sh);
}

void cmd_print_vsmmu(struct shell *sh, struct ish_vsmmu *vs)
{
	struct ish_vsmmu_dev *d;
	const char *iommu = ish_vsmmu_iommu(vs);

	pr_obj_open(sh, NULL);
	pr_str(sh, PR_ANY, "name", "vsmmu %s", ish_vsmmu_name(vs));
	pr_u64(sh, PR_ANY, "ioas", "  ioas %llu", ish_vsmmu_ioas(vs));
	pr_str(sh, PR_TEXT, NULL, "  iommu %s", iommu[0] ? iommu : "-");
	pr_str(sh, PR_JSON, "iommu", NULL, iommu[0] ? iommu : NULL);
	pr_id(sh, "s2_hwpt", "s2", ish_vsmmu_s2_hwpt(vs));
	pr_id(sh, "viommu", "viommu", ish_vsmmu_viommu(vs));
	pr_id(sh, "abort_hwpt", "abort", ish_vsmmu_abort_hwpt(vs));
	pr_id(sh, "bypass_hwpt", "bypass", ish_vsmmu_bypass_hwpt(vs));
	pr_id(sh, "veventq", "veventq", ish_vsmmu_veventq(vs));
	pr_str(sh, PR_ANY, "gbpa", "  gbpa %s", ish_vsmmu_gbpa_abort(vs) ? "abort" : "bypass");
	pr_str(sh, PR_TEXT, NULL, "  %s", ish_vsmmu_enabled(vs) ? "enabled" : "disabled");
	pr_bool(sh, PR_JSON, "enabled", NULL, ish_vsmmu_enabled(vs));
	print_forced(sh, ish_vsmmu_config(vs));
	pr_nl(sh);
	pr_arr_open(sh, "devices");
	for (d = ish_vsmmu_dev_first(vs); d; d = ish_vsmmu_dev_next(d))
		print_vdev(sh, NULL, vs, d);
	pr_arr_close(sh);
	pr_obj_close(sh);
}

/* ---- create, destroy, show ---------------------------------------------------------------- */

/*
 * A vSMMU name: 1 to 31 letters, digits, '_', '-' or '.', starting with a letter, digit or
 * '_'. It appears in show, errors and JSON, and is typed back as a word: nothing to escape.
 */
static bool vsmmu_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 31 || name[0] == '-' || name[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

static int cmd_create(struct shell *sh, const struct sh_call *c)
{
	struct ish_vsmmu_cfg cfg = { .auto_features = true };
	const char *name = sh_str(c, "NAME");
	struct ish_vsmmu *vs;
	int rc;

	cfg.events = sh_has(c, "events") || sh_has(c, "depth");
	cfg.evtq_depth = (uint32_t)sh_num(c, "depth", 0);
	cfg.gbpa_abort = sh_has(c, "gbpa") && sh_num(c, "gbpa", 0) == 0;
	cfg.enabled = sh_has(c, "enabled");
	if (!vsmmu_name_ok(name))
		return sh_usage(sh, "\"%s\" is not a vSMMU name: 1 to 31 letters, digits, '_', "
				"'-' or '.', not starting with '-' or '.'", name);
	rc = cmd_parse_idr(sh, c->rest, c->nrest, cfg.idr, cfg.idr_mask);
	if (rc < 0)
		return rc;
	rc = ish_vsmmu_create(sh->ctx, name, (uint32_t)sh_num(c, "ioas", 0), &cfg, &vs);
	if (rc < 0)
		return rc;
	pr_str(sh, PR_ANY, "name", "vsmmu %s\n", ish_vsmmu_name(vs));
	sh_set_result(sh, "%s", ish_vsmmu_name(vs));
	return 0;
}

static int cmd_destroy(struct shell *sh, const struct sh_call *c)
{
	struct ish_vsmmu *vs;
	int rc;

	rc = sh_vsmmu(sh, c, "NAME", &vs);
	if (rc < 0)
		return rc;
	/* a VMM front end holds it: the guest's SMMU cannot vanish under it */
	if (cmd_vmm_on(vs))
		return sh_fail(sh, -EBUSY, "vSMMU %s is the SMMU of VMM %s (vmm destroy %s first)",
			       ish_vsmmu_name(vs), cmd_vmm_on(vs), cmd_vmm_on(vs));
	return ish_vsmmu_destroy(vs);
}

static int cmd_show(struct shell *sh, const struct sh_call *c)
{
	struct ish_vsmmu *vs;
	int rc;

	if (sh_has(c, "NAME")) {
		rc = sh_vsmmu(sh, c, "NAME", &vs);
		if (rc < 0)
			return rc;
		pr_arr_open(sh, "vsmmus");
		cmd_print_vsmmu(sh, vs);
		pr_arr_close(sh);
		return 0;
	}
	pr_arr_open(sh, "vsmmus");
	for (vs = ish_vsmmu_first(sh->ctx); vs; vs = ish_vsmmu_next(vs))
		cmd_print_vsmmu(sh, vs);
	pr_arr_close(sh);
	return 0;
}

/* ---- devices ------------------------------------------------------------------------------ */

/* VFIO core's part: put the device on a nest parent of the vSMMU's IOAS if it is not yet */
static int cmd_add(struct shell *sh, const struct sh_call *c)
{
	struct ish_vsmmu_dev *d;
	struct ish_vsmmu *vs;
	struct ish_obj *o;
	uint32_t dev, vsid;
	int rc;

	rc = sh_vsmmu(sh, c, "NAME", &vs);
	if (rc < 0)
		return rc;
	rc = sh_dev(sh, c, "DEV", &dev);
	if (rc < 0)
		return rc;
	if (sh_has(c, "vsid")) {
		vsid = (uint32_t)sh_num(c, "vsid", 0);
	} else {
		/* a VMM's vSID is the guest's requester ID: the same BDF by default */
		o = ish_obj_find(sh->ctx, dev);
		vsid = 0;	/* an unknown device: the core says what is wrong with it */
		if (o && ish_obj_device_pci(o) && !sh_bdf_rid(ish_obj_device_pci(o)->bdf, &vsid))
			return sh_usage(sh, "no PCI address to take the vSID from: give vsid SID");
	}
	rc = ish_vsmmu_plug(vs, dev, vsid);
	if (rc < 0)
		return rc;
	d = ish_vsmmu_dev_find(vs, dev);
	if (d)
		print_vdev(sh, "device", vs, d);
	return 0;
}

static int cmd_remove(struct shell *sh, const struct sh_call *c)
{
	struct ish_vsmmu *vs;
	uint32_t dev;
	int rc;

	rc = sh_vsmmu(sh, c, "NAME", &vs);
	if (rc == 0)
		rc = sh_dev(sh, c, "DEV", &dev);
	return rc < 0 ? rc : ish_vsmmu_unset_device(vs, dev);
}

static const char *const gbpa_choices[] = { "abort", "bypass", NULL };

static int cmd_gbpa(struct shell *sh, const struct sh_call *c)
{
	struct ish_vsmmu *vs;
	int rc;

	rc = sh_vsmmu(sh, c, "NAME", &vs);
	return rc < 0 ? rc : ish_vsmmu_set_gbpa(vs, sh_num(c, "MODE", 0) == 0);
}

static int set_enabled(struct shell *sh, const struct sh_call *c, bool on)
{
	struct ish_vsmmu *vs;
	int rc;

	rc = sh_vsmmu(sh, c, "NAME", &vs);
	return rc < 0 ? rc : ish_vsmmu_set_enabled(vs, on);
}

static int cmd_enable(struct shell *sh, const struct sh_call *c)
{
	return set_enabled(sh, c, true);
}

static int cmd_disable(struct shell *sh, const struct sh_call *c)
{
	return set_enabled(sh, c, false);
}

/* ---- STEs ---------------------------------------------------------------------------------- */

static const char *const ste_modes[] = { "abort", "bypass", "translate", NULL };
static const unsigned int mode_cfg[] = { ISH_STE_CFG_ABORT, ISH_STE_CFG_BYPASS,
					 ISH_STE_CFG_S1_TRANS };

static bool has_field(const struct sh_call *c, const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = 0; i < c->nrest; i++)
		if (!strncasecmp(c->rest[i], name, n) && c->rest[i][n] == '=')
			return true;
	return false;
}

static int build_ste(struct shell *sh, const struct sh_call *c, uint64_t ste[2])
{
	const struct ish_field *cfg = ish_field_find(ish_ste_fields, "config");
	int rc;

	if (sh_has(c, "raw")) {
		if (sh_has(c, "MODE") || c->nrest)
			return sh_usage(sh, "raw W0 W1 stands alone");
		ste[0] = sh_num2(c, "raw", 0);
		ste[1] = sh_num2(c, "raw", 1);
		return 0;
	}
	/* v=0 alone is an invalid STE: the device aborts, whatever the rest says */
	if (!sh_has(c, "MODE") && !has_field(c, "config") && !has_field(c, "v"))
		return sh_usage(sh, "say abort, bypass, translate, raw W0 W1, config=... or v=0");
	if (sh_has(c, "MODE") && has_field(c, "config"))
		return sh_usage(sh, "%s already says the config", sh_str(c, "MODE"));
	rc = cmd_parse_ste(sh, c->rest, c->nrest, ste);
	if (rc < 0)
		return rc;
	if (sh_has(c, "MODE") && cfg)
		ish_field_set(cfg, ste, mode_cfg[sh_num(c, "MODE", 0)]);
	return 0;
}

static int parse_range(struct shell *sh, const char *s, uint32_t *lo, uint32_t *hi)
{
	char buf[64], *dash;
	uint64_t a, b;

	if (!strcmp(s, "all")) {	/* CFGI_ALL */
		*lo = 0;
		*hi = UINT32_MAX;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (!sh_parse_u64(buf, &a) || a > UINT32_MAX)
		return sh_usage(sh, "sid: \"%s\" is not LO, LO-HI or all", s);
	b = a;
	if (dash && (!sh_parse_u64(dash, &b) || b > UINT32_MAX || b < a))
		return sh_usage(sh, "sid: \"%s\" is not LO, LO-HI or all", s);
	*lo = (uint32_t)a;
	*hi = (uint32_t)b;
	return 0;
}

static void print_dropped(struct shell *sh, const uint64_t ste[2]);

static int ste_range(struct shell *sh, struct ish_vsmmu *vs, const struct sh_call *c,
		     const uint64_t ste[2])
{
	uint32_t lo = 0, hi = 0, failed = 0;
	int rc, err = 0, n;
	char msg[sizeof(sh->errmsg)];

	rc = parse_range(sh, sh_str(c, "sid"), &lo, &hi);
	if (rc < 0)
		return rc;
	n = ish_vsmmu_install_range(vs, lo, hi, ste, &err, &failed);
	if (n < 0)
		return n;
	pr_null(sh, "device");	/* one key set for both forms of vsmmu ste */
	pr_u64(sh, PR_ANY, "installed", "installed on %llu device", (uint64_t)n);
	pr_text(sh, "%s\n", n == 1 ? "" : "s");
	print_dropped(sh, ste);
	if (!err)
		return 0;
	if (err > 0)
		err = -err;
	snprintf(msg, sizeof(msg), "%s", sh_errtext(sh, err));
	return sh_fail(sh, err, "device %u: %s", failed, msg);
}

/*
 * A translate STE goes to the kernel masked to the fields a stage-1 vSMMU may set (what the
 * production VMM does too): say which of the guest's fields were dropped.
 */
static void print_dropped(struct shell *sh, const uint64_t ste[2])
{
	const uint64_t allowed[2] = { ISH_STE0_NESTING_ALLOWED, ISH_STE1_NESTING_ALLOWED };
	const struct ish_field *f;
	bool any = false, s1 = (ste[0] & ISH_STE_V) && ish_ste_config(ste) == ISH_STE_CFG_S1_TRANS;

	pr_obj_open(sh, "dropped");	/* {} when none */
	for (f = ish_ste_fields; s1 && f->name; f++) {
		uint64_t v = ish_field_get(f, ste);

		if (!v || !(ish_field_mask(f) & ~allowed[f->word]))
			continue;
		pr_text(sh, any ? " " : "  dropped (not for a stage-1 vSMMU): ");
		pr_hex(sh, PR_JSON, f->name, NULL, v);
		pr_text(sh, "%s=0x%llx", f->name, (unsigned long long)v);
		any = true;
	}
	pr_obj_close(sh);
	if (any)
		pr_nl(sh);
}

static int cmd_ste(struct shell *sh, const struct sh_call *c)
{
	struct ish_vsmmu_dev *d;
	struct ish_vsmmu *vs;
	uint64_t ste[2];
	uint32_t dev;
	int rc;

	rc = sh_vsmmu(sh, c, "NAME", &vs);
	if (rc < 0)
		return rc;
	if (sh_has(c, "DEV") == sh_has(c, "sid"))
		return sh_usage(sh, "name either a device (DEV) or a StreamID range (sid LO[-HI])");
	rc = build_ste(sh, c, ste);
	if (rc < 0)
		return rc;
	if (sh_has(c, "sid"))
		return ste_range(sh, vs, c, ste);
	rc = sh_dev(sh, c, "DEV", &dev);
	if (rc < 0)
		return rc;
	rc = ish_vsmmu_install_ste(vs, dev, ste);
	if (rc < 0)
		return rc;
	d = ish_vsmmu_dev_find(vs, dev);
	if (d)
		print_vdev(sh, "device", vs, d);
	else
		pr_null(sh, "device");
	pr_u64(sh, PR_JSON, "installed", NULL, 1);
	print_dropped(sh, ste);
	return 0;
}

/* ---- invalidation and events --------------------------------------------------------------- */

/* which command was refused and why, counted from 1 as in viommu invalidate */

static int cmd_invalidate(struct shell *sh, const struct sh_call *c)
{
	struct ish_vsmmu *vs;
	uint64_t (*cmds)[2];
	uint32_t n, done = 0;
	int rc;

	rc = sh_vsmmu(sh, c, "NAME", &vs);
	if (rc < 0)
		return rc;
	rc = cmd_parse_cmds(sh, c->rest, c->nrest, &cmds, &n);
	if (rc < 0)
		return rc;
	rc = ish_vsmmu_invalidate(vs, (const uint64_t (*)[2])cmds, n, &done);
	if (rc < 0) {
		free(cmds);
		return rc;
	}
	free(cmds);
	pr_u64(sh, PR_ANY, "handled", "%llu command", done);
	pr_text(sh, "%s handled\n", done == 1 ? "" : "s");
	return 0;
}

static int cmd_events(struct shell *sh, const struct sh_call *c)
{
	struct ish_vsmmu *vs;
	int rc;

	rc = sh_vsmmu(sh, c, "NAME", &vs);
	return rc < 0 ? rc : cmd_read_events(sh, c, 0, vs);
}

/* ---- the table ----------------------------------------------------------------------------- */

#define NAME_ARG { "NAME", SH_POS, SH_T_VSMMU, 0, NULL, "the vSMMU" }
#define DEV_ARG { "DEV", SH_POS, SH_T_DEV, 0, NULL, "a bound device: id, PCI address or cdev" }

static const struct sh_arg create_args[] = {
	{ "NAME", SH_POS, SH_T_WORD, 0, NULL, "its name: 1 to 31 of A-Z a-z 0-9 _ - ." },
	{ "ioas", SH_KW, SH_T_IOAS, 0, NULL, "the IOAS holding guest RAM: the S2" },
	{ "events", SH_FLAG, SH_T_WORD, SH_OPT, NULL, "allocate a vEVENTQ with the vIOMMU" },
	{ "depth", SH_KW, SH_T_U32, SH_OPT, NULL, "its depth (default 64; implies events)" },
	{ "gbpa", SH_KW, SH_T_CHOICE, SH_OPT, gbpa_choices,
	  "GBPA.ABORT at reset: abort or bypass (default bypass)" },
	{ "enabled", SH_FLAG, SH_T_WORD, SH_OPT, NULL,
	  "CR0.SMMUEN set from the start (default: off, every device on the GBPA proxy)" },
	{ "FIELD=VALUE", SH_REST, SH_T_IDR_FIELDS, SH_OPT, NULL,
	  "advertise this SMMU_IDRn field value instead of the host's (sidsize=20 ril=0 ...)" },
	{ NULL }
};

static const struct sh_arg name_args[] = { NAME_ARG, { NULL } };

static const struct sh_arg show_args[] = {
	{ "NAME", SH_POS, SH_T_VSMMU, SH_OPT, NULL, "one vSMMU (default: all)" },
	{ NULL }
};

static const struct sh_arg add_args[] = {
	NAME_ARG,
	{ "DEV", SH_POS, SH_T_DEV_FREE, 0, NULL, "a bound device: id, PCI address or cdev" },
	{ "vsid", SH_KW, SH_T_U32, SH_OPT, NULL,
	  "the guest's StreamID for it (default: its requester ID, from the PCI address)" },
	{ NULL }
};

static const struct sh_arg remove_args[] = {
	NAME_ARG,
	{ "DEV", SH_POS, SH_T_DEV_ON_VSMMU, 0, NULL, "a device set on it: id, PCI address or cdev" },
	{ NULL }
};

static const struct sh_arg gbpa_args[] = {
	NAME_ARG,
	{ "MODE", SH_POS, SH_T_CHOICE, 0, gbpa_choices, "abort or bypass" },
	{ NULL }
};

static const struct sh_arg ste_args[] = {
	NAME_ARG,
	{ "DEV", SH_POS, SH_T_DEV_ON_VSMMU, SH_OPT, NULL, "the device whose STE the guest writes" },
	{ "MODE", SH_POS, SH_T_CHOICE, SH_OPT | SH_ENDS_KW, ste_modes,
	  "abort, bypass, or translate (S1, with the fields below)" },
	{ "sid", SH_KW, SH_T_WORD, SH_OPT, NULL,
	  "every device whose vSID is in LO[-HI] (CFGI_STE_RANGE), or all (CFGI_ALL)" },
	{ "raw", SH_KW, SH_T_U64, SH_OPT | SH_TWO, NULL, "the two STE words as they are" },
	{ "FIELD=VALUE", SH_REST, SH_T_STE_FIELDS, SH_OPT, NULL,
	  "STE fields by name (s1contextptr=0x108000 s1cdmax=0 ...); V=1 unless given" },
	{ NULL }
};

static const struct sh_arg inval_args[] = {
	NAME_ARG,
	{ "CMD", SH_REST, SH_T_CMDS, 0, NULL,
	  "NAME [FIELD=VALUE...] or raw W0 W1; several separated by \",\", sent in one call" },
	{ NULL }
};

static const struct sh_arg events_args[] = {
	NAME_ARG,
	{ "wait", SH_KW, SH_T_U64, SH_OPT, NULL, "wait up to MS milliseconds for the first one" },
	EXPECT_ARGS,
	COUNT_ARG,
	{ NULL }
};

const struct sh_group sh_group_vsmmu = {
	"vsmmu", "the vSMMUv3 accel model", "iommush-vsmmu(8)", (const struct sh_cmd[]) {
		{ "create", "NAME ioas IOAS [events] [depth N] [gbpa abort|bypass] [enabled] "
		  "[FIELD=VALUE...]",
		  "Create a vSMMU on an IOAS (no kernel call until its first device).",
		  create_args, cmd_create, 0 },
		{ "add", "NAME DEV [vsid SID]", "Set a device on the vSMMU: attach it to a nest "
		  "parent of its IOAS if needed, then set_iommu_device (the first one allocates the "
		  "vIOMMU and the proxies).", add_args, cmd_add, 0 },
		{ "remove", "NAME DEV", "Unset a device: back to its S2; the last one frees the "
		  "vIOMMU and the proxies.", remove_args, cmd_remove, 0 },
		{ "gbpa", "NAME abort|bypass", "Write GBPA.ABORT: devices without a translate STE "
		  "move to the other proxy.", gbpa_args, cmd_gbpa, 0 },
		{ "enable", "NAME", "Set CR0.SMMUEN: devices go where their STE says.", name_args,
		  cmd_enable, 0 },
		{ "disable", "NAME", "Clear CR0.SMMUEN: every device goes to the GBPA proxy.",
		  name_args, cmd_disable, 0 },
		{ "ste", "NAME (DEV | sid LO[-HI]|all) (abort | bypass | translate [FIELD=VALUE...] | "
		  "raw W0 W1)", "Install an STE as the guest would (CFGI_STE, or CFGI_STE_RANGE "
		  "with sid).", ste_args, cmd_ste, 0 },
		{ "invalidate", "NAME CMD [FIELD=VALUE...] [, CMD ...]", "Forward CMDQ commands to "
		  "its vIOMMU in one call.", inval_args, cmd_invalidate, 0 },
		{ "events", "NAME [wait MS] [expect EVENT [sid VSID]] [count N]",
		  "Read and decode the events of its vEVENTQ; expect fails unless one came.",
		  events_args, cmd_events, 0 },
		{ "show", "[NAME]", "Its vIOMMU, proxies, GBPA and SMMUEN state, and devices with "
		  "their vSID, page table and role.", show_args, cmd_show, 0 },
		{ "destroy", "NAME", "Remove every device (newest first), free the vIOMMU and the "
		  "proxies, forget the vSMMU.", name_args, cmd_destroy, 0 },
		{ 0 }
	}
};
