#!/bin/sh
# make bench-live, in the live VM's guest (tests/live/init runs it as a live script): the
# shell-versus-library rows and the vSMMU operation rows on the kernel's /dev/iommu, the
# simulator's beside them, from the static programs bench/live/run put in / (LIVE_EXTRA).
# Its rows go between "=== BENCH BEGIN" and "=== BENCH END" on the console.
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts 2>/dev/null	# forkpty: the prompt row
devs=
for d in /sys/bus/pci/drivers/vfio-pci/0000:*; do
	[ -e "$d" ] || continue
	devs=${devs:+$devs,}${d##*/}
done
echo "=== BENCH BEGIN kernel=$(uname -r) devices=$devs"
ISH_BENCH_TABLE=1 IOMMUSH=/iommush /shell || echo "=== BENCH FAILED shell $?"
ISH_BENCH_TABLE=1 ISH_BENCH_DEVICES=$devs /ops || echo "=== BENCH FAILED ops $?"
echo "=== BENCH END"
