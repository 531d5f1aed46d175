# tis-sync build. `make` builds build/tis-sync; `make asan` the same under
# ASan+UBSan in build-asan/, `make tsan` under ThreadSanitizer in
# build-tsan/; `make unit` the cmocka unit tests; `make test`
# runs everything (scripts/test.sh).
CC ?= cc
PKGS := libmariadb sqlite3 libcurl jansson libmicrohttpd libsystemd librabbitmq libcrypto
# src/ is grouped by layer (base, db, jobs, search, messaging, daemon, http,
# cli); every folder is on the include path, so a header is named alone.
SRC_DIRS := $(patsubst %/,%,$(wildcard src/*/))
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
               $(addprefix -I,$(SRC_DIRS)) -Ibuild-gen $(shell pkg-config --cflags $(PKGS))
LIBS := $(shell pkg-config --libs $(PKGS)) -lpthread -lm
RELEASE_FLAGS := -O2 -g
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
TSAN_FLAGS := -O1 -g -fsanitize=thread -fno-omit-frame-pointer

SRCS := $(wildcard src/*/*.c)
SQL := $(shell find sql -name '*.sql')
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
LIB_SRCS := $(filter-out src/cli/main.c,$(SRCS))

.PHONY: all asan tsan fuzz unit unit-asan unit-tsan test cppcheck clean bench

all: build/tis-sync

# sql/, api/ and web/ are compiled in (scripts/embed-files.sh).
build-gen/sql_files.c: $(SQL) scripts/embed-files.sh
build-gen/api_files.c: $(wildcard api/*) scripts/embed-files.sh
build-gen/web_files.c: $(wildcard web/*) scripts/embed-files.sh
build-gen/%_files.c:
	@mkdir -p build-gen
	scripts/embed-files.sh $* $*_files > $@.tmp && mv $@.tmp $@

define build_tree
$(1)/obj/%.o: src/%.c $(wildcard src/*/*.h) Makefile
	@mkdir -p $$(dir $$@)
	@echo CC $$@
	@$$(CC) $$(CFLAGS_BASE) $(2) -c $$< -o $$@

$(1)/obj/%_files.o: build-gen/%_files.c
	@mkdir -p $(1)/obj
	@echo CC $$@
	@$$(CC) $$(CFLAGS_BASE) $(2) -c $$< -o $$@

EMBEDDED_$(1) := $(1)/obj/sql_files.o $(1)/obj/api_files.o $(1)/obj/web_files.o

$(1)/tis-sync: $(patsubst src/%.c,$(1)/obj/%.o,$(SRCS)) $$(EMBEDDED_$(1))
	@echo LINK $$@
	@$$(CC) $(2) $$^ -o $$@ $$(LIBS)

$(1)/tests/unit_%: tests/unit/test_%.c $(patsubst src/%.c,$(1)/obj/%.o,$(LIB_SRCS)) $$(EMBEDDED_$(1))
	@mkdir -p $(1)/tests
	@echo LINK $$@
	@$$(CC) $$(CFLAGS_BASE) $(2) $$^ -o $$@ $$(LIBS) -lcmocka
endef

$(eval $(call build_tree,build,$(RELEASE_FLAGS)))
$(eval $(call build_tree,build-asan,$(ASAN_FLAGS)))
$(eval $(call build_tree,build-tsan,$(TSAN_FLAGS)))

asan: build-asan/tis-sync

unit: $(patsubst test_%,build/tests/unit_%,$(UNIT_TESTS))

unit-asan: $(patsubst test_%,build-asan/tests/unit_%,$(UNIT_TESTS))

# libFuzzer targets (clang): tests/fuzz/fuzz_*.c, each linked with the
# code under ASan and UBSan. `make fuzz` builds them; scripts/test.sh runs
# each for a while on its corpus (tests/fuzz/corpus/<target>/).
FUZZ_CC := clang
FUZZ_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
              -Wno-missing-field-initializers # gcc, which builds the product, checks initializers
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_OBJS := $(patsubst src/%.c,build-fuzz/obj/%.o,$(LIB_SRCS)) build-fuzz/obj/sql_files.o build-fuzz/obj/api_files.o \
             build-fuzz/obj/web_files.o

build-fuzz/obj/%.o: src/%.c $(wildcard src/*/*.h) Makefile
	@mkdir -p $(dir $@)
	@echo CC $@
	@$(FUZZ_CC) $(CFLAGS_BASE) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

build-fuzz/obj/%_files.o: build-gen/%_files.c
	@mkdir -p build-fuzz/obj
	@echo CC $@
	@$(FUZZ_CC) $(CFLAGS_BASE) $(FUZZ_FLAGS) -c $< -o $@

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	@echo LINK $@
	@$(FUZZ_CC) $(CFLAGS_BASE) $(FUZZ_FLAGS) -fsanitize=fuzzer $^ -o $@ $(LIBS)

fuzz: $(FUZZ_TARGETS)

# ThreadSanitizer: the unit tests and the daemon's threaded integration tests.
tsan: build-tsan/tis-sync

unit-tsan: $(patsubst test_%,build-tsan/tests/unit_%,$(UNIT_TESTS))

cppcheck:
	cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,performance,portability \
	  --inline-suppr --suppress=missingIncludeSystem -D_GNU_SOURCE $(addprefix -I,$(SRC_DIRS)) src tests/unit

test:
	scripts/test.sh

bench: all
	scripts/bench.sh

clean:
	rm -rf build build-asan build-tsan build-fuzz build-gen
