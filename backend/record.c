// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The translator: raw records in call order into an iommush batch script (or JSON lines).
 * It follows the fds (which one is the iommufd, a device cdev, a vEVENTQ), the ids the kernel
 * handed out (each bound to a variable named after its role and recorded id: $ioas2) and the
 * user memory given to IOAS_MAP (a `mem alloc` buffer per distinct range), so that a replay
 * holds when the kernel hands out other ids or the buffers land elsewhere.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>
#include "internal.h"
#include "iommush/record.h"
#include "iommush/smmu.h"

enum fd_kind { FD_IOMMUFD, FD_DEVICE, FD_VEVENTQ, FD_FAULT };

struct rfd {
	int pid, fd;
	enum fd_kind kind;
	int obj;		/* index into objs: the device or vEVENTQ, -1 before bind */
	char path[64];
	int poll_ms;		/* the timeout of a poll just before, 0 if none */
};

struct robj {
	uint32_t id;
	enum ish_obj_type type;
	bool alive;
	unsigned int gen;	/* how many objects had this id, this one included */
	char var[24];
	/* devices: the regions GET_REGION_INFO reported */
	bool regions_listed;
	uint64_t region_off[ISH_MAX_REGIONS], region_size[ISH_MAX_REGIONS];
};

struct rmem {
	uint64_t va, size;
	int pid, fd;		/* a program's file (MAP_FILE): its fd; memory: -1 */
	char var[24];
	bool dma;		/* its twin VAR_dma (what the device wrote, to compare) is made */
};

struct ish_recorder {
	FILE *out;
	bool json;
	uint64_t pause_ns;	/* a register read this long after the last call sleeps; 0: never */
	unsigned long ncalls, nraw;
	uint64_t t0, t_last;	/* the first record's time, the one before this one's */
	bool have_t0;
	char *refused;
	struct rfd *fds;
	size_t nfds, capfds;
	struct robj *objs;
	size_t nobjs, capobjs;
	int *ids;		/* open addressing: index into objs, -1 empty */
	size_t nids, capids;
	struct rmem *mems;
	size_t nmems, capmems;
	struct rmem *maps;	/* the program's mappings of device fds (BARs): va, size */
	size_t nmaps, capmaps;
	char **raw;		/* the summary lines of raw calls */
	size_t nlines;
	int werr;
};

#define GROW(arr, n, cap)                                                                 \
	({                                                                                \
		int _rc = 0;                                                              \
		if ((n) == (cap)) {                                                       \
			size_t _c = (cap) ? (cap) * 2 : 16;                               \
			void *_p = realloc((arr), _c * sizeof(*(arr)));                   \
			if (_p) {                                                         \
				(arr) = _p;                                               \
				(cap) = _c;                                               \
			} else {                                                          \
				_rc = -ENOMEM;                                            \
			}                                                                 \
		}                                                                         \
		_rc;                                                                      \
	})

/*
 * How long a pause before a register read becomes a sleep of the replay: 2 ms, or
 * IOMMUSH_RECORD_PAUSE_MS (0: no sleep lines, a recording that does not depend on timing)
 */
static uint64_t pause_ns(void)
{
	const char *v = getenv("IOMMUSH_RECORD_PAUSE_MS");
	char *end;
	unsigned long ms;

	if (!v || !*v)
		return 2000000;
	ms = strtoul(v, &end, 10);
	return *end || ms > 60000 ? 2000000 : (uint64_t)ms * 1000000;
}

int ish_recorder_new(FILE *out, bool json, struct ish_recorder **rrp)
{
	struct ish_recorder *rr = calloc(1, sizeof(*rr));

	if (!rr)
		return -ENOMEM;
	rr->out = out;
	rr->json = json;
	rr->pause_ns = pause_ns();
	*rrp = rr;
	return 0;
}

const char *ish_recorder_refused(const struct ish_recorder *rr)
{
	return rr->refused;
}

unsigned long ish_recorder_calls(const struct ish_recorder *rr)
{
	return rr->ncalls;
}

unsigned long ish_recorder_raw_calls(const struct ish_recorder *rr)
{
	return rr->nraw;
}

/* ---- bookkeeping ------------------------------------------------------------------------- */

/* the fd of a process; a child forked with it open finds its parent's entry by number */
static struct rfd *fd_find(struct ish_recorder *rr, int pid, int fd)
{
	struct rfd *any = NULL;
	size_t i;

	for (i = rr->nfds; i-- > 0;) {
		if (rr->fds[i].fd != fd)
			continue;
		if (rr->fds[i].pid == pid)
			return &rr->fds[i];
		if (!any)
			any = &rr->fds[i];
	}
	return any;
}

static struct rfd *fd_add(struct ish_recorder *rr, int pid, int fd, enum fd_kind kind)
{
	struct rfd *f = fd_find(rr, pid, fd);

	if (f && f->pid == pid) {
		memset(f, 0, sizeof(*f));
	} else {
		if (GROW(rr->fds, rr->nfds, rr->capfds) < 0)
			return NULL;
		f = &rr->fds[rr->nfds++];
		memset(f, 0, sizeof(*f));
	}
	f->pid = pid;
	f->fd = fd;
	f->kind = kind;
	f->obj = -1;
	return f;
}

static void fd_del(struct ish_recorder *rr, struct rfd *f)
{
	*f = rr->fds[--rr->nfds];
}

static const char *role_of(enum ish_obj_type t)
{
	switch (t) {
	case ISH_OBJ_DEVICE: return "dev";
	case ISH_OBJ_IOAS: return "ioas";
	case ISH_OBJ_HWPT_PAGING:
	case ISH_OBJ_HWPT_NESTED: return "hwpt";
	case ISH_OBJ_VIOMMU: return "viommu";
	case ISH_OBJ_VDEVICE: return "vdev";
	case ISH_OBJ_VEVENTQ: return "veventq";
	case ISH_OBJ_FAULT: return "fault";
	case ISH_OBJ_HW_QUEUE: return "hwq";
	default: return "obj";
	}
}

/* ---- ids: a hash from id to the newest object that had it, so a long recording stays O(n) */

static size_t id_hash(uint32_t id, size_t cap)
{
	return (size_t)((id * 2654435761u) & (cap - 1));
}

/* the slot of @id, or the empty one where it goes */
static int *id_slot(struct ish_recorder *rr, uint32_t id)
{
	size_t i;

	for (i = id_hash(id, rr->capids);; i = (i + 1) & (rr->capids - 1))
		if (rr->ids[i] < 0 || rr->objs[rr->ids[i]].id == id)
			return &rr->ids[i];
}

