/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulated kernel: an in-process model of iommufd, VFIO cdev and the arm-smmu-v3
 * iommufd driver of Linux 7.3, served through the same ops as the kernel backend.
 *
 * What differs from the real thing by nature: fds are the sim's own numbers (from 1000 up);
 * "user memory" (IOAS_MAP user_va, data_uptr...) is this process's, and only unmapped pages
 * count as bad addresses; nothing happens between calls, so poll() on an empty queue just
 * sleeps its timeout (a signal ends it with EINTR, as in the kernel); a DMA runs
 * to completion inside the register write that starts it. Edu's DMA needs bus mastering
 * (PCI_COMMAND bit 2 in the config region), as on hardware. DMA may carry a SubstreamID
 * (ish_sim_dma()). Not modelled: fault queues (IOPF), dma-buf MAP_FILE, HW queues beyond the
 * SMMUv3 refusal, PASID attach, ATCs, interrupts.
 * Its test hooks (allocation failure, kernel profiles) are in backend/testing.h, not installed.
 */
#ifndef IOMMUSH_SIM_H
#define IOMMUSH_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include "backend.h"

#define ISH_SIM_MAX_SMMUS 8

/* A physical SMMUv3 of the simulated host: what GET_HW_INFO reports for its masters. */
struct ish_sim_smmu_cfg {
	uint32_t idr[6];
	uint32_t iidr, aidr;
	bool canwbs;		/* masters are CANWBS (IORT), so VIOMMU_ALLOC works */
	bool nesting;		/* S1 + S2: NEST_PARENT allowed */
};

struct ish_sim_dev_cfg {
	char bdf[ISH_BDF_LEN];
	uint16_t vendor, device;
	uint32_t class;
	const char *name;
	unsigned int smmu;	/* index of its physical SMMU */
	uint32_t sid;		/* physical StreamID */
	bool vfio;		/* bound to vfio-pci: has a cdev */
	bool edu;		/* model QEMU's edu device (BAR0 registers, DMA) */
	bool ats;		/* has a PCIe ATS capability (behind an ATS root complex) */
};

/* An empty host: no SMMU, no device. */
struct ish_backend *ish_sim_new_empty(void);
/*
 * The default topology, so a new user can play at once: two SMMUs ("smmu0", "smmu1", QEMU's
 * IDRs), devices 0000:00:01.0, 0000:00:02.0 (edu, smmu0), 0000:10:00.0 (edu, smmu1) and
 * 0000:00:03.0 (not on vfio-pci, smmu0).
 */
struct ish_backend *ish_sim_new(void);
bool ish_is_sim(const struct ish_backend *be);

/* QEMU 10's emulated SMMUv3 IDRs, as observed live */
void ish_sim_smmu_default(struct ish_sim_smmu_cfg *cfg);
/* index of the new SMMU, or -errno */
int ish_sim_add_smmu(struct ish_backend *be, const struct ish_sim_smmu_cfg *cfg);
int ish_sim_add_device(struct ish_backend *be, const struct ish_sim_dev_cfg *cfg);
/* a host without the IORT override: no SMMU's masters are CANWBS, VIOMMU_ALLOC fails */
void ish_sim_set_canwbs(struct ish_backend *be, bool canwbs);

/*
 * Raise a hardware event for the device at @bdf as the physical SMMU would record it
 * (evt[0] carries the physical SID). The driver's forwarding rules apply: it reaches the
 * vEVENTQ only if the device is attached to a nested HWPT with a vDEVICE, the event ID is one
 * that is forwarded and S2 is clear; the SID is then replaced by the vSID. Returns 1 when
 * queued (or counted as lost), 0 when dropped on the host, -errno.
 */
int ish_sim_inject_event(struct ish_backend *be, const char *bdf, const uint64_t evt[4]);

/*
 * A DMA of the PCI function at @bdf through its physical SMMU, as the device would issue it:
 * @len bytes at device address @addr, read from memory, or written to it when @to_ram, with
 * SubstreamID @ssid (PCIe PASID; < 0: none). Written bytes come from @buf (NULL: zeros), read
 * ones land in it (NULL: dropped). A fault raises the events the SMMU records, one per
 * 4-byte access, as the edu device's DMA does. 0; -EFAULT when any byte faulted or was
 * aborted; -EPERM when the function's bus mastering is off (PCI_COMMAND bit 2); -ENOENT for
 * no such function; -EINVAL for a malformed address, a length of 0 or above ISH_SIM_DMA_MAX,
 * or an SSID beyond 20 bits.
 */
#define ISH_SIM_DMA_MAX (1u << 20)
int ish_sim_dma(struct ish_backend *be, const char *bdf, uint64_t addr, size_t len, int64_t ssid,
		bool to_ram, void *buf);

/* What is alive in the simulated kernel, for leak checks. */
struct ish_sim_stats {
	unsigned int objects;		/* live iommufd objects, tombstones included */
	unsigned int tombstones;
	unsigned int open_fds;		/* iommufd, device cdevs and vEVENTQ fds */
	unsigned int pinned_pages;	/* pages pinned by IOAS mappings with a domain */
	unsigned long calls;		/* ioctl + read + write + poll + pread/pwrite served */
	unsigned long host_events;	/* SMMU events that stayed on the host (not forwarded) */
};
void ish_sim_get_stats(struct ish_backend *be, struct ish_sim_stats *st);

#endif
