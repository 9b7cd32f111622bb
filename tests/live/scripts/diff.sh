# Differential testing on the live kernel: sequences of random calls (iommush gen) run on the
# kernel and on the simulator in this guest, compared command by command (errno, the ids
# handed out, entry counts, event records, DMA results, what show lists): iommush reduce
# --differs runs each on both and, on a difference, cuts it down to a minimal script whose
# last command still does otherwise, printed between DIFF-BEGIN and DIFF-END.
#
# Seeds from the kernel command line (tests/live/run passes LIVE_APPEND there):
#   iommush.diff_seed=FIRST  iommush.diff_seeds=N  iommush.diff_calls=CALLS
#   iommush.diff_dma=N (the first N seeds with edu DMA)  iommush.diff_dma_calls=CALLS
# Without them: 6 seeds of 300 calls, the first 2 with DMA and 150 calls (make check-live).
# A DMA seed is shorter: every replay of the reducer waits for its transfers on the kernel.
# Exit 1 when a sequence differed.
set -u
arg() {
	for w in $(cat /proc/cmdline); do
		case $w in "iommush.$1="*) echo "${w#*=}"; return ;; esac
	done
	echo "$2"
}
first=$(arg diff_seed 1)
seeds=$(arg diff_seeds 6)
calls=$(arg diff_calls 300)
dma=$(arg diff_dma 2)
dma_calls=$(arg diff_dma_calls 150)
total=0 differ=0 i=0
# the kernel logs every SMMU event at error level: on the serial console of a TCG guest that
# costs more than the calls (a faulting DMA raises one a word)
echo 1 > /proc/sys/kernel/printk
while [ "$i" -lt "$seeds" ]; do
	seed=$((first + i))
	opt=--no-dma n=$calls max=300
	[ "$i" -lt "$dma" ] && opt="--sleep 200" n=$dma_calls max=60
	/iommush gen --seed "$seed" --calls "$n" $opt > /tmp/seq.ish
	/iommush reduce --backend kernel --differs sim --max-replays $max /tmp/seq.ish \
		> /tmp/reduced.ish 2> /tmp/reduce.err
	rc=$?
	total=$((total + n))
	if [ "$rc" -eq 0 ]; then
		differ=$((differ + 1))
		echo "seed $seed ($opt): a difference"
		echo "=== LIVE DIFF-BEGIN seed=$seed"
		cat /tmp/reduced.ish
		echo "=== LIVE DIFF-END seed=$seed"
	elif grep -q 'every command does the same' /tmp/reduce.err; then
		echo "seed $seed ($opt, $n calls): the same"
	else
		echo "seed $seed ($opt): reduce exited $rc"
		head -n 5 /tmp/reduce.err
		differ=$((differ + 1))
	fi
	i=$((i + 1))
	[ $((i % 25)) -ne 0 ] || echo "diff: progress: $i seeds, $total calls, $differ differed"
done
echo 4 > /proc/sys/kernel/printk
echo "diff: $seeds seeds from $first, $total calls, $differ differed"
[ "$differ" -eq 0 ]
