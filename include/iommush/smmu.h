/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMMUv3 encoders and decoders: STE words 0-1, CMDQ commands, event records, IDR registers.
 * Field positions are architectural facts (SMMUv3 spec, Linux arm-smmu-v3.h). Each format has
 * a table of named fields, so the shell parses "name=value" and prints decoded words from the
 * same table.
 */
#ifndef IOMMUSH_SMMU_H
#define IOMMUSH_SMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A named bit field inside an array of 64-bit words. */
struct ish_field {
	const char *name;	/* lower case, e.g. "config", "s1contextptr", "vmid" */
	unsigned int word;	/* index of the 64-bit word */
	unsigned int lo, hi;	/* bit positions, inclusive */
	const char *help;	/* one line */
	unsigned int flags;	/* ISH_FIELD_* */
};

/*
 * The value of an address field is the address itself, in place: bits lo..hi of the address,
 * not shifted down (s1contextptr=0x108000, addr=0x10000), as the spec and Linux use them.
 */
#define ISH_FIELD_ADDR	0x1
/* printed by the formatters even when zero: it names what the word is about (sid, asid) */
#define ISH_FIELD_KEY	0x2

/* the field's bits inside its word */
uint64_t ish_field_mask(const struct ish_field *f);
uint64_t ish_field_get(const struct ish_field *f, const uint64_t *w);
/*
 * -ERANGE when the value does not fit: too large, or for an ISH_FIELD_ADDR field, with bits
 * below its alignment. The other bits of @w are left alone.
 */
int ish_field_set(const struct ish_field *f, uint64_t *w, uint64_t val);
/* case-insensitive; NULL when absent */
const struct ish_field *ish_field_find(const struct ish_field *tab, const char *name);

/* ---- STE (the two words userspace hands to IOMMU_HWPT_ALLOC as iommu_hwpt_arm_smmuv3) */
#define ISH_STE_CFG_ABORT	0
#define ISH_STE_CFG_BYPASS	4
#define ISH_STE_CFG_S1_TRANS	5
#define ISH_STE_CFG_S2_TRANS	6
#define ISH_STE_CFG_NESTED	7
#define ISH_STE_V		(1ULL << 0)
#define ISH_STE0_NESTING_ALLOWED 0xf80fffffffffffffULL
#define ISH_STE1_NESTING_ALLOWED 0x380000ffULL

extern const struct ish_field ish_ste_fields[];	/* NULL-name terminated */
/* the raw Config field, bits 3:1 of word 0 (V is not looked at) */
uint64_t ish_ste_config(const uint64_t ste[2]);
const char *ish_ste_config_name(unsigned int cfg);	/* "abort", "bypass", "s1-translate", ... */
/* the Config value of a name from ish_ste_config_name() (or "translate"); -ENOENT if none */
int ish_ste_config_by_name(const char *name);
/*
 * The kernel's vSTE acceptance rules (arm_smmu_validate_vste): 0 if accepted, -EIO if not,
 * with the reason in @why (may be NULL) naming the offending field.
 */
int ish_ste_validate(const uint64_t ste[2], char *why, size_t whylen);
/*
 * "v=1 config=s1-translate s1contextptr=0x108000": v and config always, other fields when
 * non-zero, then any set bit no field covers as rsvd0=/rsvd1= (the bits in place). Values
 * above 9 in hex. Every format function returns what snprintf would (the full length).
 */
int ish_ste_format(const uint64_t ste[2], char *buf, size_t len);

/* ---- CMDQ commands (16 bytes: two words) */
#define ISH_CMD_PREFETCH_CONFIG	0x01
#define ISH_CMD_PREFETCH_ADDR	0x02
#define ISH_CMD_CFGI_STE	0x03
#define ISH_CMD_CFGI_STE_RANGE	0x04
#define ISH_CMD_CFGI_CD		0x05
#define ISH_CMD_CFGI_CD_ALL	0x06
#define ISH_CMD_CFGI_ALL	0x04	/* CFGI_STE_RANGE with Range=31 */
#define ISH_CMD_TLBI_NH_ALL	0x10
#define ISH_CMD_TLBI_NH_ASID	0x11
#define ISH_CMD_TLBI_NH_VA	0x12
#define ISH_CMD_TLBI_NH_VAA	0x13
#define ISH_CMD_TLBI_EL3_ALL	0x18
#define ISH_CMD_TLBI_EL3_VA	0x1a
#define ISH_CMD_TLBI_EL2_ALL	0x20
#define ISH_CMD_TLBI_EL2_ASID	0x21
#define ISH_CMD_TLBI_EL2_VA	0x22
#define ISH_CMD_TLBI_EL2_VAA	0x23
#define ISH_CMD_TLBI_S12_VMALL	0x28
#define ISH_CMD_TLBI_S2_IPA	0x2a
#define ISH_CMD_TLBI_NSNH_ALL	0x30
#define ISH_CMD_ATC_INV		0x40
#define ISH_CMD_PRI_RESP	0x41
#define ISH_CMD_RESUME		0x44
#define ISH_CMD_STALL_TERM	0x45
#define ISH_CMD_SYNC		0x46

