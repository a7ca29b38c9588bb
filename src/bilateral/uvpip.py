"""Run `uv pip ...` with pip's package-registry settings, so that `make` installs from the same indexes
pip would (a CI machine or a mirror configured for pip alone keeps working).

    .venv/bin/python src/bilateral/uvpip.py .venv/bin/uv pip install --require-hashes ... -r requirements.lock

uv does not read pip's configuration files (pip.conf, PIP_* variables); this reads them through
`pip config list` and passes them on as uv's own options. Run as a script with the environment's
python before anything else is installed: it needs the standard library and pip only.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

# `section.key='value'` lines of `pip config list`; `:env:` is a PIP_* variable.
LINE = re.compile(r"^(?P<section>[^.\s]*)\.(?P<key>[\w-]+)=(?P<value>.*)$")
# pip applies [install] over [global] for `pip install`, and PIP_* variables over both.
PRECEDENCE = {"global": 0, "install": 1, ":env:": 2}


def pip_settings(listing: str) -> dict[str, str]:
    """The value pip's `install` would use for each key of a `pip config list` output."""
    chosen: dict[str, tuple[int, str]] = {}
    for line in listing.splitlines():
        match = LINE.match(line.strip())
        if not match or match["section"] not in PRECEDENCE:
            continue
        rank = PRECEDENCE[match["section"]]
        value = ast.literal_eval(match["value"]) if match["value"][:1] in "'\"" else match["value"]
        if match["key"] not in chosen or rank >= chosen[match["key"]][0]:
            chosen[match["key"]] = (rank, value)
    return {key: value for key, (_, value) in chosen.items()}


def uv_options(settings: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """uv's command-line options and environment for pip's settings."""
    args: list[str] = []
    env: dict[str, str] = {}
    if settings.get("no-index", "").lower() in ("1", "true", "yes", "on"):
        args.append("--no-index")
    if settings.get("index-url"):
        args += ["--index-url", settings["index-url"]]
    for url in settings.get("extra-index-url", "").split():
        args += ["--extra-index-url", url]
    for place in settings.get("find-links", "").split():
        args += ["--find-links", place]
    for host in settings.get("trusted-host", "").split():
        args += ["--allow-insecure-host", host]
    if args:
        # pip picks each package from all its indexes together; uv's default takes the first index
        # that has the name at all, which fails when a mirror holds other versions than the pinned
        # one. The lock's hashes decide what may be installed either way.
        args += ["--index-strategy", "unsafe-best-match"]
    if settings.get("cert"):
        env["SSL_CERT_FILE"] = settings["cert"]
    if settings.get("timeout") or settings.get("default-timeout"):
        env["UV_HTTP_TIMEOUT"] = settings.get("timeout") or settings["default-timeout"]
    return args, env


def command(uv_args: list[str], settings: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """`uv pip <subcommand> ...` with pip's settings inserted after the subcommand."""
    if len(uv_args) < 3 or uv_args[1] != "pip":
        raise SystemExit(f"usage: uvpip.py UV pip SUBCOMMAND [ARGS...]; got {' '.join(uv_args)!r}")
    args, env = uv_options(settings)
    return [*uv_args[:3], *args, *uv_args[3:]], env


def main(argv: list[str]) -> int:
    listing = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=True
    ).stdout
    args, env = command(argv, pip_settings(listing))
    return subprocess.run(args, env={**os.environ, **env}).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
