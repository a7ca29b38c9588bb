"""YAML files the user edits (config/regimes.yaml, config/claims.yaml), checked against a JSON Schema.

Every message names the file, the key path (`governments[3].start`) and the line, so a reader
can go straight to the entry. Dates are read as text and checked by the schema (format `date`):
PyYAML would otherwise turn `1975-13-01` into the bare error "month must be in 1..12".
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import math
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from .errors import InputError

TIMESTAMP = "tag:yaml.org,2002:timestamp"


class YamlFileError(InputError):
    """A YAML file the user edits is unreadable or breaks its schema."""


class Refused(yaml.constructor.ConstructorError):
    """Valid YAML that a file the user edits must not hold; `problem` says what, the mark where."""


class _Strict:
    """What YAML allows but a settings file must not hold. A key given twice: the last one would
    win without a word, and the value the user sees first is not the one used. A number that is
    not finite (.nan, .inf): every comparison with NaN is false, so a schema's minimum and maximum
    let it through, and a tolerance of .inf makes every check pass."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            self._refuse_keys_given_twice(node)
        return super().construct_mapping(node, deep=deep)

    def _refuse_keys_given_twice(self, node: yaml.MappingNode) -> None:
        """Keys are the same when their values are (`yes` and `true`, `1` and `1.0`), as in the
        mapping YAML builds. A merge (`<<`) may be given once, and what it merges is checked too;
        a key of the mapping itself may override a merged one (that is what a merge is for)."""
        first = {}
        for key, value in node.value:
            if key.tag == "tag:yaml.org,2002:merge":
                merged = value.value if isinstance(value, yaml.SequenceNode) else [value]
                for mapping in merged:
                    if isinstance(mapping, yaml.MappingNode):
                        self._refuse_keys_given_twice(mapping)
                name = "<<"
            else:
                name = self.construct_object(key, deep=True) if isinstance(key, yaml.ScalarNode) else None
            if name is None and key.tag != "tag:yaml.org,2002:null":
                continue  # a key that is itself a list or a mapping: no file of ours has one
            if name in first:
                raise Refused(
                    None,
                    None,
                    f"the key {key.value!r} is given twice (first on line {first[name]}); "
                    "keep one: YAML would silently use the last",
                    key.start_mark,
                )
            first[name] = key.start_mark.line + 1

    def construct_finite_float(self, node):
        value = self.construct_yaml_float(node)
        if not math.isfinite(value):
            raise Refused(None, None, f"{node.value!r} is not a finite number; give a number", node.start_mark)
        return value


def _strict(base: type) -> type:
    """`base` with _Strict's checks (its mappings call construct_mapping; floats need their own entry)."""
    loader = type(f"Strict{base.__name__}", (_Strict, base), {})
    loader.add_constructor("tag:yaml.org,2002:float", _Strict.construct_finite_float)
    return loader


STRICT_LOADER = _strict(yaml.SafeLoader)


class _TextDates(STRICT_LOADER):
    """The strict safe loader, except that dates stay text, for the schema to check with a location."""


_TextDates.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# libyaml's parser (PyYAML's C extension) reads these files about ten times faster, which every
# workflow load pays several times; the pure-Python one is kept for the error messages, whose
# wording the README quotes. The C loader resolves scalars with the same (Python) resolvers.
FAST_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastTextDates(_strict(FAST_SAFE_LOADER)):
    yaml_implicit_resolvers = _TextDates.yaml_implicit_resolvers


def _compose(loader_class: type, text: str) -> tuple[yaml.Node | None, object]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def safe_load(stream) -> object:
    """yaml.safe_load with libyaml when present: for files checked before (a schema, a file `read`
    has checked), whose errors need no pure-Python wording."""
    return yaml.load(stream, Loader=FAST_SAFE_LOADER)


def read(path: str | Path, what: str, error: type[InputError] = YamlFileError) -> tuple[object, dict[tuple, int]]:
    """(document, line of each key path) of the YAML file `path`; `what` says which file it is;
    problems raise `error` (the caller's own error class)."""
    path = Path(path)
    if not path.is_file():
        raise error(f"{path}: no such file ({what})")
    text = path.read_text(encoding="utf-8")
    try:
        document, lines = _parsed(text)
    except Refused as exc:
        raise error(f"{path}{_mark(exc)}: {exc.problem}") from None
    except yaml.YAMLError:
        try:  # the pure-Python parser says where and what, in the words the README quotes
            node, document = _compose(_TextDates, text)
        except yaml.YAMLError as exc:
            raise error(f"{path}{_mark(exc)}: not valid YAML: {_problem(exc)}; fix the syntax there") from None
        lines = tuple(_lines(node, ())) if node is not None else ()
    if document is None:
        raise error(f"{path}: the file is empty ({what}); see the committed file for its shape")
    # A copy: the parse is shared by every reader of the same text, and callers may change theirs.
    return copy.deepcopy(document), dict(lines)


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> tuple[object, tuple]:
    """The document and its key paths' lines, parsed once per text: loading the workflow reads the
    regimes and claims files several times (each check on its own), and a parse is most of a read."""
    node, document = _compose(_FastTextDates, text)
    return document, tuple(_lines(node, ())) if node is not None else ()


