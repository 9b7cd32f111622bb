# Invocation: -c, piped stdin, -b -, FILE, exit codes, --list-commands, --dry-run, SIGINT.
# $IOMMUSH is the binary (maybe under valgrind).
sim="$IOMMUSH --backend sim"

echo "--- -c: ';' separates commands, the first failure stops"
$sim -c 'echo one; echo two; destroy 99; echo three'; echo "exit $?"
echo "--- -c with --force goes on, still exits 1"
$sim -f -c 'echo one; destroy 99; echo three'; echo "exit $?"
echo "--- a usage error exits 2"
$sim -c 'ioas frob'; echo "exit $?"
echo "--- piped stdin is a batch, errors say stdin:LINE"
printf 'echo from stdin\nioas alloc\ndestroy 99\necho no\n' | $sim; echo "exit $?"
echo "--- -b - reads stdin"
printf 'ioas alloc\n' | $sim -b -; echo "exit $?"
echo "--- a FILE argument is -b FILE"
$sim data/sourced.ish; echo "exit $?"
echo "--- a first word that is no file and has no / or . is a command, as ip takes it"
$sim pci list | head -2; echo "exit $?"
$sim -j vsmmu show; echo "exit $?"
$sim dev b 0000:00:01.0; echo "exit $?"
$sim echo 'a;b' "c d"; echo "exit $?"
$sim destroy 99; echo "exit $?"
$sim vsmu show; echo "exit $?"
echo "--- --complete: what TAB offers on the command line, from the table"
$IOMMUSH --complete vs '' | tr '\n' ' '; echo
$IOMMUSH --complete dev b
$IOMMUSH --complete -- --ba
echo "--- the bash completion drives it"
bash -c '
	_IOMMUSH_BIN=$1
	compopt() { :; }
	complete() { :; }
	. ../../shell/completion/iommush.bash
	COMP_WORDS=(iommush --backend sim vsmmu st vs0 ""); COMP_CWORD=6; _iommush
	echo "${COMPREPLY[*]}"
	COMP_WORDS=(iommush -j io m); COMP_CWORD=3; _iommush
	echo "${COMPREPLY[*]}"
	COMP_WORDS=(iommush --backend ""); COMP_CWORD=2; _iommush
	echo "${COMPREPLY[*]}"
' sh "${IOMMUSH##* }"
echo "--- quit leaves with the batch's first failure; an ignored one is 0 but sets \$?"
$sim -f -c 'destroy 99; quit; echo not reached' 2>/dev/null; echo "exit $?"
$sim -c '-destroy 99; echo $?; quit' 2>/dev/null; echo "exit $?"
$sim -c '-ioas frob; echo $?' 2>/dev/null; echo "exit $?"
echo "--- sizes take K M G T in either case"
$sim -c 'mem alloc 64k; mem alloc 64K; show' | grep '^mem'
echo "--- help wraps at the terminal's width (COLUMNS stands for it); a pipe gets whole lines"
COLUMNS=50 $sim help vsmmu gbpa
$sim help vsmmu gbpa | awk 'length > 50 { n++ } END { print n + 0 " lines over 50 columns" }'
echo "--- --version names the build's features; -q silences notices"
$IOMMUSH --version | sed 's/^iommush [0-9.]*$/iommush VERSION/; s/^library: libiommush [0-9.]*$/library: libiommush VERSION/'
echo "--- unreadable file: exit 3"
$sim -b data/no-such-file.ish; echo "exit $?"
echo "--- bad options: exit 2"
$sim --frobnicate >/dev/null 2>&1; echo "exit $?"
$sim --backend nosuch 2>&1; echo "exit $?"
$sim -b x -c y 2>&1; echo "exit $?"
echo "--- no kernel: exit 3"
if [ -e /dev/iommu ]; then
	echo "iommush: cannot use the kernel backend: /dev/iommu: No such file or directory"
	echo "exit 3"
else
	$IOMMUSH --backend kernel -c 'ioas alloc'; echo "exit $?"
fi
echo "--- --list-commands: four tab-separated fields, no hidden commands"
$IOMMUSH --list-commands | awk -F'\t' 'NF != 4 { print "bad line: " $0 } END { print NR " commands" }'
$IOMMUSH --list-commands | grep -c '^complete'
echo "--- --dry-run issues nothing, invents ids"
$sim --dry-run -c 'device bind 0000:00:01.0; ioas alloc; show'; echo "exit $?"
echo "--- -j: an error object on stdout too"
$sim -j -c 'destroy 99' 2>/dev/null; echo "exit $?"
echo "--- SIGINT ends a wait, batch exits 130"
out=$(mktemp)
$sim -c 'echo waiting; sleep 60000; echo not reached' >"$out" 2>&1 &
pid=$!
i=0
while ! grep -q waiting "$out" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.2
kill -INT $pid
wait $pid; echo "exit $?"
cat "$out"
rm -f "$out"
echo "--- SIGTERM and SIGHUP: reverse-order teardown, exit 130"
for sig in TERM HUP; do
	out=$(mktemp)
	$sim --trace -c 'device bind 0000:00:01.0; ioas alloc; echo waiting; sleep 60000; echo not reached' >"$out" 2>&1 &
	pid=$!
	i=0
	while ! grep -q waiting "$out" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	sleep 0.2
	kill -$sig $pid
	wait $pid; echo "SIG$sig: exit $?"
	grep -v '^trace: open\|BIND\|IOAS_ALLOC\|^device\|^ioas\|waiting' "$out"
	rm -f "$out"
done
echo "--- SIGINT ends a vEVENTQ read, batch exits 130 after the teardown"
out=$(mktemp)
$sim --trace -c 'device bind 0000:00:01.0; ioas alloc; let s2 = hwpt alloc 1 $_ nest-parent; device attach 1 $s2; let vi = viommu alloc 1 $s2; veventq alloc $vi; echo waiting; veventq read $_ wait 60000; echo not reached' >"$out" 2>&1 &
pid=$!
i=0
while ! grep -q waiting "$out" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.2
kill -INT $pid
wait $pid; echo "exit $?"
sed -n '/^waiting/,$p' "$out" | grep -v '^trace: poll'
rm -f "$out"
echo "--- SIGINT ends a wait for events, batch exits 130"
out=$(mktemp)
$sim --check-teardown -c 'device bind 0000:00:01.0; ioas alloc; vsmmu create vs0 ioas $_ events; vsmmu add vs0 1; echo waiting; vsmmu events vs0 wait 60000; echo not reached' >"$out" 2>&1 &
pid=$!
i=0
while ! grep -q waiting "$out" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.2
kill -INT $pid
wait $pid; echo "exit $?"
grep -v '^device\|^ioas\|^vsmmu' "$out"
rm -f "$out"
echo "--- SIGPIPE: a closed stdout ends the session quietly"
err=$(mktemp)
many=$(awk 'BEGIN { for (i = 0; i < 400; i++) printf "help; "; print "show" }')
($sim -c "$many" 2>"$err"; echo "exit $?" >"$err.rc") | head -1
cat "$err.rc"; echo "stderr: $(wc -c <"$err") bytes"
rm -f "$err" "$err.rc"
