# `make run` trains the course's cat classifier; `make test` runs every test.
# Both first make sure the HDF5 C library is present: on Debian/Ubuntu they install
# libhdf5-dev with apt-get when pkg-config cannot find it (as root, or through sudo).
# Elsewhere install HDF5 yourself (macOS: `brew install hdf5`; Fedora: `dnf install
# hdf5-devel`) or set HDF5_DIR.

CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint bench deps fonts graphviz

run: deps fonts
	$(CARGO) run --release --example cat_classifier -- train $(ARGS)

test: deps graphviz
	$(CARGO) test --release
	$(CARGO) bench --no-run

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps

bench: deps
	$(CARGO) bench

deps:
	@if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists hdf5; then :; \
	elif [ -n "$$HDF5_DIR" ]; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
		echo "libhdf5 not found: installing libhdf5-dev and pkg-config with apt-get"; \
		$(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends libhdf5-dev pkg-config; \
	else \
		echo "libhdf5 not found and apt-get is not available: install HDF5 (e.g. brew install hdf5) or set HDF5_DIR"; \
		exit 1; \
	fi

# The cost plot's labels need a TrueType font; without one the PNG is drawn without text.
fonts:
	@if ls /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf >/dev/null 2>&1 || [ -n "$$TAPEGRAD_FONT" ]; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
		echo "no DejaVu font: installing fonts-dejavu-core with apt-get (for the plot's labels)"; \
		$(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends fonts-dejavu-core || true; \
	fi

# The tests render the tape's DOT picture with Graphviz's dot.
graphviz:
	@if command -v dot >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
		echo "Graphviz not found: installing graphviz with apt-get (the tests render a graph)"; \
		$(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends graphviz; \
	else \
		echo "Graphviz's dot not found and apt-get is not available: install Graphviz (e.g. brew install graphviz)"; \
		exit 1; \
	fi
