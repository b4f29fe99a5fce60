"""The isolation contract: YAML configuration merged over this backend's defaults.

The contract is a ``.netra-isolation.yaml`` or the ``[tool.netra-isolation-lint]`` table of a
``pyproject.toml`` (read with ``tomllib``, ``tomli`` on Python 3.10), with the same keys; either may
``extends`` another file, whose settings it overrides key by key.

Loading is fail-closed. Every problem becomes one line naming the file, the key and what is wrong;
the caller turns a :class:`ConfigError` into exit status 2 (CLI), a flake8 ``ExecutionError`` or a
pylint usage error. YAML is read with ``yaml.safe_load`` only, after an event-level pre-pass that
rejects what ``safe_load`` would accept silently or choke on (tags, aliases, duplicate keys, nesting).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from typing import Any

CONFIG_FILENAME = ".netra-isolation.yaml"
PYPROJECT_FILENAME = "pyproject.toml"
TOOL_TABLE = "netra-isolation-lint"  # [tool.netra-isolation-lint] of a pyproject.toml (of any *.toml named)
# Why a bound: a monorepo needs two or three levels; a longer chain is a mistake, and the error names it.
MAX_EXTENDS_DEPTH = 10
MAX_CONFIG_BYTES = 256 * 1024
MAX_CONFIG_DEPTH = 16
CODE_PATTERN = re.compile(r"^NIL[0-9]{0,3}$")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_*?]+$")


class ConfigError(Exception):
    """One or more configuration problems, each already a one-line message."""

    def __init__(self, problems: list[str]):
        # Why: problems quote keys, values and paths taken from the file and the file system. A key such
        # as "a\nb" or "\x1b]0;x\x07" must not split the "one line per problem" contract or drive the
        # terminal / CI log (a fake "::error" line), so every problem is escaped to one printable line.
        problems = [_printable_line(problem) for problem in problems]
        super().__init__("\n".join(problems))
        self.problems = problems


def _printable_line(text: str) -> str:
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable():
            out.append(ch)
        else:
            code = ord(ch)
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or (
                f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"))
    return "".join(out)


@dataclass(frozen=True)
class Config:
    critical_events: tuple[str, ...] = (
        "agent_started",
        "agent_thinking",
        "tool_executing",
        "tool_completed",
        "agent_completed",
    )
    custom_events: tuple[str, ...] = ()
    # singleton bridge
    accessors: tuple[str, ...] = ("get_agent_websocket_bridge",)
    bridge_classes: tuple[str, ...] = ("AgentWebSocketBridge",)
    legacy_methods: tuple[str, ...] = (
        "notify_agent_error",
        "notify_agent_death",
        "notify_progress_update",
        "notify_custom",
    )
    bridge_names: tuple[str, ...] = ("bridge", "*_bridge")
    # context binding
    context_parameter: str = "user_context"
    context_types: tuple[str, ...] = ("UserExecutionContext",)
    context_attributes: tuple[str, ...] = ("user_context", "_user_context")
    context_setters: tuple[str, ...] = ("set_user_context",)
    agent_bases: tuple[str, ...] = ("BaseAgent",)
    bound_classes: tuple[str, ...] = ("WorkflowOrchestrator", "PipelineExecutor")
    # emitters
    emitter_factories: tuple[str, ...] = (
        "create_user_emitter",
        "create_user_emitter_from_ids",
        "create_scoped_emitter",
    )
    emitter_getters: tuple[str, ...] = ("_get_user_emitter", "_get_user_emitter_from_context")
    emitter_names: tuple[str, ...] = ("emitter", "*_emitter")
    emitter_helpers: tuple[str, ...] = ("emit_custom_event",)
    event_sinks: tuple[str, ...] = ("emit_custom_event",)
    emitter_classes: tuple[str, ...] = ()
    # the isolation API: modules whose classes and functions every call is checked against, and classes whose
    # methods are all known (their own and their known bases') even when a base cannot be read
    api_modules: tuple[str, ...] = ("websocket_core", "websocket_core.*", "*.websocket_core", "*.websocket_core.*")
    complete_classes: tuple[str, ...] = ()
    # selection and files
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fixable: tuple[str, ...] = ()  # --fix touches these codes (empty: every code with a fix) ...
    unfixable: tuple[str, ...] = ()  # ... but never these
    per_path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    # the test suite: code there proves nothing about what production sends (NIL403)
    test_paths: tuple[str, ...] = ("tests", "test", "testing", "test_*.py", "*_test.py", "conftest.py")
    max_file_bytes: int = 2 * 1024 * 1024
    # suppressions (noqa.py): what a `# noqa` must give and may silence, and what is reported about it
    noqa_requires_reason: bool = False
    unsuppressible: tuple[str, ...] = ()
    report_unused_noqa: bool = False  # NIL903
    include_suppressed: bool = False  # SARIF: the suppressed findings too, with their reasons
    # where it came from (not a YAML key)
    source: str | None = field(default=None, compare=False)
    root: str = field(default=".", compare=False)
    # the files the source extends, nearest first; their settings are merged into the fields above
    extended: tuple[str, ...] = field(default=(), compare=False)
    # one-line remarks on how the config was found, printed once per run by print_notes()
    notes: tuple[str, ...] = field(default=(), compare=False)
    # (field, the file that set it as messages name it): see origin()
    origins: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    # Cached: the handlers ask for these on every call they see. A frozen dataclass still has a __dict__, where
    # cached_property keeps the value; fields alone decide equality.
    @functools.cached_property
    def events(self) -> frozenset[str]:
        return frozenset(self.critical_events) | frozenset(self.custom_events)

    @functools.cached_property
    def legacy_bridge_methods(self) -> frozenset[str]:
        return frozenset("notify_" + e for e in self.critical_events) | frozenset(self.legacy_methods)


DEFAULTS = Config()

# YAML layout: section -> {yaml key: (Config field, kind)}. Top-level keys use section None.
_LIST = "names"  # list of identifiers or dotted names
_IDENTS = "identifiers"  # list of bare identifiers: compared with method and attribute names as written
_EVENTS = "events"
_PATTERNS = "patterns"  # names with * and ? wildcards
_CODES = "codes"
_GLOBS = "globs"
_IDENT = "identifier"
_INT = "positive integer"
_IGNORES = "per-path ignores"
_BOOL = "boolean"

SCHEMA: dict[str | None, dict[str, tuple[str, str]]] = {
    None: {
        "critical_events": ("critical_events", _EVENTS),
        "custom_events": ("custom_events", _EVENTS),
        "select": ("select", _CODES),
        "ignore": ("ignore", _CODES),
        "fixable": ("fixable", _CODES),
        "unfixable": ("unfixable", _CODES),
        "per_path_ignores": ("per_path_ignores", _IGNORES),
        "exclude": ("exclude", _GLOBS),
        "test_paths": ("test_paths", _GLOBS),
        "max_file_bytes": ("max_file_bytes", _INT),
        "noqa_requires_reason": ("noqa_requires_reason", _BOOL),
        "unsuppressible": ("unsuppressible", _CODES),
        "report_unused_noqa": ("report_unused_noqa", _BOOL),
        "include_suppressed": ("include_suppressed", _BOOL),
    },
    "singleton": {
        "accessors": ("accessors", _LIST),
        "bridge_classes": ("bridge_classes", _LIST),
        "legacy_methods": ("legacy_methods", _IDENTS),
        "bridge_names": ("bridge_names", _PATTERNS),
    },
    "context": {
        "parameter": ("context_parameter", _IDENT),
        "types": ("context_types", _LIST),
        "attributes": ("context_attributes", _IDENTS),
        "setters": ("context_setters", _IDENTS),
        "agent_bases": ("agent_bases", _LIST),
        "bound_classes": ("bound_classes", _LIST),
    },
    "emitters": {
        "factories": ("emitter_factories", _IDENTS),
        "getters": ("emitter_getters", _IDENTS),
        "names": ("emitter_names", _PATTERNS),
        "helpers": ("emitter_helpers", _IDENTS),
        "event_sinks": ("event_sinks", _IDENTS),
        "classes": ("emitter_classes", _LIST),
    },
    "api": {
        "modules": ("api_modules", _GLOBS),
        "complete_classes": ("complete_classes", _LIST),
    },
}
SECTIONS = tuple(k for k in SCHEMA if k is not None)


def find_config(start: str) -> str | None:
    """The nearest config from ``start`` upward, stopping at a repository root: a ``.netra-isolation.yaml``, or
    a ``pyproject.toml`` with a ``[tool.netra-isolation-lint]`` table (the YAML file wins in one directory)."""
    return _discover(start)[0]


def _discover(start: str) -> tuple[str | None, tuple[str, ...]]:
    """(the discovered file or None, notes for the user). A pyproject.toml without the table is not a config and
    the search goes on; one that cannot be read or parsed is an error, as it may hold the contract (fail closed)."""
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, CONFIG_FILENAME)
        pyproject = os.path.join(directory, PYPROJECT_FILENAME)
        if os.path.lexists(candidate):
            notes = ()
            if os.path.lexists(pyproject) and _has_tool_table(pyproject):
                notes = (f"{directory}: ignores [tool.{TOOL_TABLE}] in {PYPROJECT_FILENAME}; "
                         f"{CONFIG_FILENAME} wins",)
            return candidate, notes
        if os.path.lexists(pyproject) and _has_table(_parse_toml(pyproject, _read(pyproject, True))):
            return pyproject, ()
        if os.path.exists(os.path.join(directory, ".git")):
            return None, ()
        parent = os.path.dirname(directory)
        if parent == directory:
            return None, ()
        directory = parent


def resolve_config(explicit: str | None, cwd: str | None = None) -> Config:
    """``explicit`` path if given, else the discovered file, else the defaults."""
    if explicit:
        return load_config(explicit)
    found, notes = _discover(cwd or os.getcwd())
    if not found:
        return DEFAULTS
    return dataclasses.replace(load_config(found, discovered=True), notes=notes)


def load_config(path: str, discovered: bool = False) -> Config:
    """``path`` over the files it ``extends``, over the defaults. A ``*.toml`` file contributes its
    ``[tool.netra-isolation-lint]`` table, any other file is YAML. ``discovered``: found by walking up from the
    working directory rather than named by the user; it must then be a regular file (a FIFO or device planted in
    the tree must not hang or feed the run). An extended file must always be one."""
    chain = [path]
    layers: list[tuple[str, dict[str, Any]]] = []  # (label, the settings it sets), the named file first
    problems: list[str] = []
    current, regular_only = path, discovered
    while True:
        try:
            label, data = _load_file(current, regular_only)
        except ConfigError as exc:
            if len(chain) == 1:
                raise
            # Why the prefix: "base.yaml: config file not found" alone does not say which file asked for it.
            problems.extend(f"{chain[-2]}: extends: {problem}" for problem in exc.problems)
            break
        base = None
        if isinstance(data, dict) and "extends" in data:
            base = _extends_target(label, current, data["extends"], problems)
            data = {key: value for key, value in data.items() if key != "extends"}
        try:
            layers.append((label, _settings(label, data)))
        except ConfigError as exc:
            problems.extend(exc.problems)
        if base is None:
            break
        cycle = _is_in_chain(base, chain)
        chain.append(base)
        if cycle:
            problems.append(f"{' -> '.join(chain)}: extends cycle")
            break
        if len(chain) > MAX_EXTENDS_DEPTH + 1:
            problems.append(f"{' -> '.join(chain)}: more than {MAX_EXTENDS_DEPTH} extends in a row")
            break
        current, regular_only = base, True
    if problems:
        raise ConfigError(problems)
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for label, layer in reversed(layers):
        values.update(layer)  # a key the extending file sets replaces the base's value whole
        origins.update(dict.fromkeys(layer, label))
    # Why the named file's directory for every relative path (per_path_ignores, test_paths, modules outside the
    # tree): it is the project being checked, and an extended file's settings apply as if written there.
    root = os.path.dirname(os.path.abspath(path))
    return dataclasses.replace(DEFAULTS, source=path, root=root, extended=tuple(chain[1:]),
                               origins=tuple(origins.items()), **values)


def origin(config: Config, name: str) -> str:
    """The file that set the Config field ``name``, as config errors name it (``PATH``, or ``PATH
    [tool.netra-isolation-lint]``): with ``extends`` that may be an extended file. A field no file set comes
    from the defaults; it is then attributed to the source, if any."""
    return dict(config.origins).get(name) or config.source or "built-in defaults"


def _load_file(path: str, regular_only: bool) -> tuple[str, Any]:
    """(the name messages give the file, its parsed settings before validation)."""
    if not _is_toml(path):
        return path, _parse_yaml(path, _read(path, regular_only))
    table = _tool_table(_parse_toml(path, _read(path, regular_only)))
    if table is _NO_TABLE:
        raise ConfigError([f"{path}: no [tool.{TOOL_TABLE}] table"])
    # Why the table in the name: the rest of the message ("singleton.accessors: ...") is then the same as for YAML.
    return f"{path} [tool.{TOOL_TABLE}]", table


def _is_toml(path: str) -> bool:
    return path.lower().endswith(".toml")


_NO_TABLE = object()


def _tool_table(document: dict[str, Any]) -> Any:
    tool = document.get("tool")
    return tool[TOOL_TABLE] if isinstance(tool, dict) and TOOL_TABLE in tool else _NO_TABLE


def _has_table(document: dict[str, Any]) -> bool:
    return _tool_table(document) is not _NO_TABLE


def _has_tool_table(path: str) -> bool:
    """Only for the note when the YAML file wins: an unreadable pyproject.toml changes nothing then."""
    try:
        return _has_table(_parse_toml(path, _read(path, True)))
    except ConfigError:
        return False


def _extends_target(label: str, current: str, value: Any, problems: list[str]) -> str | None:
    """The file ``extends`` names, relative to the extending file's directory."""
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{label}: extends: expected the path of a config file, got {_describe(value)}")
        return None
    if "://" in value:
        # Why: the contract must be the reviewed file in the tree; nothing is ever fetched.
        problems.append(f"{label}: extends: expected a local file path, not a URL ({_describe(value)})")
        return None
    return os.path.normpath(os.path.join(os.path.dirname(current), value))


