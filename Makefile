# intunewin: build, test, demo, install. `make help` lists the targets.
PREFIX ?= /usr/local
SWIFT ?= swift
TOOL_DEBUG = .build/debug/intunewin-tool
TOOL_RELEASE = .build/release/intunewin-tool
DEMO_OUT = out
STRIP ?= strip
MAN_GENERATED = .build/plugins/GenerateManual/outputs/intunewin-tool/intunewin-tool.1
MAN_PAGE = .build/man/intunewin-tool.1
# What `make install` puts under PREFIX, for `make uninstall` to take away again.
INSTALLED = bin/intunewin-tool share/man/man1/intunewin-tool.1 share/bash-completion/completions/intunewin-tool \
	share/zsh/site-functions/_intunewin-tool share/fish/vendor_completions.d/intunewin-tool.fish
DOC_DIR = share/doc/intunewin
# Static Swift runtime on Linux only (macOS ships the runtime in the OS).
STATIC_STDLIB = $(if $(filter Linux,$(shell uname -s)),--static-swift-stdlib,)

.PHONY: help deps deps-build build release test test-tsan test-asan fuzz bench demo man docs install uninstall clean launcher check-launcher ime-sim

help:
	@echo "make demo     install missing build deps, build, pack Examples/HelloApp, show info/list/verify"
	@echo "make test     install missing build and test deps, run the whole test suite"
	@echo "make build    debug build;  make release: optimised build"
	@echo "make bench    release build, then time pack/unpack/verify/list against pigz, openssl, zip/unzip (bench/README.md)"
	@echo "make test-tsan  the concurrent code's tests (pack pipeline, log reader) under ThreadSanitizer"
	@echo "make test-asan  the whole test suite under AddressSanitizer"
	@echo "make fuzz     libFuzzer on every reader, FUZZ_SECONDS each (default 60; scripts/fuzz.sh)"
	@echo "make docs     the IntuneWin library's DocC documentation (.build/plugins/Swift-DocC/outputs/IntuneWin.doccarchive)"
	@echo "make man      generate the man page from the command definitions ($(MAN_PAGE))"
	@echo "make launcher        rebuild Launcher/install.exe (mingw-w64) and embed it in the library"
	@echo "make check-launcher  the committed install.exe equals a rebuild from source, and is the embedded one"
	@echo "make ime-sim         the nested-zip launcher under Wine: Launcher/test-under-wine.sh and IMESimulationTests"
	@echo "make install  stripped release binary, man page, bash/zsh/fish completions, README and the docs it links under PREFIX=$(PREFIX)"
	@echo "make uninstall  remove what make install put under PREFIX=$(PREFIX)"

# Two sets (scripts/install-deps.sh): what building needs (build, release, demo, man, docs, install) and
# that plus every tool the tests run (test, the sanitizers, fuzz, bench, the launcher and its simulation).
deps-build:
	@scripts/install-deps.sh build

deps:
	@scripts/install-deps.sh test

build: deps-build
	$(SWIFT) build

# The release binary links the Swift runtime and Foundation statically: it runs on a machine without a
# Swift toolchain, starts faster, and its peak RSS is ~6 MiB lower (fewer relocated library pages).
release: deps-build
	$(SWIFT) build -c release $(STATIC_STDLIB)

test: deps
	$(SWIFT) build
	$(SWIFT) test

test-tsan: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	TSAN_OPTIONS=halt_on_error=1 $(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan --filter 'ParallelPackTests|NestedPackTests|PackagerTests|CMTraceBatchReaderTests|IMELogTests'

# Every test, library and binary, built with AddressSanitizer (a separate build folder). Leak checking
# is off: the Swift runtime keeps metadata caches alive until exit, which LeakSanitizer reports.
test-asan: deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan

# The nested-zip launcher: a Windows program (Launcher/), built with the mingw-w64 cross compiler, committed
# (so the tool builds where there is none) and embedded in the library as generated source.
launcher: deps
	$(MAKE) -C Launcher install.exe
	scripts/embed-launcher.sh

check-launcher: deps
	$(MAKE) -C Launcher check-reproducible
	scripts/embed-launcher.sh --check

# IME, simulated under Wine: the launcher's own script test, then the Swift suite that packs with the tool,
# unzips into IMECache, runs the install command and deletes the cache when its process exits.
ime-sim: deps
	$(MAKE) -C Launcher test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter IMESimulationTests

FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh $(FUZZ_TARGETS)

bench: deps release
	python3 bench/run.py $(BENCH_ARGS)
	bench/imelog_bench.sh $(TOOL_RELEASE)

demo: build
	@mkdir -p $(DEMO_OUT)
	$(TOOL_DEBUG) pack -c Examples/HelloApp -s install.ps1 -o $(DEMO_OUT) --force
	$(TOOL_DEBUG) info $(DEMO_OUT)/install.intunewin
	$(TOOL_DEBUG) list $(DEMO_OUT)/install.intunewin
	$(TOOL_DEBUG) verify $(DEMO_OUT)/install.intunewin --source Examples/HelloApp

# The man page is generated from the command definitions by swift-argument-parser's GenerateManual
# plugin (a debug build of the tool, so the static release build is left alone), then finished
# (paragraph breaks, literal examples, the real exit codes) so that `man` shows it without warnings.
man: deps-build
	$(SWIFT) package generate-manual --configuration debug
	mkdir -p $(dir $(MAN_PAGE))
	awk -f scripts/finish-man-page.awk $(MAN_GENERATED) > $(MAN_PAGE)

# DocC for the library (swift-docc-plugin); a warning (an unresolved symbol link) fails the build.
docs: deps-build
	$(SWIFT) package generate-documentation --target IntuneWin --warnings-as-errors

# DESTDIR is honoured for packaging. Completions come from the binary itself (swift-argument-parser).
install: release man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/$(DOC_DIR)/docs/schemas $(DESTDIR)$(PREFIX)/$(DOC_DIR)/Launcher \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 0755 $(TOOL_RELEASE) $(DESTDIR)$(PREFIX)/bin/intunewin-tool
	$(STRIP) $(DESTDIR)$(PREFIX)/bin/intunewin-tool
	install -m 0644 $(MAN_PAGE) $(DESTDIR)$(PREFIX)/share/man/man1/intunewin-tool.1
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/$(DOC_DIR)/README.md
	install -m 0644 docs/FORMAT.md docs/IME.md $(DESTDIR)$(PREFIX)/$(DOC_DIR)/docs/
	install -m 0644 docs/schemas/* $(DESTDIR)$(PREFIX)/$(DOC_DIR)/docs/schemas/
	install -m 0644 Launcher/README.md $(DESTDIR)$(PREFIX)/$(DOC_DIR)/Launcher/README.md
	$(TOOL_RELEASE) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/intunewin-tool
	$(TOOL_RELEASE) --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_intunewin-tool
	$(TOOL_RELEASE) --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/intunewin-tool.fish
	@echo "installed intunewin-tool under $(DESTDIR)$(PREFIX)"

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/,$(INSTALLED))
	rm -rf $(DESTDIR)$(PREFIX)/$(DOC_DIR)
	@echo "removed intunewin-tool from $(DESTDIR)$(PREFIX)"

clean:
	rm -rf .build .build-tsan .build-asan .build-fuzz .build-man $(DEMO_OUT) bench-out