static int ids_grow(struct ish_recorder *rr)
{
	size_t cap = rr->capids ? rr->capids * 2 : 64, i, old = rr->capids;
	int *o = rr->ids, *n = malloc(cap * sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (i = 0; i < cap; i++)
		n[i] = -1;
	rr->ids = n;
	rr->capids = cap;
	for (i = 0; i < old; i++)
		if (o[i] >= 0)
			*id_slot(rr, rr->objs[o[i]].id) = o[i];
	free(o);
	return 0;
}

static struct robj *obj_newest(struct ish_recorder *rr, uint32_t id)
{
	int *slot;

	if (!rr->capids)
		return NULL;
	slot = id_slot(rr, id);
	return *slot >= 0 ? &rr->objs[*slot] : NULL;
}

static struct robj *obj_find(struct ish_recorder *rr, uint32_t id)
{
	struct robj *o = obj_newest(rr, id);

	return o && o->alive ? o : NULL;
}

/* "ioas2", or "ioas2_2" for the second object the kernel gave id 2 (after a destroy) */
static int obj_add(struct ish_recorder *rr, uint32_t id, enum ish_obj_type type)
{
	struct robj *o, *prev;
	unsigned int gen;

	if (GROW(rr->objs, rr->nobjs, rr->capobjs) < 0)
		return -ENOMEM;
	if ((rr->nids + 1) * 2 > rr->capids && ids_grow(rr) < 0)
		return -ENOMEM;
	prev = obj_newest(rr, id);
	gen = prev ? prev->gen + 1 : 1;
	o = &rr->objs[rr->nobjs];
	memset(o, 0, sizeof(*o));
	o->id = id;
	o->type = type;
	o->alive = true;
	o->gen = gen;
	if (gen == 1)
		snprintf(o->var, sizeof(o->var), "%s%u", role_of(type), id);
	else
		snprintf(o->var, sizeof(o->var), "%s%u_%u", role_of(type), id, gen);
	if (!prev)
		rr->nids++;
	*id_slot(rr, id) = (int)rr->nobjs;
	return (int)rr->nobjs++;
}

/* "$ioas2" for an id the recording made, the number itself otherwise */
static const char *ref(struct ish_recorder *rr, uint32_t id, char *buf, size_t len)
{
	struct robj *o = obj_find(rr, id);

	if (o)
		snprintf(buf, len, "$%s", o->var);
	else
		snprintf(buf, len, "%u", id);
	return buf;
}

/* the mem buffer holding [va, va + len): an earlier one, or a new one (*fresh) */
static struct rmem *mem_for(struct ish_recorder *rr, uint64_t va, uint64_t len, bool *fresh)
{
	struct rmem *m;
	size_t i;

	*fresh = false;
	for (i = 0; i < rr->nmems; i++) {
		m = &rr->mems[i];
		if (m->fd < 0 && va >= m->va && va - m->va <= m->size && len <= m->size - (va - m->va))
			return m;
	}
	if (GROW(rr->mems, rr->nmems, rr->capmems) < 0)
		return NULL;
	m = &rr->mems[rr->nmems];
	m->va = va;
	m->size = len;
	m->dma = false;
	m->fd = -1;
	snprintf(m->var, sizeof(m->var), "mem%zu", rr->nmems + 1);
	rr->nmems++;
	*fresh = true;
	return m;
}

/* the program mapped [va, va + len) from a device fd (a BAR) */
static int map_add(struct ish_recorder *rr, uint64_t va, uint64_t len)
{
	if (GROW(rr->maps, rr->nmaps, rr->capmaps) < 0)
		return -ENOMEM;
	rr->maps[rr->nmaps].va = va;
	rr->maps[rr->nmaps].size = len;
	rr->maps[rr->nmaps].var[0] = '\0';
	rr->nmaps++;
	return 0;
}

/* does [va, va + len) reach into a device mapping? */
static bool in_device_map(const struct ish_recorder *rr, uint64_t va, uint64_t len)
{
	size_t i;

	for (i = 0; i < rr->nmaps; i++)
		if (va < rr->maps[i].va + rr->maps[i].size && rr->maps[i].va < va + len)
			return true;
	return false;
}

/* ---- output ------------------------------------------------------------------------------ */

__attribute__((format(printf, 2, 3)))
static void out(struct ish_recorder *rr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vfprintf(rr->out, fmt, ap) < 0 && !rr->werr)
		rr->werr = -EIO;
	va_end(ap);
}

static void json_str(struct ish_recorder *rr, const char *s)
{
	fputc('"', rr->out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(rr->out, "\\%c", c);
		else if (c < 0x20)
			fprintf(rr->out, "\\u%04x", c);
		else
			fputc(c, rr->out);
	}
	fputc('"', rr->out);
}

/* the trace decoder's one-line view of the call */
static void describe(const struct ish_rec *r, char *buf, size_t len)
{
	struct ish_call c = { .fd = r->fd, .request = r->request, .len = r->len, .off = r->off };
	struct iommu_hwpt_alloc hin, hout;
	char path[80];

	switch (r->op) {
	case ISH_REC_IOCTL:
		c.op = "ioctl";
		c.in = r->in;
		c.arg = r->out;
		/* the decoder reads a whole struct: a short record is shown by its number only */
		if (r->argsz < ish_ioctl_argsz(r->request))
			c.in = c.arg = NULL;
		/*
		 * The decoder follows data_uptr to show the STE: a pointer into the recorded
		 * program, so point it at the recorded copy instead (or at nothing).
		 */
		if (c.in && r->request == IOMMU_HWPT_ALLOC) {
			memcpy(&hin, r->in, sizeof(hin));
			memcpy(&hout, r->out, sizeof(hout));
			hin.data_uptr = hout.data_uptr =
				r->buf && r->buflen >= hin.data_len ? (uintptr_t)r->buf : 0;
			c.in = &hin;
			c.arg = &hout;
		}
		break;
	case ISH_REC_OPEN:
		snprintf(path, sizeof(path), "%s", r->path ? r->path : "?");
		c.op = "open";
		c.arg = path;
		break;
	case ISH_REC_POLL:
		c.op = "poll";
		break;
	default:
		c.op = ish_rec_op_name(r->op);
		break;
	}
	ish_call_format(&c, r->rc, buf, len);
	if (r->op == ISH_REC_MMAP)
		snprintf(buf, len, "mmap(fd %d, %zu bytes at 0x%llx) = %ld", r->fd, r->len,
			 (unsigned long long)r->off, r->rc);
	else if (r->op == ISH_REC_DUP)
		snprintf(buf, len, "dup(fd %d) = %ld", r->fd, r->rc);
	else if (r->op == ISH_REC_REFUSE)
		snprintf(buf, len, "exec(%s) not followed", r->path ? r->path : "?");
	else if (r->op == ISH_REC_MEM)
		snprintf(buf, len, "%zu bytes at 0x%llx %s", r->buflen, (unsigned long long)r->off,
			 r->rc ? "written by the device (DMA)" : "written by the program");
}

/* the call in the raw format, every byte of it, for a call no command makes */
static void raw_line(struct ish_recorder *rr, const struct ish_rec *r, const char *pre,
		     const char *post)
{
	size_t len = ish_rec_line_max(r);
	char *line = malloc(len);

	if (!line)
		return;
	if (ish_rec_encode(r, line, len) > 0) {
		line[strcspn(line, "\n")] = '\0';
		out(rr, "%s%s%s", pre, line, post);	/* hex and %XX: nothing to escape in JSON */
	}
	free(line);
}

/*
 * One call: the comment, then the command (NULL when there is none: a raw record). @cmd is
 * the command as it succeeds; a failed call becomes expect-error. @let names the variable
 * the command's id goes to.
 */
static void emit_as(struct ish_recorder *rr, const struct ish_rec *r, const char *let,
		    const char *cmd, const char *note, bool covered)
{
	char desc[1024], line[1400], t[32];
	uint64_t dt = rr->have_t0 && r->t_ns >= rr->t0 ? r->t_ns - rr->t0 : 0;
	int err = r->rc < 0 ? (int)-r->rc : 0;

	describe(r, desc, sizeof(desc));
	snprintf(t, sizeof(t), "+%llu.%06llus", (unsigned long long)(dt / 1000000000),
		 (unsigned long long)(dt / 1000 % 1000000));
	line[0] = '\0';
	if (cmd && err)
		snprintf(line, sizeof(line), "expect-error %s %s",
			 strerrorname_np(err) ? strerrorname_np(err) : "EIO", cmd);
	else if (cmd && let)
		snprintf(line, sizeof(line), "let %s = %s", let, cmd);
	else if (cmd)
		snprintf(line, sizeof(line), "%s", cmd);
	if (!cmd && !covered) {
		char *s;

		rr->nraw++;
		if (asprintf(&s, "[%lu] pid %d tid %d: %s%s%s", r->seq, r->pid, r->tid, desc,
			     note ? ": " : "", note ? note : "") >= 0) {
			char **p = realloc(rr->raw, (rr->nlines + 1) * sizeof(*p));

			if (p) {
				rr->raw = p;
				p[rr->nlines++] = s;
			} else {
				free(s);	/* still counted; only its summary line is lost */
			}
		}
	}
	if (rr->json) {
		out(rr, "{\"n\":%lu,\"pid\":%d,\"tid\":%d,\"t_ns\":%llu,\"op\":", r->seq, r->pid,
		    r->tid, (unsigned long long)dt);
		json_str(rr, ish_rec_op_name(r->op));
		if (r->op == ISH_REC_IOCTL) {
			const char *name = ish_ioctl_name(r->request);

			out(rr, ",\"request\":");
			if (name)
				json_str(rr, name);
			else
				out(rr, "\"0x%lx\"", r->request);
		}
		out(rr, ",\"fd\":%d,\"rc\":%ld,\"errno\":", r->fd, r->rc);
		if (err)
			json_str(rr, strerrorname_np(err) ? strerrorname_np(err) : "E?");
		else
			out(rr, "null");
		out(rr, ",\"call\":");
		json_str(rr, desc);
		out(rr, ",\"command\":");
		if (cmd)
			json_str(rr, line);
		else
			out(rr, "null");
		out(rr, ",\"raw\":%s", !cmd && !covered ? "true" : "false");
		if (!cmd && !covered)
			raw_line(rr, r, ",\"record\":\"", "\"");
		if (note) {
			out(rr, ",\"note\":");
			json_str(rr, note);
		}
		out(rr, "}\n");
		return;
	}
	out(rr, "# [%lu] pid %d tid %d %s: %s\n", r->seq, r->pid, r->tid, t, desc);
	if (cmd)
		out(rr, "%s\n", line);
	else if (covered)
		out(rr, "#   covered: %s\n", note);
	else
		out(rr, "#   raw (%s): %s\n", note ? note : "iommush has no command for it", desc);
	if (!cmd && !covered)
		raw_line(rr, r, "#   record: ", "\n");
}

