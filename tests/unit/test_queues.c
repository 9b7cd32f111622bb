// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fault queues (IOPF) and HW queues, through the core on a simulated host with a stall-force
 * SMMU that has a Tegra241 CMDQV beside it: each rule of iommufd/eventq.c, viommu.c and the
 * tegra241-cmdqv driver the simulator re-derives, the registry after each call, and a
 * fail-Nth sweep of both stories.
 */
#include <errno.h>
#include <string.h>
#include <linux/vfio.h>
#include "fixture.h"

#define BDF_S "0000:20:00.0"	/* edu, behind the stall + CMDQV SMMU (index 2) */
#define BDF_P "0000:00:01.0"	/* edu, smmu0: no stall, no CMDQV */
#define RAM 0x100000ULL		/* the 64 KiB buffer's IOVA */
#define HOLE 0x200000ULL	/* unmapped until a test maps it */
#define CFG VFIO_PCI_CONFIG_REGION_INDEX

struct qx {
	struct ish_ctx *ctx;
	struct ish_backend *be;
	uint32_t dev, plain, ioas, mem, hole;
};

static void qx_open(struct qx *q)
{
	struct ish_sim_smmu_cfg cfg;
	struct ish_sim_dev_cfg d = { .bdf = BDF_S, .vendor = 0x1234, .device = 0x11e8,
				     .class = 0x00ff00, .name = "edu", .smmu = 2, .sid = 0x2000,
				     .vfio = true, .edu = true };
	uint64_t iova = RAM;

	memset(q, 0, sizeof(*q));
	q->be = ish_sim_new();
	assert_non_null(q->be);
	ish_sim_smmu_default(&cfg);
	cfg.stall = true;
	cfg.cmdqv = true;
	assert_int_equal(ish_sim_add_smmu(q->be, &cfg), 2);
	assert_int_equal(ish_sim_add_device(q->be, &d), 0);
	assert_int_equal(ish_ctx_new(q->be, &q->ctx), 0);
	assert_int_equal(ish_device_bind(q->ctx, BDF_S, &q->dev), 0);
	assert_int_equal(ish_device_bind(q->ctx, BDF_P, &q->plain), 0);
	assert_int_equal(ish_ioas_alloc(q->ctx, &q->ioas), 0);
	assert_int_equal(ish_mem_alloc(q->ctx, 64 << 10, &q->mem), 0);
	assert_int_equal(ish_mem_alloc(q->ctx, 4096, &q->hole), 0);
	assert_int_equal(ish_ioas_map(q->ctx, q->ioas, ish_mem_va(ish_mem_find(q->ctx, q->mem)),
				      64 << 10, &iova, IOMMU_IOAS_MAP_FIXED_IOVA |
				      IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE), 0);
	/* bus mastering on, as a driver would */
	assert_int_equal(ish_mmio_write(q->ctx, q->dev, CFG, 4, 2, 6), 0);
	assert_int_equal(ish_mmio_write(q->ctx, q->plain, CFG, 4, 2, 6), 0);
}

static void qx_close(struct qx *q)
{
	struct ish_sim_stats st;

	assert_int_equal(ish_ctx_reset(q->ctx), 0);
	ish_sim_get_stats(q->be, &st);
	assert_int_equal(st.objects, st.tombstones);
	assert_int_equal(st.open_fds, 1);
	ish_ctx_free(q->ctx);
}

static void assert_consistent(struct qx *q)
{
	struct ish_sim_stats st;
	unsigned int n = 0, hwq = 0;
	struct ish_obj *o;

	for (o = ish_obj_first(q->ctx); o; o = ish_obj_next(o)) {
		n++;
		hwq += ish_obj_type(o) == ISH_OBJ_HW_QUEUE;
	}
	ish_sim_get_stats(q->be, &st);
	/* each HW queue has the kernel's internal access beside it */
	assert_int_equal(st.internal, hwq);
	assert_int_equal(n + hwq, st.objects);
}

/* edu: DMA @len bytes between its buffer (0x40000) and @addr; @to_ram = buffer -> RAM */
static void edu_dma(struct qx *q, uint32_t dev, uint64_t addr, uint64_t len, bool to_ram)
{
	assert_int_equal(ish_mmio_write(q->ctx, dev, 0, 0x80, 8, to_ram ? 0x40000 : addr), 0);
	assert_int_equal(ish_mmio_write(q->ctx, dev, 0, 0x88, 8, to_ram ? addr : 0x40000), 0);
	assert_int_equal(ish_mmio_write(q->ctx, dev, 0, 0x90, 8, len), 0);
	assert_int_equal(ish_mmio_write(q->ctx, dev, 0, 0x98, 8, to_ram ? 3 : 1), 0);
}

