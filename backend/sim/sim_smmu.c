// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The arm-smmu-v3 iommufd driver's rules for what userspace hands it: the vSTE of a nested
 * HWPT (arm_smmu_validate_vste) and the commands of a vIOMMU invalidation (7.3's strict
 * arm_vsmmu_validate_user_cmd, the vSID -> pSID rewrite, batches of 63), then what the
 * physical SMMU does with the commands it is given.
 */
#include <stdlib.h>
#include "sim_internal.h"

#define STE0_V			(1ULL << 0)
#define STE0_ALLOWED		0xf80fffffffffffffULL
#define STE1_ALLOWED		0x380000ffULL
#define STE0_CFG(w)		(((w) >> 1) & 7)
#define STE1_EATS(w)		(((w) >> 28) & 3)

#define CMD_OP(c)		((c)[0] & 0xff)
#define CMD0_VMID		(0xffffULL << 32)
#define CMD0_ASID_SHIFT		48
#define CMD0_NUM		(0x1fULL << 12)
#define CMD0_SCALE		(0x3fULL << 20)
#define CMD0_SCALE_NODS		(0x1fULL << 20)
#define CMD0_SID		(0xffffffffULL << 32)
#define CMD0_SSID		(0xfffffULL << 12)
#define CMD0_SSV		(1ULL << 11)
#define CMD0_GLOBAL		(1ULL << 9)
#define CMD1_LEAF		(1ULL << 0)
#define CMD1_TTL		(3ULL << 8)
#define CMD1_TG			(3ULL << 10)
#define CMD1_ADDR		(~0xfffULL)
#define CMD1_ATC_SIZE		0x3fULL

#define OP_CFGI_CD		0x05
#define OP_CFGI_CD_ALL		0x06
#define OP_TLBI_NH_ALL		0x10
#define OP_TLBI_NH_ASID		0x11
#define OP_TLBI_NH_VA		0x12
#define OP_TLBI_NH_VAA		0x13
#define OP_TLBI_NSNH_ALL	0x30
#define OP_ATC_INV		0x40

#define CMDQ_BATCH		63	/* CMDQ_BATCH_ENTRIES - 1 on a 64-bit host */

/* ---- vSTE --------------------------------------------------------------------------------- */

/* arm_smmu_validate_vste(): V=0 is zeroed and taken; bad bits, Config or EATS give EIO */
int sim_vste_check(uint64_t ste[2])
{
	unsigned int cfg;

	if (!(ste[0] & STE0_V)) {
		ste[0] = ste[1] = 0;
		return 0;
	}
	if (ste[0] & ~STE0_ALLOWED || ste[1] & ~STE1_ALLOWED)
		return -EIO;
	cfg = (unsigned int)STE0_CFG(ste[0]);
	if (cfg != 0 && cfg != 4 && cfg != 5)
		return -EIO;
	if (STE1_EATS(ste[1]) > 1)
		return -EIO;
	return 0;
}

/* ---- the host SMMU's features that decide which command fields are legal ------------------ */

unsigned int sim_smmu_ssid_bits(const struct sim_smmu *smmu)
{
	return (smmu->cfg.idr[1] >> 6) & 0x1f;
}

static bool has_range_inv(const struct sim_smmu *s)
{
	return s->cfg.idr[3] & (1U << 10);	/* IDR3.RIL */
}

static bool has_ds(const struct sim_smmu *s)
{
	return s->cfg.idr[5] & (1U << 7);	/* IDR5.DS, bit 7 (SMMUv3 spec 6.3.6) */
}

static bool has_ats(const struct sim_smmu *s)
{
	return s->cfg.idr[0] & (1U << 10);	/* IDR0.ATS */
}

static uint64_t asid_mask(const struct sim_smmu *s)
{
	unsigned int bits = (s->cfg.idr[0] & (1U << 12)) ? 16 : 8;	/* IDR0.ASID16 */

	return ((1ULL << bits) - 1) << CMD0_ASID_SHIFT;
}

/* arm_vsmmu_validate_range(): TG, TTL, NUM and SCALE must make a range */
static int check_range(const struct sim_smmu *s, const uint64_t c[2])
{
	uint64_t tg = (c[1] & CMD1_TG) >> 10, ttl = (c[1] & CMD1_TTL) >> 8;
	bool range = c[0] & (CMD0_NUM | CMD0_SCALE);

	if (!tg)
		return range || ttl ? -EIO : 0;
	if (tg == 2 && ttl == 1 && !has_ds(s))
		return -EIO;
	if (!range && !ttl)
		return -EIO;
	return 0;
}