static void emit(struct ish_recorder *rr, const struct ish_rec *r, const char *let,
		 const char *cmd, const char *note)
{
	emit_as(rr, r, let, cmd, note, false);
}

/* a call that a command shown before or after makes too: a comment, not a raw record */
static void covered(struct ish_recorder *rr, const struct ish_rec *r, const char *note)
{
	emit_as(rr, r, NULL, NULL, note, true);
}

/* ---- ioctls ------------------------------------------------------------------------------ */

#define ARG(type, name, src)                                                              \
	struct type name;                                                                 \
	memset(&name, 0, sizeof(name));                                                   \
	memcpy(&name, (src), r->argsz < sizeof(name) ? r->argsz : sizeof(name))

static struct robj *dev_of_fd(struct ish_recorder *rr, const struct rfd *f)
{
	return f && f->kind == FD_DEVICE && f->obj >= 0 ? &rr->objs[f->obj] : NULL;
}

static const char *region_word(unsigned int index, char *buf, size_t len)
{
	static const char *const names[] = { "bar0", "bar1", "bar2", "bar3", "bar4", "bar5",
					     "rom", "config", "vga" };

	if (index < sizeof(names) / sizeof(names[0]))
		return names[index];
	snprintf(buf, len, "%u", index);
	return buf;
}

static void on_vfio_ioctl(struct ish_recorder *rr, const struct ish_rec *r, struct rfd *f)
{
	struct robj *dev = dev_of_fd(rr, f);
	char cmd[512], a[32];
	bool ok = r->rc >= 0;
	int k;

	switch (r->request) {
	case VFIO_DEVICE_BIND_IOMMUFD: {
		ARG(vfio_device_bind_iommufd, b, r->in);
		ARG(vfio_device_bind_iommufd, bo, r->out);

		if (b.flags || dev) {
			emit(rr, r, NULL, NULL, b.flags ? "bind with flags" : "bound twice");
			return;
		}
		snprintf(cmd, sizeof(cmd), "device bind %s", f->path);
		if (!ok) {
			emit(rr, r, NULL, cmd, NULL);
			return;
		}
		k = obj_add(rr, bo.out_devid, ISH_OBJ_DEVICE);
		if (k < 0) {
			rr->werr = k;
			return;
		}
		f->obj = k;
		emit(rr, r, rr->objs[k].var, cmd, NULL);
		return;
	}
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT: {
		ARG(vfio_device_attach_iommufd_pt, at, r->in);

		if (!dev || (at.flags & ~VFIO_DEVICE_ATTACH_PASID)) {
			emit(rr, r, NULL, NULL, !dev ? "not a bound device" : "attach with flags");
			return;
		}
		if (at.flags & VFIO_DEVICE_ATTACH_PASID)
			snprintf(cmd, sizeof(cmd), "device attach $%s %s pasid %u", dev->var,
				 ref(rr, at.pt_id, a, sizeof(a)), at.pasid);
		else
			snprintf(cmd, sizeof(cmd), "device attach $%s %s", dev->var,
				 ref(rr, at.pt_id, a, sizeof(a)));
		emit(rr, r, NULL, cmd, NULL);
		return;
	}
	case VFIO_DEVICE_DETACH_IOMMUFD_PT: {
		ARG(vfio_device_detach_iommufd_pt, de, r->in);

		if (!dev || (de.flags & ~VFIO_DEVICE_DETACH_PASID)) {
			emit(rr, r, NULL, NULL, !dev ? "not a bound device" : "detach with flags");
			return;
		}
		if (de.flags & VFIO_DEVICE_DETACH_PASID)
			snprintf(cmd, sizeof(cmd), "device detach $%s pasid %u", dev->var, de.pasid);
		else
			snprintf(cmd, sizeof(cmd), "device detach $%s", dev->var);
		emit(rr, r, NULL, cmd, NULL);
		return;
	}
	case VFIO_DEVICE_GET_INFO:
	case VFIO_DEVICE_GET_REGION_INFO:
		if (!dev) {
			emit(rr, r, NULL, NULL, "not a bound device");
			return;
		}
		if (r->request == VFIO_DEVICE_GET_REGION_INFO && ok) {
			ARG(vfio_region_info, ri, r->out);

			if (ri.index < ISH_MAX_REGIONS) {
				dev->region_off[ri.index] = ri.offset;
				dev->region_size[ri.index] = ri.size;
			}
		}
		if (dev->regions_listed) {
			covered(rr, r, "region list reads every region");
			return;
		}
		if (!ok) {
			emit(rr, r, NULL, NULL, "a failed region query");
			return;
		}
		dev->regions_listed = true;
		snprintf(cmd, sizeof(cmd), "region list $%s", dev->var);
		emit(rr, r, NULL, cmd, NULL);
		return;
	case VFIO_DEVICE_FEATURE: {
		ARG(vfio_device_feature, ft, r->in);

		/* the shell exports a dma-buf only inside ioas map-file ... dma-buf: no command alone */
		emit(rr, r, NULL, NULL, (ft.flags & VFIO_DEVICE_FEATURE_MASK) ==
		     VFIO_DEVICE_FEATURE_DMA_BUF ? "a dma-buf export: ioas map-file ... dma-buf DEV "
		     "makes and maps one" : "a VFIO device feature");
		return;
	}
	default:
		emit(rr, r, NULL, NULL, NULL);
	}
}

static void on_ioas_map(struct ish_recorder *rr, const struct ish_rec *r)
{
	ARG(iommu_ioas_map, m, r->in);
	const uint32_t known = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			       IOMMU_IOAS_MAP_WRITEABLE;
	char cmd[512], a[32], alloc[128];
	struct rmem *mem;
	bool fresh;
	int n;

	if ((m.flags & ~known) || !(m.flags & IOMMU_IOAS_MAP_READABLE) || !m.length) {
		emit(rr, r, NULL, NULL, "map flags the shell does not give");
		return;
	}
	/* a VMM maps a passed-through BAR for peer to peer DMA; the kernel cannot pin such
	 * memory (EFAULT), a stand-in buffer could be pinned: no stand-in */
	if (in_device_map(rr, m.user_va, m.length)) {
		emit(rr, r, NULL, NULL, "memory the program mapped from a device (a BAR)");
		return;
	}
	mem = mem_for(rr, m.user_va, m.length, &fresh);
	if (!mem) {
		rr->werr = -ENOMEM;
		return;
	}
	if (fresh) {
		/* a stand-in for the program's memory, of the same size */
		snprintf(alloc, sizeof(alloc), "let %s = mem alloc 0x%llx", mem->var,
			 (unsigned long long)mem->size);
		if (!rr->json)
			out(rr, "# the program's memory at user_va=0x%llx\n%s\n",
			    (unsigned long long)m.user_va, alloc);
	}
	n = snprintf(cmd, sizeof(cmd), "ioas map %s $%s", ref(rr, m.ioas_id, a, sizeof(a)),
		     mem->var);
	if (m.flags & IOMMU_IOAS_MAP_FIXED_IOVA)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " iova 0x%llx",
			      (unsigned long long)m.iova);
	n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " length 0x%llx",
		      (unsigned long long)m.length);
	if (m.user_va != mem->va)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " offset 0x%llx",
			      (unsigned long long)(m.user_va - mem->va));
	if (!(m.flags & IOMMU_IOAS_MAP_WRITEABLE))
		snprintf(cmd + n, sizeof(cmd) - (size_t)n, " readonly");
	if (fresh && rr->json) {
		out(rr, "{\"n\":%lu,\"op\":\"stand-in\",\"command\":", r->seq);
		json_str(rr, alloc);
		out(rr, "}\n");
	}
	emit(rr, r, NULL, cmd, NULL);
}

