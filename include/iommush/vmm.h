/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VMM front end: the guest's view of an accelerated SMMUv3, on top of the vSMMU model.
 *
 * A VMM creates one front end per vSMMU, routes the guest's accesses to the SMMU's MMIO
 * window (two 64 KiB pages: page 0 holds the register file, page 1 the aliases of
 * EVENTQ_PROD/CONS at 0x100a8/0x100ac) to ish_vmm_mmio_read/write(), and lends it guest memory
 * through struct ish_vmm_mem_ops. The front end then does what the guest's accesses ask of the
 * SMMU, and drives the model (vsmmu.h) exactly as far as they require:
 *
 *   CR0.SMMUEN            ish_vsmmu_set_enabled()
 *   GBPA with UPDATE      ish_vsmmu_set_gbpa() when ABORT changes; UPDATE reads 0 at once
 *   CR0.EVENTQEN          ish_vsmmu_set_events(): the vEVENTQ, as deep as the guest's queue
 *   CMDQ_PROD             the command queue is consumed: CFGI_STE / CFGI_STE_RANGE / CFGI_ALL
 *                         read each affected device's STE from the guest's stream table
 *                         (linear or 2-level) and install it; CFGI_CD*, TLBI_NH_*, TLBI_NSNH_ALL
 *                         and ATC_INV are gathered and forwarded in ONE ish_vsmmu_invalidate()
 *                         per drain, split only before a command that must see them done
 *                         (CFGI_STE*, CMD_SYNC); SID-based ones for a vSID without a vDEVICE
 *                         are dropped (no device can hold stale state for it)
 *   ish_vmm_events()      the vEVENTQ's records are written into the guest's event queue
 *
 * Every value the guest writes is hostile. A command the SMMU does not implement (stage 2, EL2
 * and EL3 TLBIs, PRI and stall commands, ATC_INV without IDR0.ATS, SSec=1, a StreamID beyond
 * IDR1.SIDSIZE, CMD_SYNC with CS=3, unknown opcodes), an STE the kernel would refuse, or one the
 * kernel or the model refuses, stops the queue at that command with CMDQ_CONS.ERR =
 * CERROR_ILL and GERROR.CMDQ_ERR toggled; a command fetched from outside guest RAM gives
 * CERROR_ABT. The queue resumes when the guest acknowledges through GERRORN, as the
 * architecture says. Event queue writes outside guest RAM raise GERROR.EVENTQ_ABT_ERR; a full
 * queue (or events the kernel dropped) toggles EVENTQ_PROD.OVFLG.
 *
 * Return values: 0, or -errno for an access a VMM must not make (width, alignment: -EINVAL,
 * nothing changed) or for a kernel call that failed for a reason that is not the guest's
 * (ENOMEM, EINTR...): the guest then sees the register unchanged (CR0ACK not acknowledging,
 * GBPA keeping its value, CMDQ_CONS at the command not done, which the next PROD write or
 * ish_vmm_kick() retries) and ish_errmsg() says why. What the guest did wrong is never an
 * error of these functions: it is reported to the guest, in its registers.
 *
 * The IDRs the guest reads are the model's advertised ones (ish_vsmmu idr, fixed by its first
 * device when auto), minus what this front end does not emulate: stage 2, HYP, ATOS/VATOS,
 * PRI, stalls (STALL_MODEL reads 1: terminate only), MSIs (interrupts go through the irq
 * callback), broadcast TLB maintenance, ECMDQ and preset tables. A VMM plugs its devices before
 * the guest probes the SMMU, as QEMU does.
 *
 * Lifetime: free the front end before the vSMMU (ish_vsmmu_destroy) or the context;
 * ish_vmm_free() only frees memory and leaves the model as it is.
 */
#ifndef IOMMUSH_VMM_H
#define IOMMUSH_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "smmu.h"
#include "vsmmu.h"

struct ish_vmm;

enum ish_vmm_irq {
	ISH_VMM_IRQ_EVENTQ,	/* records were written and IRQ_CTRL.EVENTQ_IRQEN is set */
	ISH_VMM_IRQ_GERROR,	/* a GERROR bit became active and IRQ_CTRL.GERROR_IRQEN is set */
};

/* The VMM's guest memory. Addresses are guest physical (the IPAs of the vSMMU's IOAS). */
struct ish_vmm_mem_ops {
	/* copy @len bytes: 0, or -errno (-EFAULT) when any byte is outside guest RAM */
	int (*read)(void *opaque, uint64_t gpa, void *buf, size_t len);
	int (*write)(void *opaque, uint64_t gpa, const void *buf, size_t len);
	/* optional: raise a wired interrupt of the vSMMU */
	void (*irq)(void *opaque, enum ish_vmm_irq irq);
};

/* -EINVAL without @vs or a read/write op; the registers start at their reset values */
int ish_vmm_new(struct ish_vsmmu *vs, const struct ish_vmm_mem_ops *ops, void *opaque,
		struct ish_vmm **out);
void ish_vmm_free(struct ish_vmm *vmm);
struct ish_vsmmu *ish_vmm_vsmmu(const struct ish_vmm *vmm);

/*
 * A guest access of @width bytes (4 or 8, naturally aligned) at @offset in the MMIO window.
 * 64-bit registers take 8-byte accesses or 4-byte ones to either half; 32-bit registers 4-byte
 * ones. Offsets with no register read as zero and ignore writes (RAZ/WI), as do the PRI queue
 * registers (no PRI) and AGBPA.
 */
