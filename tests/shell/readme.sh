# The README's example session runs as written: its commands, replayed on the simulator,
# print exactly the lines the README shows after them.
readme=../../README.md
awk '/^\$ \.\/iommush$/ { on = 1; next } on && /^```/ { exit } on' "$readme" >readme.session.tmp
# the prompt names the simulator: iommush(sim)>
grep -E '^iommush(\([a-z-]+\))?> ' readme.session.tmp | sed -E 's/^iommush(\([a-z-]+\))?> //' \
	>readme.cmds.tmp
# what the README shows: every line but the prompts and the interactive notice
grep -Ev '^iommush(\([a-z-]+\))?> ' readme.session.tmp | grep -v '^iommush: /dev/iommu' \
	>readme.want.tmp
$IOMMUSH --backend sim -b readme.cmds.tmp >readme.got.tmp 2>&1
echo "exit $?"
if diff -u readme.want.tmp readme.got.tmp; then
	echo "README session: $(wc -l <readme.cmds.tmp) commands, output as shown"
fi
rm -f readme.session.tmp readme.cmds.tmp readme.want.tmp readme.got.tmp