static void on_allow_iovas(struct ish_recorder *rr, const struct ish_rec *r)
{
	ARG(iommu_ioas_allow_iovas, al, r->in);
	size_t n = al.num_iovas, i, len;
	char a[32], *cmd;
	int k;

	if (r->buflen < n * sizeof(struct iommu_iova_range)) {
		emit(rr, r, NULL, NULL, "ranges not recorded");
		return;
	}
	len = 64 + n * 42;
	cmd = malloc(len);
	if (!cmd) {
		rr->werr = -ENOMEM;
		return;
	}
	k = snprintf(cmd, len, "ioas allow %s", ref(rr, al.ioas_id, a, sizeof(a)));
	for (i = 0; i < n; i++) {
		struct iommu_iova_range g;

		memcpy(&g, (const uint8_t *)r->buf + i * sizeof(g), sizeof(g));
		k += snprintf(cmd + k, len - (size_t)k, " 0x%llx-0x%llx",
			      (unsigned long long)g.start, (unsigned long long)g.last);
	}
	emit(rr, r, NULL, cmd, NULL);
	free(cmd);
}

static void on_ioas_copy(struct ish_recorder *rr, const struct ish_rec *r)
{
	ARG(iommu_ioas_copy, c, r->in);
	const uint32_t rw = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	char cmd[256], a[32], b[32];
	int n;

	/* the shell gives READABLE, WRITEABLE or both; none is not a command */
	if ((c.flags & ~(rw | IOMMU_IOAS_MAP_FIXED_IOVA)) || !(c.flags & rw)) {
		emit(rr, r, NULL, NULL, "copy flags the shell does not give");
		return;
	}
	n = snprintf(cmd, sizeof(cmd), "ioas copy %s %s 0x%llx 0x%llx",
		     ref(rr, c.dst_ioas_id, a, sizeof(a)), ref(rr, c.src_ioas_id, b, sizeof(b)),
		     (unsigned long long)c.src_iova, (unsigned long long)c.length);
	if (c.flags & IOMMU_IOAS_MAP_FIXED_IOVA)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " dst-iova 0x%llx",
			      (unsigned long long)c.dst_iova);
	if ((c.flags & rw) != rw)
		snprintf(cmd + n, sizeof(cmd) - (size_t)n, "%s",
			 c.flags & IOMMU_IOAS_MAP_READABLE ? " readable" : " writeable");
	emit(rr, r, NULL, cmd, NULL);
}

static void on_option(struct ish_recorder *rr, const struct ish_rec *r)
{
	ARG(iommu_option, o, r->in);
	char cmd[128], a[32];
	int n;

	if (o.option_id > IOMMU_OPTION_HUGE_PAGES ||
	    (o.op != IOMMU_OPTION_OP_SET && o.op != IOMMU_OPTION_OP_GET) ||
	    (o.option_id == IOMMU_OPTION_HUGE_PAGES && !o.object_id)) {
		emit(rr, r, NULL, NULL, "an option the shell does not name");
		return;
	}
	n = snprintf(cmd, sizeof(cmd), "ioas option %s",
		     o.option_id == IOMMU_OPTION_RLIMIT_MODE ? "rlimit-mode" : "huge-pages");
	if (o.object_id)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " %s",
			      ref(rr, o.object_id, a, sizeof(a)));
	if (o.op == IOMMU_OPTION_OP_SET)
		snprintf(cmd + n, sizeof(cmd) - (size_t)n, " set %llu", (unsigned long long)o.val64);
	emit(rr, r, NULL, cmd, NULL);
}

/* a memfd of the program: a memfd-backed mem buffer of the same size stands in for it */
static void on_map_file(struct ish_recorder *rr, const struct ish_rec *r)
{
	ARG(iommu_ioas_map_file, m, r->in);
	const uint32_t known = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			       IOMMU_IOAS_MAP_WRITEABLE;
	char cmd[256], alloc[96], a[32];
	struct rmem *f = NULL;
	size_t i;
	int n;

	if ((m.flags & ~known) || !(m.flags & IOMMU_IOAS_MAP_READABLE) || !m.length ||
	    m.start > UINT64_MAX - m.length) {
		emit(rr, r, NULL, NULL, "map flags the shell does not give");
		return;
	}
	/* the same file again (by pid and fd): the same stand-in, so that it fails alike */
	for (i = 0; i < rr->nmems && !f; i++)
		if (rr->mems[i].fd == m.fd && rr->mems[i].pid == r->pid)
			f = &rr->mems[i];
	if (!f) {
		if (GROW(rr->mems, rr->nmems, rr->capmems) < 0) {
			rr->werr = -ENOMEM;
			return;
		}
		f = &rr->mems[rr->nmems++];
		f->pid = r->pid;
		f->fd = m.fd;
		f->va = 0;
		/* the file's size is not recorded: the stand-in holds just this range */
		f->size = (m.start + m.length + 4095) & ~4095ULL;
		snprintf(f->var, sizeof(f->var), "file%zu", rr->nmems);
		snprintf(alloc, sizeof(alloc), "let %s = mem alloc 0x%llx memfd", f->var,
			 (unsigned long long)f->size);
		if (rr->json) {
			out(rr, "{\"n\":%lu,\"op\":\"stand-in\",\"command\":", r->seq);
			json_str(rr, alloc);
			out(rr, "}\n");
		} else {
			out(rr, "# the program's file at fd %d\n%s\n", m.fd, alloc);
		}
	}
	n = snprintf(cmd, sizeof(cmd), "ioas map-file %s $%s", ref(rr, m.ioas_id, a, sizeof(a)),
		     f->var);
	if (m.flags & IOMMU_IOAS_MAP_FIXED_IOVA)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " iova 0x%llx",
			      (unsigned long long)m.iova);
	n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " length 0x%llx",
		      (unsigned long long)m.length);
	if (m.start)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " offset 0x%llx",
			      (unsigned long long)m.start);
	if (!(m.flags & IOMMU_IOAS_MAP_WRITEABLE))
		snprintf(cmd + n, sizeof(cmd) - (size_t)n, " readonly");
	emit(rr, r, NULL, cmd, NULL);
}

static void on_invalidate(struct ish_recorder *rr, const struct ish_rec *r)
{
	ARG(iommu_hwpt_invalidate, inv, r->in);
	struct robj *v = obj_find(rr, inv.hwpt_id);
	char *cmd, a[32];
	size_t i, n, len;
	int k;

	n = inv.entry_num;
	if (!v || v->type != ISH_OBJ_VIOMMU ||
	    inv.data_type != IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 || inv.entry_len != 16 ||
	    !n || r->buflen < n * 16) {
		emit(rr, r, NULL, NULL, r->buflen < n * 16 ? "commands not recorded" :
		     "not an ARM SMMUv3 vIOMMU invalidation");
		return;
	}
	len = 64 + n * 48;
	cmd = malloc(len);
	if (!cmd) {
		rr->werr = -ENOMEM;
		return;
	}
	k = snprintf(cmd, len, "viommu invalidate %s", ref(rr, inv.hwpt_id, a, sizeof(a)));
	for (i = 0; i < n; i++) {
		uint64_t w[2];

		memcpy(w, (const uint8_t *)r->buf + i * 16, 16);
		k += snprintf(cmd + k, len - (size_t)k, "%s raw 0x%llx 0x%llx", i ? " ," : "",
			      (unsigned long long)w[0], (unsigned long long)w[1]);
	}
	emit(rr, r, NULL, cmd, NULL);
	free(cmd);
}

