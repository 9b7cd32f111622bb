// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runas PROGRAM ARGS...: run PROGRAM as user and group 1000, without supplementary groups or
 * capabilities, so that the live check scripts see what iommush check says to a user.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: runas PROGRAM [ARG]...\n");
		return 2;
	}
	if (setgroups(0, NULL) || setgid(1000) || setuid(1000)) {
		perror("runas");
		return 1;
	}
	execv(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
