# iommush record of a program that is not iommush: the lab's nesttest, built dynamic, on the
# kernel with the IORT override (every step, DMA through S1+S2 included), with --mmio: its BAR
# accesses and what it and the device write into its DMA buffer are recorded. The recording
# must replay on the same kernel with the same ids by role, the same errnos and the same DMA
# results (the replay compares them); the host then replays it on the simulator
# (tests/live/run).
set -u
[ -x /nesttest ] && [ -r /libiommush-record.so ] || { echo "no /nesttest or interposer"; exit 1; }
/iommush record --mmio -o /tmp/nesttest.ish -- /nesttest /dev/vfio/devices/vfio0 > /tmp/nesttest.out 2>&1
rc=$?
grep -E '^(STEP|nesttest|iommush)' /tmp/nesttest.out | grep -vE ': OK' | head -20
[ "$rc" -eq 0 ] || { echo "nesttest under iommush record exited $rc"; exit 1; }
grep -q 'DATA MATCHES' /tmp/nesttest.out || { echo "no DMA happened"; exit 1; }
cmps=$(grep -c '^mem compare ' /tmp/nesttest.ish)
[ "$cmps" -ge 5 ] || { echo "only $cmps DMA results to compare in the recording"; exit 1; }
echo "=== LIVE RECORDING-BEGIN"
cat /tmp/nesttest.ish
echo "=== LIVE RECORDING-END"
IOMMUSH_RECORD=/tmp/again.ish /iommush --backend kernel -b /tmp/nesttest.ish > /tmp/replay.out 2>&1
rc=$?
[ "$rc" -eq 0 ] || { tail -n 5 /tmp/replay.out; echo "the replay on the kernel exited $rc"; exit 1; }
grep -q '0x100 bytes equal' /tmp/replay.out || { echo "the replay compared no DMA result"; exit 1; }
# the variables carry the ids the kernel handed out: a recording of the replay with the same
# calls got the same ids by role, and the same errnos (the memory lines and waits are the
# replay's own doing, not calls)
# (and the shell drains a vEVENTQ in as many reads as its buffer needs: one command)
calls() {
	grep -vE '^(#|sleep |mem write |mem compare |let mem[0-9]+_dma )' "$1" |
		awk '/^veventq read / { q = $3; if (q == last) next; last = q; print; next }
		     { last = ""; print }'
}
calls /tmp/nesttest.ish > /tmp/a
calls /tmp/again.ish > /tmp/b
if ! cmp -s /tmp/a /tmp/b; then
	echo "the replay made other calls or got other ids:"
	diff /tmp/a /tmp/b | head -n 10
	exit 1
fi
echo "replayed on the kernel: $(grep -c . /tmp/a) calls, the same ids and errnos, $cmps DMA results equal"
grep -c '^#   raw' /tmp/nesttest.ish | sed 's/^/calls without a command: /'
# what recording costs on this kernel: the same calls recorded and not, paired in one process
# (figures only, see bench/live/record-overhead.c)
if [ -x /record-overhead ]; then
	/iommush record -o /dev/null -- /record-overhead /dev/vfio/devices/vfio1 2>/dev/null |
		sed 's/^/overhead: /'
fi
# where a recorded call's time goes here, step by step (see bench/live/record-parts.c)
if [ -x /record-parts ]; then
	/record-parts /dev/iommu 2>/dev/null | sed 's/^/parts: /'
fi