def _is_in_chain(path: str, chain: list[str]) -> bool:
    real = os.path.realpath(path)
    return any(os.path.realpath(earlier) == real for earlier in chain)


def _read(path: str, regular_only: bool = False) -> str:
    kind = "TOML" if _is_toml(path) else "YAML"
    try:
        if os.path.isdir(path):
            raise ConfigError([f"{path}: is a directory, expected a {kind} file"])
        if regular_only:
            raw = _read_regular(path, kind)
        else:
            # An explicit --config may be a pipe (``--config <(...)``): the user asked for it.
            with open(path, "rb") as handle:
                raw = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError([f"{path}: config file not found"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read config file: {exc.strerror or type(exc).__name__}"]) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError([f"{path}: config file is larger than {MAX_CONFIG_BYTES} bytes"])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{path}: config file is not valid UTF-8 (byte {exc.start})"]) from None


def _read_regular(path: str, kind: str = "YAML") -> bytes:
    """Up to MAX_CONFIG_BYTES + 1 bytes of a regular file. Why non-blocking + fstat: a discovered
    ``.netra-isolation.yaml``, ``pyproject.toml`` or extended file that is a FIFO would otherwise block the run
    forever (a plain ``open`` waits for a writer), and one that is a device would be read as if it were the config."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise ConfigError([f"{path}: is not a regular file, expected a {kind} file"])
        chunks = []
        remaining = MAX_CONFIG_BYTES + 1
        while remaining > 0:
            chunk = os.read(descriptor, remaining)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def _parse_yaml(path: str, text: str) -> Any:
    import yaml  # deferred: only paid when a config file exists

    try:
        _check_events(path, yaml.parse(text, Loader=yaml.SafeLoader))
        return yaml.safe_load(text)
    except ConfigError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError([f"{path}{where}: invalid YAML: {problem}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{path}: invalid YAML: {_one_line(str(exc))}"]) from None
    except RecursionError:
        raise ConfigError([f"{path}: invalid YAML: nesting too deep"]) from None
    except (ValueError, OverflowError, TypeError) as exc:
        # Why: safe_load's constructors raise plain Python errors for values the grammar accepts, e.g.
        # an integer of 5,000 digits (int max-str-digits) or the date 2024-13-45; without this the user
        # got a traceback instead of a config error.
        raise ConfigError([f"{path}: invalid YAML value: {_one_line(str(exc))[:160]}"]) from None


def _parse_toml(path: str, text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10: the same parser, published as tomli
        import tomli as tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem, where = _toml_position(str(exc))
        raise ConfigError([f"{path}{where}: invalid TOML: {problem}"]) from None
    except RecursionError:
        raise ConfigError([f"{path}: invalid TOML: nesting too deep"]) from None
    except (ValueError, OverflowError, TypeError) as exc:
        # Why: as with safe_load, a value the grammar accepts can raise a plain Python error (an integer of
        # 5,000 digits hits int max-str-digits); the user gets a config error, not a traceback.
        raise ConfigError([f"{path}: invalid TOML value: {_one_line(str(exc))[:160]}"]) from None


# tomllib and tomli end every message with "(at line L, column C)" or "(at end of document)"
_TOML_AT = re.compile(r"^(?P<problem>.*?) \(at "
                      r"(?:line (?P<line>\d+), column (?P<col>\d+)|(?P<end>end of document))\)$")


def _toml_position(message: str) -> tuple[str, str]:
    """(the problem, ":line:col" or "") from a TOML decoder message, in the YAML errors' layout."""
    message = _one_line(message)
    match = _TOML_AT.match(message)
    if match is None:
        return message[:160], ""
    if match["end"]:
        return f"{match['problem']} at the end of the file", ""
    return match["problem"], f":{match['line']}:{match['col']}"


