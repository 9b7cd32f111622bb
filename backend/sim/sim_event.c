// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vEVENTQ: allocation, its fd's read()/poll(), and the SMMUv3 driver's forwarding of
 * physical events (arm_smmu_handle_event -> arm_vmaster_report_event ->
 * iommufd_viommu_report_event), with the single LOST_EVENTS header and its sequence rules.
 */
#include <stdlib.h>
#include "sim_internal.h"

#define SIM_INT_MAX 0x7fffffffU

/* the vIOMMU's queue of @type: one a type at most (viommu->veventqs) */
static struct sim_obj *veventq_of(struct sim_obj *v, uint32_t type)
{
	struct sim_obj *q;

	for (q = v->u.viommu.veventqs; q; q = q->u.q.next)
		if (q->u.q.type == type)
			return q;
	return NULL;
}

int sim_veventq_alloc(struct sim_ictx *ictx, struct iommu_veventq_alloc *cmd)
{
	uint32_t max = sim_strict(ictx->sim) ? SIM_MAX_DEPTH : UINT32_MAX;
	struct sim_obj *v, *q = NULL;
	struct sim_file *f;
	int fd;

	if (cmd->flags || cmd->__reserved || cmd->type == IOMMU_VEVENTQ_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->veventq_depth || cmd->veventq_depth > max)
		return -EINVAL;
	v = sim_obj_get(ictx, cmd->viommu_id, SIM_VIOMMU);
	if (!v)
		return -ENOENT;
	if (veventq_of(v, cmd->type))
		return -EEXIST;
	q = sim_obj_new(ictx, SIM_VEVENTQ);
	if (!q)
		return -ENOMEM;
	fd = sim_file_new(ictx->sim, SIM_F_VEVENTQ, &f);
	if (fd < 0) {
		sim_obj_abort(q);
		return fd;
	}
	q->u.q.viommu = v;
	q->u.q.type = cmd->type;
	q->u.q.depth = cmd->veventq_depth;
	q->u.q.file = f;
	q->u.q.next = v->u.viommu.veventqs;
	v->u.viommu.veventqs = q;
	q->users++;		/* the fd's reference */
	v->users++;
	f->obj = q;
	f->ictx = ictx;
	sim_ictx_get(ictx);
	cmd->out_veventq_id = q->id;
	cmd->out_veventq_fd = (uint32_t)fd;
	sim_obj_finalize(q);
	return 0;
}

void sim_veventq_destroy(struct sim_obj *q)
{
	struct sim_obj **p = &q->u.q.viommu->u.viommu.veventqs;
	struct sim_vevent *e;

	while (*p != q)
		p = &(*p)->u.q.next;
	*p = q->u.q.next;
	while ((e = q->u.q.head)) {
		q->u.q.head = e->next;
		free(e);
	}
	q->u.q.viommu->users--;
}

static uint32_t next_seq(struct sim_obj *q)
{
	uint32_t seq = q->u.q.seq;

	q->u.q.seq = (seq + 1) & SIM_INT_MAX;
	return seq;
}

/* iommufd_vevent_handler(): a full queue (or no memory) moves the LOST header to the tail */
static void veventq_push(struct sim_obj *q, const uint64_t evt[4])
{
	struct sim_vevent *e = NULL;

	if (q->u.q.num < q->u.q.depth)
		e = sim_calloc(q->ictx->sim, 1, sizeof(*e));
	q->u.q.lost = false;	/* whatever comes now goes after it: it leaves the tail */
	if (!e) {
		q->u.q.lost = true;
		q->u.q.lost_seq = next_seq(q);
		return;
	}
	memcpy(e->evt, evt, sizeof(e->evt));
	e->seq = next_seq(q);
	if (q->u.q.tail)
		q->u.q.tail->next = e;
	else
		q->u.q.head = e;
	q->u.q.tail = e;
	q->u.q.num++;
}


static bool forwarded_id(uint8_t id)
{
	switch (id) {
	case 0x04:	/* C_BAD_STE */
	case 0x06:	/* F_STREAM_DISABLED */
	case 0x08:	/* C_BAD_SUBSTREAMID */
	case 0x0a:	/* C_BAD_CD */
	case 0x10:	/* F_TRANSLATION */
	case 0x11:	/* F_ADDR_SIZE */
	case 0x12:	/* F_ACCESS */
	case 0x13:	/* F_PERMISSION */
		return true;
	default:
		return false;
	}
}

int sim_event_report(struct sim *sim, struct sim_pdev *p, const uint64_t evt[4])
{
	struct sim_obj *idev = p->idev, *q = NULL;
	uint64_t e[4];

	/* arm_smmu_handle_event: a stall record goes to iommu_report_device_fault, never to a
	 * vEVENTQ; where no fault queue takes it, it is answered and logged on the host */
	if (forwarded_id((uint8_t)evt[0]) && (evt[1] & SIM_EVT1_STALL)) {
		if (sim_iopf_inject(sim, p, evt))
			return 1;
		sim->host_events++;
		return 0;
	}

	if (forwarded_id((uint8_t)evt[0]) && !(evt[1] & SIM_EVT1_STALL) && idev &&
	    idev->u.dev.vmaster && !(evt[1] & SIM_EVT1_S2))
		q = veventq_of(idev->u.dev.vmaster, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3);
	if (!q) {
		sim->host_events++;	/* the host driver logs it */
		return 0;
	}
	memcpy(e, evt, sizeof(e));
	e[0] = (e[0] & 0xffffffffULL) | (uint64_t)idev->u.dev.vsid << SIM_EVT0_SID_SHIFT;
	veventq_push(q, e);
	return 1;
}

/* ---- the fd --------------------------------------------------------------------------------- */

static void put_header(uint8_t *dst, uint32_t flags, uint32_t seq)
{
	struct iommufd_vevent_header h = { .flags = flags, .sequence = seq };

	memcpy(dst, &h, sizeof(h));
}

/* Whole records only; a LOST header needs just its 8 bytes. */
ssize_t sim_veventq_read(struct sim *sim, struct sim_file *f, void *buf, size_t len)
{
	const size_t hdr = sizeof(struct iommufd_vevent_header);
	struct sim_obj *q = f->obj;
	uint8_t *out = buf;
	struct sim_vevent *e;
	size_t done = 0;

	if (len < hdr)
		return sim_strict(sim) ? -EINVAL : 0;
	while ((e = q->u.q.head)) {
		if (len - done < SIM_EVT_REC) {
			if (!done)
				return sim_strict(sim) ? -EINVAL : 0;
			return (ssize_t)done;
		}
		put_header(out + done, 0, e->seq);
		memcpy(out + done + hdr, e->evt, sizeof(e->evt));
		done += SIM_EVT_REC;
		q->u.q.head = e->next;
		if (!q->u.q.head)
			q->u.q.tail = NULL;
		q->u.q.num--;
		free(e);
	}
	if (q->u.q.lost && len - done >= hdr) {
		put_header(out + done, IOMMU_VEVENTQ_FLAG_LOST_EVENTS, q->u.q.lost_seq);
		done += hdr;
		q->u.q.lost = false;
	}
	return (ssize_t)done;
}

int sim_veventq_poll(struct sim_file *f)
{
	return f->obj->u.q.head || f->obj->u.q.lost;
}