static bool edu_running(struct qx *q, uint32_t dev)
{
	uint64_t v = 0;

	assert_int_equal(ish_mmio_read(q->ctx, dev, 0, 0x98, 8, &v), 0);
	return v & 1;
}

static uint8_t *mem(struct qx *q, uint32_t id)
{
	return ish_mem_va(ish_mem_find(q->ctx, id));
}

static uint32_t iopf_hwpt(struct qx *q, uint32_t dev, uint32_t *fault)
{
	uint32_t h, pt;

	assert_int_equal(ish_fault_alloc(q->ctx, fault), 0);
	assert_int_equal(ish_hwpt_alloc_fault(q->ctx, dev, q->ioas, 0, IOMMU_HWPT_DATA_NONE, NULL,
					      0, *fault, &h), 0);
	assert_int_equal(ish_device_attach(q->ctx, dev, h, &pt), 0);
	assert_int_equal(pt, h);
	return h;
}

static int raw_fd(struct qx *q, uint32_t fault)
{
	return ish_obj_find(q->ctx, fault)->u.fault.fd;
}

/* ---- fault queues --------------------------------------------------------------------------- */

static void fault_alloc_rules(void **state)
{
	struct iommu_fault_alloc a = { .size = sizeof(a), .flags = 1 };
	uint32_t f, h;
	struct qx q;

	qx_open(&q);
	/* iommufd_fault_alloc: flags must be 0 */
	assert_int_equal(q.be->ops->ioctl(q.be, ish_ctx_iommufd(q.ctx), IOMMU_FAULT_QUEUE_ALLOC,
					  &a), -EOPNOTSUPP);
	assert_int_equal(ish_fault_alloc(q.ctx, &f), 0);
	assert_int_equal(ish_obj_type(ish_obj_find(q.ctx, f)), ISH_OBJ_FAULT);
	/* fault_id: not a fault queue, or none -> ENOENT; with NEST_PARENT -> EOPNOTSUPP */
	assert_int_equal(ish_hwpt_alloc_fault(q.ctx, q.dev, q.ioas, 0, 0, NULL, 0, q.ioas, &h),
			 -ENOENT);
	assert_int_equal(ish_hwpt_alloc_fault(q.ctx, q.dev, q.ioas, 0, 0, NULL, 0, 99, &h), -ENOENT);
	assert_int_equal(ish_hwpt_alloc_fault(q.ctx, q.dev, q.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
					      0, NULL, 0, f, &h), -EOPNOTSUPP);
	assert_int_equal(ish_hwpt_alloc_fault(q.ctx, q.dev, q.ioas, 0, 0, NULL, 0, f, &h), 0);
	assert_int_equal(ish_obj_hwpt_fault(ish_obj_find(q.ctx, h)), f);
	/* the HWPT holds the fault queue */
	ish_clear_err(q.ctx);
	assert_int_equal(ish_destroy(q.ctx, f), -EBUSY);
	assert_non_null(strstr(ish_errmsg(q.ctx), "reporting to it"));
	ish_clear_err(q.ctx);
	assert_int_equal(ish_destroy(q.ctx, h), 0);
	assert_int_equal(ish_destroy(q.ctx, f), 0);
	assert_consistent(&q);
	qx_close(&q);
}

static void nested_iopf_hwpt(void **state)
{
	uint64_t bypass[2] = { 0x9, 0 };
	uint32_t f, s2, v, h, pt;
	struct qx q;

	qx_open(&q);
	assert_int_equal(ish_fault_alloc(q.ctx, &f), 0);
	assert_int_equal(ish_hwpt_alloc(q.ctx, q.dev, q.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0,
					NULL, 0, &s2), 0);
	assert_int_equal(ish_viommu_alloc(q.ctx, q.dev, s2, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &v), 0);
	/* arm_vsmmu_alloc_domain_nested takes FAULT_ID_VALID (PASID it does not) */
	assert_int_equal(ish_hwpt_alloc_fault(q.ctx, q.dev, v, 0, IOMMU_HWPT_DATA_ARM_SMMUV3,
					      bypass, 16, f, &h), 0);
	assert_int_equal(ish_obj_type(ish_obj_find(q.ctx, h)), ISH_OBJ_HWPT_NESTED);
	assert_int_equal(ish_device_attach(q.ctx, q.dev, h, &pt), 0);
	/* S1 bypass, S2 hole: the stage-2 fault stalls and is a page request (not an event) */
	edu_dma(&q, q.dev, HOLE, 64, true);
	assert_true(edu_running(&q, q.dev));
	{
		struct iommu_hwpt_pgfault pf[2];

		assert_int_equal(ish_fault_read(q.ctx, f, pf, 2, 0), 1);
		assert_int_equal(pf[0].addr, HOLE);
		assert_int_equal(pf[0].dev_id, q.dev);
		assert_int_equal(ish_fault_respond(q.ctx, f, pf[0].cookie, IOMMUFD_PAGE_RESP_INVALID),
				 0);
	}
	assert_false(edu_running(&q, q.dev));
	qx_close(&q);
}

