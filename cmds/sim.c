// SPDX-License-Identifier: GPL-2.0-or-later
/* sim: shape the simulated host (SMMUs, devices), inject faults and events. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "iommush/sim.h"
#include "iommush/smmu.h"
#include "cmds.h"

static int cmd_smmu_add(struct shell *sh, const struct sh_call *c)
{
	struct ish_sim_smmu_cfg cfg;
	int rc;

	ish_sim_smmu_default(&cfg);
	if (sh_has(c, "ssidsize")) {
		uint64_t bits = sh_num(c, "ssidsize", 0);

		if (bits > 20)
			return sh_usage(sh, "ssidsize: at most 20 (SubstreamIDs are 20 bits)");
		/* IDR1.SSIDSIZE; 2-level CD tables (IDR0.CD2L) come with substreams */
		cfg.idr[1] = (cfg.idr[1] & ~(0x1fu << 6)) | (uint32_t)bits << 6;
		if (bits)
			cfg.idr[0] |= 1u << 19;
	}
	if (sh_has(c, "ats"))
		cfg.idr[0] |= 1u << 10;		/* IDR0.ATS */
	if (sh_has(c, "no-canwbs"))
		cfg.canwbs = false;
	if (sh_has(c, "no-nesting"))
		cfg.nesting = false;
	rc = ish_sim_add_smmu(ish_ctx_backend(sh->ctx), &cfg);
	if (rc < 0)
		return rc;
	pr_u64(sh, PR_ANY, "smmu", "smmu %llu\n", (uint64_t)rc);
	sh_set_result(sh, "%d", rc);
	return 0;
}

static int cmd_device_add(struct shell *sh, const struct sh_call *c)
{
	struct ish_sim_dev_cfg cfg = { .vfio = true };
	const char *bdf = sh_str(c, "BDF");
	uint32_t rid;
	int rc;

	if (strlen(bdf) >= sizeof(cfg.bdf) || !sh_bdf_rid(bdf, &rid))
		return sh_usage(sh, "\"%s\" is not a PCI address (DDDD:BB:DD.F)", bdf);
	snprintf(cfg.bdf, sizeof(cfg.bdf), "%s", bdf);
	cfg.smmu = (unsigned int)sh_num(c, "smmu", 0);
	cfg.sid = (uint32_t)sh_num(c, "sid", rid);
	cfg.edu = sh_has(c, "edu");
	cfg.ats = sh_has(c, "ats");
	cfg.vfio = !sh_has(c, "no-vfio");
	/* QEMU's ids: edu 1234:11e8, otherwise a generic test device 1b36:0005 */
	cfg.vendor = cfg.edu ? 0x1234 : 0x1b36;
	cfg.device = cfg.edu ? 0x11e8 : 0x0005;
	cfg.class = 0x00ff00;
	cfg.name = cfg.edu ? "QEMU edu device" : "simulated PCI test device";
	rc = ish_sim_add_device(ish_ctx_backend(sh->ctx), &cfg);
	if (rc < 0)
		return rc;
	pr_str(sh, PR_ANY, "bdf", "pci %s", cfg.bdf);
	pr_u64(sh, PR_ANY, "smmu", " smmu %llu", cfg.smmu);
	pr_hex(sh, PR_ANY, "sid", " sid 0x%llx\n", cfg.sid);
	sh_set_result(sh, "%s", cfg.bdf);
	return 0;
}

static int cmd_event(struct shell *sh, const struct sh_call *c)
{
	const char *spec = sh_str(c, "DEV");
	struct ish_obj *dev = ish_device_find(sh->ctx, spec);
	uint64_t evt[4];
	int rc;

	/* a bound device by id names its PCI function; anything else is a PCI address */
	if (dev)
		spec = ish_obj_device_pci(dev)->bdf;
	rc = cmd_parse_evt(sh, (unsigned int)sh_num(c, "ID", 0), c->rest, c->nrest, evt);
	if (rc < 0)
		return rc;
	rc = ish_sim_inject_event(ish_ctx_backend(sh->ctx), spec, evt);
	if (rc < 0)
		return rc;
	pr_str(sh, PR_ANY, "result", "%s", rc ? "queued" : "dropped on the host");
	pr_bool(sh, PR_JSON, "queued", NULL, rc > 0);
	if (!rc) {
		char why[256] = "";

		/* why, as the driver decides it (arm_smmu_handle_event): the record, then the master */
		if (!ish_evt_forwarded(evt))
			snprintf(why, sizeof(why), "this %s record is not one Linux forwards (it forwards "
				 "stage-1 faults and bad STE/CD events, never stalls nor S2 faults)",
				 ish_evt_name((uint8_t)evt[0]) ? ish_evt_name((uint8_t)evt[0]) :
				 "event");
		else if (dev)
			ish_device_events_forwarded(sh->ctx, ish_obj_id(dev), why, sizeof(why));
		else
			snprintf(why, sizeof(why), "%s is not bound in this session", spec);
		if (why[0])
			pr_str(sh, PR_ANY, "why", ": %s", why);
		else
			pr_null(sh, "why");
	} else {
		pr_null(sh, "why");
	}
	pr_nl(sh);
	return 0;
}

