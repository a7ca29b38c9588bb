"""The lock files and environment.yml carry the same pins; the workflow's environment has no cluster plugin."""

import pkgutil

import pytest
from conftest import ROOT

from bilateral.pins import environment_pins, environment_yml, lock_pins

LOCKS = ("requirements.lock", "requirements-cluster.lock")
# The cluster extra of pyproject.toml: what .venv-cluster has on top of .venv.
PLUGINS = {
    "snakemake-executor-plugin-slurm",
    "snakemake-executor-plugin-slurm-jobstep",
    "snakemake-executor-plugin-kubernetes",
    "snakemake-storage-plugin-fs",
}


def test_environment_yml_matches_the_workflows_lock():
    lock = lock_pins(ROOT / "requirements.lock")
    assert {"pandas", "snakemake", "papermill", "pandera", "seaborn", "nbval", "pytest"} <= set(lock)
    assert environment_pins(ROOT / "environment.yml") == lock
    assert (ROOT / "environment.yml").read_text() == environment_yml(lock)


@pytest.mark.parametrize("name", LOCKS)
def test_every_lock_entry_is_pinned_with_hashes(name):
    text = (ROOT / name).read_text()
    assert text.count("==") == len(lock_pins(ROOT / name))
    assert text.count("--hash=sha256:") >= len(lock_pins(ROOT / name))


def test_the_cluster_lock_is_the_workflows_plus_the_plugins():
    """Both environments run the same code at the same versions; only the plugins and what they
    need are added, and no plugin is in the workflow's lock."""
    workflow, cluster = lock_pins(ROOT / LOCKS[0]), lock_pins(ROOT / LOCKS[1])
    assert {name: cluster.get(name) for name in workflow} == workflow
    assert cluster.keys() - workflow.keys() >= PLUGINS
    assert not [name for name in workflow if name.startswith("snakemake-executor-plugin")]


def test_the_workflow_environment_has_no_cluster_plugin():
    """Why .venv-cluster exists (Makefile): Snakemake imports every executor and storage plugin it
    finds at start (the Kubernetes client; pandas for SLURM's), so .venv, which every local run
    starts, has none."""
    plugins = ("snakemake_executor_plugin", "snakemake_storage_plugin")
    found = [module.name for module in pkgutil.iter_modules() if module.name.startswith(plugins)]
    assert found == []