/*
 * A nested S1 fault stalls only as the guest lets it: STE.S1STALLD clear and CD.S set
 * (arm_smmu_make_nested_cd_table_ste takes both from the guest). Otherwise it terminates and
 * is an event for the vEVENTQ. Guest RAM is the 64 KiB at IPA RAM: the CD at RAM, an empty L1
 * table at RAM + 0x1000, so every VA misses at level 1.
 */
static int s1_fault(struct qx *q, uint32_t v, uint32_t f, bool cd_s, bool s1stalld,
		    uint32_t *veventq_events)
{
	uint64_t *cd = (uint64_t *)mem(q, q->mem);
	uint64_t ste[2] = { 1 | 5 << 1 | RAM, s1stalld ? 1ULL << 27 : 0 };
	struct iommu_hwpt_pgfault pf[2];
	struct ish_vevent ev[4];
	uint32_t h, pt, q_id = 0;
	int n;

	memset(cd, 0, 0x2000);
	cd[0] = 25 | 1ULL << 31 | 2ULL << 32 | 1ULL << 41 | 1ULL << 48 | (cd_s ? 1ULL << 44 : 0);
	cd[1] = RAM + 0x1000;
	cd[3] = 0xff;
	assert_int_equal(ish_hwpt_alloc_fault(q->ctx, q->dev, v, 0, IOMMU_HWPT_DATA_ARM_SMMUV3, ste,
					      16, f, &h), 0);
	assert_int_equal(ish_device_attach(q->ctx, q->dev, h, &pt), 0);
	edu_dma(q, q->dev, 0x200000, 16, true);
	n = ish_fault_read(q->ctx, f, pf, 2, 0);
	if (n == 1) {
		assert_int_equal(pf[0].addr, 0x200000);
		assert_int_equal(ish_fault_respond(q->ctx, f, pf[0].cookie,
						   IOMMUFD_PAGE_RESP_INVALID), 0);
	}
	assert_false(edu_running(q, q->dev));
	for (struct ish_obj *o = ish_obj_first(q->ctx); o; o = ish_obj_next(o))
		if (ish_obj_type(o) == ISH_OBJ_VEVENTQ)
			q_id = ish_obj_id(o);
	*veventq_events = (uint32_t)ish_veventq_read(q->ctx, q_id, ev, 4, 0);
	return n;
}

static void nested_s1_stall_rules(void **state)
{
	uint32_t f, s2, v, vd, qid, pt, events;
	struct qx q;

	qx_open(&q);
	assert_int_equal(ish_fault_alloc(q.ctx, &f), 0);
	assert_int_equal(ish_hwpt_alloc(q.ctx, q.dev, q.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0,
					NULL, 0, &s2), 0);
	assert_int_equal(ish_device_attach(q.ctx, q.dev, s2, &pt), 0);
	assert_int_equal(ish_viommu_alloc(q.ctx, q.dev, s2, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &v), 0);
	assert_int_equal(ish_vdevice_alloc(q.ctx, v, q.dev, 0x20, &vd), 0);
	assert_int_equal(ish_veventq_alloc(q.ctx, v, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 8, &qid), 0);
	/* CD.S and no S1STALLD: a page request, no event */
	assert_int_equal(s1_fault(&q, v, f, true, false, &events), 1);
	assert_int_equal(events, 0);
	/* CD.S clear: the fault terminates, and (the device has its vDEVICE) is forwarded */
	assert_int_equal(s1_fault(&q, v, f, false, false, &events), 0);
	assert_true(events >= 1);
	/* S1STALLD: no stall either */
	assert_int_equal(s1_fault(&q, v, f, true, true, &events), 0);
	assert_true(events >= 1);
	qx_close(&q);
}

