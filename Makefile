# iommush — see README.md. Run ./configure first (scripts/setup-debian installs what it needs).
B ?= build
-include $(B)/config.mk

ifeq ($(wildcard $(B)/config.mk),)
$(error $(B)/config.mk is missing: run ./configure first)
endif

LIB_SRC   := $(sort $(wildcard backend/*.c backend/sim/*.c))
SHELL_SRC := $(sort $(wildcard shell/*.c cmds/*.c))
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c))
TESTLIB_SRC := $(sort $(wildcard tests/unit/lib/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZLIB_SRC := $(sort $(wildcard tests/fuzz/lib/*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(B)/%.o)
SHELL_OBJ := $(SHELL_SRC:%.c=$(B)/%.o)
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(B)/%.o)
TESTS     := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)
BENCHES   := $(BENCH_SRC:bench/%.c=$(B)/bench/%)
FUZZERS   := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
FUZZ_SHELL_OBJ := $(filter-out $(B)/shell/main.o,$(SHELL_OBJ))
FUZZLIB_OBJ := $(FUZZLIB_SRC:%.c=$(B)/%.o)

CPPFLAGS += -Iinclude -I$(B) -D_GNU_SOURCE -DISH_VERSION='"$(VERSION)"'
CFLAGS   := $(CONF_CFLAGS) $(LIBEDIT_CFLAGS) $(LIBPCI_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS  := $(CONF_LDFLAGS) $(EXTRA_LDFLAGS)
LIB      := $(B)/libiommush.a
LIBS     := $(LIBPCI_LIBS)
BIN      := $(if $(filter build,$(B)),iommush,$(B)/iommush)
# the LD_PRELOAD interposer of `iommush record`: never sanitized (it goes into any program)
PRELOAD  := $(B)/libiommush-record.so
PRELOAD_SRC := preload/record.c backend/rec_raw.c backend/rec_elf.c

# libiommush.so.0: soname libiommush.so.0, the symbols of the installed headers only
VERSION  := 0.2.0
SONAME   := libiommush.so.0
SO       := $(B)/libiommush.so.$(VERSION)
SO_LINKS := $(B)/$(SONAME) $(B)/libiommush.so
MAP      := $(B)/libiommush.map
PC       := $(B)/iommush.pc
PUB_H    := $(sort $(wildcard include/iommush/*.h))
# the shell links the shared library (found next to it in the tree), or the static one
ifeq ($(STATIC),1)
SHELL_LINK := $(LIB) $(LIBS)
SHELL_DEPS := $(LIB)
else
SHELL_LINK := -L$(B) -liommush -Wl,-rpath,'$$ORIGIN$(if $(filter build,$(B)),/$(B))'
SHELL_DEPS := $(SO_LINKS)
endif

all: $(BIN) $(PRELOAD) $(if $(filter 1,$(STATIC)),,$(SO_LINKS) $(PC))

# a configure newer than the config it wrote: run it again with the same options
$(B)/config.mk: configure
	@echo "make: configure changed since $@ was written: running it again as before"
	./configure $$(sed -n '1s/^# written by \.\/configure //p' $@)

$(B)/%.o: %.c $(B)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# the unit tests are white-box: they may read backend/internal.h
$(TESTLIB_OBJ): CPPFLAGS += -Ibackend

# one set of objects serves both libraries: position-independent
$(LIB_OBJ): CFLAGS += -fPIC

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(MAP): $(PUB_H) scripts/gen-symbols
	@mkdir -p $(@D)
	scripts/gen-symbols --map $(PUB_H) >$@

$(SO): $(LIB_OBJ) $(MAP)
	$(CC) -shared $(LDFLAGS) -Wl,-soname,$(SONAME) -Wl,--version-script,$(MAP) -Wl,--no-undefined \
		-o $@ $(LIB_OBJ) $(LIBS)

$(SO_LINKS): $(SO)
	ln -sf $(notdir $(SO)) $@

# iommush.pc for the prefix, libdir and includedir given (at install time, they may differ)
pc_text = printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
	'Name: iommush' \
	'Description: iommufd nested translation and the ARM SMMUv3 accel vSMMU model for VMMs' \
	'Version: $(VERSION)' \
	'Cflags: -I$${includedir} $(UAPI_CFLAGS)' \
	'Libs: -L$${libdir} -liommush' \
	'Libs.private: $(LIBS)'

$(PC): $(B)/config.mk Makefile
	@$(pc_text) >$@

$(BIN): $(SHELL_OBJ) $(SHELL_DEPS)
	$(CC) $(LDFLAGS) -o $@ $(SHELL_OBJ) $(SHELL_LINK) $(LIBEDIT_LIBS)

$(PRELOAD): $(PRELOAD_SRC) preload/frame.h include/iommush/record.h $(B)/config.mk
	$(CC) $(CPPFLAGS) $(filter-out -fsanitize%,$(CFLAGS)) -fPIC -shared -fvisibility=hidden \
		-o $@ $(PRELOAD_SRC)

# ---- record tests: the interposer end to end, the simulator preloaded in the kernel's place
PIC_OBJ  := $(LIB_SRC:%.c=$(B)/pic/%.o)
REC_TEST := $(B)/tests/record/libsimkernel.so $(B)/tests/record/nesttest \
	$(B)/tests/record/threads $(B)/tests/record/threads-static

$(B)/pic/%.o: %.c $(B)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(filter-out -fsanitize%,$(CFLAGS)) -fPIC -MMD -MP -c -o $@ $<

$(B)/tests/record/libsimkernel.so: tests/record/simkernel.c $(PIC_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(filter-out -fsanitize%,$(CFLAGS)) -fPIC -shared -o $@ $< $(PIC_OBJ) \
		$(LIBS) -lpthread

# programs that are not iommush: plain flags, as their authors would build them
$(B)/tests/record/%: tests/record/%.c
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -o $@ $< -lpthread

$(B)/tests/record/threads-static: tests/record/threads.c
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -static -o $@ $< -lpthread

$(B)/tests/%: tests/unit/%.c $(TESTLIB_OBJ) $(LIB) $(B)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Ibackend -Itests/unit -Itests/unit/lib $(CFLAGS) $(CMOCKA_CFLAGS) $(LDFLAGS) -o $@ $< $(TESTLIB_OBJ) $(LIB) $(CMOCKA_LIBS) $(LIBS)

# a bench may drive the shell's own code (sh_run_line), so it links everything but main()
BENCH_SHELL_OBJ := $(filter-out $(B)/shell/main.o,$(SHELL_OBJ))
$(B)/bench/%: bench/%.c bench/bench.h $(BENCH_SHELL_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Ishell $(CFLAGS) $(LDFLAGS) -o $@ $< $(BENCH_SHELL_OBJ) $(LIB) \
		$(LIBEDIT_LIBS) $(LIBS) -ldl

$(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_SHELL_OBJ) $(FUZZLIB_OBJ) $(LIB) $(B)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Ishell -Ibackend -Itests/fuzz/lib $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) \
		-Wl,--wrap=ish_mem_alloc -o $@ $< $(FUZZ_SHELL_OBJ) $(FUZZLIB_OBJ) $(LIB) \
		$(LIBEDIT_LIBS) $(LIBS)

# what recording costs, paired in one process: bench/record runs it under iommush record with
# the simulated kernel preloaded; tests/live/run builds it for the guest
$(B)/bench/record-overhead: bench/live/record-overhead.c bench/bench.h $(B)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(filter-out -fsanitize%,$(CFLAGS)) -o $@ $< -ldl
# where a recorded call's time goes, step by step (record.sh prints it in the live VM)
$(B)/bench/record-parts: bench/live/record-parts.c bench/bench.h $(B)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(filter-out -fsanitize%,$(CFLAGS)) -o $@ $<

tests: $(TESTS)
fuzzers: $(FUZZERS)
# one table a run: the programs print its rows under one head; the line above it says where
# the figures come from
bench: $(BENCHES) $(BIN) $(PRELOAD) $(B)/bench/record-overhead $(B)/tests/record/libsimkernel.so
	@echo "iommush bench: $$(git describe --always --dirty 2>/dev/null || echo '?'), $$(date -u +%F), \
$$(uname -srm), $$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $$(nproc) CPUs, \
load $$(cut -d' ' -f1-3 /proc/loadavg)"
	@echo
	@echo "| area | figure | N | median [min-max] | unit | per device, object; calls | note |"
	@echo "|---|---|---|---|---|---|---|"
	@for b in $(BENCHES); do ISH_BENCH_TABLE=1 IOMMUSH=$(abspath $(BIN)) $$b || exit 1; done

# ---- tests: every suite prints "NAME: N passed, M failed"; make check runs them all
check: check-unit check-shell check-man check-lib check-record check-diff check-bench-builds check-clang \
	check-sanitizers check-valgrind check-fuzz check-faults check-live
	@echo "check: all suites passed"

check-unit: $(TESTS)
	@scripts/run-unit $(TESTS)

check-shell: $(BIN) $(PRELOAD)
	@tests/shell/run $(BIN)

check-record: $(BIN) $(PRELOAD) $(REC_TEST)
	@tests/record/run $(BIN) $(B)

# the differences differential testing found (iommush gen, reduce --differs), on the simulator
check-diff: $(BIN)
	@tests/diff/run $(BIN)

# section 3: the pages against include/iommush/*.h and the shared library's exports, the check's
# own self-test, and the example of libiommush(3) built against the library and run
MAN3_SO      = $(if $(filter 1,$(STATIC)),,$(SO))
MAN3_EXAMPLE = --example-lib $(LIB) --example-cflags "$(CFLAGS)" --example-libs "$(LIBS)"
check-man: $(BIN) $(LIB) $(MAN3_SO)
	@scripts/check-man $(BIN)
	@scripts/check-man3 $(if $(MAN3_SO),--so $(MAN3_SO)) $(MAN3_EXAMPLE)
	@scripts/check-man3 --self-test $(MAN3_EXAMPLE)

# the benchmarks are not run by check (they time things), but they must build
check-bench-builds: $(BENCHES) $(B)/bench/record-overhead $(B)/bench/record-parts
	@echo "bench: $(words $(BENCHES)) programs built"

# the library as a VMM links it: exports, install, examples/ through pkg-config, floors
check-lib: all
	@scripts/check-lib $(B)

check-sanitizers:
	@./configure --builddir=build-san --enable-sanitizers >/dev/null
	@$(MAKE) --no-print-directory B=build-san build-san/iommush build-san/libiommush-record.so tests >/dev/null
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		scripts/run-unit --label unit-asan $(TESTS:$(B)/%=build-san/%)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 tests/shell/run --label shell-asan build-san/iommush

check-valgrind: $(TESTS) $(BIN) $(PRELOAD)
	@scripts/run-unit --label unit-valgrind --valgrind $(TESTS)
	@tests/shell/run --label shell-valgrind --valgrind $(BIN)

# -Werror under clang too, and its unit tests
check-clang:
	@CC=clang ./configure --builddir=build-clang --enable-werror >/dev/null
	@$(MAKE) --no-print-directory B=build-clang build-clang/iommush tests >/dev/null
	@scripts/run-unit --label unit-clang $(TESTS:$(B)/%=build-clang/%)

# fuzzing: clang libFuzzer + ASan/UBSan, every tests/fuzz/fuzz_*.c harness (a new harness is
# one more file). make fuzz runs each FUZZ_RUNS times; check-fuzz a short run of each.
FUZZ_RUNS ?= 200000
fuzz-build:
	@CC=clang CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined" ./configure --builddir=build-fuzz >/dev/null
	@$(MAKE) --no-print-directory B=build-fuzz fuzzers >/dev/null

fuzz: fuzz-build
	@scripts/run-fuzz --runs $(FUZZ_RUNS) $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/fuzz/%)

check-fuzz: fuzz-build
	@scripts/run-fuzz --label fuzz-short --runs 3000 $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/fuzz/%)

# every golden and live script again with backend call 1..N failing (ENOMEM, EIO, the call's
# own errno), all of them (about 1600 runs, half a minute); faults-sample takes every 5th call
check-faults: $(BIN)
	@tests/faults/run $(BIN)

faults-sample: $(BIN)
	@tests/faults/run --every 5 $(BIN)

# the live scripts on the simulator (its errnos must match the kernel's), then in the VM
check-live: $(BIN)
	@tests/live/run --sim $(BIN)
	@tests/live/run; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 77 ]

# the static aarch64 binary for the live VM: no line editor, sysfs instead of libpci
cross-aarch64:
	@./configure --builddir=build-aarch64 --host=aarch64-linux-gnu --enable-static \
		--without-libedit --without-libpci >/dev/null
	@$(MAKE) --no-print-directory B=build-aarch64 build-aarch64/iommush

# the benchmarks on the live VM's kernel (never part of check): the static aarch64 shell and
# bench programs, run in one boot of tests/live/run by bench/live/bench.sh
BENCH_LIVE := shell ops
bench-live:
	@$(MAKE) --no-print-directory -s cross-aarch64 >/dev/null
	@$(MAKE) --no-print-directory -s B=build-aarch64 $(BENCH_LIVE:%=build-aarch64/bench/%) >/dev/null
	@bench/live/run $(BENCH_LIVE:%=build-aarch64/bench/%)

# the shell, its man pages, and libiommush (shared + static, headers, pkg-config) for a VMM
install: $(BIN) $(LIB) $(PRELOAD) $(if $(filter 1,$(STATIC)),,$(SO_LINKS) $(PC))
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/iommush
ifeq ($(STATIC),1)
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/iommush
else
	install -m 755 $(SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SO)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libiommush.so
	$(pc_text) >$(DESTDIR)$(LIBDIR)/pkgconfig/iommush.pc
	@# the installed shell finds the library where it was installed
	$(CC) $(LDFLAGS) -o $(DESTDIR)$(PREFIX)/bin/iommush $(SHELL_OBJ) -L$(B) -liommush \
		-Wl,-rpath,$(LIBDIR) $(LIBEDIT_LIBS)
endif
	@# the interposer of `iommush record`, where the shell looks for it (PREFIX/lib/iommush)
	install -d $(DESTDIR)$(PREFIX)/lib/iommush
	install -m 755 $(PRELOAD) $(DESTDIR)$(PREFIX)/lib/iommush/libiommush-record.so
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 shell/completion/iommush.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/iommush
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libiommush.a
	install -m 644 $(PUB_H) $(DESTDIR)$(INCLUDEDIR)/iommush/
	for m in man/*.3; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man3/; done; true
	@# `man ish_vsmmu_plug`: every function a page names is a link to that page
	for m in man/*.3; do for n in $$(sed -n 's/^\.Nm \(ish_[a-z0-9_]*\).*/\1/p' $$m); do \
		[ -f man/$$n.3 ] || ln -sf $${m#man/} $(DESTDIR)$(MANDIR)/man3/$$n.3; done; done
	for m in man/*.7; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man7/; done; true
	for m in man/*.8; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man8/; done; true

clean:
	rm -rf $(B) build-san build-aarch64 build-clang build-fuzz iommush

.PHONY: all tests fuzzers bench check check-unit check-shell check-man check-lib check-record check-diff \
	check-bench-builds check-sanitizers check-valgrind check-clang check-fuzz check-faults \
	faults-sample fuzz fuzz-build check-live cross-aarch64 bench-live install clean

.SECONDARY: $(TESTLIB_OBJ) $(FUZZLIB_OBJ)

-include $(LIB_OBJ:.o=.d) $(SHELL_OBJ:.o=.d) $(TESTLIB_OBJ:.o=.d) $(PIC_OBJ:.o=.d)
