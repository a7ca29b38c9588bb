# One command builds everything (`make`), one runs the tests (`make test`).
# Needs only python3 (3.11+) and make; the pinned environment is created in .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha256sum requirements.lock | cut -c1-12)
# The cluster executors' plugins live in an environment of their own, made only for a cluster run or
# the tests (`make cluster`): Snakemake imports every executor plugin it finds at start, and these
# import pandas and the Kubernetes client, which no local run needs: Snakemake's own start costs
# about twice the CPU with them (bench/RESULTS.md, the one-rule no-op in either environment).
# requirements-cluster.lock pins the same versions as requirements.lock plus the plugins and what
# they need (`make lock` makes both).
CLUSTER_VENV  := .venv-cluster
CLUSTER_BIN   := $(CLUSTER_VENV)/bin
CLUSTER_STAMP := $(CLUSTER_VENV)/.installed-$(shell sha256sum requirements-cluster.lock | cut -c1-12)
CORES  ?= all
# Every workflow run goes through bilateral.runner: one run at a time in this folder, and what an
# interrupted run left (its lock, jobs still running, incomplete outputs) is dealt with first.
SNAKEMAKE = $(BIN)/python -m bilateral.runner

# Is each environment still exactly what its lock file pins (a package removed or changed by hand)?
# If not, it is rebuilt. About 0.03 s per make; `pip check` would not notice a removed package that
# nothing else requires. The cluster environment is checked only for the goals that use it.
envcheck = $(if $(wildcard $(1)),$(shell $(2)/python src/bilateral/envcheck.py $(3) 2>&1 | head -n 3))
VENV_PROBLEMS := $(call envcheck,$(STAMP),$(BIN),requirements.lock)
ifneq ($(filter cluster test test-quick,$(MAKECMDGOALS)),)
CLUSTER_VENV_PROBLEMS := $(call envcheck,$(CLUSTER_STAMP),$(CLUSTER_BIN),requirements-cluster.lock)
endif
ifneq ($(strip $(VENV_PROBLEMS)),)
.PHONY: $(STAMP)
endif
ifneq ($(strip $(CLUSTER_VENV_PROBLEMS)),)
.PHONY: $(CLUSTER_STAMP)
endif

.PHONY: all figures cluster test test-quick lint snapshot lock clean-outputs update-data availability readme checksums verify report
all: figures

# make CONFIG=mine.yaml: settings of mine.yaml on top of config/config.yaml (e.g. another pair).
# Values from the command line reach the shell as environment variables inside double quotes, never
# pasted into the command line, so a space or a `;` in them is just a character of a file name.
CONFIG ?=
export BILATERAL_CONFIG := $(CONFIG)
CONFIGFILES = $(if $(CONFIG),--configfile config/config.yaml "$$BILATERAL_CONFIG")
figures: $(STAMP)
	$(SNAKEMAKE) --cores $(CORES) $(CONFIGFILES)

