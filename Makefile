# The two commands of the README: `make demo` runs the main tutorial, `make test` runs the test suite.
# Each creates .venv with what it needs; nothing else has to be prepared.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# After installing, compile the common kernels once (python -m numbatorch warmup, about a minute): Numba caches
# them on disk, so the demo's and the tests' first steps load them instead of compiling.
$(VENV)/.installed-%: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e ".[$*]"
	$(BIN)/python -m numbatorch warmup
	touch $@

# PyTorch is only the test oracle: tests that need it skip when it cannot be installed. It goes in before the
# dev extra, whose torchmetrics requires torch and would otherwise pull the newest (CUDA) wheel.
$(VENV)/.torch: | $(BIN)/activate
	$(BIN)/pip install -q torch==2.13.0 || echo "PyTorch could not be installed: comparison tests will skip"
	touch $@

demo: $(VENV)/.installed-tutorials
	$(BIN)/python tutorials/ring.py

test: $(VENV)/.torch $(VENV)/.installed-dev
	$(BIN)/python -m pytest

bench: $(VENV)/.torch $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info
