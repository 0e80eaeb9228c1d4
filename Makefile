# GNU make (4.x).  Variants build into separate trees so sanitizer and
# plain objects never mix:  make check | make SAN=asan check | make valgrind
#
# Layout (STYLE.md section 1): each directory is one library or program;
# dependencies point one way: registry, admin-tools -> auth -> storage ->
# common.  Sources are found by wildcard, so adding a file needs no edit
# here:  admin-tools/<tool-name>.c (a name with a hyphen) is one tool with
# its own main(); any other admin-tools/*.c goes into libtools.a.
.SUFFIXES:
.DELETE_ON_ERROR:
# keep intermediate objects (test and tool .o files) between builds
.SECONDARY:

SAN	?=
CC	?= cc
O	 = build/$(notdir $(CC))-$(or $(SAN),plain)

CSTD	 = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_GNU_SOURCE
WARN	 = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wold-style-definition -Wpointer-arith \
	   -Wwrite-strings -Wformat=2 -Wvla -Wcast-qual -Wundef \
	   -Wimplicit-fallthrough -fno-common
# -Werror for developers and CI; packagers build with WERROR=
WERROR	?= -Werror
HARDEN	 = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
SAN_asan = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
CFLAGS	?= -O2 -g
PKGS	 = lmdb jansson libcurl libarchive openssl fcgi
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS  = $(CSTD) $(WARN) $(WERROR) $(CFLAGS) $(SAN_$(SAN)) \
	      $(if $(SAN),,$(HARDEN)) $(PKG_CFLAGS) \
	      -DORCH_POLICY_DIR_DEFAULT='"$(PREFIX)/share/honua-orchestrator/policies"'
ALL_LDFLAGS = $(LDFLAGS) $(SAN_$(SAN)) $(if $(SAN),,-pie -Wl,-z,relro,-z,now)
LDLIBS	 = $(PKG_LIBS) -lpthread