static void on_iommufd_ioctl(struct ish_recorder *rr, const struct ish_rec *r)
{
	char cmd[512], a[32], b[32];
	bool ok = r->rc >= 0;
	struct robj *o;
	int k = -1;

	switch (r->request) {
	case IOMMU_IOAS_ALLOC: {
		ARG(iommu_ioas_alloc, ao, r->out);

		if (ok && (k = obj_add(rr, ao.out_ioas_id, ISH_OBJ_IOAS)) < 0)
			break;
		emit(rr, r, ok ? rr->objs[k].var : NULL, "ioas alloc", NULL);
		return;
	}
	case IOMMU_DESTROY: {
		ARG(iommu_destroy, d, r->in);

		o = obj_find(rr, d.id);
		snprintf(cmd, sizeof(cmd), "destroy %s", ref(rr, d.id, a, sizeof(a)));
		emit(rr, r, NULL, cmd, NULL);
		if (o && ok)
			o->alive = false;
		return;
	}
	case IOMMU_IOAS_MAP:
		on_ioas_map(rr, r);
		return;
	case IOMMU_IOAS_UNMAP: {
		ARG(iommu_ioas_unmap, u, r->in);

		if (!u.iova && u.length == UINT64_MAX)
			snprintf(cmd, sizeof(cmd), "ioas unmap %s all", ref(rr, u.ioas_id, a, sizeof(a)));
		else
			snprintf(cmd, sizeof(cmd), "ioas unmap %s iova 0x%llx length 0x%llx",
				 ref(rr, u.ioas_id, a, sizeof(a)), (unsigned long long)u.iova,
				 (unsigned long long)u.length);
		emit(rr, r, NULL, cmd, NULL);
		return;
	}
	case IOMMU_GET_HW_INFO: {
		ARG(iommu_hw_info, h, r->in);

		if (h.flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE) {
			emit(rr, r, NULL, NULL, "hw info with flags");
			return;
		}
		if (h.flags)
			snprintf(cmd, sizeof(cmd), "device info %s type %u",
				 ref(rr, h.dev_id, a, sizeof(a)), h.in_data_type);
		else
			snprintf(cmd, sizeof(cmd), "device info %s", ref(rr, h.dev_id, a, sizeof(a)));
		emit(rr, r, NULL, cmd, NULL);
		return;
	}
	case IOMMU_HWPT_ALLOC: {
		ARG(iommu_hwpt_alloc, h, r->in);
		ARG(iommu_hwpt_alloc, ho, r->out);
		const uint32_t paging = IOMMU_HWPT_ALLOC_NEST_PARENT |
					IOMMU_HWPT_ALLOC_DIRTY_TRACKING | IOMMU_HWPT_ALLOC_PASID;
		int n;

		n = snprintf(cmd, sizeof(cmd), "hwpt alloc %s %s", ref(rr, h.dev_id, a, sizeof(a)),
			     ref(rr, h.pt_id, b, sizeof(b)));
		if (h.flags & IOMMU_HWPT_FAULT_ID_VALID) {
			/* IOPF-capable: the shell says it with "fault F" before the rest */
			char fbuf[32];

			n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " fault %s",
				      ref(rr, h.fault_id, fbuf, sizeof(fbuf)));
			h.flags &= ~IOMMU_HWPT_FAULT_ID_VALID;
			h.fault_id = 0;
		}
		if (h.data_type == IOMMU_HWPT_DATA_NONE && !(h.flags & ~paging) && !h.fault_id) {
			if (h.flags & IOMMU_HWPT_ALLOC_NEST_PARENT)
				n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " nest-parent");
			if (h.flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
				n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " dirty-tracking");
			if (h.flags & IOMMU_HWPT_ALLOC_PASID)
				snprintf(cmd + n, sizeof(cmd) - (size_t)n, " pasid");
		} else if (h.data_type == IOMMU_HWPT_DATA_ARM_SMMUV3 && !h.flags &&
			   h.data_len == 16 && r->buflen >= 16) {
			uint64_t ste[2];

			memcpy(ste, r->buf, 16);
			snprintf(cmd + n, sizeof(cmd) - (size_t)n, " ste 0x%llx 0x%llx",
				 (unsigned long long)ste[0], (unsigned long long)ste[1]);
		} else {
			emit(rr, r, NULL, NULL, "a HWPT kind the shell does not allocate");
			return;
		}
		o = obj_find(rr, h.pt_id);
		if (ok && (k = obj_add(rr, ho.out_hwpt_id,
				       o && o->type == ISH_OBJ_VIOMMU ? ISH_OBJ_HWPT_NESTED :
				       ISH_OBJ_HWPT_PAGING)) < 0)
			break;
		emit(rr, r, ok ? rr->objs[k].var : NULL, cmd, NULL);
		return;
	}
	case IOMMU_VIOMMU_ALLOC: {
		ARG(iommu_viommu_alloc, v, r->in);
		ARG(iommu_viommu_alloc, vo, r->out);
		int n;

		if (!v.flags && v.type == IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV &&
		    v.data_len == sizeof(struct iommu_viommu_tegra241_cmdqv)) {
			/* the CMDQV's data is only what the kernel hands back: the mmap offset */
			snprintf(cmd, sizeof(cmd), "viommu alloc %s %s cmdqv",
				 ref(rr, v.dev_id, a, sizeof(a)), ref(rr, v.hwpt_id, b, sizeof(b)));
			if (ok && (k = obj_add(rr, vo.out_viommu_id, ISH_OBJ_VIOMMU)) < 0)
				break;
			emit(rr, r, ok ? rr->objs[k].var : NULL, cmd, NULL);
			return;
		}
		if (v.flags || v.data_len) {
			emit(rr, r, NULL, NULL, "vIOMMU with driver data");
			return;
		}
		n = snprintf(cmd, sizeof(cmd), "viommu alloc %s %s", ref(rr, v.dev_id, a, sizeof(a)),
			     ref(rr, v.hwpt_id, b, sizeof(b)));
		if (v.type != IOMMU_VIOMMU_TYPE_ARM_SMMUV3)
			snprintf(cmd + n, sizeof(cmd) - (size_t)n, " type %u", v.type);
		if (ok && (k = obj_add(rr, vo.out_viommu_id, ISH_OBJ_VIOMMU)) < 0)
			break;
		emit(rr, r, ok ? rr->objs[k].var : NULL, cmd, NULL);
		return;
	}
	case IOMMU_VDEVICE_ALLOC: {
		ARG(iommu_vdevice_alloc, v, r->in);
		ARG(iommu_vdevice_alloc, vo, r->out);

		snprintf(cmd, sizeof(cmd), "vdevice alloc %s %s vsid 0x%llx",
			 ref(rr, v.viommu_id, a, sizeof(a)), ref(rr, v.dev_id, b, sizeof(b)),
			 (unsigned long long)v.virt_id);
		if (ok && (k = obj_add(rr, vo.out_vdevice_id, ISH_OBJ_VDEVICE)) < 0)
			break;
		emit(rr, r, ok ? rr->objs[k].var : NULL, cmd, NULL);
		return;
	}
	case IOMMU_VEVENTQ_ALLOC: {
		ARG(iommu_veventq_alloc, q, r->in);
		ARG(iommu_veventq_alloc, qo, r->out);
		struct rfd *f;
		int n;

		if (q.flags) {
			emit(rr, r, NULL, NULL, "vEVENTQ with flags");
			return;
		}
		n = snprintf(cmd, sizeof(cmd), "veventq alloc %s depth %u",
			     ref(rr, q.viommu_id, a, sizeof(a)), q.veventq_depth);
		if (q.type != IOMMU_VEVENTQ_TYPE_ARM_SMMUV3)
			snprintf(cmd + n, sizeof(cmd) - (size_t)n, " type %u", q.type);
		if (ok) {
			k = obj_add(rr, qo.out_veventq_id, ISH_OBJ_VEVENTQ);
			f = k < 0 ? NULL : fd_add(rr, r->pid, (int)qo.out_veventq_fd, FD_VEVENTQ);
			if (!f)
				break;
			f->obj = k;
		}
		emit(rr, r, ok ? rr->objs[k].var : NULL, cmd, NULL);
		return;
	}
	case IOMMU_FAULT_QUEUE_ALLOC: {
		ARG(iommu_fault_alloc, fq, r->in);
		ARG(iommu_fault_alloc, fo, r->out);
		struct rfd *f;

		if (fq.flags) {
			emit(rr, r, NULL, NULL, "a fault queue with flags");
			return;
		}
		if (ok) {
			k = obj_add(rr, fo.out_fault_id, ISH_OBJ_FAULT);
			f = k < 0 ? NULL : fd_add(rr, r->pid, (int)fo.out_fault_fd, FD_FAULT);
			if (!f)
				break;
			f->obj = k;
		}
		emit(rr, r, ok ? rr->objs[k].var : NULL, "fault alloc", NULL);
		return;
	}
	case IOMMU_HW_QUEUE_ALLOC: {
		ARG(iommu_hw_queue_alloc, q, r->in);
		ARG(iommu_hw_queue_alloc, qo, r->out);

		if (q.flags) {
			emit(rr, r, NULL, NULL, "a HW queue with flags");
			return;
		}
		snprintf(cmd, sizeof(cmd), "hwq alloc %s %u %u 0x%llx 0x%llx",
			 ref(rr, q.viommu_id, a, sizeof(a)), q.type, q.index,
			 (unsigned long long)q.nesting_parent_iova, (unsigned long long)q.length);
		if (ok && (k = obj_add(rr, qo.out_hw_queue_id, ISH_OBJ_HW_QUEUE)) < 0)
			break;
		emit(rr, r, ok ? rr->objs[k].var : NULL, cmd, NULL);
		return;
	}
	case IOMMU_HWPT_INVALIDATE:
		on_invalidate(rr, r);
		return;
	case IOMMU_HWPT_SET_DIRTY_TRACKING: {
		ARG(iommu_hwpt_set_dirty_tracking, d, r->in);

		if (d.flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE || d.__reserved) {
			emit(rr, r, NULL, NULL, "dirty tracking flags the shell does not give");
			return;
		}
		snprintf(cmd, sizeof(cmd), "hwpt dirty %s %s", ref(rr, d.hwpt_id, a, sizeof(a)),
			 d.flags ? "on" : "off");
		emit(rr, r, NULL, cmd, NULL);
		return;
	}
	case IOMMU_HWPT_GET_DIRTY_BITMAP: {
		ARG(iommu_hwpt_get_dirty_bitmap, d, r->in);

		if (d.flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR || d.__reserved || !d.page_size ||
		    (d.page_size & (d.page_size - 1))) {
			emit(rr, r, NULL, NULL, "a dirty bitmap the shell does not read");
			return;
		}
		/* the shell's own buffer stands in for the program's bitmap */
		snprintf(cmd, sizeof(cmd), "hwpt dirty-bitmap %s 0x%llx 0x%llx page-size 0x%llx%s",
			 ref(rr, d.hwpt_id, a, sizeof(a)), (unsigned long long)d.iova,
			 (unsigned long long)d.length, (unsigned long long)d.page_size,
			 d.flags ? "" : " clear");
		emit(rr, r, NULL, cmd, NULL);
		return;
	}
	case IOMMU_IOAS_IOVA_RANGES: {
		ARG(iommu_ioas_iova_ranges, g, r->in);

		/*
		 * the program's own room, so the replay makes its very calls: QEMU's probe with
		 * room 0 replays as expect-error EMSGSIZE, then the call sized to the count
		 */
		snprintf(cmd, sizeof(cmd), "ioas ranges %s room %u", ref(rr, g.ioas_id, a, sizeof(a)),
			 g.num_iovas);
		emit(rr, r, NULL, cmd, NULL);
		return;
	}
	case IOMMU_IOAS_ALLOW_IOVAS:
		on_allow_iovas(rr, r);
		return;
	case IOMMU_IOAS_COPY:
		on_ioas_copy(rr, r);
		return;
	case IOMMU_OPTION:
		on_option(rr, r);
		return;
	case IOMMU_IOAS_MAP_FILE:
		on_map_file(rr, r);
		return;
	case IOMMU_IOAS_CHANGE_PROCESS:
		emit(rr, r, NULL, "ioas change-process", NULL);
		return;
	case IOMMU_IOAS_NOIOMMU_GET_PA: {
		ARG(iommu_ioas_noiommu_get_pa, g, r->in);

		if (g.flags) {
			emit(rr, r, NULL, NULL, "get-pa with flags");
			return;
		}
		snprintf(cmd, sizeof(cmd), "ioas get-pa %s 0x%llx length 0x%llx",
			 ref(rr, g.ioas_id, a, sizeof(a)), (unsigned long long)g.iova,
			 (unsigned long long)g.length);
		emit(rr, r, NULL, cmd, NULL);
		return;
	}
	default:
		emit(rr, r, NULL, NULL, NULL);
		return;
	}
	rr->werr = -ENOMEM;
}