static void stall_request_retry(void **state)
{
	struct iommu_hwpt_pgfault pf[4];
	uint64_t iova = HOLE;
	uint32_t f;
	struct qx q;
	int i;

	qx_open(&q);
	iopf_hwpt(&q, q.dev, &f);
	for (i = 0; i < 256; i++)
		mem(&q, q.mem)[i] = (uint8_t)(i * 7 + 1);
	/* RAM -> buffer: mapped, no fault; then buffer -> the hole: it stalls */
	edu_dma(&q, q.dev, RAM, 256, false);
	assert_false(edu_running(&q, q.dev));
	assert_int_equal(ish_fault_read(q.ctx, f, pf, 4, 0), 0);
	edu_dma(&q, q.dev, HOLE, 256, true);
	assert_true(edu_running(&q, q.dev));
	assert_int_equal(ish_fault_read(q.ctx, f, pf, 4, 0), 1);
	/* iommufd_compose_fault_message of the SMMU's stall record */
	assert_int_equal(pf[0].flags, IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	assert_int_equal(pf[0].perm, IOMMU_PGFAULT_PERM_WRITE);
	assert_int_equal(pf[0].addr, HOLE);
	assert_int_equal(pf[0].dev_id, q.dev);
	assert_int_equal(pf[0].length, 0);
	assert_int_equal(pf[0].cookie, 1);	/* XA_FLAGS_ALLOC1 */
	/* read once: it is in the response table now, not queued again */
	assert_int_equal(ish_fault_read(q.ctx, f, pf + 1, 1, 0), 0);
	assert_int_equal(ish_ioas_map(q.ctx, q.ioas, mem(&q, q.hole), 4096, &iova,
				      IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
				      IOMMU_IOAS_MAP_WRITEABLE), 0);
	assert_int_equal(ish_fault_respond(q.ctx, f, 1, IOMMUFD_PAGE_RESP_SUCCESS), 0);
	/* RESUME RETRY: the access translates now and the DMA completes */
	assert_false(edu_running(&q, q.dev));
	assert_memory_equal(mem(&q, q.mem), mem(&q, q.hole), 256);
	/* answered: the cookie is gone */
	assert_int_equal(ish_fault_respond(q.ctx, f, 1, IOMMUFD_PAGE_RESP_SUCCESS), -EINVAL);
	assert_consistent(&q);
	qx_close(&q);
}

static void fault_fd_rules(void **state)
{
	struct iommu_hwpt_page_response r[2] = { { .cookie = 1, .code = 0 },
						 { .cookie = 9, .code = 0 } };
	struct iommu_hwpt_pgfault pf[2];
	uint8_t buf[64];
	uint32_t f;
	struct qx q;
	int fd;

	qx_open(&q);
	iopf_hwpt(&q, q.dev, &f);
	fd = raw_fd(&q, f);
	/* iommufd_fault_fops_read/_write: whole records only */
	assert_int_equal(q.be->ops->read(q.be, fd, buf, sizeof(pf[0]) + 1), -ESPIPE);
	assert_int_equal(q.be->ops->read(q.be, fd, buf, 0), 0);		/* nothing queued */
	assert_int_equal(q.be->ops->write(q.be, fd, r, 7), -ESPIPE);
	assert_int_equal(q.be->ops->poll(q.be, fd, 0), 0);
	edu_dma(&q, q.dev, HOLE, 16, true);
	assert_int_equal(q.be->ops->poll(q.be, fd, 0), 1);
	/* a count that fits no group: EINVAL, and the request stays queued */
	assert_int_equal(q.be->ops->read(q.be, fd, buf, 0), -EINVAL);
	assert_int_equal(ish_fault_read(q.ctx, f, pf, 1, 0), 1);
	/* a bad code, an unknown cookie: EINVAL; a write stops at the first bad response and
	 * reports what it did */
	assert_int_equal(ish_fault_respond(q.ctx, f, 1, 2), -EINVAL);
	ish_clear_err(q.ctx);
	assert_int_equal(ish_fault_respond(q.ctx, f, 0, 0), -EINVAL);
	ish_clear_err(q.ctx);
	assert_int_equal(q.be->ops->write(q.be, fd, r, sizeof(r)), (ssize_t)sizeof(r[0]));
	/* SUCCESS retried the access: still unmapped, it stalls again, a new request */
	assert_true(edu_running(&q, q.dev));
	assert_int_equal(ish_fault_read(q.ctx, f, pf, 2, 0), 1);
	assert_int_equal(pf[0].cookie, 1);
	assert_int_equal(ish_fault_respond(q.ctx, f, 1, IOMMUFD_PAGE_RESP_INVALID), 0);
	assert_false(edu_running(&q, q.dev));
	/* the vEVENTQ's neighbours: no ioctl, no seek */
	assert_int_equal(q.be->ops->ioctl(q.be, fd, IOMMU_DESTROY, buf), -ENOTTY);
	assert_int_equal(q.be->ops->pread(q.be, fd, buf, 8, 0), -ESPIPE);
	qx_close(&q);
}

static void injected_stall_record(void **state)
{
	/* F_TRANSLATION, SSV, SSID 7; STAG 0x1234, STALL, RnW (read), InD; the input address */
	uint64_t evt[4] = { 0x10 | 1ULL << 11 | 7ULL << 12, 0x1234 | 1ULL << 31 | 1ULL << 35 |
			    1ULL << 34, 0x5000, 0 };
	struct iommu_hwpt_pgfault pf[2];
	uint32_t f, f2;
	struct qx q;

	qx_open(&q);
	iopf_hwpt(&q, q.dev, &f);
	assert_int_equal(ish_sim_inject_event(q.be, BDF_S, evt), 1);
	assert_int_equal(ish_fault_read(q.ctx, f, pf, 2, 0), 1);
	assert_int_equal(pf[0].grpid, 0x1234);
	assert_int_equal(pf[0].perm, IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_EXEC);
	assert_int_equal(pf[0].flags, IOMMU_PGFAULT_FLAGS_LAST_PAGE |
			 IOMMU_PGFAULT_FLAGS_PASID_VALID);
	assert_int_equal(pf[0].pasid, 7);
	assert_int_equal(pf[0].addr, 0x5000);
	/* nothing waits on it: the answer resumes no transaction */
	assert_int_equal(ish_fault_respond(q.ctx, f, pf[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS), 0);
	assert_false(edu_running(&q, q.dev));
	/* a master that cannot stall never joined the IOPF queue: logged on the host */
	iopf_hwpt(&q, q.plain, &f2);
	assert_int_equal(ish_sim_inject_event(q.be, BDF_P, evt), 0);
	assert_int_equal(ish_fault_read(q.ctx, f2, pf, 2, 0), 0);
	qx_close(&q);
}

static void no_handler_aborts(void **state)
{
	struct ish_sim_stats before, after;
	uint32_t f, pt;
	struct qx q;

	qx_open(&q);
	assert_int_equal(ish_fault_alloc(q.ctx, &f), 0);
	/* stall SMMU, a HWPT with no fault queue: iommu_report_device_fault fails, ABORT */
	assert_int_equal(ish_device_attach(q.ctx, q.dev, q.ioas, &pt), 0);
	ish_sim_get_stats(q.be, &before);
	edu_dma(&q, q.dev, HOLE, 64, true);
	ish_sim_get_stats(q.be, &after);
	assert_false(edu_running(&q, q.dev));
	assert_int_equal(after.host_events, before.host_events + 1);	/* one stall, logged */
	qx_close(&q);
}

static void no_stall_no_request(void **state)
{
	struct iommu_hwpt_pgfault pf[1];
	struct ish_sim_stats before, after;
	uint32_t f;
	struct qx q;

	qx_open(&q);
	/* smmu0 cannot stall: the IOPF HWPT attaches (arm_smmu_enable_iopf: nothing to do),
	 * its faults terminate as events and no page request is ever queued (the live case) */
	iopf_hwpt(&q, q.plain, &f);
	ish_sim_get_stats(q.be, &before);
	edu_dma(&q, q.plain, HOLE, 16, true);
	ish_sim_get_stats(q.be, &after);
	assert_false(edu_running(&q, q.plain));
	assert_true(after.host_events > before.host_events);
	assert_int_equal(ish_fault_read(q.ctx, f, pf, 1, 0), 0);
	qx_close(&q);
}

static void auto_response(void **state)
{
	struct iommu_hwpt_pgfault pf[1];
	uint32_t f, h, pt;
	struct qx q;

	qx_open(&q);
	h = iopf_hwpt(&q, q.dev, &f);
	/* pending (queued, not read) when the device moves to the IOAS: answered INVALID */
	edu_dma(&q, q.dev, HOLE, 16, true);
	assert_true(edu_running(&q, q.dev));
	assert_int_equal(ish_device_attach(q.ctx, q.dev, q.ioas, &pt), 0);
	assert_false(edu_running(&q, q.dev));
	assert_int_equal(ish_fault_read(q.ctx, f, pf, 1, 0), 0);
	/* read, then detached: the cookie is answered for it */
	assert_int_equal(ish_device_attach(q.ctx, q.dev, h, &pt), 0);
	edu_dma(&q, q.dev, HOLE, 16, true);
	assert_int_equal(ish_fault_read(q.ctx, f, pf, 1, 0), 1);
	assert_int_equal(ish_device_detach(q.ctx, q.dev), 0);
	assert_false(edu_running(&q, q.dev));
	assert_int_equal(ish_fault_respond(q.ctx, f, pf[0].cookie, 0), -EINVAL);
	ish_clear_err(q.ctx);
	/* still attached at destroy: the fault goes last, whatever waits on it is aborted */
	assert_int_equal(ish_device_attach(q.ctx, q.dev, h, &pt), 0);
	edu_dma(&q, q.dev, HOLE, 16, true);
	assert_true(edu_running(&q, q.dev));
	qx_close(&q);
}

/* ---- TEGRA241 CMDQV vIOMMUs and HW queues -------------------------------------------------- */

static void cmdqv_viommu(void **state)
{
	uint64_t off[3], len;
	uint32_t s2, s2p, v[4];
	struct iommu_viommu_alloc a;
	struct qx q;
	int i;

	qx_open(&q);
	assert_int_equal(ish_hwpt_alloc(q.ctx, q.dev, q.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0,
					NULL, 0, &s2), 0);
	assert_int_equal(ish_hwpt_alloc(q.ctx, q.plain, q.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0,
					NULL, 0, &s2p), 0);
	/* no CMDQV behind smmu0: get_viommu_size says 0 */
	assert_int_equal(ish_viommu_alloc_cmdqv(q.ctx, q.plain, s2p, &v[0], NULL, NULL),
			 -EOPNOTSUPP);
	ish_clear_err(q.ctx);
	/* tegra241_cmdqv_init_vintf_user: user data required, at least to its last member */
	a = (struct iommu_viommu_alloc){ .size = sizeof(a), .type = IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
					 .dev_id = q.dev, .hwpt_id = s2 };
	assert_int_equal(q.be->ops->ioctl(q.be, ish_ctx_iommufd(q.ctx), IOMMU_VIOMMU_ALLOC, &a),
			 -EINVAL);
	a.data_len = 8;
	a.data_uptr = (uintptr_t)off;
	assert_int_equal(q.be->ops->ioctl(q.be, ish_ctx_iommufd(q.ctx), IOMMU_VIOMMU_ALLOC, &a),
			 -EINVAL);
	/* three user VINTFs (VINTF0 is the host's), mmap offsets from the second page on */
	for (i = 0; i < 3; i++) {
		assert_int_equal(ish_viommu_alloc_cmdqv(q.ctx, q.dev, s2, &v[i], &off[i], &len), 0);
		assert_int_equal(len, 0x10000);
	}
	assert_int_equal(off[0], 0x1000);
	assert_int_equal(off[1], 0x11000);
	assert_int_equal(off[2], 0x21000);
	assert_int_equal(ish_viommu_alloc_cmdqv(q.ctx, q.dev, s2, &v[3], NULL, NULL), -ENOSPC);
	ish_clear_err(q.ctx);
	/* a freed VINTF and its mmap range are taken again, lowest first */
	assert_int_equal(ish_destroy(q.ctx, v[1]), 0);
	assert_int_equal(ish_viommu_alloc_cmdqv(q.ctx, q.dev, s2, &v[1], &off[1], NULL), 0);
	assert_int_equal(off[1], 0x11000);
	assert_true(ish_obj_viommu_mmap(ish_obj_find(q.ctx, v[1]), &off[0], &len));
	assert_int_equal(off[0], 0x11000);
	assert_int_equal(ish_obj_viommu_type(ish_obj_find(q.ctx, v[1])),
			 IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV);
	assert_consistent(&q);
	qx_close(&q);
}

static void cmdqv_mmap(void **state)
{
	int fd;
	void *p, *p2;
	uint64_t len;
	uint32_t s2, v, plain;
	struct qx q;

	qx_open(&q);
	fd = ish_ctx_iommufd(q.ctx);
	assert_int_equal(ish_hwpt_alloc(q.ctx, q.dev, q.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0,
					NULL, 0, &s2), 0);
	assert_int_equal(ish_viommu_alloc(q.ctx, q.dev, s2, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &plain),
			 0);
	assert_int_equal(ish_viommu_alloc_cmdqv(q.ctx, q.dev, s2, &v, NULL, NULL), 0);
	/* iommufd_fops_mmap: a page-aligned length; exactly an immap's start and length */
	assert_int_equal(q.be->ops->mmap(q.be, fd, 0x1000, 0x800, &p), -EINVAL);
	assert_int_equal(q.be->ops->mmap(q.be, fd, 0, 0x10000, &p), -ENXIO);
	assert_int_equal(q.be->ops->mmap(q.be, fd, 0x2000, 0x10000, &p), -ENXIO);
	assert_int_equal(q.be->ops->mmap(q.be, fd, 0x1000, 0x1000, &p), -ENXIO);
	assert_int_equal(ish_viommu_mmap(q.ctx, plain, &p, &len), -ENXIO);
	ish_clear_err(q.ctx);
	assert_int_equal(ish_viommu_mmap(q.ctx, v, &p, &len), 0);
	assert_non_null(p);
	assert_int_equal(len, 0x10000);
	memset(p, 0, (size_t)len);	/* it is memory */
	assert_int_equal(ish_viommu_mmap(q.ctx, v, &p2, NULL), -EEXIST);
	ish_clear_err(q.ctx);
	/* the mapping holds the vIOMMU */
	assert_int_equal(ish_destroy(q.ctx, v), -EBUSY);
	ish_clear_err(q.ctx);
	assert_int_equal(ish_viommu_munmap(q.ctx, v), 0);
	assert_int_equal(ish_viommu_munmap(q.ctx, v), -EINVAL);
	ish_clear_err(q.ctx);
	assert_int_equal(ish_destroy(q.ctx, v), 0);
	/* left mapped: the teardown unmaps it before the destroy */
	assert_int_equal(ish_viommu_alloc_cmdqv(q.ctx, q.dev, s2, &v, NULL, NULL), 0);
	assert_int_equal(ish_viommu_mmap(q.ctx, v, &p, NULL), 0);
	qx_close(&q);
}

static void hw_queue_rules(void **state)
{
	const uint32_t T = IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV;
	uint32_t s2, v, plain, q0, q1, x, type, index;
	struct iommu_hw_queue_alloc a;
	uint64_t iova, length, unmapped;
	struct qx q;

	qx_open(&q);
	assert_int_equal(ish_hwpt_alloc(q.ctx, q.dev, q.ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0,
					NULL, 0, &s2), 0);
	assert_int_equal(ish_viommu_alloc(q.ctx, q.dev, s2, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &plain),
			 0);
	assert_int_equal(ish_viommu_alloc_cmdqv(q.ctx, q.dev, s2, &v, NULL, NULL), 0);
	/* iommufd_hw_queue_alloc_ioctl, in its order */
	a = (struct iommu_hw_queue_alloc){ .size = sizeof(a), .flags = 1, .viommu_id = v,
					   .type = T, .nesting_parent_iova = RAM, .length = 4096 };
	assert_int_equal(q.be->ops->ioctl(q.be, ish_ctx_iommufd(q.ctx), IOMMU_HW_QUEUE_ALLOC, &a),
			 -EOPNOTSUPP);
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, 0, 0, RAM, 4096, &x), -EOPNOTSUPP);
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, T, 0, RAM, 0, &x), -EINVAL);
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, T, 0, ~0ULL - 0xfff, 0x2000, &x), -EOVERFLOW);
	assert_int_equal(ish_hw_queue_alloc(q.ctx, 99, T, 0, RAM, 4096, &x), -ENOENT);
	assert_int_equal(ish_hw_queue_alloc(q.ctx, plain, T, 0, RAM, 4096, &x), -EOPNOTSUPP);
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, 2, 0, RAM, 4096, &x), -EOPNOTSUPP);
	/* iommufd_hw_queue_alloc_phys: pinned in the parent's IOAS */
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, T, 0, HOLE, 4096, &x), -ENOENT);
	/* tegra241_vintf_alloc_lvcmdq_user */
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, T, 2, RAM, 4096, &x), -EINVAL);
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, T, 1, RAM, 4096, &x), -EIO);
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, T, 0, RAM, 48, &x), -EINVAL);
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, T, 0, RAM, 16, &x), -EINVAL);
	/* the pin comes before the driver's length check: 16 MiB is more than is mapped */
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, T, 0, RAM, 1ULL << 24, &x), -ENOENT);
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, T, 0, RAM + 0x20, 64, &x), -EINVAL);
	ish_clear_err(q.ctx);
	assert_consistent(&q);
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, T, 0, RAM, 4096, &q0), 0);
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, T, 0, RAM + 0x2000, 4096, &x), -EEXIST);
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, T, 1, RAM + 0x1000, 32, &q1), 0);
	/* two ids each: the queue, then the kernel's access */
	assert_int_equal(q1, q0 + 2);
	assert_int_equal(ish_destroy(q.ctx, q0 + 1), -EBUSY);
	ish_clear_err(q.ctx);
	assert_true(ish_obj_hw_queue(ish_obj_find(q.ctx, q1), &type, &index, &iova, &length));
	assert_int_equal(type, T);
	assert_int_equal(index, 1);
	assert_int_equal(iova, RAM + 0x1000);
	assert_int_equal(length, 32);
	/* pinned: no unmap; the lower index goes last; the vIOMMU after its queues */
	assert_int_equal(ish_ioas_unmap(q.ctx, q.ioas, RAM, 64 << 10, &unmapped), -EBUSY);
	ish_clear_err(q.ctx);
	assert_int_equal(ish_ioas_unmap(q.ctx, q.ioas, 0, UINT64_MAX, &unmapped), -EBUSY);
	ish_clear_err(q.ctx);
	assert_int_equal(ish_destroy(q.ctx, q0), -EBUSY);
	assert_non_null(strstr(ish_errmsg(q.ctx), "depending on it"));
	assert_int_equal(ish_errno(q.ctx), -EBUSY);
	ish_clear_err(q.ctx);
	assert_int_equal(ish_destroy(q.ctx, v), -EBUSY);
	ish_clear_err(q.ctx);
	assert_int_equal(ish_destroy(q.ctx, q1), 0);
	assert_int_equal(ish_destroy(q.ctx, q0), 0);
	assert_consistent(&q);
	/* left for the teardown: it must free index 1 before index 0 */
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, T, 0, RAM, 4096, &q0), 0);
	assert_int_equal(ish_hw_queue_alloc(q.ctx, v, T, 1, RAM + 0x1000, 4096, &q1), 0);
	qx_close(&q);
}

