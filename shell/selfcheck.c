// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --fail-nth N:ERRNO and --check-teardown: the end-to-end fault injection of a whole script.
 * The armed call is named on stderr when it fails; at the end the registry is compared with
 * the simulated kernel (same objects, every parent there, every vSMMU-owned object held by its
 * vSMMU, every vSMMU device on a page table of a role the model knows), then a teardown must
 * leave no object and no fd but the iommufd itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "iommush/sim.h"
#include "iommush/vsmmu.h"
#include "shell.h"

int sh_fail_nth_parse(const char *spec, unsigned long *n, int *err)
{
	const char *colon = strchr(spec, ':');
	char *end;
	char num[32];

	if (!colon || (size_t)(colon - spec) >= sizeof(num) || colon == spec)
		return -EINVAL;
	memcpy(num, spec, (size_t)(colon - spec));
	num[colon - spec] = '\0';
	errno = 0;
	*n = strtoul(num, &end, 10);
	if (errno || *end || *n == 0 || num[0] == '-')
		return -EINVAL;
	*err = sh_errno_parse(colon + 1);
	if (*err <= 0)
		return -EINVAL;
	return 0;
}

void sh_fail_nth_seen(struct shell *sh, const struct ish_call *call, long rc)
{
	char buf[1024];

	if (!sh->fail_nth || sh->fail_seen || !ish_fail_hit(sh->ctx))
		return;
	sh->fail_seen = true;
	ish_call_format(call, rc, buf, sizeof(buf));
	fflush(stdout);		/* what the script printed before comes first */
	fprintf(stderr, "iommush: --fail-nth: call %lu failed with %s: ", sh->fail_nth,
		sh_errno_name(sh->fail_err));
	sh_fput_text(stderr, buf, false);
	fputc('\n', stderr);
}

static bool held_by(const struct ish_vsmmu *vs, uint32_t id)
{
	const struct ish_vsmmu_dev *d;

	if (id == ish_vsmmu_viommu(vs) || id == ish_vsmmu_abort_hwpt(vs) ||
	    id == ish_vsmmu_bypass_hwpt(vs) || id == ish_vsmmu_veventq(vs) ||
	    id == ish_vsmmu_s2_hwpt(vs))
		return true;
	for (d = ish_vsmmu_dev_first(vs); d; d = ish_vsmmu_dev_next(d))
		if (id == ish_vsmmu_dev_id(d) || id == ish_vsmmu_dev_translate(d) ||
		    id == ish_vsmmu_dev_vdevice(d) || id == ish_vsmmu_dev_s2_hwpt(d) ||
		    id == ish_vsmmu_dev_stale(d))
			return true;
	return false;
}

#define CHECK_FAIL(...) do { fprintf(stderr, "iommush: teardown check: " __VA_ARGS__); \
	bad++; } while (0)

int sh_check_teardown(struct shell *sh)
{
	struct ish_backend *be = ish_ctx_backend(sh->ctx);
	struct ish_sim_stats st;
	struct ish_vsmmu *vs;
	struct ish_obj *o;
	unsigned int n = 0, bad = 0;
	unsigned long calls;
	int rc;

	if (!ish_is_sim(be)) {
		fprintf(stderr, "iommush: teardown check: needs the simulator (--backend sim)\n");
		return SH_EXIT_SETUP;
	}
	if (sh->fail_nth && !sh->fail_seen)
		fprintf(stderr, "iommush: --fail-nth: call %lu not reached: the session made %lu "
			"calls\n", sh->fail_nth, sh->ncalls);
	calls = sh->ncalls;
	ish_fail_nth(sh->ctx, 0, 0);
	for (o = ish_obj_first(sh->ctx); o; o = ish_obj_next(o)) {
		uint32_t id = ish_obj_id(o), parent = ish_obj_parent(o);
		const char *type = ish_obj_type_name(ish_obj_type(o)), *owner = ish_obj_owner(o);

		n++;
		if (parent && !ish_obj_find(sh->ctx, parent))
			CHECK_FAIL("%s %u: its parent %u is gone\n", type, id, parent);
		if (ish_obj_device_pt(o) && !ish_obj_find(sh->ctx, ish_obj_device_pt(o)))
			CHECK_FAIL("device %u is on page table %u, which is gone\n", id,
				   ish_obj_device_pt(o));
		if (owner) {
			vs = ish_vsmmu_find(sh->ctx, owner);
			if (!vs || !held_by(vs, id))
				CHECK_FAIL("%s %u: owned by vSMMU %s, which does not hold it\n", type,
					   id, owner);
		}
	}
	ish_sim_get_stats(be, &st);
	/* a dry run made its objects up: the kernel has none of them, by design */
	if (n != st.objects && !sh->dry_run)
		CHECK_FAIL("the registry holds %u objects, the kernel %u\n", n, st.objects);
	for (vs = ish_vsmmu_first(sh->ctx); vs; vs = ish_vsmmu_next(vs)) {
		const struct ish_vsmmu_dev *d;
		enum ish_role role;

		for (d = ish_vsmmu_dev_first(vs); d; d = ish_vsmmu_dev_next(d)) {
			uint32_t id = ish_vsmmu_dev_id(d);
			struct ish_obj *dev = ish_obj_find(sh->ctx, id);

			if (!dev) {
				CHECK_FAIL("vSMMU %s: device %u is gone\n", ish_vsmmu_name(vs), id);
				continue;
			}
			role = ish_vsmmu_role(vs, id);
			if (role == ISH_ROLE_NONE || role == ISH_ROLE_OTHER)
				CHECK_FAIL("vSMMU %s: device %u is on page table %u, which the "
					   "model does not expect\n", ish_vsmmu_name(vs), id,
					   ish_obj_device_pt(dev));
		}
	}
	rc = ish_ctx_reset(sh->ctx);
	if (rc < 0)
		CHECK_FAIL("the teardown failed: %s\n", strerror(-rc));
	ish_sim_get_stats(be, &st);
	if (st.objects != st.tombstones)
		CHECK_FAIL("%u objects left after the teardown\n", st.objects - st.tombstones);
	if (st.open_fds != 1)
		CHECK_FAIL("%u fds left open after the teardown (the iommufd is 1)\n", st.open_fds);
	if (ish_vsmmu_first(sh->ctx))
		CHECK_FAIL("a vSMMU is left after the teardown\n");
	if (bad)
		return SH_EXIT_FAIL;
	fprintf(stderr, "iommush: teardown check: ok (%u objects, %lu calls before it)\n", n,
		calls);
	return SH_EXIT_OK;
}