static int check_va(const struct sim_smmu *s, const uint64_t c[2], bool asid)
{
	uint64_t ok0 = 0xff | CMD0_VMID, ok1 = CMD1_LEAF | CMD1_ADDR;

	if (asid)
		ok0 |= asid_mask(s);
	if (has_range_inv(s)) {
		ok0 |= has_ds(s) ? CMD0_NUM | CMD0_SCALE : CMD0_NUM | CMD0_SCALE_NODS;
		ok1 |= CMD1_TTL | CMD1_TG;
	}
	if (c[0] & ~ok0 || c[1] & ~ok1)
		return -EIO;
	return has_range_inv(s) ? check_range(s, c) : 0;
}

static int check_atc(const struct sim_smmu *s, const uint64_t c[2])
{
	uint64_t ok0 = 0xff | CMD0_SID;

	if (!has_ats(s))
		return -EIO;
	if (sim_smmu_ssid_bits(s))
		ok0 |= CMD0_SSV | CMD0_SSID | CMD0_GLOBAL;
	if (c[0] & ~ok0 || c[1] & ~(CMD1_ADDR | CMD1_ATC_SIZE) || (c[1] & CMD1_ATC_SIZE) > 52)
		return -EIO;
	return 0;
}

/* 7.3's arm_vsmmu_validate_user_cmd(): any bit the opcode does not define gives EIO */
static int validate_cmd(const struct sim_smmu *s, const uint64_t c[2])
{
	uint64_t ssid = sim_smmu_ssid_bits(s) ? CMD0_SSID : 0;

	switch (CMD_OP(c)) {
	case OP_TLBI_NSNH_ALL:
		return c[0] & ~0xffULL || c[1] ? -EIO : 0;
	case OP_TLBI_NH_ALL:
		return c[0] & ~(0xff | CMD0_VMID) || c[1] ? -EIO : 0;
	case OP_TLBI_NH_ASID:
		return c[0] & ~(0xff | CMD0_VMID | asid_mask(s)) || c[1] ? -EIO : 0;
	case OP_TLBI_NH_VA:
		return check_va(s, c, true);
	case OP_TLBI_NH_VAA:
		return check_va(s, c, false);
	case OP_ATC_INV:
		return check_atc(s, c);
	case OP_CFGI_CD:
		return c[0] & ~(0xff | CMD0_SID | ssid) || c[1] & ~CMD1_LEAF ? -EIO : 0;
	case OP_CFGI_CD_ALL:
		return c[0] & ~(0xff | CMD0_SID) || c[1] ? -EIO : 0;
	default:
		return -EIO;
	}
}

/* arm_vsmmu_convert_user_cmd(): the VMID is the vIOMMU's, the vSID becomes the pSID */
static int convert_cmd(struct sim_obj *v, uint64_t c[2])
{
	struct sim_obj *vd;

	switch (CMD_OP(c)) {
	case OP_TLBI_NSNH_ALL:
		c[0] = OP_TLBI_NH_ALL | (uint64_t)v->u.viommu.vmid << 32;
		c[1] = 0;
		return 0;
	case OP_TLBI_NH_VA:
	case OP_TLBI_NH_VAA:
	case OP_TLBI_NH_ALL:
	case OP_TLBI_NH_ASID:
		c[0] = (c[0] & ~CMD0_VMID) | (uint64_t)v->u.viommu.vmid << 32;
		return 0;
	case OP_ATC_INV:
	case OP_CFGI_CD:
	case OP_CFGI_CD_ALL:
		vd = sim_vdevice_by_vsid(v, c[0] >> 32);
		if (!vd)
			return -EIO;
		c[0] = (c[0] & ~CMD0_SID) |
		       (uint64_t)vd->u.vdev.dev->u.dev.pdev->cfg.sid << 32;
		return 0;
	default:
		return -EIO;
	}
}

/* ---- the physical SMMU executing a batch ----------------------------------------------- */

static uint64_t tlbi_va_len(const uint64_t c[2])
{
	static const unsigned int tg_shift[4] = { 0, 12, 14, 16 };
	uint64_t tg = (c[1] & CMD1_TG) >> 10;
	uint64_t num = (c[0] & CMD0_NUM) >> 12, scale = (c[0] & CMD0_SCALE) >> 20;

	if (!tg)
		return 1;
	return ((num + 1) << scale) << tg_shift[tg];
}

