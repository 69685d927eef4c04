# ocoptrace: traceability codes, labels and certificates for OCOP products.
#
#   make            build ./ocoptrace
#   make run        install what is missing, build, serve with demo data
#   make test       install what is missing, build, run every test
#   make asan       the same tests under AddressSanitizer and UBSan
#   make fuzz       libFuzzer on the Digital Link parser, job files, API bodies
#   make bench      QR codes vs zint, label sheets vs glabels and reportlab, stamps vs
#                   reportlab, roll labels as ZPL and TSPL vs PDF, HTTP vs nginx,
#                   registrations pushed vs the receiver's own capacity, traces and recalls,
#                   the store on SQLite vs PostgreSQL with one and two daemons
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
BUILD   ?= build/release

# Debian packages: to build, to test, to fuzz, to benchmark.
DEPS_BUILD = gcc make pkg-config libc6-dev libqrencode-dev libpng-dev zlib1g-dev libhpdf-dev \
             libsodium-dev libsqlite3-dev libinih-dev libmicrohttpd-dev \
             libjansson-dev libcurl4-openssl-dev ca-certificates poppler-utils libjpeg-dev libpq-dev \
             libzint-dev libfreetype-dev libxlsxwriter-dev
DEPS_TEST  = zbar-tools librsvg2-bin clang-format qpdf tesseract-ocr sqlite3 curl \
             tesseract-ocr-vie python3 python3-jsonschema openssl chromium nodejs nginx-light \
             postgresql dmtx-utils python3-qrcode python3-pil python3-aiosmtpd \
             python3-openpyxl
DEPS_FUZZ  = clang libclang-rt-14-dev
DEPS_BENCH = zint bc file glabels python3-reportlab python3-segno fonts-noto-core time wrk
DEPS       = $(DEPS_BUILD) $(DEPS_TEST)

PKGS     = libqrencode libpng zlib libjpeg libpq freetype2 xlsxwriter
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla
OPT     ?= -O2 -g
SAN     ?=
DATADIR ?= $(PREFIX)/share/ocoptrace
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) $(SAN) -pthread -Ilabels -Iservice \
             -DOCOPTRACE_DATADIR='"$(DATADIR)"' \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
LDLIBS_ALL = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lqrencode -lpng -lz -ljpeg -lpq -lfreetype -lxlsxwriter) -lzint -lhpdf -lcurl -ljansson -lsodium -lsqlite3 -linih -lmicrohttpd -lm \
             -pthread $(LDLIBS)

LABELS_SRC  = $(wildcard labels/*.c)
SERVICE_SRC = $(wildcard service/*.c service/*/*.c)
UNIT_SRC    = $(wildcard tests/unit/*.c)
LABELS_OBJ  = $(LABELS_SRC:%.c=$(BUILD)/%.o)
SERVICE_OBJ = $(SERVICE_SRC:%.c=$(BUILD)/%.o)
# The service's files the unit tests call, which need no daemon.
UNIT_OBJ    = $(UNIT_SRC:%.c=$(BUILD)/%.o) $(BUILD)/service/client.o $(BUILD)/service/clock.o \
              $(BUILD)/service/page.o $(BUILD)/service/page_lang.o $(BUILD)/service/store/db.o \
              $(BUILD)/service/store/db_sqlite.o $(BUILD)/service/store/db_postgresql.o \
              $(BUILD)/service/criteria.o $(BUILD)/service/jsonread.o $(BUILD)/service/host.o \
              $(BUILD)/service/council.o $(BUILD)/service/tables.o
LIBLABELS   = $(BUILD)/libocoplabels.a
PROGRAM     = $(BUILD)/ocoptrace
UNIT        = $(BUILD)/unit-tests

SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps deps-fuzz deps-bench test asan fuzz bench install clean style format run

all: ocoptrace

ocoptrace: $(PROGRAM)
	cp $(PROGRAM) $@

$(BUILD)/%.o: %.c $(wildcard labels/*.h service/*.h service/*/*.h tests/unit/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(LIBLABELS): $(LABELS_OBJ)
	rm -f $@
	ar rcs $@ $^

$(PROGRAM): $(SERVICE_OBJ) $(LIBLABELS)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS) -o $@ $(SERVICE_OBJ) $(LIBLABELS) $(LDLIBS_ALL)

$(UNIT): $(UNIT_OBJ) $(LIBLABELS)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(LIBLABELS) $(LDLIBS_ALL)

# Installs only the packages that are missing, so a second run costs nothing.
define install_packages
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

# The browser tests' driver (playwright-core, pinned in tests/e2e/package-lock.json)
# from npm, again only when missing or older than the lock file. npm comes with
# some builds of nodejs; Debian's own nodejs needs the npm package.
E2E_MODULES = tests/e2e/node_modules/.package-lock.json

deps:
	$(call install_packages,$(DEPS))
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends npm; }
	@[ -f $(E2E_MODULES) ] && [ ! tests/e2e/package-lock.json -nt $(E2E_MODULES) ] || \
	  npm ci --prefix tests/e2e --no-audit --no-fund

deps-fuzz:
	$(call install_packages,$(DEPS_FUZZ))

deps-bench:
	$(call install_packages,$(DEPS_BENCH))

