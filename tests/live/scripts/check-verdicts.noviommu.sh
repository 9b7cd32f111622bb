# iommush check on the boot WITHOUT the IORT override: it must say why vIOMMU allocation fails
# (no CANWBS from QEMU's IORT, no S2FWB on its SMMUv3) and how to fix it.
set -u
fail=0
/iommush check > /tmp/check.out 2>&1
rc=$?
cat /tmp/check.out
[ "$rc" -eq 1 ] || { echo "check exited $rc, not 1"; fail=1; }
grep -qE '^FAIL 0000:00:01\.0 vIOMMU: vIOMMU refused \(EOPNOTSUPP\): the SMMU has no S2FWB \(IDR3\.FWB=0\) and the device is not CANWBS; fix: firmware whose IORT root complex node sets CANWBS' /tmp/check.out ||
	{ echo "no reason for the refused vIOMMU"; fail=1; }
grep -q 'check: .* failed (the errno is the first vIOMMU probe.s) (EOPNOTSUPP)' /tmp/check.out ||
	{ echo "not EOPNOTSUPP"; fail=1; }
exit $fail