/* ---- memory the program mapped (iommush record --mmio) -------------------------------------- */

/* the stand-in holding [va, va + len), or NULL */
static struct rmem *mem_at(struct ish_recorder *rr, uint64_t va, uint64_t len)
{
	size_t i;

	for (i = 0; i < rr->nmems; i++) {
		struct rmem *m = &rr->mems[i];

		if (va >= m->va && va - m->va <= m->size && len <= m->size - (va - m->va))
			return m;
	}
	return NULL;
}

#define MEM_CHUNK 256	/* bytes a command: 512 hex digits */

/*
 * Memory given to IOAS_MAP changed between two calls. What the program wrote is written into
 * its stand-in again; what the device wrote (seen at a register read: DMA results) is written
 * into the stand-in's twin and compared with the stand-in, after a wait that lets a slower
 * device finish: a replay whose DMA went elsewhere fails there, naming the first byte.
 */
static void on_mem(struct ish_recorder *rr, const struct ish_rec *r)
{
	struct rmem *m = mem_at(rr, r->off, r->buflen);
	char cmd[64 + 2 * MEM_CHUNK + 64], cmp[160];
	size_t done, n, i;
	int k;

	if (!m || !r->buf || !r->buflen) {
		emit(rr, r, NULL, NULL, "not in memory given to IOAS_MAP");
		return;
	}
	if (r->rc && !m->dma) {
		m->dma = true;
		if (rr->json) {
			out(rr, "{\"n\":%lu,\"op\":\"stand-in\",\"command\":\"let %s_dma = mem "
			    "alloc 0x%llx\"}\n", r->seq, m->var, (unsigned long long)m->size);
		} else {
			out(rr, "# what the device writes into %s, to compare\nlet %s_dma = mem alloc "
			    "0x%llx\n", m->var, m->var, (unsigned long long)m->size);
		}
	}
	for (done = 0; done < r->buflen; done += n) {
		uint64_t off = r->off - m->va + done;

		n = r->buflen - done < MEM_CHUNK ? r->buflen - done : MEM_CHUNK;
		k = snprintf(cmd, sizeof(cmd), "mem write $%s%s 0x%llx bytes ", m->var,
			     r->rc ? "_dma" : "", (unsigned long long)off);
		for (i = 0; i < n; i++)
			k += snprintf(cmd + k, sizeof(cmd) - (size_t)k, "%02x",
				      ((const uint8_t *)r->buf)[done + i]);
		if (!done) {
			emit(rr, r, NULL, cmd, NULL);
		} else if (rr->json) {
			out(rr, "{\"n\":%lu,\"op\":\"mem\",\"command\":\"%s\"}\n", r->seq, cmd);
		} else {
			out(rr, "%s\n", cmd);
		}
		if (!r->rc)
			continue;
		snprintf(cmp, sizeof(cmp), "mem compare $%s 0x%llx $%s_dma 0x%llx %zu", m->var,
			 (unsigned long long)off, m->var, (unsigned long long)off, n);
		if (rr->json)
			out(rr, "{\"n\":%lu,\"op\":\"mem\",\"command\":\"%s\"}\n", r->seq, cmp);
		else
			out(rr, "%s%s\n", done ? "" : "sleep 200\n", cmp);
	}
}

/* ---- reads and writes -------------------------------------------------------------------- */

