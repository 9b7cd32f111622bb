# Safety on real machines: nothing off vfio-pci is touched without "pci use-vfio", MMIO stays
# inside a region, "ioas map" maps only iommush's own buffers, a missing permission is named
# with its fix. $IOMMUSH is the binary (maybe under valgrind).
sim="$IOMMUSH --backend sim"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "--- a device on another host driver is refused, and left where it is"
$sim -c 'pci show 0000:00:03.0; device bind 0000:00:03.0'; echo "exit $?"
$sim -c '-device bind 0000:00:03.0; pci show 0000:00:03.0'; echo "exit $?"
echo "--- MMIO outside a region is refused"
$sim -c 'device bind 0000:00:02.0; mmio read 1 bar0 0x100000'; echo "exit $?"
$sim -c 'device bind 0000:00:02.0; mmio read 1 bar0 0xffff8 width 8; mmio read 1 bar0 0x100000 width 8'; echo "exit $?"
$sim -c 'device bind 0000:00:02.0; mmio write 1 bar5 0 1'; echo "exit $?"
echo "--- ioas map takes a buffer of iommush, never an address"
$sim -c 'ioas alloc; ioas map 1 7'; echo "exit $?"
$sim -c 'ioas alloc; ioas map 1 0x7fff00000000'; echo "exit $?"
echo "--- no permission on a VFIO cdev: named, with the fix"
$sim --fail-nth 1:EACCES -c 'device bind 0000:00:01.0'; echo "exit $?"
echo "--- not root, no permission on /dev/iommu: named, with the fix (exit 3)"
# (only as root with setpriv, and where an unprivileged process can run at all: a chroot whose
# root directory is root's alone cannot even load libc for it)
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
	setpriv --reuid=65534 --regid=65534 --clear-groups /bin/sh -c true 2>/dev/null; then
	touch "$tmp/iommu"
	chmod 600 "$tmp/iommu"
	chmod 755 "$tmp"
	# the shared library as the unprivileged user can read it (a build tree may be root's
	# alone); LD_LIBRARY_PATH is searched before the binary's RUNPATH
	lib=$(ldd "${IOMMUSH##* }" 2>/dev/null | awk '/libiommush\.so/ { print $3 }')
	mkdir -p "$tmp/lib"
	[ -n "$lib" ] && cp "$lib" "$tmp/lib/"
	chmod -R a+rX "$tmp/lib"
	ISH_DEV_ROOT=$tmp LD_LIBRARY_PATH=$tmp/lib setpriv --reuid=65534 --regid=65534 \
		--clear-groups $IOMMUSH --backend kernel -c 'ioas alloc'; echo "exit $?"
else
	echo 'iommush: cannot use the kernel backend: /dev/iommu: Permission denied: run as root, or give this user read-write access to /dev/iommu (a udev rule: KERNEL=="iommu", GROUP="GROUP", MODE="0660"); the VFIO cdevs need the same'
	echo "exit 3"
fi
