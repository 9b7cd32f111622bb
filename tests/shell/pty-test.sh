#!/bin/sh
# Drive the real REPL through a pty (tmux): TAB completion of groups, verbs and live ids,
# the candidate list, Ctrl-C during a wait, history written with mode 0600 and recalled in
# the next session, stepping a batch file (--until, next, continue), and no history in batch
# mode.   pty-test.sh BINARY   (77 = skipped)
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
command -v tmux >/dev/null 2>&1 || { echo "tmux is not installed"; exit 77; }
"$bin" --backend sim -c 'help' 2>/dev/null | grep -q . || { echo "cannot run $bin"; exit 1; }

tmp=$(mktemp -d)
base=iommush-pty-$$
sock=$base-1
state=$tmp/state
trap 'for n in 1 2 3 4 5 6 7 8 9; do tmux -L $base-$n kill-server 2>/dev/null; done; rm -rf "$tmp"' \
	EXIT INT TERM

fail() {
	echo "pty: $*"
	echo "--- screen:"
	tmux -L $sock capture-pane -p -t t 2>/dev/null | sed '/^$/d'
	exit 1
}

screen() {
	tmux -L $sock capture-pane -p -t t 2>/dev/null
}

# wait until the screen matches the extended regex $1 (5 s)
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	fail "timed out waiting for /$1/"
}

# the iommush running in the pane (the pane's shell is its parent)
pane_child() {
	ps -o pid= --ppid "$(tmux -L $sock display -p -t t '#{pane_pid}')" | head -1 | tr -d ' '
}

# the line the cursor is on; libedit may leave blanks after the text (it redraws with spaces
# on some terminals), so a run of trailing blanks counts as one
cursor_line() {
	y=$(tmux -L $sock display -p -t t '#{cursor_y}')
	tmux -L $sock capture-pane -p -N -t t 2>/dev/null | sed -n "$((y + 1))p" | sed 's/  *$/ /'
}

wait_line() {
	i=0
	while [ $i -lt 100 ]; do
		cursor_line | grep -Eq -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	fail "the prompt line is \"$(cursor_line)\", expected /$1/"
}

start() {
	tmux -L $sock -f /dev/null new-session -d -s t -x 100 -y 30 \
		"set -m; cd $tmp && env HOME=$tmp XDG_STATE_HOME=$state TERM=xterm $bin ${1:---backend sim}; \
		 echo exited \$?; sleep 30"
	wait_line '^iommush\(sim\)> $'
	# the prompt is drawn before libedit puts the tty in raw mode: let it settle
	sleep 0.3
}

keys() {
	tmux -L $sock send-keys -t t "$@"
}

start
keys 'ioa' Tab
wait_line '^iommush\(sim\)> ioas $'
# "al" is alloc and allow: completed to their common prefix, then one more letter
keys 'al' Tab
wait_line '^iommush\(sim\)> ioas allo$'
keys 'c' Enter
wait_for '^ioas [0-9]+$'
id=$(screen | sed -n 's/^ioas \([0-9][0-9]*\)$/\1/p' | tail -1)
keys 'destroy ' Tab
wait_line "^iommush\(sim\)> destroy $id \$"
keys Enter
wait_line '^iommush\(sim\)> $'
# several candidates: listed, the line kept
keys 'ioas ' Tab
wait_for 'alloc +allow +change-process +copy'
wait_line '^iommush\(sim\)> ioas $'
keys C-u 'help ioas' Enter
wait_for 'See iommush-ioas\(8\)\.'
# an error does not end the session, and has no FILE:LINE
keys 'ioas map 999 1' Enter
wait_for '^iommush: ioas map: no buffer 1 \(ENOENT\)'
# Ctrl-C ends a wait and comes back to the prompt
keys 'sleep 100000' Enter
sleep 0.3
keys C-c
wait_for 'iommush: sleep: interrupted'
wait_line '^iommush\(sim\)> $'
# and a wait for events: the vEVENTQ read gives up at once, the session goes on
keys 'device bind 0000:00:01.0' Enter
wait_for '^device 1$'
keys 'ioas alloc' Enter
wait_for '^ioas [0-9]+$'
keys 'let s2 = hwpt alloc 1 $_ nest-parent' Enter
wait_for '^hwpt [0-9]+$'
keys 'device attach 1 $s2' Enter
keys 'let vi = viommu alloc 1 $s2' Enter
wait_for '^viommu [0-9]+$'
keys 'veventq alloc $vi' Enter
wait_for '^veventq [0-9]+$'
keys 'veventq read $_ wait 100000' Enter
sleep 0.3
keys C-c
wait_for 'iommush: veventq read: .*(EINTR)|interrupted'
wait_line '^iommush\(sim\)> $'
# and a vSMMU's: the same
keys 'vsmmu create vs0 ioas 2 events' Enter
wait_for '^vsmmu vs0$'
keys 'device bind 0000:00:02.0' Enter
wait_for '^device 6$'
keys 'vsmmu add vs0 6' Enter
wait_for '^device 6 '
keys 'vsmmu events vs0 wait 100000' Enter
sleep 0.3
keys C-c
wait_for 'iommush: vsmmu events: interrupted'
wait_line '^iommush\(sim\)> $'
keys 'quit' Enter
wait_for '^exited 0$'

hist=$state/iommush/history
[ -f "$hist" ] || fail "no history file at $hist"
mode=$(stat -c %a "$hist")
[ "$mode" = 600 ] || fail "history mode is $mode, not 600"
grep -q 'ioas.040alloc\|ioas alloc' "$hist" || fail "history lacks \"ioas alloc\""