static void exec_cmd(struct sim_smmu *s, const uint64_t c[2])
{
	uint16_t vmid = (uint16_t)(c[0] >> 32);
	int asid = (int)(c[0] >> CMD0_ASID_SHIFT);

	switch (CMD_OP(c)) {
	case OP_TLBI_NH_ALL:
		sim_tlb_inv(s, vmid, -1, 0, UINT64_MAX);
		break;
	case OP_TLBI_NH_ASID:
		sim_tlb_inv(s, vmid, asid, 0, UINT64_MAX);
		break;
	case OP_TLBI_NH_VA:
		sim_tlb_inv(s, vmid, asid, c[1] & CMD1_ADDR, tlbi_va_len(c));
		break;
	case OP_TLBI_NH_VAA:
		sim_tlb_inv(s, vmid, -1, c[1] & CMD1_ADDR, tlbi_va_len(c));
		break;
	case OP_CFGI_CD:
		/* the CD of SubstreamID SSID (and its L1CD, never cached here); without substreams
		 * the field is ignored and the one CD goes */
		sim_cdc_inv(s, (uint32_t)(c[0] >> 32),
			    sim_smmu_ssid_bits(s) ? (int64_t)((c[0] & CMD0_SSID) >> 12) : -1, false);
		break;
	case OP_CFGI_CD_ALL:
		sim_cdc_inv(s, (uint32_t)(c[0] >> 32), -1, false);
		break;
	default:
		break;		/* ATC_INV: no simulated function has an ATC */
	}
}

static void exec_batch(struct sim_smmu *s, uint64_t (*cmds)[2], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		exec_cmd(s, cmds[i]);
}

/* iommu_copy_struct_from_full_user_array() */
static int copy_cmds(const struct iommu_hwpt_invalidate *cmd, uint64_t (*cmds)[2])
{
	const uint8_t *src = (const uint8_t *)(uintptr_t)cmd->data_uptr;
	uint32_t i;
	int rc;

	if (cmd->data_type != IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 || !cmd->entry_num)
		return -EINVAL;
	if (!sim_user_mapped(cmd->data_uptr, (uint64_t)cmd->entry_num * cmd->entry_len))
		return -EFAULT;
	for (i = 0; i < cmd->entry_num; i++) {
		rc = sim_struct_copy(cmds[i], sizeof(cmds[i]), src + (size_t)i * cmd->entry_len,
				     cmd->entry_len);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * arm_vsmmu_cache_invalidate(): checked and converted in order, issued per batch; the first
 * bad command stops it with EIO and *done = its index, while the commands converted since the
 * last batch are not issued at all.
 */
static int viommu_invalidate(struct sim_obj *v, const struct iommu_hwpt_invalidate *cmd,
			     uint32_t *done)
{
	struct sim *sim = v->ictx->sim;
	struct sim_smmu *s = &sim->smmu[v->u.viommu.smmu];
	uint64_t (*cmds)[2];
	uint32_t cur = 0, last = 0;
	int rc;

	cmds = sim_calloc(sim, cmd->entry_num ? cmd->entry_num : 1, sizeof(*cmds));
	if (!cmds)
		return -ENOMEM;
	rc = copy_cmds(cmd, cmds);
	while (!rc && cur < cmd->entry_num) {
		rc = sim_strict(sim) ? validate_cmd(s, cmds[cur]) : 0;
		if (!rc)
			rc = convert_cmd(v, cmds[cur]);
		if (rc)
			break;
		cur++;
		if (cur != cmd->entry_num && cur - last != CMDQ_BATCH)
			continue;
		exec_batch(s, cmds + last, cur - last);
		last = cur;
	}
	*done = cur;
	free(cmds);
	return rc;
}

static bool array_bad(const struct sim *sim, const struct iommu_hwpt_invalidate *cmd)
{
	if (!cmd->entry_num)
		return false;
	if (!cmd->data_uptr || !cmd->entry_len)
		return true;
	return sim_strict(sim) &&
	       (cmd->entry_len > SIM_PAGE_SIZE || cmd->entry_num > SIM_MAX_DEPTH);
}

int sim_invalidate(struct sim_ictx *ictx, struct iommu_hwpt_invalidate *cmd)
{
	struct sim_obj *pt;
	uint32_t done = 0;
	int rc;

	if (cmd->__reserved)
		rc = -EOPNOTSUPP;
	else if (array_bad(ictx->sim, cmd))
		rc = -EINVAL;
	else if (!(pt = sim_obj_any(ictx, cmd->hwpt_id)))
		rc = -ENOENT;
	else if (pt->type == SIM_HWPT_NESTED)
		rc = -EOPNOTSUPP;	/* SMMUv3 nested domains invalidate through the vIOMMU */
	else if (pt->type == SIM_VIOMMU)
		rc = viommu_invalidate(pt, cmd, &done);
	else
		rc = -EINVAL;
	cmd->entry_num = done;
	return rc;
}

/* ---- the acceptance rules alone, for tests that hold them against the codecs' ------------- */

/* validate_cmd() on an SMMU with these IDRs: 0 or -EIO, as the invalidation would say */
int sim_cmd_check(const uint32_t idr[6], const uint64_t cmd[2])
{
	struct sim_smmu s;

	memset(&s, 0, sizeof(s));
	memcpy(s.cfg.idr, idr, sizeof(s.cfg.idr));
	return validate_cmd(&s, cmd);
}