int ish_vmm_mmio_read(struct ish_vmm *vmm, uint64_t offset, unsigned int width, uint64_t *val);
int ish_vmm_mmio_write(struct ish_vmm *vmm, uint64_t offset, unsigned int width, uint64_t val);

/*
 * The SMMU's reset: every register to its reset value (GBPA.ABORT as the vSMMU was created),
 * the vEVENTQ freed, SMMUEN clear: every device back on the GBPA proxy.
 */
int ish_vmm_reset(struct ish_vmm *vmm);

/* consume the command queue again (after a failure that was not the guest's) */
int ish_vmm_kick(struct ish_vmm *vmm);

/*
 * Move what the vEVENTQ holds into the guest's event queue; waits up to @timeout_ms for the
 * first record (0: don't wait). Returns how many records were written to the guest. Records
 * read while CR0.EVENTQEN is clear are discarded, as the SMMU would.
 */
int ish_vmm_events(struct ish_vmm *vmm, int timeout_ms);
/* the vEVENTQ's fd for a VMM's poll loop (readable: call ish_vmm_events); -ENOENT if none */
int ish_vmm_event_fd(struct ish_vmm *vmm);

/* ---- what the guest programmed, decoded ------------------------------------------------ */

struct ish_vmm_queue {
	bool enabled;		/* CR0ACK.CMDQEN / EVENTQEN */
	uint64_t base;		/* guest physical address of entry 0 */
	unsigned int log2size;	/* effective: LOG2SIZE capped by IDR1.CMDQS / EVENTQS */
	uint32_t prod, cons;	/* index with the wrap bit above it */
};
void ish_vmm_cmdq(const struct ish_vmm *vmm, struct ish_vmm_queue *q);
void ish_vmm_eventq(const struct ish_vmm *vmm, struct ish_vmm_queue *q);
/*
 * Where the STE of @sid sits, following STRTAB_BASE(_CFG) (and the L1 descriptor when
 * 2-level): 0, -ERANGE when @sid is beyond the table or IDR1.SIDSIZE, -ENOENT for an invalid
 * L1 descriptor, -EFAULT when the descriptor is outside guest RAM.
 */
int ish_vmm_ste_addr(struct ish_vmm *vmm, uint32_t sid, uint64_t *gpa);

/* CMDQ_CONS.ERR values */
#define ISH_CERROR_NONE	0
#define ISH_CERROR_ILL	1
#define ISH_CERROR_ABT	2
const char *ish_cerror_name(unsigned int err);	/* "CERROR_ILL", "CERROR_?" */

/* What the last CMDQ drain did (one PROD write, GERRORN ack or kick). */
struct ish_vmm_drain {
	uint32_t consumed;	/* commands completed */
	uint32_t forwarded;	/* invalidations the kernel handled */
	uint32_t batches;	/* ish_vsmmu_invalidate calls */
	uint32_t installs;	/* STE installs through the model */
	uint32_t dropped;	/* SID-based invalidations for a vSID without a vDEVICE */
	unsigned long ioctls;	/* kernel calls it made */
	unsigned int error;	/* ISH_CERROR_* raised, 0 if none */
	uint32_t error_index;	/* the queue index (with wrap) of the command that stopped it */
	int rc;			/* its -errno when not the guest's fault; 0 otherwise */
	char why[256];		/* the reason for error or rc, "" when none */
};
const struct ish_vmm_drain *ish_vmm_last_drain(const struct ish_vmm *vmm);

/* Totals since ish_vmm_new. */
struct ish_vmm_stats {
	unsigned long commands, forwarded, batches, installs, dropped, cmdq_errors;
	unsigned long events, events_discarded, overflows, irqs;
};
void ish_vmm_get_stats(const struct ish_vmm *vmm, struct ish_vmm_stats *st);

/* ---- the register file ------------------------------------------------------------------- */

struct ish_vmm_reg {
	const char *name;		/* lower case: "cr0", "strtab_base_cfg", "eventq_prod" */
	uint32_t offset;		/* in page 0 */
	unsigned int width;		/* 4 or 8 */
	const struct ish_field *fields;	/* NULL for the IDRs (their fields: ish_idr_fields) */
	int idr;			/* 0..5 for IDR0..IDR5, else -1 */
	bool ro;			/* read-only: writes are ignored */
	const char *help;
};
extern const struct ish_vmm_reg ish_vmm_regs[];	/* NULL-name terminated, by offset */
const struct ish_vmm_reg *ish_vmm_reg_find(const char *name);	/* case-insensitive */
/* the register @offset falls in (page 1 aliases included), NULL if none */
const struct ish_vmm_reg *ish_vmm_reg_at(uint64_t offset);
/* every field, zero or not: "smmuen=1 priqen=0 eventqen=0 cmdqen=1 atschk=0 vmw=0" */
int ish_vmm_reg_format(const struct ish_vmm_reg *r, uint64_t val, char *buf, size_t len);
/* the register's value with field @name set to @v: -ENOENT no such field, -ERANGE too big */
int ish_vmm_reg_set_field(const struct ish_vmm_reg *r, uint64_t *val, const char *name,
			  uint64_t v);

#endif
