# iommush check on the kernel with the IORT override, as root and as a user: every verdict it
# can reach here, each with its fix (the .ish scripts only see its exit status).
set -u
fail=0
want() {	# want FILE REGEX: the check printed such a line
	grep -qE "$2" "$1" || { echo "missing in $1: $2"; fail=1; }
}
/iommush check > /tmp/root.out 2>&1
rc=$?
cat /tmp/root.out
[ "$rc" -eq 0 ] || { echo "check as root exited $rc"; fail=1; }
want /tmp/root.out '^PASS /dev/iommu: present and opened$'
# this kernel has no CONFIG_IKCONFIG_PROC and no /boot: check says so and how to fix it
want /tmp/root.out '^WARN kernel options: cannot read /boot/config-.*; fix: CONFIG_IKCONFIG_PROC=y'
want /tmp/root.out '^PASS 0000:00:01\.0 group: IOMMU group [0-9]+, on '
want /tmp/root.out '^PASS 0000:00:01\.0 driver|^PASS 0000:00:01\.0 cdev: /dev/vfio/devices/vfio[0-9]+, read-write for this user$'
want /tmp/root.out '^PASS 0000:00:01\.0 vIOMMU: vIOMMU allocated and freed \(nesting; CANWBS from the IORT\)$'
want /tmp/root.out '^PASS RLIMIT_MEMLOCK: CAP_IPC_LOCK'
want /tmp/root.out ' 0 failed$'
# a user who may open /dev/iommu but not the cdevs, under the kernel's 8 MiB RLIMIT_MEMLOCK
chmod 666 /dev/iommu
/runas /iommush check > /tmp/user.out 2>&1
rc=$?
chmod 600 /dev/iommu
cat /tmp/user.out
[ "$rc" -eq 1 ] || { echo "check as a user exited $rc, not 1"; fail=1; }
want /tmp/user.out '^FAIL 0000:00:01\.0 cdev: /dev/vfio/devices/vfio[0-9]+: Permission denied; fix: run as root, or give this user rw access to /dev/vfio/devices/vfio[0-9]+$'
want /tmp/user.out '^WARN RLIMIT_MEMLOCK: [0-9]+ KiB: IOAS_MAP pins guest RAM against it, and fails with ENOMEM past it; fix: ulimit -l'
# a user who may not open /dev/iommu either: what sysfs says is still checked
/runas /iommush check > /tmp/user2.out 2>&1
rc=$?
cat /tmp/user2.out
[ "$rc" -eq 1 ] || { echo "check without /dev/iommu access exited $rc, not 1"; fail=1; }
want /tmp/user2.out '^FAIL /dev/iommu: cannot be opened: Permission denied; fix: run as root, or give this user read-write access to /dev/iommu'
want /tmp/user2.out '^PASS 0000:00:01\.0 group: IOMMU group [0-9]+$'
exit $fail
