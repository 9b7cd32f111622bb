// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fault queues: IOMMU_FAULT_QUEUE_ALLOC, its fd's read() (page requests, struct
 * iommu_hwpt_pgfault) and write() (responses, struct iommu_hwpt_page_response), as
 * iommufd/eventq.c has them; and the path a stalled transaction takes to get there
 * (arm_smmu_handle_event -> iommu_report_device_fault -> iommufd_fault_iopf_handler), and back
 * (arm_smmu_page_response: RESUME with RETRY or ABORT).
 */
#include <stdlib.h>
#include "sim_internal.h"

int sim_fault_alloc(struct sim_ictx *ictx, struct iommu_fault_alloc *cmd)
{
	struct sim_obj *q;
	struct sim_file *f;
	int fd;

	if (cmd->flags)		/* iommufd_fault_alloc */
		return -EOPNOTSUPP;
	q = sim_obj_new(ictx, SIM_FAULT);
	if (!q)
		return -ENOMEM;
	/* XA_FLAGS_ALLOC1: cookie 0 is never handed out */
	if (sim_ida_alloc(ictx->sim, &q->u.fault.cookies, &(uint32_t){ 0 }) < 0)
		goto out_abort;
	fd = sim_file_new(ictx->sim, SIM_F_FAULT, &f);
	if (fd < 0)
		goto out_cookies;
	q->u.fault.file = f;
	q->users++;		/* the fd's reference (iommufd_eventq_init) */
	f->obj = q;
	f->ictx = ictx;
	sim_ictx_get(ictx);
	cmd->out_fault_id = q->id;
	cmd->out_fault_fd = (uint32_t)fd;
	sim_obj_finalize(q);
	return 0;

out_cookies:
	sim_ida_free(&q->u.fault.cookies);
out_abort:
	sim_obj_abort(q);
	return -ENOMEM;
}

struct sim_obj *sim_hwpt_fault(const struct sim_obj *hwpt)
{
	if (!hwpt)
		return NULL;
	if (hwpt->type == SIM_HWPT_PAGING)
		return hwpt->u.paging.fault;
	if (hwpt->type == SIM_HWPT_NESTED)
		return hwpt->u.nested.fault;
	return NULL;
}

/* iopf_group_response + arm_smmu_page_response: SUCCESS retries, anything else aborts (an
 * injected record has no transaction behind it: the RESUME goes nowhere) */
static void respond(struct sim_pgreq *r, uint32_t code)
{
	struct sim_pdev *p = r->idev->u.dev.pdev;

	if (!r->injected)
		sim_edu_resume(r->idev->ictx->sim, p, code == IOMMUFD_PAGE_RESP_SUCCESS);
}

/*
 * arm_smmu_handle_event for a stall record -> iommu_report_device_fault: the fault queue of
 * the HWPT attached (the master joined the IOPF queue at attach only if it can stall and the
 * domain has a handler); NULL: no handler, the driver resumes it with ABORT.
 */
static struct sim_obj *iopf_queue_of(struct sim *sim, struct sim_pdev *p)
{
	struct sim_obj *idev = p->idev;

	if (!idev || !sim->smmu[p->cfg.smmu].cfg.stall)
		return NULL;
	return sim_hwpt_fault(idev->u.dev.hwpt);
}

static int iopf_queue(struct sim *sim, struct sim_pdev *p, const struct sim_pgreq *tmpl)
{
	struct sim_obj *q = iopf_queue_of(sim, p);
	struct sim_pgreq *r;

	if (!q)
		return 0;
	r = sim_calloc(sim, 1, sizeof(*r));
	if (!r)
		return 0;
	*r = *tmpl;
	r->idev = p->idev;
	r->next = NULL;
	if (q->u.fault.tail)
		q->u.fault.tail->next = r;
	else
		q->u.fault.head = r;
	q->u.fault.tail = r;
	return 1;
}

int sim_iopf_report(struct sim *sim, struct sim_pdev *p, uint64_t addr, bool write)
{
	struct sim_pgreq r = {
		.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE,	/* the SMMU's stall: one fault a group */
		.perm = write ? IOMMU_PGFAULT_PERM_WRITE : IOMMU_PGFAULT_PERM_READ,
		.addr = addr,
	};

	if (!iopf_queue_of(sim, p))
		return 0;
	r.grpid = sim->smmu[p->cfg.smmu].next_stag++;	/* STAG */
	return iopf_queue(sim, p, &r);
}

/* the arm_smmu_event fields the driver turns into the page request */
int sim_iopf_inject(struct sim *sim, struct sim_pdev *p, const uint64_t evt[4])
{
	struct sim_pgreq r = {
		.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE,
		.grpid = (uint32_t)(evt[1] & 0xffff),				/* STAG */
		.perm = evt[1] & SIM_EVT1_RNW ? IOMMU_PGFAULT_PERM_READ : IOMMU_PGFAULT_PERM_WRITE,
		.addr = evt[2],
		.injected = true,
	};

	if (evt[1] & (1ULL << 34))					/* InD */
		r.perm |= IOMMU_PGFAULT_PERM_EXEC;
	if (evt[1] & (1ULL << 33))					/* PnU */
		r.perm |= IOMMU_PGFAULT_PERM_PRIV;
	if (evt[0] & (1ULL << 11)) {					/* SSV */
		r.flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;
		r.pasid = (uint32_t)((evt[0] >> 12) & 0xfffff);
	}
	return iopf_queue(sim, p, &r);
}