def _check_events(path: str, events: Any) -> None:
    """Reject explicit tags, anchors/aliases, duplicate keys and deep nesting before constructing."""
    import yaml

    # One frame per open collection: [is_mapping, expecting_key, keys_seen]
    stack: list[list[Any]] = []
    documents = 0
    for event in events:
        where = f"{path}:{event.start_mark.line + 1}:{event.start_mark.column + 1}"
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise ConfigError([f"{where}: invalid YAML: more than one document"])
            continue
        if isinstance(event, yaml.AliasEvent):
            # ``- *_bridge`` reads as an alias: the likeliest mistake is an unquoted glob
            raise ConfigError([f"{where}: YAML aliases are not allowed; quote a value that starts with '*' "
                               f"(\"*{_one_line(str(event.anchor))[:40]}\")"])
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
            _after_value(stack)
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        if getattr(event, "anchor", None):
            raise ConfigError([f"{where}: YAML anchors are not allowed"])
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise ConfigError([f"{where}: YAML tags are not allowed ({_one_line(tag)[:40]})"])
        if stack and stack[-1][0] and stack[-1][1]:
            if isinstance(event, yaml.ScalarEvent):
                if event.value == "<<" and event.implicit[0]:
                    # Why: a merge key silently loses to explicit keys of the same mapping, so a merged
                    # setting can look configured while it is not (and merging usually needs aliases).
                    raise ConfigError([f"{where}: YAML merge keys (<<) are not allowed"])
                if event.value in stack[-1][2]:
                    raise ConfigError([f"{where}: duplicate key '{_one_line(event.value)[:60]}'"])
                stack[-1][2].add(event.value)
                stack[-1][1] = False
                continue
            raise ConfigError([f"{where}: mapping keys must be plain strings"])
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(stack) >= MAX_CONFIG_DEPTH:
                raise ConfigError([f"{where}: nesting deeper than {MAX_CONFIG_DEPTH} levels"])
            stack.append([isinstance(event, yaml.MappingStartEvent), True, set()])
            continue
        _after_value(stack)


