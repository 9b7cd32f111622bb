# IOMMUSH_RECORD: iommush records its own calls as a batch script that replays, says where a
# replay differs, steps, and reduces to the known minimal form of each failure.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the parts of a recording that change from run to run
norm() {
	sed -E 's/pid [0-9]+ tid [0-9]+/pid P tid T/; s/of pid [0-9]+/of pid P/; s/\+[0-9]+\.[0-9]+s:/+T:/;
		s/user_va=0x[0-9a-f]+/user_va=0x.../g'
}
echo "--- the recording of a session that ends in EOPNOTSUPP (no CANWBS)"
IOMMUSH_RECORD=$tmp/vm.ish $IOMMUSH --backend sim-no-canwbs -b data/record-vm.ish >/dev/null
echo "exit $?"
norm <"$tmp/vm.ish"
echo "--- it replays where it was made"
$IOMMUSH --backend sim-no-canwbs -b "$tmp/vm.ish" >/dev/null
echo "exit $?"
echo "--- where the kernel hands out other ids the replay says so, and holds"
$IOMMUSH --backend sim-no-canwbs -c "ioas alloc; source $tmp/vm.ish" 2>&1 >/dev/null | sed "s|$tmp/||"
echo "exit $?"
echo "--- on a host with CANWBS the replay stops at the call that differs"
$IOMMUSH --backend sim -b "$tmp/vm.ish" 2>&1 >/dev/null | sed "s|$tmp/||"
echo "--- reduce: the four calls the failure needs"
$IOMMUSH reduce --backend sim-no-canwbs "$tmp/vm.ish" | norm | sed "s|$tmp/||"
echo "exit $?"
echo "--- reduce: EBUSY needs the IOAS, a HWPT on it and its device, nothing else"
IOMMUSH_RECORD=$tmp/busy.ish $IOMMUSH --backend sim -b data/record-busy.ish >/dev/null
$IOMMUSH reduce "$tmp/busy.ish" | grep -v '^#'
echo "--- reduce: EIO for an unknown vSID needs no vDEVICE, no event queue, no nested HWPT"
IOMMUSH_RECORD=$tmp/inval.ish $IOMMUSH --backend sim -b data/record-inval.ish >/dev/null
$IOMMUSH reduce "$tmp/inval.ish" | grep -v '^#'
echo "--- reduce refuses a failure that does not replay, and a recording without one"
$IOMMUSH reduce data/record-vm.ish
echo "exit $?"
printf 'ioas alloc\n' >"$tmp/ok.ish"
$IOMMUSH reduce "$tmp/ok.ish" 2>"$tmp/err"
echo "exit $?"
sed "s|$tmp/||" "$tmp/err"
echo "--- stepping: --until 4, then show, next, next 2, vars, continue"
printf 'show\nnext\nnext 2\nvars\ncontinue\nnext\n' |
	$IOMMUSH --backend sim-no-canwbs -b data/record-vm.ish --until 4 >"$tmp/step" 2>&1
echo "exit $?"
grep -v '^  IDR' "$tmp/step"
echo "--- next without a stepped script"
$IOMMUSH --backend sim -c next 2>&1
echo "exit $?"
$IOMMUSH --backend sim --until 3 -c 'ioas alloc' 2>&1
echo "exit $?"
echo "--- --trace=script: the trace is a recording, and it replays"
$IOMMUSH --backend sim --trace=script -c 'let d = device bind 0000:00:01.0; let io = ioas alloc; expect-error ENOENT destroy 99' 2>"$tmp/trace.ish"
echo "exit $?"
norm <"$tmp/trace.ish"
$IOMMUSH --backend sim -b "$tmp/trace.ish"
echo "exit $?"
$IOMMUSH --trace=yes -c 'ioas alloc' 2>&1
echo "exit $?"
echo "--- dirty tracking and PASIDs are recorded as commands, and replay on the same simulated host"
IOMMUSH_RECORD=$tmp/dirty.ish $IOMMUSH --backend sim -b dirty.ish >/dev/null
echo "exit $?"
grep -E '^(let [a-z0-9]+ = )?(expect-error [A-Z]+ )?(hwpt|device info)' "$tmp/dirty.ish"
$IOMMUSH --backend sim -c "sim smmu add httu; sim device add 0000:00:05.0 smmu 2 edu; source $tmp/dirty.ish" >/dev/null
echo "exit $?"
IOMMUSH_RECORD=$tmp/pasid.ish $IOMMUSH --backend sim -b pasid.ish >/dev/null
echo "exit $?"
grep -E '^(let [a-z0-9]+ = )?(expect-error [A-Z]+ )?(hwpt alloc|device (attach|detach|info))' "$tmp/pasid.ish"
$IOMMUSH --backend sim -c "sim smmu add ssidsize 8; sim device add 0000:00:06.0 smmu 2 pasid 5; source $tmp/pasid.ish" >/dev/null
echo "exit $?"
