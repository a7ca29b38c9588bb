# One command builds everything (`make`), one runs the tests (`make test`).
# Needs only python3 (3.11+) and make; the pinned environment is created in .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha256sum requirements.lock | cut -c1-12)
CORES  ?= all

.PHONY: all figures test lint snapshot lock clean-outputs update-data availability readme checksums verify report
all: figures

# make CONFIG=mine.yaml: settings of mine.yaml on top of config/config.yaml (e.g. another pair).
CONFIG ?=
CONFIGFILES = $(if $(CONFIG),--configfile config/config.yaml $(CONFIG))
figures: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) $(CONFIGFILES)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: Python 3.11 or newer is needed ($(PYTHON) is $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-* && touch $@

test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src scripts tests notebooks bench
	$(BIN)/ruff format --check src scripts tests notebooks bench
	$(BIN)/snakefmt --check Snakefile rules bench/one_rule/Snakefile
	$(BIN)/snakemake --lint

# Pull the newest IMF figures (IMTS API) as a new vintage and rebuild everything from it:
#   make update-data                     (vintage = today's date, UTC)
#   make update-data VINTAGE=2026-11-28  (reuses that vintage if it is already on disk)
VINTAGE ?= $(shell date -u +%F)
update-data: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) $(CONFIGFILES) --config source=imf-imts vintage=$(VINTAGE)

# Which years does the IMF have for each series of the pair? (asks the availability endpoint)
availability: $(STAMP)
	$(BIN)/python -m bilateral imts-availability --config config/config.yaml

# For reviewers: rebuild everything in a temporary directory and compare with CHECKSUMS.sha256.
verify: $(STAMP)
	$(BIN)/python -m bilateral verify --cores $(CORES)

# After an intended change of outputs: rebuild, then record the new checksums (commit them).
checksums: figures
	$(BIN)/python -m bilateral checksums

# The README's list of tables and programs, regenerated from the build's provenance record.
readme: figures
	$(BIN)/python -m bilateral programs --update README.md

# Snakemake's own report (report/snakemake.html), with a caption for each figure.
report: figures
	$(BIN)/snakemake --report report/snakemake.html

# Rebuild the committed raw snapshot from the IMF workbooks in ../shared (never needed for `make`).
snapshot: $(STAMP)
	$(BIN)/python -m bilateral -v snapshot --source ../shared/data/imf-dots-2022-xlsx --out data/raw/dots-2022

# Re-resolve the pins after editing pyproject.toml; environment.yml follows the lock file.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet uv==0.13.9
	$(BIN)/uv pip compile pyproject.toml --extra test --extra build --python-version 3.11 --generate-hashes -o requirements.lock
	$(BIN)/python -c 'from bilateral import pins; open("environment.yml", "w").write(pins.environment_yml(pins.lock_pins("requirements.lock")))'

# Remove every workflow output (the README.md of each output folder stays).
clean-outputs:
	find data/processed figures tables -type f ! -name README.md -delete
	rm -rf data/processed/*/ report logs
