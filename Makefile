# FleetSim: the two set-up commands are `make run` and `make test`.
SWIFT ?= swift
FLEETSIM := .build/release/fleetsim

.PHONY: run test deps build bench bench-reference bench-paired smoke clean

# GSL (and pkg-config, which SwiftPM uses to find it) and python3 (the input fuzzer) from Debian's packages; a no-op
# when already present.
deps:
	@if ! pkg-config --exists gsl 2>/dev/null || ! command -v python3 >/dev/null; then \
		echo "==> installing libgsl-dev, pkg-config and python3"; \
		SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libgsl-dev pkg-config python3 >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c release --product fleetsim

# Builds in release mode and runs the quick-start scenario (results in results/quickstart/).
run: build
	$(FLEETSIM) run scenarios/quickstart.yaml

# The whole test suite, in release mode (the statistical fidelity tests simulate millions of requests), then the
# command-line checks, which include rendering reports in headless Chromium (installed when missing).
test: deps
	$(SWIFT) test -c release
	$(MAKE) smoke

# Command-line checks CI runs after the tests: every example validates; a broken scenario fails cleanly; 600 mutated
# inputs each end with exit 0 or a located error; every output the README shows is rerun and compared.
smoke: build
	@for f in scenarios/*.yaml scenarios/policies/*.yaml scenarios/levers/*.yaml scenarios/sizing/llama70b-day.yaml scenarios/analytic/*.yaml; do $(FLEETSIM) validate "$$f" >/dev/null || exit 1; done
	@bash scripts/smoke-bad-input.sh $(FLEETSIM)
	@python3 scripts/fuzz-inputs.py $(FLEETSIM) --count 600 --seed 1
	@bash scripts/smoke-output-safety.sh $(FLEETSIM)
	@bash scripts/check-golden.sh $(FLEETSIM)
	@python3 scripts/check-readme.py $(FLEETSIM)
	@bash scripts/smoke-cluster.sh $(FLEETSIM)
	@bash scripts/test-report-browser.sh $(FLEETSIM)

bench: build
	$(FLEETSIM) bench

bench-reference: deps
	@mkdir -p .build
	cc -O2 -o .build/hold-reference Benchmarks/reference/hold.c $$(pkg-config --cflags --libs gsl)
	cc -O2 -o .build/mmc-reference Benchmarks/reference/mmc.c $$(pkg-config --cflags --libs gsl)
	.build/hold-reference
	.build/mmc-reference

# The M/M/8 benchmark against the C M/M/c reference, alternately in one run, with the ratio.
bench-paired: build bench-reference
	@bash scripts/bench-paired.sh $(FLEETSIM) .build/mmc-reference

clean:
	rm -rf .build
