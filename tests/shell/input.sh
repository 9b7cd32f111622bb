# The backend is always known; input limits and errors; no raw control character in text,
# valid UTF-8 in JSON. $IOMMUSH is the binary (maybe under valgrind).
sim="$IOMMUSH --backend sim"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "--- no --backend and no /dev/iommu: a batch, -c or piped run refuses (exit 3)"
if [ -e /dev/iommu ]; then
	for i in 1 2 3; do
		echo "iommush: /dev/iommu not found, and a batch, -c or piped run does not fall back to the simulator: load iommufd (modprobe iommufd; a kernel with CONFIG_IOMMUFD) or say --backend sim"
		echo "exit 3"
	done
else
	$IOMMUSH -c 'ioas alloc'; echo "exit $?"
	echo 'ioas alloc' | $IOMMUSH; echo "exit $?"
	$IOMMUSH data/sourced.ish; echo "exit $?"
fi
echo "--- --version names the backend"
$sim --version; echo "exit $?"
$IOMMUSH --backend sim-no-canwbs -V | tail -1
echo "--- show names it too"
$sim -c 'show'
$sim -j -c 'show'
echo "--- a batch source is a regular file, a FIFO or a terminal: exit 3"
$sim data; echo "exit $?"
$sim -b data; echo "exit $?"
$sim -b /dev/zero; echo "exit $?"
$sim </dev/zero; echo "exit $?"
$sim -c 'echo before; source data; echo not reached'; echo "exit $?"
$sim -c 'source /dev/zero'; echo "exit $?"
echo "--- /dev/null is the empty batch"
$sim </dev/null; echo "exit $?"
echo "--- a regular file past the batch limit (16 MiB) is refused"
truncate -s 17M "$tmp/big.ish"
(cd "$tmp" && $sim big.ish); echo "exit $?"
echo "--- a NUL byte: an error naming file and line (exit 2); --force goes on"
printf 'echo one\necho t\000wo\necho three\n' >"$tmp/nul.ish"
(cd "$tmp" && $sim nul.ish); echo "exit $?"
(cd "$tmp" && $sim -f nul.ish); echo "exit $?"
echo "--- a line past 65536 bytes: an error, the next line is read"
awk 'BEGIN { s = "echo "; for (i = 0; i < 70000; i++) s = s "x"; print s; print "echo after" }' >"$tmp/long.ish"
(cd "$tmp" && $sim -f long.ish); echo "exit $?"
echo "--- continuation lines count together"
awk 'BEGIN { s = ""; for (i = 0; i < 40000; i++) s = s "x"; print "echo " s " \\"; print s }' >"$tmp/cont.ish"
(cd "$tmp" && $sim cont.ish); echo "exit $?"
echo "--- an endless FIFO stops at the batch limit"
awk 'BEGIN { s = "#"; for (i = 0; i < 60000; i++) s = s "x"; for (;;) print s }' 2>/dev/null | $sim; echo "exit $?"
echo "--- a read error is an error, not the end of the file (exit 3)"
$sim -c 'echo before; source /proc/self/mem; echo not reached'; echo "exit $?"
echo "--- control characters are escaped in text; JSON is valid UTF-8"
esc=$(printf '\033[31mred\033[0m')
bad=$(printf 'a\377b\302\233c')
$sim -c "echo \"$esc\" \"$bad\" ok€"
$sim -j -c "echo \"$esc\" \"$bad\" ok€"
$sim -c "destroy \"$esc\""
$sim -j -c "destroy \"$bad\"" 2>/dev/null
$sim -x -c "echo \"$esc\"" 2>&1 >/dev/null
echo "--- names: a vSMMU name is letters, digits, _ - . (exit 2 otherwise)"
$sim -c "ioas alloc; vsmmu create \"$esc\" ioas 1"; echo "exit $?"
$sim -c "ioas alloc; vsmmu create -x ioas 1"; echo "exit $?"
$sim -c "ioas alloc; vsmmu create vs_0.a-b ioas 1"; echo "exit $?"
$sim -c "let \"a-b\" = ioas alloc"; echo "exit $?"
echo "--- every JSON line is valid JSON, whatever the bytes"
printf 'echo "\377\376 \300\200 \355\240\200 \364\220\200\200 \033]0;x\007"\nvsmmu create "\233" ioas 1\nlet "\001" = ioas alloc\ndevice bind "\303"\nshow\n' |
	$sim -j -f 2>/dev/null | python3 -c '
import json, sys
n = 0
for line in sys.stdin.buffer:
    json.loads(line.decode("utf-8"))
    n += 1
print(n, "JSON values, all valid UTF-8 JSON")'
