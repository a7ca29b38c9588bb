"""The project's own error for unusable input: the CLI prints it as `error: <message>`.

Every message names the file, the place in it (line, column or key path) and what to do, so
that a reader never has to decode a pandas or YAML internal error.
"""

from __future__ import annotations


class InputError(ValueError):
    """An input file (raw data, IMF answer, a YAML file the user edits) is not usable."""
