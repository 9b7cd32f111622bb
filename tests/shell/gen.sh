# iommush gen: seeded, reproducible scripts; iommush reduce --differs on scripts whose minimal
# form is known. $IOMMUSH is the binary (maybe under valgrind).
t=${TMPDIR:-/tmp}/iommush-gen.$$
mkdir -p "$t"
echo "--- the same seed gives the same script, byte for byte"
$IOMMUSH gen --seed 42 --calls 400 > "$t/a"; $IOMMUSH gen --seed 42 --calls 400 > "$t/b"
cmp "$t/a" "$t/b" && echo same
echo "--- another seed another script"
$IOMMUSH gen --seed 43 --calls 400 > "$t/c"
cmp -s "$t/a" "$t/c" || echo differ
echo "--- at least --calls commands, a header that says how to make it again"
head -n 2 "$t/a"
[ "$(grep -vc '^#' "$t/a")" -ge 400 ] && echo "enough commands"
echo "--- what the calls reach (seed 42): each kind of call is there"
for w in 'device bind' 'ioas map' 'ioas unmap' 'nest-parent' ' ste 0x' 'device attach' \
	'device detach' 'viommu alloc' 'vdevice alloc' 'veventq alloc' 'veventq read' \
	'viommu invalidate' 'destroy' 'mmio write' 'sleep 300' 'vsmmu ' 'vmm '; do
	grep -q -- "$w" "$t/a" && echo "has: $w" || echo "LACKS: $w"
done
echo "--- --no-dma: no edu DMA, no sleep"
$IOMMUSH gen --seed 42 --calls 400 --no-dma > "$t/d"
grep -c 'bar0 0x98\|^sleep' "$t/d"
echo "--- --sleep sets the wait"
$IOMMUSH gen --seed 42 --calls 400 --sleep 50 | grep -m1 '^sleep'
echo "--- it runs on the simulator to the end"
$IOMMUSH --backend sim -b "$t/a" > /dev/null 2>&1; echo "exit $?"
echo "--- usage"
$IOMMUSH gen --calls x; echo "exit $?"
$IOMMUSH gen --sleep 99999; echo "exit $?"
$IOMMUSH gen extra; echo "exit $?"
echo "--- reduce --differs: the known minimal form"
$IOMMUSH reduce --backend sim --differs sim-no-canwbs data/differs-canwbs.ish; echo "exit $?"
echo "--- the reduced script differs again"
$IOMMUSH reduce --backend sim --differs sim-no-canwbs data/differs-canwbs.ish > "$t/r"
$IOMMUSH reduce --backend sim --differs sim-no-canwbs "$t/r" | grep -vc '^#'
echo "--- --max-replays caps the replays"
$IOMMUSH reduce --backend sim --differs sim-no-canwbs --max-replays 1 data/differs-canwbs.ish | head -n 1 | sed 's/ [^ ]*differs-canwbs.ish//'
echo "--- no difference: nothing to reduce"
$IOMMUSH reduce --backend sim --differs sim-no-canwbs data/differs-none.ish; echo "exit $?"
echo "--- usage"
$IOMMUSH reduce --differs sim data/differs-none.ish; echo "exit $?"
$IOMMUSH reduce --differs other data/differs-none.ish; echo "exit $?"
$IOMMUSH reduce --differs sim-no-canwbs --max-replays 0 data/differs-none.ish; echo "exit $?"
echo "--- --outcomes: each command's outcome on one backend"
$IOMMUSH reduce --outcomes --backend sim data/differs-none.ish
rm -rf "$t"
