/*
 * edu-dma BDF IOVA: start one DMA of the edu device at BDF (bound to vfio-pci and passed to a
 * guest) from the host side, through sysfs: bus mastering on in the config space, then BAR0's
 * DMA registers (source 0x40000 = the device's buffer, destination IOVA, 16 bytes, command
 * start | buffer-to-RAM). The accel lab (tests/live/accel/run) aims it at an L2 IOVA nothing
 * maps, so that the fault travels back to the L2 kernel. Prints the DMA status after 300 ms.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

enum { EDU_DMA_SRC = 0x80, EDU_DMA_DST = 0x88, EDU_DMA_CNT = 0x90, EDU_DMA_CMD = 0x98 };
enum { EDU_BUF = 0x40000, EDU_CMD_START = 1, EDU_CMD_TO_RAM = 2, PCI_COMMAND = 4 };

static int fail(const char *what)
{
	perror(what);
	return 1;
}

int main(int argc, char **argv)
{
	char path[256];
	uint16_t command;
	volatile uint64_t *bar;
	uint64_t iova;
	int cfg, res;

	if (argc != 3) {
		fprintf(stderr, "usage: edu-dma BDF IOVA\n");
		return 2;
	}
	iova = strtoull(argv[2], NULL, 0);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", argv[1]);
	cfg = open(path, O_RDWR);
	if (cfg < 0 || pread(cfg, &command, sizeof(command), PCI_COMMAND) != sizeof(command))
		return fail(path);
	command |= 0x6;	/* memory space + bus master */
	if (pwrite(cfg, &command, sizeof(command), PCI_COMMAND) != sizeof(command))
		return fail("config write");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", argv[1]);
	res = open(path, O_RDWR | O_SYNC);
	if (res < 0)
		return fail(path);
	bar = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, res, 0);
	if (bar == MAP_FAILED)
		return fail("mmap resource0");
	bar[EDU_DMA_SRC / 8] = EDU_BUF;
	bar[EDU_DMA_DST / 8] = iova;
	bar[EDU_DMA_CNT / 8] = 16;
	bar[EDU_DMA_CMD / 8] = EDU_CMD_START | EDU_CMD_TO_RAM;
	usleep(300000);
	printf("edu-dma: %s 0x%llx: command 0x%x, status 0x%llx\n", argv[1],
	       (unsigned long long)iova, command, (unsigned long long)bar[EDU_DMA_CMD / 8]);
	return 0;
}
