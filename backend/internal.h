/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Core internals shared by the files of backend/; never included by the shell. */
#ifndef IOMMUSH_INTERNAL_H
#define IOMMUSH_INTERNAL_H

#include <stdarg.h>
#include "iommush/iommush.h"
#include "iommush/vsmmu.h"

#define ISH_DRY_ID_BASE 0x80000000u
#define ISH_DRY_FD_BASE 0x40000000

struct ish_ctx {
	struct ish_backend *be;
	int iommufd;
	struct ish_obj *objs;		/* creation order */
	struct ish_map *maps;
	struct ish_mem *mems;
	struct ish_vsmmu *vsmmus;
	char err[256];

	ish_trace_fn trace;
	void *trace_arg;
	bool dry_run;
	uint32_t dry_next_id;
	int dry_next_fd;

	unsigned long fail_n;		/* calls left before the armed fault; 0 = none */
	int fail_err;
	bool fail_hit;
	unsigned long n_ioctl, n_call;

	struct ish_ctx_rec *rec;	/* IOMMUSH_RECORD (record.c), NULL when off */
};

/* ---- the choke point: every backend call of the core goes through these */
int ish_sys_ioctl(struct ish_ctx *ctx, int fd, unsigned long request, void *arg);
int ish_sys_open_device(struct ish_ctx *ctx, const char *spec, struct ish_pci_dev *info);
void ish_sys_close(struct ish_ctx *ctx, int fd);
ssize_t ish_sys_read(struct ish_ctx *ctx, int fd, void *buf, size_t len);
int ish_sys_poll(struct ish_ctx *ctx, int fd, int timeout_ms);
ssize_t ish_sys_pread(struct ish_ctx *ctx, int fd, void *buf, size_t len, uint64_t off);
ssize_t ish_sys_pwrite(struct ish_ctx *ctx, int fd, const void *buf, size_t len, uint64_t off);

/* the size of a known request's uAPI struct, 0 when unknown */
size_t ish_ioctl_argsz(unsigned long request);

/* ---- errors: a one-line detail for the caller, then the errno */
__attribute__((format(printf, 3, 4)))
int ish_fail(struct ish_ctx *ctx, int err, const char *fmt, ...);

/* ---- registry */
struct ish_obj *ish_obj_add(struct ish_ctx *ctx, uint32_t id, enum ish_obj_type type);
void ish_obj_del(struct ish_ctx *ctx, struct ish_obj *obj);
/* drop an auto HWPT from the registry once the kernel freed it (no device left on it) */
void ish_auto_hwpt_put(struct ish_ctx *ctx, uint32_t hwpt_id);
void ish_maps_drop_ioas(struct ish_ctx *ctx, uint32_t ioas_id);
void ish_vsmmu_free_all(struct ish_ctx *ctx);

/* ---- recording (record.c): IOMMUSH_RECORD=FILE, fed by the choke point */
struct ish_ctx_rec;
int ish_ctx_record_start(struct ish_ctx *ctx, const char *path, int iommufd);
void ish_ctx_record_call(struct ish_ctx *ctx, const struct ish_call *c, long rc);
int ish_ctx_record_end(struct ish_ctx *ctx);

#endif
