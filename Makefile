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

LIB_OBJ   := $(LIB_SRC:%.c=$(B)/%.o)
SHELL_OBJ := $(SHELL_SRC:%.c=$(B)/%.o)
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(B)/%.o)
TESTS     := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)
BENCHES   := $(BENCH_SRC:bench/%.c=$(B)/bench/%)

CPPFLAGS += -Iinclude -I$(B) -D_GNU_SOURCE
CFLAGS   := $(CONF_CFLAGS) $(LIBEDIT_CFLAGS) $(LIBPCI_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS  := $(CONF_LDFLAGS) $(EXTRA_LDFLAGS)
LIB      := $(B)/libiommush.a
LIBS     := $(LIBPCI_LIBS)
BIN      := $(if $(filter build,$(B)),iommush,$(B)/iommush)
# the LD_PRELOAD interposer of `iommush record`: never sanitized (it goes into any program)
PRELOAD  := $(B)/libiommush-record.so
PRELOAD_SRC := preload/record.c backend/rec_raw.c backend/rec_elf.c

all: $(BIN) $(PRELOAD)

$(B)/%.o: %.c $(B)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(SHELL_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(SHELL_OBJ) $(LIB) $(LIBEDIT_LIBS) $(LIBS)

$(PRELOAD): $(PRELOAD_SRC) include/iommush/record.h $(B)/config.mk
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
	$(CC) $(CPPFLAGS) -Itests/unit -Itests/unit/lib $(CFLAGS) $(CMOCKA_CFLAGS) $(LDFLAGS) -o $@ $< $(TESTLIB_OBJ) $(LIB) $(CMOCKA_LIBS) $(LIBS)

$(B)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS) -ldl

tests: $(TESTS)
bench: $(BENCHES) $(PRELOAD)
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done

# ---- tests: every suite prints "NAME: N passed, M failed"; make check runs them all
check: check-unit check-shell check-man check-record check-sanitizers check-valgrind check-live
	@echo "check: all suites passed"

check-unit: $(TESTS)
	@scripts/run-unit $(TESTS)

check-shell: $(BIN) $(PRELOAD)
	@tests/shell/run $(BIN)

check-record: $(BIN) $(PRELOAD) $(REC_TEST)
	@tests/record/run $(BIN) $(B)

check-man: $(BIN)
	@scripts/check-man $(BIN)

check-sanitizers:
	@./configure --builddir=build-san --enable-sanitizers >/dev/null
	@$(MAKE) --no-print-directory B=build-san build-san/iommush build-san/libiommush-record.so tests >/dev/null
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		scripts/run-unit --label unit-asan $(TESTS:$(B)/%=build-san/%)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 tests/shell/run --label shell-asan build-san/iommush

check-valgrind: $(TESTS) $(BIN) $(PRELOAD)
	@scripts/run-unit --label unit-valgrind --valgrind $(TESTS)
	@tests/shell/run --label shell-valgrind --valgrind $(BIN)

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
install: $(BIN) $(LIB) $(PRELOAD)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/iommush \
		$(DESTDIR)$(PREFIX)/lib/iommush
	install -m 755 $(PRELOAD) $(DESTDIR)$(PREFIX)/lib/iommush/libiommush-record.so
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/iommush
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libiommush.a
	install -m 644 include/iommush/*.h $(DESTDIR)$(PREFIX)/include/iommush/
	for m in man/*.7; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man7/; done; true
	for m in man/*.8; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man8/; done; true

clean:
	rm -rf $(B) build-san build-aarch64 iommush

.PHONY: all tests bench check check-unit check-shell check-man check-record \
	check-sanitizers check-valgrind check-live cross-aarch64 install clean

.SECONDARY: $(TESTLIB_OBJ)

-include $(LIB_OBJ:.o=.d) $(SHELL_OBJ:.o=.d) $(TESTLIB_OBJ:.o=.d)