COMMON_SRCS   = $(wildcard common/*.c)
STORAGE_SRCS  = $(wildcard storage/*.c)
AUTH_SRCS     = $(wildcard auth/*.c)
REGLIB_SRCS   = $(filter-out registry/main.c,$(wildcard registry/*.c))
TOOLLIB_SRCS  = $(filter-out $(wildcard admin-tools/*-*.c),$(wildcard admin-tools/*.c))
TOOL_SRCS     = $(wildcard admin-tools/*-*.c)
TOOLS	      = $(patsubst admin-tools/%.c,$(O)/bin/%,$(TOOL_SRCS))

LIB_SRCS = $(COMMON_SRCS) $(STORAGE_SRCS) $(AUTH_SRCS) $(REGLIB_SRCS) $(TOOLLIB_SRCS)
# Link order: dependents first.
LIBS	 = $(O)/libtools.a $(O)/libregistry.a $(O)/libauth.a \
	   $(O)/libstorage.a $(O)/libcommon.a

UNITS	 = $(patsubst %.c,$(O)/%,$(wildcard tests/unit/test_*.c))
FUZZERS	 = $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
REPLAYS	 = $(FUZZERS:%=$(O)/tests/fuzz/%-replay)

PREFIX	?= /usr/local
STATEDIR ?= /var/lib/registry

all: $(O)/bin/registryd $(TOOLS)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -I. -MMD -MP -c -o $@ $<

$(O)/libcommon.a: $(COMMON_SRCS:%.c=$(O)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^
$(O)/libstorage.a: $(STORAGE_SRCS:%.c=$(O)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^
$(O)/libauth.a: $(AUTH_SRCS:%.c=$(O)/%.o) $(O)/common/err.o
	@rm -f $@
	$(AR) rcs $@ $^
$(O)/libregistry.a: $(REGLIB_SRCS:%.c=$(O)/%.o) $(O)/common/err.o
	@rm -f $@
	$(AR) rcs $@ $^
$(O)/libtools.a: $(TOOLLIB_SRCS:%.c=$(O)/%.o) $(O)/common/err.o
	@rm -f $@
	$(AR) rcs $@ $^

$(O)/bin/registryd: $(O)/registry/main.o $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bin/%: $(O)/admin-tools/%.o $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/tests/unit/%: $(O)/tests/unit/%.o $(O)/tests/lib/t.o $(LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/tests/fuzz/%-replay: $(O)/tests/fuzz/%.o $(O)/tests/fuzz/replay.o $(LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests, then every fuzz corpus replayed without libFuzzer.
# Each unit binary is one "test" in the count; its TAP lines go to a log.
check: $(UNITS) $(REPLAYS)
	@tests/run-unit $(O) $(FUZZERS)

VALGRIND = valgrind -q --error-exitcode=1 --leak-check=full \
	   --errors-for-leak-kinds=all --suppressions=tests/valgrind.supp
valgrind:	# plain -O0 build; DWARF 4 so valgrind 3.19 can read clang output
	$(MAKE) SAN= O=build/valgrind CFLAGS='-O0 -g -gdwarf-4' \
	    $(patsubst $(O)/%,build/valgrind/%,$(UNITS))
	@pass=0; fail=0; for t in $(patsubst $(O)/%,build/valgrind/%,$(UNITS)); do \
		if $(VALGRIND) ./$$t >/dev/null 2>$$t.vg; then pass=$$((pass+1)); \
		else fail=$$((fail+1)); echo "FAIL $$t"; tail -30 $$t.vg; fi; \
	done; echo "$$pass passed, $$fail failed"; test $$fail -eq 0

FUZZ_TIME ?= 60
fuzz:		# clang only; libFuzzer + ASan + UBSan, corpus grows in place
	@mkdir -p build/fuzz
	@for f in $(FUZZERS); do \
	  clang $(CSTD) -g -I. -fsanitize=fuzzer,address,undefined \
	    tests/fuzz/$$f.c $(LIB_SRCS) $(LDLIBS) -o build/fuzz/$$f && \
	  build/fuzz/$$f -max_total_time=$(FUZZ_TIME) \
	    tests/fuzz/corpus/$${f#fuzz_} || exit 1; \
	done

# The whole product: deps, build, unit + fuzz replay + integration with
# real nginx and terraform.  Ends with one "N passed, N failed" line.
test: deps
	$(MAKE) all $(UNITS) $(REPLAYS)
	@tests/run-all $(O) $(FUZZERS)

integration: all
	@tests/integration/run $(O)

deps:
	@tests/deps.sh

# Start registryd + nginx on https://127.0.0.1:$${REGISTRY_PORT:-8443}
run: deps
	$(MAKE) all
	@O=$(O) tests/../nginx/run.sh

bench: deps
	$(MAKE) all
	@tests/bench/run $(O)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
	    $(DESTDIR)$(PREFIX)/share/registry/nginx
	install -m 0755 $(O)/bin/registryd $(DESTDIR)$(PREFIX)/sbin/registryd
	for t in $(TOOLS); do install -m 0755 $$t $(DESTDIR)$(PREFIX)/bin/; done
	install -m 0644 nginx/registry.conf.in nginx/fastcgi_params \
	    $(DESTDIR)$(PREFIX)/share/registry/nginx/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	for m in docs/*.1; do install -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man1/; done
	install -d $(DESTDIR)$(PREFIX)/share/honua-orchestrator/policies
	install -m 0644 admin-tools/policies/*.json admin-tools/policies/*.json.in \
	    $(DESTDIR)$(PREFIX)/share/honua-orchestrator/policies/
	install -d -m 0700 $(DESTDIR)$(STATEDIR)

# One clang-tidy process per file: clang-tidy 14 reported a false
# valist error here only when several files shared one invocation.
lint:
	@for f in $(LIB_SRCS) registry/main.c $(TOOL_SRCS); do \
		clang-tidy --quiet $$f -- $(CSTD) -I. $(PKG_CFLAGS) || exit 1; done
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr --std=c11 -I. $(LIB_SRCS) registry/main.c $(TOOL_SRCS)

deps-check:
	@tests/deps-check.sh

FMT_SRCS = $(wildcard */*.[ch] tests/*/*.[ch])
format:
	clang-format -i $(FMT_SRCS)
format-check:
	clang-format --dry-run -Werror $(FMT_SRCS)

clean:
	rm -rf build

.PHONY: all check valgrind fuzz lint format format-check clean integration \
	deps deps-check test run bench install
-include $(shell find build -name '*.d' 2>/dev/null)
