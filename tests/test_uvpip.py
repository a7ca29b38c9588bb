"""`make` installs with uv from the indexes pip is configured with (src/bilateral/uvpip.py)."""

from __future__ import annotations

import subprocess

from conftest import ROOT

from bilateral.uvpip import command, pip_settings

# A `pip config list` as pip 23-25 prints it: a file's [global] and [install] sections, then PIP_* variables.
LISTING = """\
global.cert='/etc/ssl/certs/ca-certificates.crt'
global.extra-index-url='file:///opt/pypi/simple file:///opt/pypi-more/simple'
global.find-links='/opt/wheels'
global.index-url='https://mirror.example/simple'
install.index-url='https://install.example/simple'
:env:.default-timeout='180'
:env:.find-links='/srv/wheels /opt/more wheels'
"""


def test_pip_install_settings_follow_pips_precedence():
    settings = pip_settings(LISTING)
    assert settings["index-url"] == "https://install.example/simple"  # [install] over [global]
    assert settings["find-links"] == "/srv/wheels /opt/more wheels"  # PIP_FIND_LINKS over the file
    assert settings["cert"] == "/etc/ssl/certs/ca-certificates.crt"


def test_uv_gets_pips_indexes_after_its_subcommand():
    args, env = command(["/v/bin/uv", "pip", "install", "-r", "requirements.lock"], pip_settings(LISTING))
    assert args[:3] == ["/v/bin/uv", "pip", "install"] and args[-2:] == ["-r", "requirements.lock"]
    options = args[3:-2]
    assert options[:2] == ["--index-url", "https://install.example/simple"]
    pairs = list(zip(options[::2], options[1::2], strict=True))
    assert ("--extra-index-url", "file:///opt/pypi/simple") in pairs
    assert ("--extra-index-url", "file:///opt/pypi-more/simple") in pairs
    # pip splits find-links on whitespace: a path with a space cannot be written there either.
    assert [value for flag, value in pairs if flag == "--find-links"] == ["/srv/wheels", "/opt/more", "wheels"]
    # pip's way of choosing among indexes (all together), not uv's first-index default.
    assert ("--index-strategy", "unsafe-best-match") in pairs
    assert env == {"SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt", "UV_HTTP_TIMEOUT": "180"}


def test_without_pip_settings_uv_keeps_its_defaults():
    args, env = command(["uv", "pip", "install", "x"], pip_settings(""))
    assert args == ["uv", "pip", "install", "x"] and env == {}


def test_the_makefile_installs_the_hashed_lock_with_uv_and_stamps_last():
    digest = subprocess.run(["sha256sum", "requirements.lock"], cwd=ROOT, capture_output=True, text=True, check=True)
    stamp = f".venv/.installed-{digest.stdout[:12]}"
    dry = subprocess.run(["make", "-n", "-B", stamp], cwd=ROOT, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    steps = [line for line in dry.stdout.splitlines() if line.startswith((".venv/", "touch "))]
    assert steps[-4:] == [
        ".venv/bin/python -m pip install --quiet uv==0.13.9",
        ".venv/bin/python src/bilateral/uvpip.py .venv/bin/uv pip install --quiet --compile-bytecode"
        " --python .venv/bin/python"
        " --require-hashes --no-deps -r requirements.lock",
        ".venv/bin/uv pip install --quiet --compile-bytecode --python .venv/bin/python --offline --no-deps"
        " --no-build-isolation -e .",
        f"touch {stamp}",
    ]
