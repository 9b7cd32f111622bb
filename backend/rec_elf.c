// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Can the LD_PRELOAD interposer follow a program? Not a static one (no PT_INTERP: the dynamic
 * loader never runs, so nothing is preloaded) and not a setuid/setgid one (secure execution:
 * the loader ignores LD_PRELOAD paths with a slash). A "#!" script is judged by its
 * interpreter. Shared by `iommush record` (before it starts the program) and the interposer
 * (before a recorded program execs another one). No stdio, no allocation.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "iommush/record.h"

static int has_interp(int fd, char *why, size_t len, const char *path)
{
	unsigned char id[EI_NIDENT];
	unsigned int i;

	if (pread(fd, id, sizeof(id), 0) != (ssize_t)sizeof(id) || memcmp(id, ELFMAG, SELFMAG)) {
		snprintf(why, len, "%s is neither an ELF program nor a #! script", path);
		return -ENOEXEC;
	}
	if (id[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;
		Elf64_Phdr ph;

		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return -ENOEXEC;
		for (i = 0; i < eh.e_phnum; i++) {
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
			    (ssize_t)sizeof(ph))
				return -ENOEXEC;
			if (ph.p_type == PT_INTERP)
				return 0;
		}
	} else {
		Elf32_Ehdr eh;
		Elf32_Phdr ph;

		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return -ENOEXEC;
		for (i = 0; i < eh.e_phnum; i++) {
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * eh.e_phentsize)) !=
			    (ssize_t)sizeof(ph))
				return -ENOEXEC;
			if (ph.p_type == PT_INTERP)
				return 0;
		}
	}
	snprintf(why, len, "%s is statically linked: no dynamic loader runs, so LD_PRELOAD cannot "
		 "reach its calls; link it dynamically, or link libiommush and set IOMMUSH_RECORD",
		 path);
	return -EPERM;
}

int ish_rec_followable(const char *path, char *why, size_t len)
{
	char interp[256], cur[256];
	struct stat st;
	ssize_t n;
	int fd, rc, depth;

	why[0] = '\0';
	for (depth = 0; depth < 4; depth++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0) {
			rc = -errno;
			snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return rc;
		}
		if (st.st_mode & (S_ISUID | S_ISGID)) {
			close(fd);
			snprintf(why, len, "%s is set-%s-ID: the loader ignores LD_PRELOAD for it "
				 "(secure execution); record it as the user it runs as, from a copy "
				 "without the bit", path, st.st_mode & S_ISUID ? "user" : "group");
			return -EPERM;
		}
		n = pread(fd, interp, sizeof(interp) - 1, 0);
		if (n < 2 || interp[0] != '#' || interp[1] != '!') {
			rc = has_interp(fd, why, len, path);
			close(fd);
			return rc;
		}
		close(fd);
		/* a script: the interpreter is what runs */
		interp[n] = '\0';
		interp[strcspn(interp, "\n")] = '\0';
		{
			char *p = interp + 2;

			while (*p == ' ' || *p == '\t')
				p++;
			p[strcspn(p, " \t")] = '\0';
			memmove(interp, p, strlen(p) + 1);
		}
		if (!interp[0]) {
			snprintf(why, len, "%s: an empty #! line", path);
			return -ENOEXEC;
		}
		snprintf(cur, sizeof(cur), "%s", interp);
		path = cur;
	}
	snprintf(why, len, "%s: #! interpreters nested too deep", path);
	return -ELOOP;
}