static void on_region_access(struct ish_recorder *rr, const struct ish_rec *r, struct rfd *f)
{
	struct robj *dev = dev_of_fd(rr, f);
	unsigned int index = (unsigned int)(r->off >> 40), i;
	uint64_t pos = r->off & ((1ULL << 40) - 1), v = 0;
	char cmd[256], w[16];
	bool write = r->op == ISH_REC_PWRITE;

	if (!dev) {
		emit(rr, r, NULL, NULL, "not on a bound device");
		return;
	}
	/* the offsets the kernel gave in GET_REGION_INFO win over vfio-pci's usual layout */
	for (i = 0; i < ISH_MAX_REGIONS; i++) {
		if (dev->region_size[i] && r->off >= dev->region_off[i] &&
		    r->off - dev->region_off[i] < dev->region_size[i]) {
			index = i;
			pos = r->off - dev->region_off[i];
			break;
		}
	}
	if ((r->len != 1 && r->len != 2 && r->len != 4 && r->len != 8) ||
	    (r->rc >= 0 && (size_t)r->rc != r->len) || (write && r->buflen < r->len)) {
		emit(rr, r, NULL, NULL, "not a 1, 2, 4 or 8 byte register access");
		return;
	}
	if (write)
		memcpy(&v, r->buf, r->len);
	if (write)
		snprintf(cmd, sizeof(cmd), "mmio write $%s %s 0x%llx 0x%llx width %zu", dev->var,
			 region_word(index, w, sizeof(w)), (unsigned long long)pos,
			 (unsigned long long)v, r->len);
	else
		snprintf(cmd, sizeof(cmd), "mmio read $%s %s 0x%llx width %zu", dev->var,
			 region_word(index, w, sizeof(w)), (unsigned long long)pos, r->len);
	emit(rr, r, NULL, cmd, NULL);
}

static void on_read(struct ish_recorder *rr, const struct ish_rec *r, struct rfd *f)
{
	char cmd[128];

	if (f && f->kind == FD_FAULT && f->obj >= 0) {
		/* whole struct iommu_hwpt_pgfault records: as many as the program asked for */
		size_t n = r->len / sizeof(struct iommu_hwpt_pgfault);

		snprintf(cmd, sizeof(cmd), "fault read $%s count %zu", rr->objs[f->obj].var,
			 n ? n : 1);
		emit(rr, r, NULL, cmd, NULL);
		return;
	}
	if (!f || f->kind != FD_VEVENTQ || f->obj < 0) {
		emit(rr, r, NULL, NULL, NULL);
		return;
	}
	if (f->poll_ms)
		snprintf(cmd, sizeof(cmd), "veventq read $%s wait %d", rr->objs[f->obj].var,
			 f->poll_ms < 0 ? 10000 : f->poll_ms);	/* forever: 10 s in a replay */
	else
		snprintf(cmd, sizeof(cmd), "veventq read $%s", rr->objs[f->obj].var);
	f->poll_ms = 0;
	emit(rr, r, NULL, cmd, NULL);
}

static bool is_iommufd(const char *p)
{
	return p && !strcmp(p, "/dev/iommu");
}

int ish_recorder_add(struct ish_recorder *rr, const struct ish_rec *rec)
{
	struct ish_rec r = *rec;
	struct rfd *f, *nf;
	struct robj *dev;
	char cmd[160];

	if (!rr->have_t0) {
		rr->t0 = r.t_ns;
		rr->have_t0 = true;
		/* the replay says where the kernel hands out other ids than these */
		if (!rr->json)
			out(rr, "set replay on\n");
	}
	rr->ncalls++;
	if (!r.seq)
		r.seq = rr->ncalls;
	/* a register read after a pause: the program waited for its device, so does the replay */
	if (r.op == ISH_REC_PREAD && rr->t_last && rr->pause_ns &&
	    r.t_ns > rr->t_last + rr->pause_ns && !rr->json)
		out(rr, "sleep %llu\n", (unsigned long long)
		    ((r.t_ns - rr->t_last) / 1000000 < 2000 ? (r.t_ns - rr->t_last) / 1000000 : 2000));
	rr->t_last = r.t_ns;
	f = fd_find(rr, r.pid, r.fd);
	switch (r.op) {
	case ISH_REC_OPEN:
		if (r.rc >= 0) {
			nf = fd_add(rr, r.pid, (int)r.rc,
				    is_iommufd(r.path) ? FD_IOMMUFD : FD_DEVICE);
			if (!nf)
				return -ENOMEM;
			snprintf(nf->path, sizeof(nf->path), "%s", r.path ? r.path : "");
		}
		if (r.rc < 0 && !is_iommufd(r.path) && r.path) {
			/* a bind that went no further than the open */
			snprintf(cmd, sizeof(cmd), "device bind %s", r.path);
			emit(rr, &r, NULL, cmd, NULL);
			break;
		}
		if (!rr->json)
			out(rr, "# [%lu] pid %d tid %d: open(%s) = %ld%s\n", r.seq, r.pid, r.tid,
			    r.path ? r.path : "?", r.rc, is_iommufd(r.path) ?
			    " (the shell's own iommufd stands in for it)" : "");
		break;
	case ISH_REC_DUP:
		if (f && r.rc >= 0) {
			struct rfd copy = *f;

			nf = fd_add(rr, r.pid, (int)r.rc, copy.kind);
			if (!nf)
				return -ENOMEM;
			*nf = copy;
			nf->pid = r.pid;
			nf->fd = (int)r.rc;
		}
		if (!rr->json)
			out(rr, "# [%lu] pid %d tid %d: dup(fd %d) = %ld (followed)\n", r.seq, r.pid,
			    r.tid, r.fd, r.rc);
		break;
	case ISH_REC_CLOSE:
		if (!f)
			break;
		dev = dev_of_fd(rr, f);
		if (f->kind == FD_DEVICE && dev) {
			bool last = true;
			size_t i;

			/* a dup'ed cdev stays bound until its last fd goes */
			for (i = 0; i < rr->nfds; i++)
				if (&rr->fds[i] != f && rr->fds[i].obj == f->obj &&
				    rr->fds[i].kind == FD_DEVICE)
					last = false;
			if (last) {
				snprintf(cmd, sizeof(cmd), "device unbind $%s", dev->var);
				emit(rr, &r, NULL, cmd, NULL);
				dev->alive = false;
			} else if (!rr->json) {
				out(rr, "# [%lu] close(fd %d): another fd keeps the device bound\n",
				    r.seq, r.fd);
			}
		} else if (f->kind == FD_VEVENTQ) {
			covered(rr, &r, "destroy closes a vEVENTQ's fd first");
		} else if (f->kind == FD_FAULT) {
			covered(rr, &r, "destroy closes a fault queue's fd first");
		} else if (!rr->json) {
			out(rr, "# [%lu] pid %d tid %d: close(fd %d)%s\n", r.seq, r.pid, r.tid, r.fd,
			    f->kind == FD_IOMMUFD ? " of the iommufd: the kernel frees what is left" :
			    "");
		}
		fd_del(rr, f);
		break;
	case ISH_REC_IOCTL:
		/* a struct the program's pointer did not let be read (EFAULT): no command makes it */
		if (f && f->kind == FD_IOMMUFD && r.argsz < ish_ioctl_argsz(r.request) &&
		    ish_ioctl_argsz(r.request))
			emit(rr, &r, NULL, NULL, "its struct could not be read");
		else if (f && f->kind == FD_IOMMUFD)
			on_iommufd_ioctl(rr, &r);
		else if (f && f->kind == FD_DEVICE)
			on_vfio_ioctl(rr, &r, f);
		else
			emit(rr, &r, NULL, NULL, NULL);
		break;
	case ISH_REC_READ:
		on_read(rr, &r, f);
		break;
	case ISH_REC_POLL:
		if (f && f->kind == FD_VEVENTQ && f->obj >= 0 && r.rc > 0) {
			/* the read that follows waits as the program did */
			f->poll_ms = r.len ? (int)r.len : -1;
			if (!rr->json)
				out(rr, "# [%lu] pid %d tid %d: poll(fd %d) = %ld: the read waits\n",
				    r.seq, r.pid, r.tid, r.fd, r.rc);
		} else if (f && f->kind == FD_VEVENTQ && f->obj >= 0 && r.rc == 0) {
			/* a wait that timed out: veventq read ... wait makes just that call */
			snprintf(cmd, sizeof(cmd), "veventq read $%s wait %d", rr->objs[f->obj].var,
				 r.len ? (int)r.len : 10000);
			emit(rr, &r, NULL, cmd, NULL);
		} else {
			emit(rr, &r, NULL, NULL, NULL);
		}
		break;
	case ISH_REC_PREAD:
	case ISH_REC_PWRITE:
		on_region_access(rr, &r, f);
		break;
	case ISH_REC_MMAP:
		if (r.rc == 0 && r.va && f && f->kind == FD_DEVICE && map_add(rr, r.va, r.len) < 0)
			return rr->werr = -ENOMEM;
		emit(rr, &r, NULL, NULL, r.len && r.rc == 0 && r.request == 1 ?
		     "its register accesses are recorded one by one (--mmio)" :
		     "accesses through a mapping are not calls");
		break;
	case ISH_REC_MEM:
		on_mem(rr, &r);
		break;
	case ISH_REC_REFUSE:
		if (!rr->refused) {
			char *s;

			if (asprintf(&s, "%s: %.*s", r.path ? r.path : "?", (int)r.buflen,
				     r.buf ? (const char *)r.buf : "") >= 0)
				rr->refused = s;
		}
		break;
	default:
		emit(rr, &r, NULL, NULL, NULL);
	}
	return rr->werr;
}