/* ---- fail-Nth ---------------------------------------------------------------------------------- */

typedef int (*story_fn)(struct qx *q);

static int fault_story(struct qx *q)
{
	struct iommu_hwpt_pgfault pf[2];
	uint64_t iova = HOLE;
	uint32_t f, h, pt;
	int rc, i, n;

	if ((rc = ish_fault_alloc(q->ctx, &f)) < 0 ||
	    (rc = ish_hwpt_alloc_fault(q->ctx, q->dev, q->ioas, 0, 0, NULL, 0, f, &h)) < 0 ||
	    (rc = ish_device_attach(q->ctx, q->dev, h, &pt)) < 0)
		return rc;
	for (i = 0; i < 4; i++)
		if ((rc = ish_mmio_write(q->ctx, q->dev, 0, 0x80 + 8 * (uint64_t)i, 8,
					 (uint64_t[]){ 0x40000, HOLE, 64, 3 }[i])) < 0)
			return rc;
	n = ish_fault_read(q->ctx, f, pf, 2, 0);
	if (n < 0)
		return n;
	if (n != 1)
		return -EPROTO;
	if ((rc = ish_ioas_map(q->ctx, q->ioas, mem(q, q->hole), 4096, &iova,
			       IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			       IOMMU_IOAS_MAP_WRITEABLE)) < 0 ||
	    (rc = ish_fault_respond(q->ctx, f, pf[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS)) < 0 ||
	    (rc = ish_device_detach(q->ctx, q->dev)) < 0 ||
	    (rc = ish_destroy(q->ctx, h)) < 0)
		return rc;
	return ish_destroy(q->ctx, f);
}

static int hwq_story(struct qx *q)
{
	uint32_t s2, v, q0, q1, pt;
	int rc;

	if ((rc = ish_hwpt_alloc(q->ctx, q->dev, q->ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0, NULL,
				 0, &s2)) < 0 ||
	    (rc = ish_device_attach(q->ctx, q->dev, s2, &pt)) < 0 ||
	    (rc = ish_viommu_alloc_cmdqv(q->ctx, q->dev, s2, &v, NULL, NULL)) < 0 ||
	    (rc = ish_viommu_mmap(q->ctx, v, NULL, NULL)) < 0 ||
	    (rc = ish_hw_queue_alloc(q->ctx, v, IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV, 0, RAM, 4096,
				     &q0)) < 0 ||
	    (rc = ish_hw_queue_alloc(q->ctx, v, IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV, 1,
				     RAM + 0x1000, 4096, &q1)) < 0 ||
	    (rc = ish_destroy(q->ctx, q1)) < 0)
		return rc;
	return ish_destroy(q->ctx, q0);	/* the vIOMMU and S2: the teardown's */
}

static void sweep(story_fn fn, int err)
{
	unsigned long n;
	struct qx q;
	bool hit;
	int rc;

	qx_open(&q);
	assert_int_equal(fn(&q), 0);
	qx_close(&q);
	for (n = 1; n < 200; n++) {
		qx_open(&q);
		ish_fail_nth(q.ctx, n, err);
		rc = fn(&q);
		hit = ish_fail_hit(q.ctx);
		ish_fail_nth(q.ctx, 0, 0);
		if (!hit) {
			assert_int_equal(rc, 0);
			qx_close(&q);
			break;
		}
		if (rc < 0 && rc != -err)
			fail_msg("call %lu: expected -%d, got %d", n, err, rc);
		assert_consistent(&q);
		qx_close(&q);
	}
	assert_true(n > 5 && n < 200);
}

static void fault_story_fail_nth(void **state)
{
	sweep(fault_story, ENOMEM);
	sweep(fault_story, EIO);
}

static void hwq_story_fail_nth(void **state)
{
	sweep(hwq_story, ENOMEM);
	sweep(hwq_story, EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fault_alloc_rules),
		cmocka_unit_test(nested_iopf_hwpt),
		cmocka_unit_test(stall_request_retry),
		cmocka_unit_test(nested_s1_stall_rules),
		cmocka_unit_test(fault_fd_rules),
		cmocka_unit_test(injected_stall_record),
		cmocka_unit_test(no_handler_aborts),
		cmocka_unit_test(no_stall_no_request),
		cmocka_unit_test(auto_response),
		cmocka_unit_test(cmdqv_viommu),
		cmocka_unit_test(cmdqv_mmap),
		cmocka_unit_test(hw_queue_rules),
		cmocka_unit_test(fault_story_fail_nth),
		cmocka_unit_test(hwq_story_fail_nth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
