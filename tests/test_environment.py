"""The lock file and environment.yml carry the same pins."""

from conftest import ROOT

from bilateral.pins import environment_pins, environment_yml, lock_pins


def test_environment_yml_matches_the_lock_file():
    lock = lock_pins(ROOT / "requirements.lock")
    assert {"pandas", "snakemake", "papermill", "pandera", "seaborn", "nbval", "pytest"} <= set(lock)
    assert environment_pins(ROOT / "environment.yml") == lock
    assert (ROOT / "environment.yml").read_text() == environment_yml(lock)


def test_every_lock_entry_is_pinned_with_hashes():
    text = (ROOT / "requirements.lock").read_text()
    assert text.count("==") == len(lock_pins(ROOT / "requirements.lock"))
    assert text.count("--hash=sha256:") >= len(lock_pins(ROOT / "requirements.lock"))
