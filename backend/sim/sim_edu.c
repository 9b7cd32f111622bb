// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QEMU's "edu" teaching device, BAR0 as its documentation describes it: an ID register, a
 * liveness check, a factorial unit, interrupt status, and a DMA engine with a 4 KiB buffer
 * at device address 0x40000. Here a DMA runs at once when started; its device addresses go
 * through the SMMU like any DMA of the function.
 */
#include "sim_internal.h"

#define EDU_ID			0x010000ed
#define EDU_STATUS_COMPUTING	0x01
#define EDU_STATUS_IRQFACT	0x80
#define EDU_IRQ_FACT		0x001
#define EDU_IRQ_DMA		0x100
#define EDU_DMA_RUN		0x1
#define EDU_DMA_TO_RAM		0x2	/* 0: RAM -> buffer, 1: buffer -> RAM */
#define EDU_DMA_IRQ		0x4

static uint64_t edu_reg_read(const struct sim_edu *e, uint64_t off)
{
	switch (off) {
	case 0x00:
		return EDU_ID;
	case 0x04:
		return e->live;
	case 0x08:
		return e->fact;
	case 0x20:
		return e->status;
	case 0x24:
		return e->irq_status;
	case 0x80:
		return e->dma_src;
	case 0x88:
		return e->dma_dst;
	case 0x90:
		return e->dma_cnt;
	case 0x98:
		return e->dma_cmd;
	default:
		return ~0ULL;
	}
}

/* Registers below 0x80 take 4-byte accesses only, the DMA ones 4 or 8; others read ~0. */
static bool edu_size_ok(uint64_t off, unsigned int n)
{
	return off < 0x80 ? n == 4 : n == 4 || n == 8;
}

void sim_edu_read(struct sim *sim, struct sim_pdev *p, uint64_t off, void *buf, unsigned int n)
{
	uint64_t v = edu_size_ok(off, n) ? edu_reg_read(p->edu, off) : ~0ULL;

	(void)sim;
	memcpy(buf, &v, n);	/* little-endian host: the low bytes */
}

static void edu_factorial(struct sim_edu *e, uint32_t n)
{
	uint32_t r = 1;

	while (n > 1)
		r *= n--;
	e->fact = r;
	if (e->status & EDU_STATUS_IRQFACT)
		e->irq_status |= EDU_IRQ_FACT;
}

static bool buf_range_ok(uint64_t addr, uint64_t len)
{
	return addr >= SIM_EDU_BUF && len <= SIM_EDU_BUF_SIZE &&
	       addr - SIM_EDU_BUF <= SIM_EDU_BUF_SIZE - len;
}

/*
 * The transfer. Without bus mastering it never reaches the IOMMU. An edu-buffer range
 * outside 0x40000..0x40fff makes QEMU stop with a hardware error; here it does nothing.
 */
static void edu_dma(struct sim *sim, struct sim_pdev *p)
{
	struct sim_edu *e = p->edu;
	bool to_ram = e->dma_cmd & EDU_DMA_TO_RAM;
	uint64_t local = to_ram ? e->dma_src : e->dma_dst;
	uint64_t remote = (to_ram ? e->dma_dst : e->dma_src) & SIM_EDU_DMA_MASK;

	if ((p->config[0x04] & SIM_PCI_CMD_MASTER) && buf_range_ok(local, e->dma_cnt))
		sim_dma(sim, p, remote, e->buf + (local - SIM_EDU_BUF), (size_t)e->dma_cnt, to_ram,
			-1);
	e->dma_cmd &= ~(uint64_t)EDU_DMA_RUN;
	if (e->dma_cmd & EDU_DMA_IRQ)
		e->irq_status |= EDU_IRQ_DMA;
}

static void edu_reg_write(struct sim *sim, struct sim_pdev *p, uint64_t off, uint64_t v)
{
	struct sim_edu *e = p->edu;

	switch (off) {
	case 0x04:
		e->live = ~(uint32_t)v;
		break;
	case 0x08:
		edu_factorial(e, (uint32_t)v);
		break;
	case 0x20:
		e->status = (e->status & ~EDU_STATUS_IRQFACT) | ((uint32_t)v & EDU_STATUS_IRQFACT);
		break;
	case 0x60:
		e->irq_status |= (uint32_t)v;
		break;
	case 0x64:
		e->irq_status &= ~(uint32_t)v;
		break;
	case 0x80:
		e->dma_src = v;
		break;
	case 0x88:
		e->dma_dst = v;
		break;
	case 0x90:
		e->dma_cnt = v;
		break;
	case 0x98:
		if (v & EDU_DMA_RUN) {
			e->dma_cmd = v;
			edu_dma(sim, p);
		}
		break;
	default:
		break;
	}
}

void sim_edu_write(struct sim *sim, struct sim_pdev *p, uint64_t off, const void *buf,
		   unsigned int n)
{
	uint64_t v = 0;

	if (!edu_size_ok(off, n))
		return;
	memcpy(&v, buf, n);
	edu_reg_write(sim, p, off, v);
}