struct ish_cmd_desc {
	uint8_t opcode;
	const char *name;		/* upper case as in the spec: "TLBI_NH_ASID", "CFGI_CD" */
	const struct ish_field *fields;	/* its fields besides the opcode, NULL-name terminated */
	const char *help;
	uint64_t preset[2];		/* bits always set besides the opcode (CFGI_ALL) */
};
extern const struct ish_cmd_desc ish_cmd_descs[];	/* NULL-name terminated */
const struct ish_cmd_desc *ish_cmd_by_name(const char *name);	/* case-insensitive */
/* 0x04 gives CFGI_STE_RANGE (CFGI_ALL is the same opcode with Range=31) */
const struct ish_cmd_desc *ish_cmd_by_opcode(uint8_t op);
/* cmd = the opcode and the preset bits: build a command with this, then ish_field_set() */
void ish_cmd_init(const struct ish_cmd_desc *d, uint64_t cmd[2]);
/*
 * "TLBI_NH_ASID asid=1": fields when non-zero, plus the ones that identify (sid, asid, the
 * address of a VA command) always, then RES0 bits as rsvd0=/rsvd1=. Values above 9 in hex.
 * Unknown opcodes as "opcode 0x7f w0=0x... w1=0x...".
 */
int ish_cmd_format(const uint64_t cmd[2], char *buf, size_t len);
/*
 * What the Linux 7.3 SMMUv3 driver accepts from a vIOMMU invalidation (strict validation,
 * arm_vsmmu_validate_user_cmd): 0 or -EIO with the reason ("TLBI_NH_VA: tg=1 with
 * num=scale=ttl=0 is a reserved combination"), checks in the kernel's order. @idr are the
 * host's IDRs (IDR0.ATS, IDR3.RIL, IDR1.SSIDSIZE, IDR0.ASID16, IDR5.DS decide some fields;
 * NULL reads as all zero). The vSID lookup is not part of it: a command accepted here still
 * fails with EIO when no vDEVICE has its vSID.
 */
int ish_cmd_validate_user(const uint64_t cmd[2], const uint32_t idr[6], char *why, size_t whylen);

/* ---- event records (32 bytes: four words) */
#define ISH_EVT_F_UUT			0x01
#define ISH_EVT_C_BAD_STREAMID		0x02
#define ISH_EVT_F_STE_FETCH		0x03
#define ISH_EVT_C_BAD_STE		0x04
#define ISH_EVT_F_BAD_ATS_TREQ		0x05
#define ISH_EVT_F_STREAM_DISABLED	0x06
#define ISH_EVT_F_TRANSL_FORBIDDEN	0x07
#define ISH_EVT_C_BAD_SUBSTREAMID	0x08
#define ISH_EVT_F_CD_FETCH		0x09
#define ISH_EVT_C_BAD_CD		0x0a
#define ISH_EVT_F_WALK_EABT		0x0b
#define ISH_EVT_F_TRANSLATION		0x10
#define ISH_EVT_F_ADDR_SIZE		0x11
#define ISH_EVT_F_ACCESS		0x12
#define ISH_EVT_F_PERMISSION		0x13
#define ISH_EVT_F_TLB_CONFLICT		0x20
#define ISH_EVT_F_CFG_CONFLICT		0x21
#define ISH_EVT_E_PAGE_REQUEST		0x24
#define ISH_EVT_F_VMS_FETCH		0x25

extern const struct ish_field ish_evt_fields[];	/* NULL-name terminated */
const char *ish_evt_name(uint8_t id);		/* "C_BAD_CD"; NULL when unknown */
int ish_evt_id_by_name(const char *name);	/* -ENOENT when unknown; case-insensitive */
/*
 * Whether Linux forwards this event to a vEVENTQ, by the record alone (arm_smmu_handle_event):
 * a forwarded id (C_BAD_STE, F_STREAM_DISABLED, C_BAD_SUBSTREAMID, C_BAD_CD, F_TRANSLATION,
 * F_ADDR_SIZE, F_ACCESS, F_PERMISSION), not a stall, S2 clear. The master must also have had a
 * vDEVICE when it attached, which the record cannot tell.
 */
bool ish_evt_forwarded(const uint64_t evt[4]);
/*
 * "C_BAD_CD sid=0x42", "F_TRANSLATION sid=0x8 rnw=1 addr=0x10000": sid always, the input
 * address always for the events that carry one, other fields when non-zero; word 3 as ipa or
 * fetchaddr depending on the event; bits of words 0-1 no field covers as other0=/other1=.
 * Unknown ids as "event 0x7f ...".
 */
int ish_evt_format(const uint64_t evt[4], char *buf, size_t len);

/* ---- ID registers (iommu_hw_info_arm_smmuv3.idr[0..5]) */
struct ish_idr_field {
	const char *name;	/* "SIDSIZE" */
	unsigned int reg;	/* 0..5 = IDR0..IDR5 */
	unsigned int lo, hi;
	const char *help;
};
extern const struct ish_idr_field ish_idr_fields[];	/* NULL-name terminated */
uint32_t ish_idr_get(const struct ish_idr_field *f, const uint32_t idr[6]);	/* f non-NULL */
const struct ish_idr_field *ish_idr_find(const char *name);	/* case-insensitive */
/*
 * Human value of a field, e.g. ST_LEVEL "2-level", TTENDIAN "little", OAS "44-bit", one-bit
 * fields "no"/"yes", SIDSIZE "16 bits", EVENTQS "2^19 entries". Never NULL: "" when there is
 * nothing to add to the number (STALL_MAX), "reserved" for a reserved encoding.
 */
const char *ish_idr_value_name(const struct ish_idr_field *f, uint32_t val);
unsigned int ish_idr_oas_bits(uint32_t oas_field);	/* 0..7 -> 32,36,40,42,44,48,52,56 */

#endif
