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

CPPFLAGS += -Iinclude -I$(B) -D_GNU_SOURCE
CFLAGS   := $(CONF_CFLAGS) $(LIBEDIT_CFLAGS) $(LIBPCI_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS  := $(CONF_LDFLAGS) $(EXTRA_LDFLAGS)
LIB      := $(B)/libiommush.a
LIBS     := $(LIBPCI_LIBS)
BIN      := $(if $(filter build,$(B)),iommush,$(B)/iommush)

all: $(BIN)

$(B)/%.o: %.c $(B)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(SHELL_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(SHELL_OBJ) $(LIB) $(LIBEDIT_LIBS) $(LIBS)

$(B)/tests/%: tests/unit/%.c $(TESTLIB_OBJ) $(LIB) $(B)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit -Itests/unit/lib $(CFLAGS) $(CMOCKA_CFLAGS) $(LDFLAGS) -o $@ $< $(TESTLIB_OBJ) $(LIB) $(CMOCKA_LIBS) $(LIBS)

$(B)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)

$(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_SHELL_OBJ) $(FUZZLIB_OBJ) $(LIB) $(B)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Ishell -Itests/fuzz/lib $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) \
		-Wl,--wrap=ish_mem_alloc -o $@ $< $(FUZZ_SHELL_OBJ) $(FUZZLIB_OBJ) $(LIB) \
		$(LIBEDIT_LIBS) $(LIBS)

tests: $(TESTS)
fuzzers: $(FUZZERS)
bench: $(BENCHES)
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done

# ---- tests: every suite prints "NAME: N passed, M failed"; make check runs them all
check: check-unit check-shell check-man check-clang check-sanitizers check-valgrind check-fuzz \
	check-faults check-live
	@echo "check: all suites passed"

check-unit: $(TESTS)
	@scripts/run-unit $(TESTS)

check-shell: $(BIN)
	@tests/shell/run $(BIN)

check-man: $(BIN)
	@scripts/check-man $(BIN)

check-sanitizers:
	@./configure --builddir=build-san --enable-sanitizers >/dev/null
	@$(MAKE) --no-print-directory B=build-san build-san/iommush tests >/dev/null
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		scripts/run-unit --label unit-asan $(TESTS:$(B)/%=build-san/%)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 tests/shell/run --label shell-asan build-san/iommush

check-valgrind: $(TESTS) $(BIN)
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

# the shell, its man pages, and libiommush (static library + headers) for a VMM to link
install: $(BIN) $(LIB)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/iommush
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/iommush
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libiommush.a
	install -m 644 include/iommush/*.h $(DESTDIR)$(PREFIX)/include/iommush/
	for m in man/*.7; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man7/; done; true
	for m in man/*.8; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man8/; done; true

clean:
	rm -rf $(B) build-san build-aarch64 build-clang build-fuzz iommush

.PHONY: all tests fuzzers bench check check-unit check-shell check-man check-sanitizers \
	check-valgrind check-clang check-fuzz check-faults faults-sample fuzz fuzz-build check-live \
	cross-aarch64 install clean

.SECONDARY: $(TESTLIB_OBJ) $(FUZZLIB_OBJ)

-include $(LIB_OBJ:.o=.d) $(SHELL_OBJ:.o=.d) $(TESTLIB_OBJ:.o=.d)
