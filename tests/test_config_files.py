"""The record names the config files a run read the same way wherever the project lies."""

import hashlib

from bilateral.settings import config_files


def test_config_files_inside_the_project_are_named_relative_to_it(tmp_path, monkeypatch):
    project, outside = tmp_path / "project", tmp_path / "mine.yaml"
    (project / "config").mkdir(parents=True)
    (project / "config/config.yaml").write_text("figure_dpi: 300\n")
    outside.write_text("figure_dpi: 150\n")
    monkeypatch.chdir(project)
    # As Snakemake passes them: the main file relative, a --configfile absolute.
    named = config_files(["config/config.yaml", str(project / "config/config.yaml"), str(outside)])
    assert named == {
        "config/config.yaml": hashlib.sha256(b"figure_dpi: 300\n").hexdigest(),
        str(outside): hashlib.sha256(b"figure_dpi: 150\n").hexdigest(),
    }