# The service with an embedded SQLite database and demo data, on 127.0.0.1:8080.
run: deps
	$(MAKE) --no-print-directory ocoptrace
	bash service/run-demo.sh

test: deps
	$(MAKE) --no-print-directory $(PROGRAM) $(UNIT)
	OCOPTRACE=$(PROGRAM) UNIT=$(UNIT) bash tests/run.sh

asan: deps
	$(MAKE) --no-print-directory test BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"

FUZZ_SECONDS ?= 60
FUZZ_BUILD = build/fuzz
FUZZ_FLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -Ilabels -Iservice -fsanitize=fuzzer,address,undefined
# Each harness runs FUZZ_SECONDS, from its seed corpus, keeping what it finds
# under build/fuzz (not committed).
fuzz: deps deps-fuzz
	@mkdir -p $(FUZZ_BUILD)/link $(FUZZ_BUILD)/job
	clang $(FUZZ_FLAGS) -o $(FUZZ_BUILD)/fuzz-link-parse tests/fuzz/fuzz_link_parse.c \
	  labels/gs1.c labels/result.c labels/text.c
	clang $(FUZZ_FLAGS) -o $(FUZZ_BUILD)/fuzz-job tests/fuzz/fuzz_job.c service/job.c service/jsonread.c \
	  labels/gs1.c labels/result.c labels/text.c labels/law.c labels/ocop.c -ljansson
	clang $(FUZZ_FLAGS) $(shell pkg-config --cflags libpng16) -DOCOPTRACE_DATADIR='"."' \
	  -o $(FUZZ_BUILD)/fuzz-api-body \
	  tests/fuzz/fuzz_api_body.c $(filter-out service/main.c,$(SERVICE_SRC)) $(LABELS_SRC) \
	  $(LDLIBS_ALL)
	$(FUZZ_BUILD)/fuzz-link-parse -max_total_time=$(FUZZ_SECONDS) -max_len=600 \
	  -dict=tests/fuzz/link.dict $(FUZZ_BUILD)/link tests/fuzz/corpus
	$(FUZZ_BUILD)/fuzz-job -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -dict=tests/fuzz/job.dict $(FUZZ_BUILD)/job tests/fuzz/corpus-job
	@mkdir -p $(FUZZ_BUILD)/api
	$(FUZZ_BUILD)/fuzz-api-body -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -dict=tests/fuzz/job.dict $(FUZZ_BUILD)/api tests/fuzz/corpus-api

bench: deps deps-bench
	$(MAKE) --no-print-directory $(PROGRAM)
	OCOPTRACE=$(PROGRAM) bash tests/bench/qr_batch.sh
	OCOPTRACE=$(PROGRAM) bash tests/bench/label_sheets.sh
	OCOPTRACE=$(PROGRAM) bash tests/bench/thermal.sh
	OCOPTRACE=$(PROGRAM) bash tests/bench/stamps.sh
	OCOPTRACE=$(PROGRAM) bash tests/bench/http.sh
	OCOPTRACE=$(PROGRAM) bash tests/bench/sync.sh
	OCOPTRACE=$(PROGRAM) bash tests/bench/trace.sh
	OCOPTRACE=$(PROGRAM) bash tests/bench/store.sh
	OCOPTRACE=$(PROGRAM) bash tests/bench/reminders.sh
	OCOPTRACE=$(PROGRAM) bash tests/bench/scoring.sh

style:
	@bash tests/style.sh

format:
	clang-format -i labels/*.[ch] service/*.[ch] service/*/*.[ch] tests/unit/*.[ch] tests/fuzz/*.c tests/bench/*.c

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
	install -m 0755 ocoptrace $(DESTDIR)$(PREFIX)/bin/ocoptrace
	install -m 0644 $(LIBLABELS) $(DESTDIR)$(PREFIX)/lib/libocoplabels.a
	install -m 0644 labels/ocoplabels.h $(DESTDIR)$(PREFIX)/include/ocoplabels.h
	install -d $(DESTDIR)$(DATADIR)/fonts $(DESTDIR)$(DATADIR)/templates/sheets
	install -m 0644 fonts/*.ttf fonts/*.txt $(DESTDIR)$(DATADIR)/fonts/
	install -m 0644 templates/sheets/*.sheet $(DESTDIR)$(DATADIR)/templates/sheets/
	install -d $(DESTDIR)$(DATADIR)/templates/layouts
	install -m 0644 templates/layouts/*.layout $(DESTDIR)$(DATADIR)/templates/layouts/
	install -d $(DESTDIR)$(DATADIR)/templates/criteria $(DESTDIR)$(DATADIR)/templates/pages \
	  $(DESTDIR)$(DATADIR)/templates/web/assets
	install -m 0644 templates/criteria/*.criteria $(DESTDIR)$(DATADIR)/templates/criteria/
	install -m 0644 templates/pages/*.html $(DESTDIR)$(DATADIR)/templates/pages/
	install -m 0644 templates/web/*.html $(DESTDIR)$(DATADIR)/templates/web/
	install -m 0644 templates/web/assets/* $(DESTDIR)$(DATADIR)/templates/web/assets/

clean:
	rm -rf build ocoptrace
