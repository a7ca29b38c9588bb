"""The Kubernetes profile (issue 12): every key is an option Snakemake and its plugins know, and a
dry run plans every job without a cluster (no kubeconfig, no network)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT
from profile_options import profile_options
from project_copy import BIN, tracked_copy

PROFILE = "profiles/kubernetes"


def test_profile_options_are_known_to_snakemake_and_the_plugin(cluster_python):
    args = profile_options(cluster_python, ROOT / PROFILE / "profile.yaml")
    assert args["executor"] == "kubernetes"
    # Jobs share files through the storage plugin, on the volume every job mounts.
    assert args["default_storage_provider"] == "fs"
    mounts = [volume.split(":", 1)[1] for volume in args["kubernetes_persistent_volumes"]]
    prefix = args["default_storage_prefix"]
    assert any(prefix.startswith(path) for path in mounts), (prefix, mounts)
    # Not Snakemake's default image, which lacks the project's packages.
    assert args["container_image"] and not args["container_image"].startswith("snakemake/")


def test_a_misspelt_profile_key_is_refused(cluster_python, tmp_path):
    """What the test above relies on: the parser rejects a key no option has, naming it."""
    profile = tmp_path / "profile.yaml"
    profile.write_text("executor: kubernetes\nkubernetes-namspace: default\n")
    with pytest.raises(subprocess.CalledProcessError) as refused:
        profile_options(cluster_python, profile)
    assert "kubernetes-namspace" in refused.value.stderr


def job_stats(output: str) -> dict[str, int]:
    stats = re.findall(r"^(\w+)\s+(\d+)$", output, flags=re.M)
    return {rule: int(n) for rule, n in stats if rule != "total"}


@pytest.mark.slow
def test_dry_run_plans_every_job_without_a_cluster(cluster_python, tmp_path):
    """The whole build planned through the profile, storage plugin included (the `cluster` extra),
    with no cluster to reach: the same jobs as a local plan. Rules pass each other's files on as
    declared (common.smk `declared`), so the default storage provider does not map them twice."""
    project = tracked_copy(tmp_path / "project")
    home = tmp_path / "home"
    home.mkdir()
    # No kubeconfig anywhere and no service account: a plugin that wanted a cluster would fail.
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(home),
        "KUBECONFIG": str(tmp_path / "no-kubeconfig"),
    }
    env.pop("KUBERNETES_SERVICE_HOST", None)
    plan = ["-m", "snakemake", "--dry-run", "--quiet", "rules"]
    # The storage prefix is the project copy itself: its committed inputs are "in storage".
    on_kubernetes = subprocess.run(
        [str(cluster_python), *plan, "--profile", PROFILE, "--default-storage-prefix", str(project)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    said = on_kubernetes.stdout[-3000:] + on_kubernetes.stderr[-3000:]
    assert on_kubernetes.returncode == 0, said
    local = subprocess.run([sys.executable, *plan], cwd=project, env=env, capture_output=True, text=True, check=True)
    expected = job_stats(local.stdout)
    assert expected.get("figure") == 3  # the paper's three figures: the plan is the full build
    assert job_stats(on_kubernetes.stdout) == expected