# the next session recalls it (a new server: the old one may still be going away)
tmux -L $sock kill-server 2>/dev/null
sock=$base-2
start
keys Up
wait_line '^iommush\(sim\)> quit$'
keys C-u 'quit' Enter
wait_for '^exited 0$'

# without --backend and without /dev/iommu, the simulator, said once
if [ ! -e /dev/iommu ]; then
	tmux -L $sock kill-server 2>/dev/null
	sock=$base-3
	start " "
	wait_for '^iommush: /dev/iommu not found, using the simulator$'
	keys 'quit' Enter
	wait_for '^exited 0$'
fi

# keys typed while a command runs: a Ctrl-D or an arrow never reaches the next line as a
# control byte, the printable rest is kept as typed ahead
tmux -L $sock kill-server 2>/dev/null
sock=$base-4
start
keys 'sleep 1500' Enter
sleep 0.3
keys C-d Left 'echo ahead'
wait_line '^iommush\(sim\)> echo ahead$'
keys Enter
wait_for '^ahead$'
keys 'sleep 1000' Enter
sleep 0.3
keys C-d
sleep 1
keys 'echo typed-ok' Enter
wait_for '^typed-ok$'
screen | grep -q 'unknown command' && fail "a control byte reached the next line"

# SIGTERM ends the session: reverse-order teardown, exit 130
keys 'ioas alloc' Enter
wait_for '^ioas [0-9]+$'
kill -TERM "$(pane_child)"
wait_for '^exited 130$'

# two sessions at once keep both their lines (appended under a lock, never rewritten)
tmux -L $sock kill-server 2>/dev/null
rm -rf "$state"
a=$base-5 b=$base-6
sock=$a; start
sock=$b; start
for n in 1 2 3; do
	sock=$a; keys "echo a-line-$n" Enter; wait_for "^a-line-$n\$"
	sock=$b; keys "echo b-line-$n" Enter; wait_for "^b-line-$n\$"
done
sock=$a; keys 'quit' Enter; wait_for '^exited 0$'
sock=$b; keys 'quit' Enter; wait_for '^exited 0$'
for n in 1 2 3; do
	for w in a b; do
		grep -q "echo.040$w-line-$n" "$hist" || fail "history lost \"echo $w-line-$n\": $(cat "$hist")"
	done
done
[ "$(stat -c %a "$hist")" = 600 ] || fail "history mode is $(stat -c %a "$hist"), not 600"

# a long history is cut to its last 1000 lines, the new one last
awk 'BEGIN { print "_HiStOrY_V2_"; for (i = 1; i <= 1600; i++) {
	s = "echo\\040old-" i "\\040"; while (length(s) < 120) s = s "x"; print s } }' >"$hist"
sock=$base-9
start
keys 'echo trimmed' Enter
wait_for '^trimmed$'
keys 'quit' Enter
wait_for '^exited 0$'
[ "$(wc -l <"$hist")" -eq 1002 ] || fail "history has $(wc -l <"$hist") lines, not the cookie and 1000"
[ "$(sed -n 2p "$hist" | cut -c1-19)" = 'echo\040old-602\040' ] ||
	fail "history starts at \"$(sed -n 2p "$hist" | cut -c1-20)\""
[ "$(tail -1 "$hist")" = 'quit' ] || fail "history ends at \"$(tail -1 "$hist")\""

# stdout a pipe ("iommush | tee log", as with gdb or sftp): still the REPL, its prompt and
# completion on the terminal, only the output in the log
tmux -L $sock kill-server 2>/dev/null
sock=$base-7
tmux -L $sock -f /dev/null new-session -d -s t -x 100 -y 30 \
	"cd $tmp && env HOME=$tmp XDG_STATE_HOME=$state TERM=xterm $bin --backend sim | \
	 tee $tmp/tee.log; echo exited \$?; sleep 30"
wait_line '^iommush\(sim\)> $'
sleep 0.3
keys 'io' Tab
wait_line '^iommush\(sim\)> ioas $'
keys 'alloc' Enter
# tee may copy the output after the next prompt is drawn
wait_for 'ioas [0-9]+$'
keys 'quit' Enter
wait_for '^exited 0$'
grep -Eqx 'ioas [0-9]+' "$tmp/tee.log" || fail "the log lacks the command's output"
grep -q 'iommush' "$tmp/tee.log" && fail "the prompt went into the log"

# stepping a batch file from the REPL, as gdb steps: --until, then next, show, continue
tmux -L $sock kill-server 2>/dev/null
sock=$base-8
printf 'ioas alloc\n# a comment\nioas alloc\nioas alloc\n' > "$tmp/step.ish"
start "--backend sim -b $tmp/step.ish --until 1"
screen | grep -Eq '^ioas 1$' || fail "--until 1 did not run line 1"
keys 'next' Enter
wait_for 'step.ish:3: ioas alloc$'
wait_for '^ioas 2$'
keys 'show' Enter
wait_for '^ioas +2'
keys 'continue' Enter
wait_for 'step.ish:4: ioas alloc$'
wait_for 'step.ish: the end$'
keys 'quit' Enter
wait_for '^exited 0$'

# batch mode never writes history
rm -rf "$state"
echo 'ioas alloc' | env XDG_STATE_HOME=$state "$bin" --backend sim >/dev/null 2>&1
"$bin" --backend sim -c 'ioas alloc' >/dev/null 2>&1
[ -e "$state/iommush/history" ] && fail "batch mode wrote a history file"
echo "pty: ok"
exit 0
