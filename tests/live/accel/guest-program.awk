# The L2 guest's SMMU traffic, as QEMU 11.1 traced it (-trace smmuv3_write_mmio, smmuv3_cmdq_*,
# smmuv3_accel_*_ste), turned into an iommush batch script that plays the same guest through
# iommush's VMM front end (iommush-vmm(8)) on the same device: the accel lab's side by side
# (tests/live/accel/run). Runs under busybox awk in L1:
#   awk -v ram=0x40000000 -v ramsize=512M -v iova=0xbadc000 -f guest-program.awk trace > guest.ish
# Guest RAM is one buffer at the IPA QEMU's virt machine puts RAM at, so that the addresses the
# guest wrote (stream table, queues, CDs) mean the same. Each CMDQ_PROD write becomes one
# `vmm cmd` with the commands QEMU consumed for it (QEMU traces a register write after it handled
# it: the commands come first); the STE a CFGI_STE made QEMU install is written before them with
# `vmm ste` (bypass, or the translate STE's two words as QEMU passed them).
# Register offsets are the SMMUv3 architecture's (page 0, and page 1's EVENTQ aliases).
# The trace shows no guest memory: with a 2-level stream table the L1 descriptor of each vSID an
# STE is written for points to an L2 table of our own at @l2 (default: the last MiB of RAM).
# the commands QEMU consumed since the last register write, rung by a write of CMDQ_PROD = @prod
# (or by another register's write: then they are written and rung by the next vmm cmd)
function flush(prod,    i, line) {
	for (i = 1; i <= nste; i++)
		print ste[i]
	if (ncmd == 0 && prod != "") {
		printf "vmm write vm0 cmdq_prod %s\n", prod
	} else if (ncmd > 0) {
		line = "vmm cmd vm0" (prod == "" ? " noring" : "")
		for (i = 1; i <= ncmd; i++)
			line = line (i > 1 ? " ," : "") " " cmd[i]
		print line
	}
	ncmd = 0; nste = 0
}
function hexval(s,    n, i, c) {
	n = 0
	s = tolower(s)
	sub(/^0x/, "", s)
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1))
		if (c == 0)
			break
		n = n * 16 + c - 1
	}
	return n
}
# busybox awk may have no math library: no ^
function pow2(n,    r) {
	for (r = 1; n > 0; n--)
		r *= 2
	return r
}
# the STE of @sid is written: a 2-level table needs its L1 descriptor first, once
function l1_for(sid,    k) {
	if (!twolevel || (sid in l1done))
		return
	l1done[sid] = 1
	k = int(hexval(sid) / pow2(spl))
	printf "vmm l1 vm0 %s span %d l2ptr 0x%x\n", sid, spl + 1, hexval(l2) + k * 64 * pow2(spl)
}
BEGIN {
	reg["0x20"] = "cr0"; reg["0x28"] = "cr1"; reg["0x2c"] = "cr2"; reg["0x44"] = "gbpa"
	reg["0x50"] = "irq_ctrl"; reg["0x64"] = "gerrorn"; reg["0x68"] = "gerror_irq_cfg0"
	reg["0x70"] = "gerror_irq_cfg1"; reg["0x74"] = "gerror_irq_cfg2"
	reg["0x80"] = "strtab_base"; reg["0x88"] = "strtab_base_cfg"; reg["0x90"] = "cmdq_base"
	reg["0x98"] = "cmdq_prod"; reg["0x9c"] = "cmdq_cons"; reg["0xa0"] = "eventq_base"
	reg["0xa8"] = "eventq_prod"; reg["0xac"] = "eventq_cons"; reg["0x100a8"] = "eventq_prod"
	reg["0x100ac"] = "eventq_cons"; reg["0xb0"] = "eventq_irq_cfg0"
	reg["0xb8"] = "eventq_irq_cfg1"; reg["0xbc"] = "eventq_irq_cfg2"
	if (ram == "") ram = "0x40000000"
	if (ramsize == "") ramsize = "512M"
	if (l2 == "") l2 = "0x5ff00000"
	if (iova == "") iova = "0xbadc000"
	print "# the L2 guest's SMMU traffic from QEMU's trace, played through iommush's VMM front end"
	print "let dev = device bind 0000:00:01.0"
	print "let ioas = ioas alloc"
	print "let ram = mem alloc " ramsize
	print "ioas map $ioas $ram iova " ram
	print "vsmmu create vs0 ioas $ioas"
	print "vsmmu add vs0 $dev vsid 0x8"
	print "vmm create vm0 vsmmu vs0"
}
{
	# the log backend may put "PID@SECONDS:" in front of the event name
	ev = $1
	sub(/^[0-9]+@[0-9.]+:/, "", ev)
}
ev == "smmuv3_write_mmio" {
	# smmuv3_write_mmio addr: 0x20 val:0x0 size: 0x4(0)
	addr = $3; val = $4; sub(/^val:/, "", val)
	if (addr == "0x98") {
		flush(val)
		next
	}
	flush("")
	if (!(addr in reg)) {
		printf "# write of %s at %s: no register of the front end\n", val, addr
		next
	}
	if (reg[addr] == "eventq_cons" && val != "0x0" && !faulted) {
		# the guest consumes the fault L1 raised: raise one here too (edu 00:01.0 to the same
		# IOVA). Our guest RAM holds no CD where the guest's STE points, so the SMMU reports
		# C_BAD_CD where the guest's own tables gave F_TRANSLATION; the front end must put it
		# in the guest's event queue with vSID 0x8
		faulted = 1
		print "mmio write $dev config 0x4 0x6 width 2"
		print "mmio write $dev bar0 0x80 0x40000 width 8"
		print "mmio write $dev bar0 0x88 " iova " width 8"
		print "mmio write $dev bar0 0x90 16 width 8"
		print "mmio write $dev bar0 0x98 3 width 8"
		print "sleep 300"
		print "vmm events vm0 wait 2000 expect C_BAD_CD sid 0x8"
	}
	printf "vmm write vm0 %s %s\n", reg[addr], val
	if (reg[addr] == "strtab_base_cfg") {
		v = hexval(val)
		twolevel = int(v / 65536) % 4 == 1
		spl = int(v / 64) % 32
	}
	next
}
ev == "smmuv3_cmdq_opcode" {
	name = $NF; sub(/^SMMU_CMD_/, "", name)
	if (name == "SYNC") name = "CMD_SYNC"
	cmd[++ncmd] = name
	next
}
ev == "smmuv3_cmdq_cfgi_ste_range" {
	# start=0x0 - end=0xffffffff: all of them
	if ($0 ~ /start=0x0 - end=0xffffffff/) cmd[ncmd] = "CFGI_ALL"
	next
}
ev == "smmuv3_cmdq_cfgi_ste" {
	# streamid= 0x8
	cmd[ncmd] = cmd[ncmd] " sid=" $NF " leaf=1"
	next
}
ev == "smmuv3_cmdq_cfgi_cd" {
	s = $NF; sub(/^sid=/, "", s)
	cmd[ncmd] = cmd[ncmd] " sid=" s " leaf=1"
	next
}
ev == "smmuv3_accel_install_ste" && $0 ~ /type=bypass/ {
	s = $2; sub(/^vSID=/, "", s)
	l1_for(s)
	ste[++nste] = "vmm ste vm0 " s " config=bypass"
	next
}
ev == "smmuv3_accel_translate_ste" {
	# vSID=0x8 hwpt_id=0x9 ste=W1:W0 (the two words QEMU gives the kernel)
	s = $2; sub(/^vSID=/, "", s)
	w = $4; sub(/^ste=/, "", w); split(w, part, ":")
	l1_for(s)
	ste[++nste] = "vmm ste vm0 " s " raw 0x" part[2] " 0x" part[1]
	next
}
END {
	flush("")
	print "vmm show vm0"
	print "vsmmu show vs0"
}
