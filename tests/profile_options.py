"""A profile's options as Snakemake and the executor plugins parse them, in the cluster environment.

The plugins are installed in .venv-cluster only (`make cluster`; the Makefile says why), not in .venv
where the tests run, so the profile is parsed by that environment's Python and handed back as JSON:
each resource as its value, where it has one without a rule (tmpdir's depends on the job's system).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

PARSE = """
import json, sys
from snakemake.cli import get_argument_parser
from snakemake.resources import Resource

def plain(value):
    if hasattr(value, "items"):
        return {name: plain(item) for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, Resource):
        try:
            return value.value
        except ValueError:  # its value is computed for each job
            return None
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)

args = get_argument_parser(profiles=[sys.argv[1]]).parse_args([])
print(json.dumps({name: plain(value) for name, value in vars(args).items()}))
"""


def profile_options(python: Path, profile: Path) -> dict:
    """The options `profile` sets, as parsed by `python` (the cluster environment's); a key no option
    has makes Snakemake's parser exit, raised here as CalledProcessError with its message."""
    parsed = subprocess.run([str(python), "-c", PARSE, str(profile)], capture_output=True, text=True, check=True)
    return json.loads(parsed.stdout)