static void pgreq_answer(struct sim_obj *q, struct sim_pgreq *r, uint32_t code)
{
	if (r->cookie) {
		sim_map_del(&q->u.fault.resp, r->cookie);
		sim_ida_remove(&q->u.fault.cookies, r->cookie);
	}
	respond(r, code);
	free(r);
}

/* iommufd_auto_response_faults: the device's requests, delivered or not, get INVALID */
void sim_fault_auto_response(struct sim_obj *hwpt, struct sim_obj *idev)
{
	struct sim_obj *q = sim_hwpt_fault(hwpt);
	struct sim_pgreq **pp, *r, *last = NULL;
	uint32_t c;

	if (!q)
		return;
	for (pp = &q->u.fault.head; (r = *pp);) {
		if (r->idev != idev) {
			last = r;
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		pgreq_answer(q, r, IOMMUFD_PAGE_RESP_INVALID);
	}
	q->u.fault.tail = last;
	/* the read ones: a cookie each, at most one per stalled device here */
	for (c = 1; c < q->u.fault.cookies.cap && q->u.fault.resp.n; c++) {
		r = sim_map_get(&q->u.fault.resp, c);
		if (r && r->idev == idev)
			pgreq_answer(q, r, IOMMUFD_PAGE_RESP_INVALID);
	}
}

/* iommufd_fault_destroy: whatever is pending is answered INVALID */
void sim_fault_destroy(struct sim_obj *q)
{
	struct sim_pgreq *r;
	uint32_t c;

	while ((r = q->u.fault.head)) {
		q->u.fault.head = r->next;
		pgreq_answer(q, r, IOMMUFD_PAGE_RESP_INVALID);
	}
	for (c = 1; c < q->u.fault.cookies.cap && q->u.fault.resp.n; c++) {
		r = sim_map_get(&q->u.fault.resp, c);
		if (r)
			pgreq_answer(q, r, IOMMUFD_PAGE_RESP_INVALID);
	}
	sim_map_free(&q->u.fault.resp);
	sim_ida_free(&q->u.fault.cookies);
}

/* ---- the fd ------------------------------------------------------------------------------ */

/* iommufd_fault_fops_read: whole groups only; a count that fits none is EINVAL */
ssize_t sim_fault_read(struct sim *sim, struct sim_file *f, void *buf, size_t len)
{
	const size_t sz = sizeof(struct iommu_hwpt_pgfault);
	struct sim_obj *q = f->obj;
	struct sim_pgreq *r;
	uint8_t *out = buf;
	size_t done = 0;
	int rc = 0;

	if (len % sz)
		return -ESPIPE;
	while ((r = q->u.fault.head)) {
		struct iommu_hwpt_pgfault m = { 0 };

		if (done >= len || sz > len - done) {
			if (!done)
				rc = -EINVAL;
			break;
		}
		rc = sim_ida_alloc(sim, &q->u.fault.cookies, &r->cookie);
		if (!rc && sim_map_add(sim, &q->u.fault.resp, r->cookie, r) < 0) {
			sim_ida_remove(&q->u.fault.cookies, r->cookie);
			rc = -ENOMEM;
		}
		if (rc) {
			r->cookie = 0;
			break;
		}
		q->u.fault.head = r->next;
		if (!q->u.fault.head)
			q->u.fault.tail = NULL;
		r->next = NULL;
		/* iommufd_compose_fault_message */
		m.flags = r->flags;
		m.dev_id = r->idev->id;
		m.pasid = r->pasid;
		m.grpid = r->grpid;
		m.perm = r->perm;
		m.addr = r->addr;
		m.length = 0;
		m.cookie = r->cookie;
		memcpy(out + done, &m, sz);
		done += sz;
	}
	return done ? (ssize_t)done : rc;
}

/* iommufd_fault_fops_write: responses in order; the first bad one stops the write */
ssize_t sim_fault_write(struct sim *sim, struct sim_file *f, const void *buf, size_t len)
{
	const size_t sz = sizeof(struct iommu_hwpt_page_response);
	struct sim_obj *q = f->obj;
	const uint8_t *in = buf;
	size_t done = 0;
	int rc = 0;

	(void)sim;
	if (len % sz)
		return -ESPIPE;
	while (len > done) {
		struct iommu_hwpt_page_response resp;
		struct sim_pgreq *r;

		memcpy(&resp, in + done, sz);
		if (resp.code != IOMMUFD_PAGE_RESP_SUCCESS && resp.code != IOMMUFD_PAGE_RESP_INVALID) {
			rc = -EINVAL;
			break;
		}
		r = resp.cookie ? sim_map_get(&q->u.fault.resp, resp.cookie) : NULL;
		if (!r) {
			rc = -EINVAL;
			break;
		}
		pgreq_answer(q, r, resp.code);
		done += sz;
	}
	return done ? (ssize_t)done : rc;
}

int sim_fault_poll(struct sim_file *f)
{
	return f->obj->u.fault.head != NULL;
}
