// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A small program that is not iommush, for the record tests: two threads and a forked child
 * allocate IOASes on one iommufd, a dup of it destroys one, a wrong id fails with ENOENT.
 *   threads            do that
 *   threads exec PATH  then execve PATH (the recording must be refused if PATH is static)
 *   threads spawn PATH the same through posix_spawn
 *   threads crash      then abort(): what was recorded must survive
 *   threads pointers   then structs off the stack: on the heap, at the end of a mapping,
 *                      and a bad pointer, which must fail with EFAULT, not crash
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/iommufd.h>

static int iofd;

static unsigned int ioas_alloc(void)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };

	if (ioctl(iofd, IOMMU_IOAS_ALLOC, &a) < 0) {
		perror("IOMMU_IOAS_ALLOC");
		return 0;
	}
	return a.out_ioas_id;
}

static void *worker(void *arg)
{
	(void)arg;
	ioas_alloc();
	return NULL;
}

static int pointers(void)
{
	struct iommu_ioas_alloc *heap = malloc(sizeof(*heap)), *edge;
	long page = sysconf(_SC_PAGESIZE);
	char *two;
	int rc;

	iofd = open("/dev/iommu", O_RDWR);
	/* a struct on the heap */
	memset(heap, 0, sizeof(*heap));
	heap->size = sizeof(*heap);
	if (ioctl(iofd, IOMMU_IOAS_ALLOC, heap) < 0)
		perror("heap IOMMU_IOAS_ALLOC");
	/* one that ends where its mapping ends: the page after it cannot be read */
	two = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	munmap(two + page, (size_t)page);
	edge = (struct iommu_ioas_alloc *)(two + page - sizeof(*edge));
	memset(edge, 0, sizeof(*edge));
	edge->size = sizeof(*edge);
	if (ioctl(iofd, IOMMU_IOAS_ALLOC, edge) < 0)
		perror("edge IOMMU_IOAS_ALLOC");
	/* a bad pointer: the kernel says EFAULT, and so must the recorded program see it */
	errno = 0;
	rc = ioctl(iofd, IOMMU_IOAS_ALLOC, (void *)(two + page));
	if (rc != -1 || errno != EFAULT)
		fprintf(stderr, "a bad pointer gave %d, errno %d\n", rc, errno);
	printf("pointers: ioas %u and %u\n", heap->out_ioas_id, edge->out_ioas_id);
	free(heap);
	close(iofd);
	return 0;
}

int main(int argc, char **argv)
{
	struct iommu_destroy d = { .size = sizeof(d) };
	pthread_t t[2];
	pid_t pid;
	int i, fd2, status;

	if (argc == 2 && !strcmp(argv[1], "pointers"))
		return pointers();
	iofd = open("/dev/iommu", O_RDWR);
	if (iofd < 0) {
		perror("/dev/iommu");
		return 1;
	}
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pid = fork();
	if (pid == 0) {
		ioas_alloc();
		_exit(0);
	}
	waitpid(pid, &status, 0);
	fd2 = dup(iofd);
	d.id = ioas_alloc();
	if (ioctl(fd2, IOMMU_DESTROY, &d) < 0)
		perror("IOMMU_DESTROY");
	d.id = 4242;
	if (ioctl(fd2, IOMMU_DESTROY, &d) == 0 || errno != ENOENT)
		fprintf(stderr, "destroy 4242 did not fail with ENOENT\n");
	close(fd2);
	close(iofd);
	if (argc == 2 && !strcmp(argv[1], "crash"))
		abort();

	if (argc == 3 && !strcmp(argv[1], "spawn")) {
		char *args[] = { argv[2], NULL };

		if (posix_spawn(&pid, argv[2], NULL, NULL, args, NULL) == 0)
			waitpid(pid, &status, 0);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "exec")) {
		char *args[] = { argv[2], NULL };

		execve(argv[2], args, NULL);
		perror(argv[2]);
		return 1;
	}
	printf("threads: done\n");
	return 0;
}
