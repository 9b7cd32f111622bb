/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command groups (one file each, or a few small ones per file) and their shared parsers. */
#ifndef ISH_CMDS_H
#define ISH_CMDS_H

#include "../shell/shell.h"

extern const struct sh_group sh_group_pci;
extern const struct sh_group sh_group_device;
extern const struct sh_group sh_group_ioas;
extern const struct sh_group sh_group_hwpt;
extern const struct sh_group sh_group_viommu;
extern const struct sh_group sh_group_vdevice;
extern const struct sh_group sh_group_veventq;
extern const struct sh_group sh_group_destroy;
extern const struct sh_group sh_group_show;
extern const struct sh_group sh_group_vsmmu;
extern const struct sh_group sh_group_vmm;
extern const struct sh_group sh_group_mem;
extern const struct sh_group sh_group_region;
extern const struct sh_group sh_group_mmio;
extern const struct sh_group sh_group_sim;
extern const struct sh_group sh_group_help;
extern const struct sh_group sh_group_set;
extern const struct sh_group sh_group_vars;
extern const struct sh_group sh_group_let;
extern const struct sh_group sh_group_echo;
extern const struct sh_group sh_group_sleep;
extern const struct sh_group sh_group_expect_error;
extern const struct sh_group sh_group_source;
extern const struct sh_group sh_group_quit;
extern const struct sh_group sh_group_complete;
extern const struct sh_group sh_group_check;
extern const struct sh_group sh_group_next;
extern const struct sh_group sh_group_continue;

/* ---- cmds/fields.c: NAME=VALUE words against the codec tables --------------------------- */

/* STE words from FIELD=VALUE words; V=1 unless given; config takes names (s1-translate) */
int cmd_parse_ste(struct shell *sh, char **words, int n, uint64_t ste[2]);
/* an event record: @id plus FIELD=VALUE words */
/* IDR field overrides: NAME=VALUE words into @idr, the bits they cover into @mask */
int cmd_parse_idr(struct shell *sh, char **words, int n, uint32_t idr[6], uint32_t mask[6]);
int cmd_parse_evt(struct shell *sh, unsigned int id, char **words, int n, uint64_t evt[4]);
/*
 * CMDQ commands: "NAME [FIELD=VALUE...]" or "raw W0 W1", separated by "," (a word of its
 * own, or at the end or start of one). *cmds is allocated; *n commands.
 */
int cmd_parse_cmds(struct shell *sh, char **words, int n, uint64_t (**cmds)[2], uint32_t *ncmds);
/* JSON: the decoded FIELD=VALUE words of @decoded as a "fields" object of hex values */
void cmd_print_fields(struct shell *sh, const char *decoded, const uint64_t *config);
/* print STE words both ways: "ste 0x.. 0x.. (V=1 Config=...)" */
void cmd_print_ste(struct shell *sh, const char *key, const uint64_t ste[2]);
/* print decoded events; returns how many records */
void cmd_print_events(struct shell *sh, const struct ish_vevent *ev, int n);
/* read a vEVENTQ until empty, printing: the shared body of veventq read and vsmmu events */
/* the optional "expect EVENT [sid VSID]" of event reads */
#define EXPECT_ARGS \
	{ "expect", SH_KW, SH_T_WORD, SH_OPT, NULL, \
	  "fail (ENOMSG) unless an event of this name (e.g. C_BAD_CD) was read" }, \
	{ "sid", SH_KW, SH_T_U32, SH_OPT, NULL, "with expect: the event must carry this vSID" }
/* "count N" of veventq read and vsmmu events: the events raised, read or lost */
#define COUNT_ARG \
	{ "count", SH_KW, SH_T_U64, SH_OPT, NULL, \
	  "fail (ENOMSG) unless exactly N events (of the expected kind) came, read or lost" }

/* read, decode and print; with an expect argument in @c, fail unless such an event came */
int cmd_read_events(struct shell *sh, const struct sh_call *c, uint32_t veventq,
		    struct ish_vsmmu *vs);
/* report a refused invalidation batch: which command, how many handled */

/* ---- cmds/vsmmu.c ---- */
struct ish_vsmmu;
void cmd_print_vsmmu(struct shell *sh, struct ish_vsmmu *vs);
/* role of a device, whether or not a vSMMU holds it: s2-parent, bypass, abort, translate... */
const char *cmd_device_role(struct shell *sh, const struct ish_obj *dev);

/* ---- cmds/vmm.c ---- */
/* the name of the VMM front end driving @vs, NULL if none */
const char *cmd_vmm_on(const struct ish_vsmmu *vs);

#endif
