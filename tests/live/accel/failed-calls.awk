# The iommufd calls of a recording that failed, one "NAME -ERRNO" a line in call order: a replay
# must fail the same calls with the same errnos (the accel lab, tests/live/accel/run and l1-init).
# Left out: raw calls (no command makes them, so a replay cannot) and VFIO's calls (a replayed
# region list reads regions QEMU never asked for). A covered call is compared: the command
# standing for it makes it too. QEMU's IOVA_RANGES probe with no room is a command of its own
# (expect-error EMSGSIZE ioas ranges $ioasN room 0), its CMDQV probe too (expect-error
# EOPNOTSUPP device info $dev1 type 3): both are compared.
#   awk -f failed-calls.awk RECORDING
function put() { if (pend != "") print pend; pend = "" }
/^# \[[0-9]+\] / {
	put()
	if (match($0, / = -E[A-Z0-9]+$/)) {
		name = $0
		sub(/^# \[[0-9]+\] [^:]*: /, "", name)
		sub(/\(.*/, "", name)
		if (name ~ /^IOMMU_/)
			pend = name " " substr($0, RSTART + 3)
	}
	next
}
/^#   raw[ :]/ { pend = ""; next }
END { put() }