static int cmd_dma(struct shell *sh, const struct sh_call *c)
{
	const char *spec = sh_str(c, "DEV");
	struct ish_obj *dev = ish_device_find(sh->ctx, spec);
	uint64_t addr = sh_num(c, "ADDR", 0), len = sh_num(c, "LEN", 0);
	int64_t ssid = sh_has(c, "ssid") ? (int64_t)sh_num(c, "ssid", 0) : -1;
	bool to_ram = sh_has(c, "to-ram");
	uint8_t *data;
	uint64_t word = 0;
	int rc;

	if (dev)
		spec = ish_obj_device_pci(dev)->bdf;
	if (!len || len > ISH_SIM_DMA_MAX)
		return sh_usage(sh, "LEN: 1 to %u bytes", ISH_SIM_DMA_MAX);
	if (ssid > 0xfffff)
		return sh_usage(sh, "ssid: SubstreamIDs are 20 bits (at most 0xfffff)");
	/* what the device read: its first bytes are shown, the rest is dropped */
	data = calloc(1, (size_t)len);
	if (!data)
		return -ENOMEM;
	rc = ish_sim_dma(ish_ctx_backend(sh->ctx), spec, addr, (size_t)len, ssid, to_ram, data);
	memcpy(&word, data, len < sizeof(word) ? (size_t)len : sizeof(word));
	free(data);
	if (rc == -EPERM)
		return sh_fail(sh, rc, "%s has bus mastering off (PCI_COMMAND bit 2): it issues no "
			       "DMA (mmio write DEV config 0x4 0x6 width 2)", spec);
	if (rc == -EFAULT)
		return sh_fail(sh, rc, "the DMA of %llu bytes at 0x%llx %s: the SMMU aborted it "
			       "(read the events, or the STE blocks it)", (unsigned long long)len,
			       (unsigned long long)addr, to_ram ? "to memory" : "from memory");
	if (rc < 0)
		return rc;
	pr_str(sh, PR_ANY, "bdf", "dma %s", spec);
	pr_hex(sh, PR_ANY, "addr", " addr 0x%llx", addr);
	pr_u64(sh, PR_ANY, "len", " len %llu", len);
	if (ssid >= 0)
		pr_hex(sh, PR_ANY, "ssid", " ssid 0x%llx", (uint64_t)ssid);
	else
		pr_null(sh, "ssid");
	pr_str(sh, PR_ANY, "direction", " %s", to_ram ? "to-ram" : "from-ram");
	if (to_ram)
		pr_null(sh, "data");
	else
		pr_hex(sh, PR_ANY, "data", " data 0x%llx", word);
	pr_nl(sh);
	return 0;
}

static int cmd_fail(struct shell *sh, const struct sh_call *c)
{
	ish_fail_nth(sh->ctx, (unsigned long)sh_num(c, "NTH", 0), (int)sh_num(c, "ERRNO", 0));
	return 0;
}

static int cmd_stats(struct shell *sh, const struct sh_call *c)
{
	struct ish_sim_stats st;

	(void)c;
	ish_sim_get_stats(ish_ctx_backend(sh->ctx), &st);
	pr_u64(sh, PR_ANY, "objects", "objects %llu", st.objects);
	pr_u64(sh, PR_ANY, "tombstones", " tombstones %llu", st.tombstones);
	pr_u64(sh, PR_ANY, "open_fds", " open_fds %llu", st.open_fds);
	pr_u64(sh, PR_ANY, "pinned_pages", " pinned_pages %llu\n", st.pinned_pages);
	return 0;
}

