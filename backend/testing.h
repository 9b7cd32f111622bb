/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test hooks of the simulator: unstable, not installed, for the project's own tests and
 * tools. They are exported by libiommush.a only (the shared library keeps to the installed
 * headers).
 */
#ifndef IOMMUSH_TESTING_H
#define IOMMUSH_TESTING_H

#include "iommush/sim.h"

/*
 * Fault injection inside the simulated kernel, as failslab does it: allocation number @n from
 * now (1 = the next) fails, so the ioctl that needed it returns -ENOMEM after unwinding
 * whatever it had done (no object, no id, no fd left behind). 0 disarms. The hit flag says
 * whether the armed allocation was reached since the last arming (disarming keeps it).
 */
void ish_sim_fail_alloc(struct ish_backend *be, unsigned long n);
bool ish_sim_fail_alloc_hit(struct ish_backend *be);

/*
 * Kernel profile knobs: behaviours that changed between 7.1 and 7.3 (§6). Default 7.3.
 * 7.1: a short vEVENTQ read returns 0, only the opcode (and vSID) of an invalidation command
 * is checked, and neither the vEVENTQ depth nor the invalidation array is capped.
 */
enum ish_sim_profile { ISH_SIM_PROFILE_7_3 = 0, ISH_SIM_PROFILE_7_1 = 1 };
void ish_sim_set_profile(struct ish_backend *be, enum ish_sim_profile p);

#endif
