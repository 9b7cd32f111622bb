# The differences differential testing found (tests/diff/*.ish, copied to /tests/diff by
# tests/live/run) replayed on the live kernel: the last command of each must still do what
# its "# outcome kernel:" line says (make check-diff holds the simulator to the same line).
set -u
pass=0 fail=0
echo 1 > /proc/sys/kernel/printk
for f in /tests/diff/*.ish; do
	[ -f "$f" ] || { echo "no /tests/diff/*.ish"; exit 1; }
	want=$(sed -n 's/^# outcome kernel: //p' "$f" | head -n 1)
	got=$(/iommush reduce --outcomes --backend kernel "$f" 2>&1 | tail -n 1 | sed 's/^[0-9]*: //')
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		echo "kernel as recorded: ${f##*/}"; pass=$((pass + 1))
	else
		echo "kernel otherwise: ${f##*/}"; echo "  recorded: $want"; echo "  now:      $got"
		fail=$((fail + 1))
	fi
done
echo 4 > /proc/sys/kernel/printk
echo "diff-regress: $pass as recorded, $fail otherwise"
[ "$fail" -eq 0 ]
