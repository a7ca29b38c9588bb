"""The Kubernetes profile (issue 12): every key is an option Snakemake and its plugins know, and a
dry run plans every job without a cluster (no kubeconfig, no network)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from project_copy import BIN, tracked_copy

PROFILE = "profiles/kubernetes"


def parse_profile(profile: Path):
    """The options a profile sets, as Snakemake's own command line parser reads them (with every
    installed executor plugin's options); an unknown key stops it with SystemExit."""
    from snakemake.cli import get_argument_parser

    return get_argument_parser(profiles=[str(profile)]).parse_args([])


def test_profile_options_are_known_to_snakemake_and_the_plugin():
    args = parse_profile(ROOT / PROFILE / "profile.yaml")
    assert args.executor == "kubernetes"
    # Jobs share files through the storage plugin, on the volume every job mounts.
    assert args.default_storage_provider == "fs"
    mounts = [volume.split(":", 1)[1] for volume in args.kubernetes_persistent_volumes]
    assert any(args.default_storage_prefix.startswith(path) for path in mounts), (args.default_storage_prefix, mounts)
    # Not Snakemake's default image, which lacks the project's packages.
    assert args.container_image and not args.container_image.startswith("snakemake/")


def test_a_misspelt_profile_key_is_refused(tmp_path):
    """What the test above relies on: the parser rejects a key no option has."""
    profile = tmp_path / "profile.yaml"
    profile.write_text("executor: kubernetes\nkubernetes-namspace: default\n")
    with pytest.raises(SystemExit):
        parse_profile(profile)


def job_stats(output: str) -> dict[str, int]:
    stats = re.findall(r"^(\w+)\s+(\d+)$", output, flags=re.M)
    return {rule: int(n) for rule, n in stats if rule != "total"}


@pytest.mark.slow
def test_dry_run_plans_every_job_without_a_cluster(tmp_path):
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
    plan = [sys.executable, "-m", "snakemake", "--dry-run", "--quiet", "rules"]
    # The storage prefix is the project copy itself: its committed inputs are "in storage".
    on_kubernetes = subprocess.run(
        [*plan, "--profile", PROFILE, "--default-storage-prefix", str(project)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    said = on_kubernetes.stdout[-3000:] + on_kubernetes.stderr[-3000:]
    assert on_kubernetes.returncode == 0, said
    local = subprocess.run(plan, cwd=project, env=env, capture_output=True, text=True, check=True)
    expected = job_stats(local.stdout)
    assert expected.get("figure") == 3  # the paper's three figures: the plan is the full build
    assert job_stats(on_kubernetes.stdout) == expected
