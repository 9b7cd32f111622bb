// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The most hostile input iommush has: a malicious guest driving the VMM front end. The input
 * is a program of guest actions (a 2-byte length, then the actions: MMIO reads and writes of
 * any width to any offset of both register pages, stores into guest RAM, faults raised by its
 * devices, event drains and resets), and after it the image of guest RAM from GPA 0 (stream
 * table, CDs, command queue, whatever the guest put there). Whatever it does, the front end must answer with registers, CMDQ errors and GERROR,
 * never crash; and afterwards the model, the registry and the simulated kernel must agree,
 * every device the vSMMU holds must sit on a page table the model expects, and the teardown
 * must leave nothing behind (ASan's leak check sees the rest).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "iommush/iommush.h"
#include "iommush/vsmmu.h"
#include "iommush/vmm.h"
#include "iommush/sim.h"
#include "iommush/smmu.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #c, \
	__FILE__, __LINE__); abort(); } } while (0)

#define RAM_SIZE	(64u << 10)	/* guest RAM at GPA 0, mapped in the S2 IOAS */

static uint8_t *ram;

static int ram_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	(void)opaque;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, ram + gpa, len);
	return 0;
}

static int ram_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	(void)opaque;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(ram + gpa, buf, len);
	return 0;
}

static const struct ish_vmm_mem_ops mem_ops = { ram_read, ram_write, NULL };

static uint64_t take(const uint8_t **p, const uint8_t *end, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n && *p < end; i++)
		v |= (uint64_t)*(*p)++ << (8 * i);
	return v;
}

/* the registry, the model and the simulated kernel tell one story */
static void check_consistent(struct ish_ctx *ctx, struct ish_backend *be, struct ish_vsmmu *vs)
{
	struct ish_sim_stats st;
	struct ish_vsmmu_dev *d;
	struct ish_obj *o;
	unsigned int n = 0;

	for (o = ish_obj_first(ctx); o; o = ish_obj_next(o))
		n++;
	ish_sim_get_stats(be, &st);
	CHECK(n == st.objects);
	for (d = ish_vsmmu_dev_first(vs); d; d = ish_vsmmu_dev_next(d)) {
		enum ish_role r = ish_vsmmu_role(vs, ish_vsmmu_dev_id(d));

		CHECK(r != ISH_ROLE_NONE && r != ISH_ROLE_OTHER);
		CHECK(ish_obj_owner(ish_obj_find(ctx, ish_vsmmu_dev_id(d))) != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t plen = size >= 2 ? (size_t)(data[0] | data[1] << 8) : 0;
	const uint8_t *p = data + (size >= 2 ? 2 : size), *end, *img;
	struct ish_vsmmu_cfg cfg = { .auto_features = true };
	struct ish_backend *be = ish_sim_new();
	struct ish_sim_stats st;
	struct ish_vsmmu *vs;
	struct ish_vmm *vmm;
	struct ish_ctx *ctx;
	uint32_t dev_a, dev_b, ioas, mem;
	uint64_t iova = 0, val;
	unsigned int steps = 0;

	CHECK(be && ish_ctx_new(be, &ctx) == 0);
	CHECK(ish_device_bind(ctx, "0000:00:01.0", &dev_a) == 0);
	CHECK(ish_device_bind(ctx, "0000:00:02.0", &dev_b) == 0);
	CHECK(ish_ioas_alloc(ctx, &ioas) == 0);
	CHECK(ish_mem_alloc(ctx, RAM_SIZE, &mem) == 0);
	ram = ish_mem_va(ish_mem_find(ctx, mem));
	if (plen > (size_t)(data + size - p))
		plen = (size_t)(data + size - p);
	end = p + plen;
	img = end;
	memcpy(ram, img, (size_t)(data + size - img) < RAM_SIZE ? (size_t)(data + size - img) :
	       RAM_SIZE);
	CHECK(ish_ioas_map(ctx, ioas, ram, RAM_SIZE, &iova, IOMMU_IOAS_MAP_FIXED_IOVA |
			   IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE) == 0);
	CHECK(ish_vsmmu_create(ctx, "vs0", ioas, &cfg, &vs) == 0);
	/* as a VMM does: the devices are plugged before the guest probes */
	CHECK(ish_vsmmu_plug(vs, dev_a, 0x8) == 0);
	CHECK(ish_vsmmu_plug(vs, dev_b, 0x10) == 0);
	CHECK(ish_vmm_new(vs, &mem_ops, NULL, &vmm) == 0);

	while (p < end && steps++ < 512) {
		unsigned int op = (unsigned int)take(&p, end, 1);
		unsigned int width = op & 0x10 ? 8 : 4;
		/* both register pages, and a little beyond; misaligned ones too */
		uint64_t off = take(&p, end, 3) % 0x20100;
		uint64_t evt[4] = { 0 };

		ish_clear_err(ctx);
		switch (op & 0x7) {
		case 0:
		case 1:	/* the common case: a register write, often to a real register */
			if (op & 0x20)
				off &= ~(uint64_t)(width - 1);
			val = take(&p, end, width);
			(void)ish_vmm_mmio_write(vmm, off, width, val);
			break;
		case 2:
			(void)ish_vmm_mmio_read(vmm, off, width, &val);
			break;
		case 3:	/* the guest stores into its RAM (its tables and queues) */
			val = take(&p, end, 8);
			ram_write(NULL, off % RAM_SIZE & ~7ull, &val, (off % RAM_SIZE) + 8 <= RAM_SIZE ?
				  8 : 0);
			break;
		case 4:	/* a device faults: forwarded or not, as the driver decides */
			evt[0] = take(&p, end, 1);
			evt[2] = take(&p, end, 8);
			(void)ish_sim_inject_event(be, op & 0x8 ? "0000:00:02.0" : "0000:00:01.0", evt);
			break;
		case 5:
			(void)ish_vmm_events(vmm, 0);
			break;
		case 6:
			if (op & 0x40)
				(void)ish_vmm_reset(vmm);
			break;
		default:	/* the model moved by the VMM itself: GBPA behind the guest's back */
			(void)ish_vsmmu_set_gbpa(vs, op & 0x8);
			break;
		}
		check_consistent(ctx, be, vs);
	}
	ish_vmm_free(vmm);
	check_consistent(ctx, be, vs);
	CHECK(ish_ctx_reset(ctx) == 0);
	ish_sim_get_stats(be, &st);
	CHECK(st.objects == st.tombstones);
	CHECK(st.open_fds == 1);
	ish_ctx_free(ctx);
	return 0;
}