int ish_recorder_add_file(struct ish_recorder *rr, FILE *raw, unsigned long *bad_line)
{
	char *line = NULL;
	void *scratch = NULL;
	size_t cap = 0, scap = 0;
	unsigned long n = 0;
	ssize_t got;
	int rc = 0;

	while ((got = getline(&line, &cap, raw)) > 0) {
		struct ish_rec r;

		n++;
		if ((size_t)got > scap) {
			void *p = realloc(scratch, (size_t)got);

			if (!p) {
				rc = -ENOMEM;
				break;
			}
			scratch = p;
			scap = (size_t)got;
		}
		if (line[0] == '\n' || line[0] == '#')
			continue;
		rc = ish_rec_decode(line, &r, scratch, scap);
		if (rc < 0) {
			if (bad_line)
				*bad_line = n;
			break;
		}
		rc = ish_recorder_add(rr, &r);
		if (rc < 0)
			break;
	}
	free(line);
	free(scratch);
	return rc;
}

int ish_recorder_finish(struct ish_recorder *rr)
{
	int rc;
	size_t i;

	if (!rr)
		return 0;
	if (!rr->json) {
		out(rr, "# ---- %lu calls recorded, %lu without a command%s\n", rr->ncalls, rr->nraw,
		    rr->nraw ? ":" : "");
		for (i = 0; i < rr->nlines; i++)
			out(rr, "#   %s\n", rr->raw[i]);
	}
	if (fflush(rr->out) != 0 && !rr->werr)
		rr->werr = -EIO;
	rc = rr->werr;
	for (i = 0; i < rr->nlines; i++)
		free(rr->raw[i]);
	free(rr->raw);
	free(rr->fds);
	free(rr->objs);
	free(rr->ids);
	free(rr->mems);
	free(rr->maps);
	free(rr->refused);
	free(rr);
	return rc;
}

/* ---- the library records itself: IOMMUSH_RECORD=FILE, fed from the choke point ---------- */

struct ish_ctx_rec {
	struct ish_recorder *rr;
	FILE *fp;
	bool own_fp;
	unsigned long seq;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void rec_fill(struct ish_ctx_rec *cr, struct ish_rec *r, enum ish_rec_op op, int fd,
		     long rc)
{
	memset(r, 0, sizeof(*r));
	r->seq = ++cr->seq;
	r->pid = getpid();
	r->tid = gettid();
	r->t_ns = now_ns();
	r->op = op;
	r->fd = fd;
	r->rc = rc;
}

static int record_start(struct ish_ctx *ctx, const char *path, FILE *fp, int iommufd)
{
	struct ish_ctx_rec *cr;
	struct ish_rec r;
	int rc;

	if (ctx->rec)
		return -EBUSY;
	cr = calloc(1, sizeof(*cr));
	if (!cr)
		return -ENOMEM;
	cr->fp = fp ? fp : fopen(path, "we");
	cr->own_fp = !fp;
	if (!cr->fp) {
		rc = -errno;
		goto free_cr;
	}
	rc = ish_recorder_new(cr->fp, false, &cr->rr);
	if (rc < 0)
		goto close_fp;
	fprintf(cr->fp, "# iommush recording (%s) of pid %d: replay with iommush -b\n",
		fp ? "--trace=script" : "IOMMUSH_RECORD", getpid());
	rec_fill(cr, &r, ISH_REC_OPEN, -1, iommufd);
	r.path = "/dev/iommu";
	ish_recorder_add(cr->rr, &r);
	ctx->rec = cr;
	return 0;

close_fp:
	if (cr->own_fp)
		fclose(cr->fp);
free_cr:
	free(cr);
	return rc;
}

int ish_ctx_record_start(struct ish_ctx *ctx, const char *path, int iommufd)
{
	return record_start(ctx, path, NULL, iommufd);
}

int ish_record_to(struct ish_ctx *ctx, FILE *fp)
{
	return record_start(ctx, NULL, fp, ctx->iommufd);
}

void ish_ctx_record_call(struct ish_ctx *ctx, const struct ish_call *c, long rc)
{
	struct ish_ctx_rec *cr = ctx->rec;
	struct ish_rec r;
	size_t n;

	if (!cr)
		return;
	if (!strcmp(c->op, "ioctl")) {
		rec_fill(cr, &r, ISH_REC_IOCTL, c->fd, rc);
		r.request = c->request;
		r.argsz = ish_ioctl_argsz(c->request);
		r.in = c->in ? c->in : c->arg;
		r.out = c->arg;
		if (!r.out)
			r.argsz = 0;
		switch (c->request) {
		case IOMMU_HWPT_ALLOC: {
			const struct iommu_hwpt_alloc *a = c->arg;

			r.buf = (const void *)(uintptr_t)a->data_uptr;
			r.buflen = a->data_len;
			break;
		}
		case IOMMU_HWPT_INVALIDATE: {
			const struct iommu_hwpt_invalidate *a = r.in;

			r.buf = (const void *)(uintptr_t)a->data_uptr;
			r.buflen = (size_t)a->entry_len * a->entry_num;
			break;
		}
		case IOMMU_IOAS_ALLOW_IOVAS: {
			const struct iommu_ioas_allow_iovas *a = r.in;

			r.buf = (const void *)(uintptr_t)a->allowed_iovas;
			r.buflen = (size_t)a->num_iovas * sizeof(struct iommu_iova_range);
			break;
		}
		default:
			break;
		}
		if (!r.buf || r.buflen > ISH_REC_BUF_MAX)
			r.buf = NULL, r.buflen = 0;
	} else if (!strcmp(c->op, "open")) {
		rec_fill(cr, &r, ISH_REC_OPEN, -1, rc);
		r.path = c->arg;
	} else if (!strcmp(c->op, "close")) {
		rec_fill(cr, &r, ISH_REC_CLOSE, c->fd, rc);
	} else if (!strcmp(c->op, "read") || !strcmp(c->op, "pread") ||
		   !strcmp(c->op, "pwrite")) {
		rec_fill(cr, &r, c->op[0] == 'r' ? ISH_REC_READ : c->op[1] == 'r' ? ISH_REC_PREAD :
			 ISH_REC_PWRITE, c->fd, rc);
		r.len = c->len;
		r.off = c->off;
		n = r.op == ISH_REC_PWRITE ? c->len : rc > 0 ? (size_t)rc : 0;
		r.buf = c->arg;
		r.buflen = n <= ISH_REC_BUF_MAX ? n : 0;
	} else if (!strcmp(c->op, "poll")) {
		rec_fill(cr, &r, ISH_REC_POLL, c->fd, rc);
		r.len = c->len;
	} else {
		return;		/* use-vfio: not a call on iommufd or a cdev */
	}
	ish_recorder_add(cr->rr, &r);
}

int ish_ctx_record_end(struct ish_ctx *ctx)
{
	struct ish_ctx_rec *cr = ctx->rec;
	int rc;

	if (!cr)
		return 0;
	ctx->rec = NULL;
	rc = ish_recorder_finish(cr->rr);
	if (cr->own_fp && fclose(cr->fp) != 0 && !rc)
		rc = -errno;
	free(cr);
	return rc;
}
