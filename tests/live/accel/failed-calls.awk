# The iommufd calls of a recording that failed, one "NAME -ERRNO" a line in call order, but for
# the raw ones (no command makes them: a replay cannot): a replay must fail the same calls with
# the same errnos, the ones a command covers included (the accel lab, tests/live/accel/run and
# l1-init). VFIO's calls are left out: a replayed region list reads regions QEMU never asked for.
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
/^#   raw / { pend = ""; next }
END { put() }