# A new environment whenever the lock file changes or the check above fails: the installer checks
# the hashes only of what it installs, so reusing an environment would accept a lock file whose
# hashes were altered for packages already installed. uv (pinned, installed with pip) installs the
# hashed lock in seconds where pip takes about a minute; it is given pip's own index settings
# (src/bilateral/uvpip.py), and `uv pip install` into the new, empty environment installs exactly
# the lock (`uv pip sync` would also remove pip and uv itself). The stamp is written last: an
# interrupted install is redone by the next make.
UV_VERSION := 0.13.9
# --compile-bytecode: as pip does, the .pyc files are written at install; uv does not by default, and
# where PYTHONDONTWRITEBYTECODE is set Python never writes them: every import compiles again.
uv = $(1)/bin/uv pip install --quiet --compile-bytecode --python $(1)/bin/python
# make_venv,FOLDER,LOCK,PROBLEMS: the recipe of either environment.
define make_venv
	$(if $(strip $(3)),@echo "make: $(1) does not match $(2) ($(strip $(3))); rebuilding it")
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: Python 3.11 or newer is needed ($(PYTHON) is $$($(PYTHON) --version))"; exit 1; }
	rm -rf $(1)
	$(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet uv==$(UV_VERSION)
	$(1)/bin/python src/bilateral/uvpip.py $(call uv,$(1)) --require-hashes --no-deps -r $(2)
	$(call uv,$(1)) --offline --no-deps --no-build-isolation -e .
	touch $@
endef
$(STAMP): requirements.lock pyproject.toml
	$(call make_venv,$(VENV),requirements.lock,$(VENV_PROBLEMS))

# The environment for a cluster run (README, "Running on a cluster"): .venv-cluster/bin/snakemake.
cluster: $(CLUSTER_STAMP)
$(CLUSTER_STAMP): requirements-cluster.lock pyproject.toml
	$(call make_venv,$(CLUSTER_VENV),requirements-cluster.lock,$(CLUSTER_VENV_PROBLEMS))

# Two workers (one per core here); tests marked xdist_group share a module's build in one worker, and the
# tests that need a built project copy one session build (tests/project_copy.py). The cluster tests
# (profiles, SLURM, Kubernetes) run Snakemake from .venv-cluster (conftest.cluster_python).
test: $(STAMP) $(CLUSTER_STAMP) lint
	$(BIN)/python -m pytest -n auto --dist loadgroup

# The tests that build nothing (what is not marked slow: no workflow or notebook run, browser,
# cluster or deadline wait), about half a minute, for the loop of editing the package. `make test`
# runs every test, as CI does.
test-quick: $(STAMP) $(CLUSTER_STAMP) lint
	$(BIN)/python -m pytest -n auto --dist loadgroup -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src scripts tests notebooks bench
	$(BIN)/ruff format --check src scripts tests notebooks bench
	$(BIN)/snakefmt --check Snakefile rules bench/one_rule/Snakefile bench/one_rule_param/Snakefile
	$(BIN)/snakemake --lint

# Pull the newest IMF figures (IMTS API) as a new vintage and rebuild everything from it:
#   make update-data                     (vintage = today's date, UTC)
#   make update-data VINTAGE=2026-11-28  (reuses that vintage if it is already on disk)
VINTAGE ?= $(shell date -u +%F)
export BILATERAL_VINTAGE := $(VINTAGE)
# Without a network it stops before any work, with one paragraph (bilateral/imts/offline.py).
IMTS_CONFIGS = --config config/config.yaml $(if $(CONFIG),--config "$$BILATERAL_CONFIG")
update-data: $(STAMP)
	@$(BIN)/python -m bilateral imts-check $(IMTS_CONFIGS) --vintage "$$BILATERAL_VINTAGE"
	$(SNAKEMAKE) --cores $(CORES) $(CONFIGFILES) --config source=imf-imts "vintage=$$BILATERAL_VINTAGE"

# Which years does the IMF have for each series of the pair? (asks the availability endpoint)
availability: $(STAMP)
	@$(BIN)/python -m bilateral imts-availability $(IMTS_CONFIGS)

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
	$(SNAKEMAKE) --report report/snakemake.html

# Rebuild the committed raw snapshot from the IMF workbooks in ../shared (never needed for `make`).
snapshot: $(STAMP)
	$(BIN)/python -m bilateral -v snapshot --source ../shared/data/imf-dots-2022-xlsx --out data/raw/dots-2022

# Re-resolve the pins after editing pyproject.toml: the cluster lock first (everything), then the
# workflow's, held to the same versions; environment.yml (conda) follows the workflow's, as .venv does.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra test --extra build --extra cluster --python-version 3.11 --generate-hashes -o requirements-cluster.lock
	$(BIN)/uv pip compile pyproject.toml --extra test --extra build --python-version 3.11 --generate-hashes -c requirements-cluster.lock -o requirements.lock
	$(BIN)/python -c 'from bilateral import pins; open("environment.yml", "w").write(pins.environment_yml(pins.lock_pins("requirements.lock")))'

# Remove every workflow output (the README.md of each output folder stays).
clean-outputs:
	find data/processed figures tables -type f ! -name README.md -delete
	rm -rf data/processed/*/ report logs