def _after_value(stack: list[list[Any]]) -> None:
    if stack and stack[-1][0]:
        stack[-1][1] = True


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _shown_key(key: Any) -> str:
    """A key from the file as quoted in a message: one line, at most 80 characters."""
    shown = _one_line(key)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _settings(path: str, data: Any) -> dict[str, Any]:
    """The Config fields one file sets, validated; ``path`` is the name messages give the file."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: the top level must be a mapping of keys, got {_type_name(data)}"])
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in SECTIONS:
            if value is None:
                continue
            if not isinstance(value, dict):
                problems.append(f"{path}: {key}: expected a mapping, got {_type_name(value)}")
                continue
            for sub, subvalue in value.items():
                spec = SCHEMA[key].get(sub)
                if spec is None:
                    problems.append(f"{path}: {key}.{_shown_key(sub)}: unknown key"
                                    f"{_did_you_mean(str(sub), SCHEMA[key])}")
                    continue
                _convert(path, f"{key}.{sub}", subvalue, spec, values, problems)
            continue
        spec = SCHEMA[None].get(key)
        if spec is None:
            candidates = list(SCHEMA[None]) + list(SECTIONS) + ["extends"]
            hint = _did_you_mean(str(key), candidates)
            if not hint:
                hint = _section_hint(str(key))
            problems.append(f"{path}: {_shown_key(key)}: unknown key{hint}")
            continue
        _convert(path, str(key), value, spec, values, problems)
    if problems:
        raise ConfigError(problems)
    return values


def _convert(path: str, key: str, value: Any, spec: tuple[str, str], out: dict, problems: list[str]) -> None:
    target, kind = spec
    where = f"{path}: {key}"
    if kind == _BOOL:
        if not isinstance(value, bool):
            quoted = isinstance(value, str) and value.strip().lower() in ("true", "false")
            problems.append(f"{where}: expected true or false, got {_describe(value)}"
                            f"{' (write it without quotes)' if quoted else ''}")
        else:
            out[target] = value
        return
    if kind == _INT:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            problems.append(f"{where}: expected a positive integer, got {_describe(value)}")
        else:
            out[target] = value
        return
    if kind == _IDENT:
        if not isinstance(value, str) or not IDENTIFIER.match(value):
            problems.append(f"{where}: expected a Python identifier, got {_describe(value)}")
        else:
            out[target] = value
        return
    if kind == _IGNORES:
        _convert_ignores(where, value, out, problems)
        return
    if isinstance(value, str):
        problems.append(f"{where}: expected a list, got a string (write [{value[:40]}])")
        return
    if not isinstance(value, list):
        problems.append(f"{where}: expected a list, got {_describe(value)}")
        return
    pattern, what = {
        _EVENTS: (IDENTIFIER, "an event name (identifier)"),
        _LIST: (DOTTED, "a name or dotted name"),
        _IDENTS: (IDENTIFIER, "a method or attribute name (no dots)"),
        _PATTERNS: (NAME_PATTERN, "a name pattern (letters, digits, _, * and ?)"),
        _CODES: (CODE_PATTERN, "a rule code or prefix such as NIL101 or NIL1"),
        _GLOBS: (None, "a glob pattern"),
    }[kind]
    items: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item or (pattern is not None and not pattern.match(item)):
            problems.append(f"{where}[{index}]: expected {what}, got {_describe(item)}")
            continue
        if item not in items:
            items.append(item)
    if kind == _EVENTS and key == "critical_events" and not value:
        problems.append(f"{where}: must name at least one event")
        return
    out[target] = tuple(items)


def _convert_ignores(where: str, value: Any, out: dict, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{where}: expected a mapping of path glob to codes, got {_describe(value)}")
        return
    entries = []
    for glob, codes in value.items():
        if not isinstance(glob, str) or not glob:
            problems.append(f"{where}: expected a path glob as key, got {_describe(glob)}")
            continue
        if isinstance(codes, str):
            codes = [codes]
        if not isinstance(codes, list) or not codes:
            problems.append(f"{where}.{_shown_key(glob)}: expected a list of codes, got {_describe(codes)}")
            continue
        bad = [c for c in codes if not isinstance(c, str) or not CODE_PATTERN.match(c)]
        if bad:
            problems.append(f"{where}.{_shown_key(glob)}: expected rule codes or prefixes such as NIL103, "
                            f"got {_describe(bad[0])}")
            continue
        entries.append((glob, tuple(codes)))
    out["per_path_ignores"] = tuple(entries)


def _did_you_mean(key: str, candidates) -> str:
    close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _section_hint(key: str) -> str:
    for section in SECTIONS:
        if key in SCHEMA[section]:
            return f" (it belongs under '{section}:')"
    return ""


def _type_name(value: Any) -> str:
    return {list: "a list", dict: "a mapping", str: "a string", bool: "a boolean", int: "an integer",
            float: "a number"}.get(type(value), type(value).__name__)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()} (quote it if you meant a name)"
    if isinstance(value, (int, float)):
        shown = repr(value) if not isinstance(value, int) or abs(value) < 10 ** 30 else "with more than 30 digits"
        return f"{_type_name(value)} {shown}"
    if isinstance(value, str):
        shown = _one_line(value)
        return f"'{shown[:60]}'"
    if value is None:
        return "nothing (null)"
    return _type_name(value)


def dump_effective(config: Config) -> str:
    """The effective configuration as YAML-shaped text, for ``--show-config`` and the cache key: every value
    (an extended file's included), the file it came from and the files it extends."""
    source = config.source or "built-in defaults"
    if config.source and _is_toml(config.source):
        source += f" [tool.{TOOL_TABLE}]"
    lines = [f"# source: {source}"]
    if config.extended:
        lines.append(f"# extends: {' -> '.join(config.extended)}")
    for section, keys in SCHEMA.items():
        if section is not None:
            lines.append(f"{section}:")
        indent = "  " if section is not None else ""
        for key, (target, kind) in keys.items():
            value = getattr(config, target)
            if kind == _IGNORES:
                if not value:
                    lines.append(f"{indent}{key}: {{}}")
                    continue
                lines.append(f"{indent}{key}:")
                for glob, codes in value:
                    lines.append(f"{indent}  {_quote(glob)}: [{', '.join(codes)}]")
            elif isinstance(value, tuple):
                lines.append(f"{indent}{key}: [{', '.join(_quote(v) for v in value)}]")
            else:
                lines.append(f"{indent}{key}: {value}")
    return "\n".join(lines) + "\n"


_NOTED: set[str] = set()


def print_notes(config: Config, prog: str = "netra-isolation-lint") -> None:
    """Print the config's notes on stderr, each once per run. Why the process check: flake8 (with spawn) and
    pylint resolve the config again in every worker process, and N copies of one note are noise; the front
    ends call this where the main process resolves it."""
    if not config.notes:
        return
    import multiprocessing

    if multiprocessing.parent_process() is not None:
        return
    for note in config.notes:
        if note not in _NOTED:
            _NOTED.add(note)
            print(f"{prog}: note: {_printable_line(note)}", file=sys.stderr)


def _quote(value: str) -> str:
    return f'"{value}"' if re.search(r"[*?:#\[\]{},&!|>'\"%@`]", value) else value


def line_of_key(path: str, key: str) -> int:
    """The line of a top-level ``key:`` in a config file (1 when it is not there or cannot be read): where a
    finding about that key is shown."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if line.startswith((f"{key}:", f'"{key}":', f"{key} =")):
                    return number
    except OSError:
        pass
    return 1
