# The vSMMU's side of a recording (iommush record of QEMU, or IOMMUSH_RECORD of iommush running a
# guest program through its VMM front end), one call a line, each id replaced by what the object
# is: "attach ste 0x4037c00b 0xd6", "vdevice alloc vsid 0x8", one "invalidate W0 W1" per command
# (QEMU forwards one command a call, the front end a drain's in one). The accel lab's side by
# side (tests/live/accel/run): awk -f vsmmu-calls.awk RECORDING
/^#/ { next }
{
	line = $0; v = ""
	if (match(line, /^let [a-z0-9_]+ = /)) { v = substr(line, 5, RLENGTH - 7); line = substr(line, RLENGTH + 1) }
}
line ~ /^hwpt alloc .* nest-parent/ { kind[v] = "s2"; print "hwpt alloc nest-parent"; next }
line ~ /^hwpt alloc .* ste / { n = split(line, w, " "); kind[v] = "ste " w[n - 1] " " w[n]; print "hwpt alloc ste " w[n - 1] " " w[n]; next }
line ~ /^viommu alloc / { kind[v] = "viommu"; print "viommu alloc"; next }
line ~ /^vdevice alloc / { n = split(line, w, " "); kind[v] = "vdevice " w[n]; print "vdevice alloc vsid " w[n]; next }
line ~ /^veventq alloc / { n = split(line, w, " "); kind[v] = "veventq"; print "veventq alloc depth " w[n]; next }
line ~ /^device attach / { split(line, w, " "); t = w[4]; sub(/^\$/, "", t); print "attach " (t in kind ? kind[t] : t); next }
line ~ /^(expect-error [A-Z]+ )?viommu invalidate / {
	n = split(line, w, " ")
	for (i = 1; i <= n; i++) if (w[i] == "raw") print "invalidate " w[i + 1] " " w[i + 2]
	next
}
line ~ /^destroy / { split(line, w, " "); t = w[2]; sub(/^\$/, "", t); print "destroy " (t in kind ? kind[t] : t); next }
line ~ /^veventq read / { print "veventq read"; next }