def load_text(path: str | Path) -> object:
    """The YAML document of `path` (a file a check has read before), parsed once per content."""
    document, _ = _parsed(Path(path).read_text(encoding="utf-8"))
    return copy.deepcopy(document)


def entry_label(section: str, noun: str):
    """A `label` for read_checked: ' (<noun> '<id>')' for a key path inside an entry of the list
    `section` (' (claim 'fig2-lowest-2002')'), so that a message names the entry, not only its index."""

    def label(document: dict, at: tuple) -> str:
        if len(at) >= 2 and at[0] == section and isinstance(document.get(section), list):
            entry = document[section][at[1]]
            if isinstance(entry, dict) and "id" in entry:
                return f" ({noun} {entry['id']!r})"
        return ""

    return label


def read_checked(
    path: str | Path, what: str, schema: str | Path, error: type[InputError] = YamlFileError, label=None
) -> tuple[object, dict[tuple, int]]:
    """`read`, then `validate` against the schema file `schema`; a text that passed once is not checked
    again (loading the workflow checks the regimes and claims files once per question it asks)."""
    document, lines = read(path, what, error)
    key = (Path(path).read_text(encoding="utf-8"), str(schema))
    if key not in _PASSED:
        validate(document, load_schema(schema), path, lines, label, error)
        _PASSED.add(key)
    return document, lines


_PASSED: set[tuple[str, str]] = set()


def _mark(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def _problem(exc: yaml.YAMLError) -> str:
    parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    return ", ".join(p for p in parts if p) or str(exc)


def _lines(node: yaml.Node, at: tuple) -> Iterable[tuple[tuple, int]]:
    yield at, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _lines(value, (*at, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _lines(item, (*at, index))


def load_schema(path: str | Path) -> dict:
    return load_text(path)


def validate(
    document: object,
    schema: dict,
    path: str | Path,
    lines: dict[tuple, int],
    label=None,
    error: type[InputError] = YamlFileError,
) -> None:
    """Check `document` against `schema`; raise naming file, line and key path of the first problem.

    `label(document, key_path)` may add words to the location (e.g. the government's id).
    """
    import jsonschema  # here, not at the top: `make` reads YAML files before Snakemake starts

    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: (_line(lines, e.absolute_path), list(e.path)))
    if not errors:
        return
    first = jsonschema.exceptions.best_match([errors[0]])
    at = tuple(first.absolute_path)
    extra = label(document, at) if label else ""
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    raise error(f"{path}, line {_line(lines, at)}: {key_path(at) or 'top level'}{extra}: {_message(first)}{more}")


def _line(lines: dict[tuple, int], at) -> int:
    """The line of the key path, or of the nearest enclosing entry (a missing key has none)."""
    at = tuple(at)
    while at not in lines and at:
        at = at[:-1]
    return lines.get(at, 1)


def key_path(at: Iterable) -> str:
    """('governments', 3, 'start') -> 'governments[3].start'."""
    text = ""
    for part in at:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# What Python reads as a number but YAML 1.1 (PyYAML, Snakemake's reader) may read as text: a float
# needs a decimal point and a signed exponent there (1.0e+3), so 1e3, 1.0e3 and 1e+3 are strings.
_NUMBER = re.compile(r"[-+]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][-+]?\d+)?")


def number_as_text(error) -> str | None:
    """For a value a schema refused (a jsonschema error) where it wants a number: if the value is a
    number YAML read as text, what happened and how to write it; else None."""
    value, wanted = error.instance, error.schema.get("type") if isinstance(error.schema, dict) else None
    wanted = wanted if isinstance(wanted, list) else [wanted]
    if not ({"integer", "number"} & set(wanted) and isinstance(value, str) and _NUMBER.fullmatch(value.strip())):
        return None
    if isinstance(yaml.safe_load(value), (int, float)):
        how = "write it without quotes"  # unquoted, YAML would have read it as a number
    else:
        how = "YAML takes a number with an exponent only with a decimal point and a sign (1.0e+3); write it in full"
    return f"{value!r} is read as text, not a number: {how}"


def _message(error) -> str:
    if how := number_as_text(error):
        return how
    if error.validator == "format" and error.validator_value == "date":
        return f"{error.instance!r} is not a date YYYY-MM-DD (a real day of the calendar)"
    if "propertyNames" in error.relative_schema_path:
        return f"key {error.instance!r} is not one of this entry's keys {error.validator_value}"
    if error.validator == "pattern" and "description" in error.schema:
        return f"{error.instance!r} is not allowed: {error.schema['description']}"
    return error.message


def date(text: str | None) -> dt.date | None:
    """A date the schema has checked (format `date`), or None."""
    return None if text is None else dt.date.fromisoformat(text)


def read_yaml_mapping(path: str | Path) -> dict:
    """A YAML file that must hold a mapping: a syntax error or an empty file names the file and line."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=STRICT_LOADER)
    except Refused as err:
        raise ValueError(f"{path}{_mark(err)}: {err.problem}") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ValueError(f"{path}{where}: not valid YAML ({err.problem or err.context}); fix the file") from None
    if not isinstance(document, dict) or not document:
        found = type(document).__name__ if document else "nothing"
        raise ValueError(
            f"{path}: expected settings as 'key: value' lines, found {found}; restore it with `git checkout -- {path}`"
        )
    return document