static const struct sh_arg smmu_args[] = {
	{ "ssidsize", SH_KW, SH_T_U32, SH_OPT, NULL,
	  "IDR1.SSIDSIZE: SubstreamID bits, 0-20 (default 0; > 0 also sets IDR0.CD2L)" },
	{ "ats", SH_FLAG, SH_T_WORD, SH_OPT, NULL, "IDR0.ATS: the SMMU supports PCIe ATS" },
	{ "no-canwbs", SH_FLAG, SH_T_WORD, SH_OPT, NULL,
	  "its masters are not CANWBS: IOMMU_VIOMMU_ALLOC is refused" },
	{ "no-nesting", SH_FLAG, SH_T_WORD, SH_OPT, NULL, "S1 or S2 only: no nest parents" },
	{ NULL }
};

static const struct sh_arg device_args[] = {
	{ "BDF", SH_POS, SH_T_WORD, 0, NULL, "its PCI address, DDDD:BB:DD.F" },
	{ "smmu", SH_KW, SH_T_U32, 0, NULL, "index of its physical SMMU" },
	{ "sid", SH_KW, SH_T_U32, SH_OPT, NULL, "its physical StreamID (default: its RID)" },
	{ "edu", SH_FLAG, SH_T_WORD, SH_OPT, NULL, "model QEMU's edu device (BAR0, DMA)" },
	{ "no-vfio", SH_FLAG, SH_T_WORD, SH_OPT, NULL, "not bound to vfio-pci (no cdev)" },
	{ "ats", SH_FLAG, SH_T_WORD, SH_OPT, NULL,
	  "it has a PCIe ATS capability (usable behind an SMMU with ATS)" },
	{ NULL }
};

static const struct sh_arg event_args[] = {
	{ "DEV", SH_POS, SH_T_DEV, 0, NULL, "the device (bound id, or PCI address)" },
	{ "ID", SH_POS, SH_T_EVENT, 0, NULL, "the event: C_BAD_CD, F_TRANSLATION, ... or a number" },
	{ "FIELD=VALUE", SH_REST, SH_T_EVT_FIELDS, SH_OPT, NULL, "event record fields by name" },
	{ NULL }
};

static const struct sh_arg dma_args[] = {
	{ "DEV", SH_POS, SH_T_DEV, 0, NULL, "the device (bound id, or PCI address)" },
	{ "ADDR", SH_POS, SH_T_U64, 0, NULL, "the device address (an IOVA or a guest VA)" },
	{ "LEN", SH_POS, SH_T_U64, 0, NULL, "bytes, 1 to 1048576" },
	{ "ssid", SH_KW, SH_T_U32, SH_OPT, NULL, "its SubstreamID (PCIe PASID); default: none" },
	{ "to-ram", SH_FLAG, SH_T_WORD, SH_OPT, NULL, "write memory (default: read it)" },
	{ NULL }
};

static const struct sh_arg fail_args[] = {
	{ "NTH", SH_POS, SH_T_U64, 0, NULL, "1 = the next kernel call; 0 disarms" },
	{ "ERRNO", SH_POS, SH_T_ERRNO, 0, NULL, "the errno it fails with" },
	{ NULL }
};

const struct sh_group sh_group_sim = {
	"sim", "the simulated host", "iommush-sim(8)", (const struct sh_cmd[]) {
		{ "smmu add", "[ssidsize BITS] [ats] [no-canwbs] [no-nesting]", "Add a physical "
		  "SMMUv3 (QEMU's IDRs); prints its index.", smmu_args, cmd_smmu_add, SH_CMD_SIM },
		{ "device add", "BDF smmu N [sid S] [edu] [no-vfio] [ats]", "Add a PCI function behind "
		  "SMMU N, on vfio-pci unless no-vfio.", device_args, cmd_device_add, SH_CMD_SIM },
		{ "event", "DEV ID [FIELD=VALUE...]", "Raise a hardware event for a device, as its "
		  "physical SMMU would record it.", event_args, cmd_event, SH_CMD_SIM },
		{ "dma", "DEV ADDR LEN [ssid N] [to-ram]", "DMA by a device through its SMMU, with a "
		  "SubstreamID if given; shows the first 8 bytes read; faults raise events.", dma_args, cmd_dma, SH_CMD_SIM },
		{ "fail", "NTH ERRNO", "Fail the NTH kernel call from now with ERRNO.", fail_args,
		  cmd_fail, SH_CMD_SIM },
		{ "stats", "", "What is alive in the simulated kernel: objects, fds, pinned pages.",
		  NULL, cmd_stats, SH_CMD_SIM },
		{ 0 }
	}
};
