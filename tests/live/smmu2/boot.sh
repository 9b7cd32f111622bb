#!/bin/bash
# The live suite's boot with two physical SMMUs (tests/live/run starts it for *.smmu2.ish):
# QEMU 11.1 from tests/live/smmu2/build-qemu, a pxb-pcie root bus (15) next to pcie.0, one
# `arm-smmuv3,primary-bus=...` for each root bus, an edu device behind each:
#   0000:00:01.0  on pcie.0, behind SMMU A (smmuv3.0), StreamID 0x8
#   0000:10:00.0  behind a root port (0f:00.0) on the pxb, behind SMMU B (smmuv3.1), StreamID
#                 0x1000 (a pxb-pcie takes only bridges)
# (the simulator's default host has the same two functions on SMMUs 0 and 1, for --sim).
#
#   boot.sh QEMU11 WORK KERNEL INITRAMFS IORT-TOOL FIRMWARE [APPEND...]
#
# Like run's other boots, through EDK2 + ACPI with an IORT override (CANWBS) for this machine:
# taken once from a dump boot (iommush.dump_iort=1) and cached per QEMU, firmware and options.
# Writes WORK/smmu2.log (serial console), .qemu, .rc, .time, and WORK/smmu2.problem (one line)
# when no override could be made. Environment: LIVE_TIMEOUT, XDG_CACHE_HOME.
set -uo pipefail

[ $# -ge 6 ] || { echo "usage: boot.sh QEMU11 WORK KERNEL INITRAMFS IORT-TOOL FIRMWARE [APPEND...]" >&2; exit 2; }
qemu=$1 work=$2 kernel=$3 initrd=$4 tool=$5 firmware=$6
shift 6
cache=${XDG_CACHE_HOME:-$HOME/.cache}/iommush
timeout_s=${LIVE_TIMEOUT:-180}
t_start=$(date +%s.%N)

# shellcheck disable=SC2054 # the commas belong to the options
machine=(-M virt,gic-version=3 -accel tcg -cpu cortex-a57 -smp 2 -m 1024 -bios "$firmware" -nic none
	-device pxb-pcie,id=pxb1,bus_nr=15,bus=pcie.0,addr=0x3
	-device arm-smmuv3,primary-bus=pcie.0,id=smmuv3.0,stage=nested
	-device arm-smmuv3,primary-bus=pxb1,id=smmuv3.1,stage=nested
	-device pcie-root-port,id=rp1,bus=pxb1,chassis=1
	-device edu,id=edu0,bus=pcie.0,addr=0x1 -device edu,id=edu1,bus=rp1)
qver=$("$qemu" --version | head -n 1)
key=$(printf '%s\n' "$qver" "${machine[@]}" "$(stat -L -c '%s-%Y' "$firmware")" | sha256sum | cut -c1-16)
aml=$cache/iort-$key/IORT.aml

run_qemu() {	# NAME INITRD APPEND...
	local name=$1 rd=$2
	shift 2
	timeout -k 5 "$timeout_s" "$qemu" "${machine[@]}" -display none -monitor none \
		-serial "file:$work/$name.log" -no-reboot -kernel "$kernel" -initrd "$rd" \
		-append "console=ttyAMA0 panic=-1 loglevel=4 $*" </dev/null >"$work/$name.qemu" 2>&1
}

if [ ! -s "$aml" ]; then
	# QEMU's own table first, from a boot that runs no script
	run_qemu smmu2-dump "$initrd" iommush.list=none iommush.dump_iort=1
	mkdir -p "${aml%/*}"
	if ! "$tool" -q -o "$aml.tmp.$$" "$work/smmu2-dump.log" > "$work/smmu2-iort.out" 2>&1; then
		rm -f "$aml.tmp.$$"
		echo "no IORT override for the two-SMMU machine: $(tail -n 1 "$work/smmu2-iort.out")" > "$work/smmu2.problem"
		: > "$work/smmu2.log"; echo 1 > "$work/smmu2.rc"; echo 0 > "$work/smmu2.time"
		exit 0
	fi
	mv "$aml.tmp.$$" "$aml"
fi
mkdir -p "$work/smmu2-override/kernel/firmware/acpi"
cp "$aml" "$work/smmu2-override/kernel/firmware/acpi/IORT.aml"
(cd "$work/smmu2-override" && find kernel | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	cat - "$initrd" > "$work/smmu2.cpio"
run_qemu smmu2 "$work/smmu2.cpio" "$@"
echo $? > "$work/smmu2.rc"
awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }' > "$work/smmu2.time"
# a cached override the kernel did not take is stale: made again next time
tr -d '\r' < "$work/smmu2.log" | grep -q '=== LIVE IORT-OVERRIDE no' && rm -f "$aml"
exit 0
