"""Functional-test support for the rule fixture corpus (pylint functional-test style).

A fixture is a small Python file under ``tests/fixtures/rules/`` that is linted, never imported. Its
expectations are inline: a trailing comment ``# expect: NIL101`` (several: ``# expect: NIL101, NIL103``)
on the exact line where each finding must be reported. Every other line must stay clean.

A fixture may start with a header comment ``# config: <path>`` (relative to ``tests/fixtures/``) naming
the YAML config it is linted with; without one the built-in defaults apply (the fixture tree holds no
``.netra-isolation.yaml``, and discovery stops at the repository root).

Front ends are plain functions ``(fixtures) -> set of (path relative to tests/fixtures, line, code)``
collected in :data:`FRONT_ENDS`: the engine in process, the CLI, flake8 and pylint.
Subprocess runners start one process per config group and run the groups concurrently.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tokenize
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
RULE_FIXTURES = FIXTURES / "rules"
CONFIGS = FIXTURES / "configs"

RULE_CODES = ("NIL101", "NIL102", "NIL103", "NIL104", "NIL201", "NIL202", "NIL203",
              "NIL301", "NIL302", "NIL401", "NIL402")
# Reported once per project against the path the CLI was given, not at a line of a fixture. Not part of
# the single-file rule semantics this corpus pins down, so dropped from the CLI's results.
PROJECT_WIDE_CODES = frozenset({"NIL403"})

EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>NIL\d{3}(?:\s*,\s*NIL\d{3})*)\s*$")
CONFIG_HEADER = re.compile(r"^#\s*config:\s*(?P<path>\S+)\s*$")
NEGATIVE_NAME = re.compile(r"^(?P<code>nil\d{3})_ok_\w+\.py$")

Key = tuple[str, int, str]  # (path relative to FIXTURES, posix; line; code)


@dataclass(frozen=True)
class Fixture:
    path: Path  # absolute
    rel: str  # relative to FIXTURES, posix
    config: Path | None  # absolute path of the YAML config, or None for the defaults
    expected: dict[int, frozenset[str]] = field(hash=False, compare=False)

    def __repr__(self) -> str:
        return f"Fixture({self.rel})"

    @property
    def name(self) -> str:
        return self.path.name

    def expected_keys(self) -> set[Key]:
        return {(self.rel, line, code) for line, codes in self.expected.items() for code in codes}


# --------------------------------------------------------------------------- parsing

def parse_expectations(text: str) -> dict[int, frozenset[str]]:
    """Line -> codes from ``# expect:`` comments. Comments are found with the tokenizer, so the text
    ``# expect:`` inside a string is not an expectation; a comment may follow another (``# noqa: X``)."""
    found: dict[int, set[str]] = defaultdict(set)
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.COMMENT:
            continue
        for part in re.split(r"(?=#)", token.string):
            match = EXPECT.match(part.strip())
            if match:
                found[token.start[0]].update(c.strip() for c in match.group("codes").split(","))
            elif re.match(r"#\s*expect\b", part.strip()):
                raise ValueError(f"line {token.start[0]}: malformed expectation {part.strip()!r}")
    return {line: frozenset(codes) for line, codes in found.items()}


def parse_config_header(text: str) -> str | None:
    """The ``# config: <path>`` header: only among the comment lines at the top of the file."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            return None
        match = CONFIG_HEADER.match(stripped)
        if match:
            return match.group("path")
    return None


def load_fixture(path: Path) -> Fixture:
    text = path.read_text(encoding="utf-8")
    header = parse_config_header(text)
    config = (FIXTURES / header).resolve() if header else None
    if config is not None and not config.is_file():
        raise FileNotFoundError(f"{path}: config header names a missing file: {header}")
    return Fixture(path.resolve(), path.resolve().relative_to(FIXTURES).as_posix(), config,
                   parse_expectations(text))


def discover(root: Path = RULE_FIXTURES) -> list[Fixture]:
    return [load_fixture(p) for p in sorted(root.rglob("*.py")) if "__pycache__" not in p.parts]


def by_config(fixtures: Iterable[Fixture]) -> dict[Path | None, list[Fixture]]:
    groups: dict[Path | None, list[Fixture]] = defaultdict(list)
    for fixture in fixtures:
        groups[fixture.config].append(fixture)
    return dict(groups)


def negative_code(fixture: Fixture) -> str | None:
    """The code a negative fixture (``nilXXX_ok_<shape>.py``) stands for, or None."""
    match = NEGATIVE_NAME.match(fixture.name)
    return match.group("code").upper() if match else None


def expected_keys(fixtures: Iterable[Fixture]) -> set[Key]:
    keys: set[Key] = set()
    for fixture in fixtures:
        keys |= fixture.expected_keys()
    return keys


# --------------------------------------------------------------------------- reporting

def diff_report(expected: set[Key], actual: set[Key], lines: dict[str, list[str]] | None = None) -> str:
    """Missing and unexpected findings, one per line, with the source line when known."""
    out: list[str] = []
    for title, keys in (("missing (expected, not reported)", expected - actual),
                        ("unexpected (reported, not expected)", actual - expected)):
        if not keys:
            continue
        out.append(f"{title}:")
        for rel, line, code in sorted(keys):
            source = ""
            if lines is not None and rel in lines and 0 < line <= len(lines[rel]):
                source = "    | " + lines[rel][line - 1].strip()
            out.append(f"  {rel}:{line}: {code}{source}")
    return "\n".join(out)


def source_lines(fixtures: Iterable[Fixture]) -> dict[str, list[str]]:
    return {f.rel: f.path.read_text(encoding="utf-8").splitlines() for f in fixtures}


# --------------------------------------------------------------------------- front ends

def _config_for(path: Path | None):
    from netra_isolation_lint.config import DEFAULTS, load_config

    return load_config(str(path)) if path is not None else DEFAULTS


def engine_findings(fixture: Fixture, config=None) -> set[Key]:
    """In process, as flake8 sees one file: ``check_tree_alone`` plus flake8-identical ``# noqa``."""
    from netra_isolation_lint import engine, noqa
    from netra_isolation_lint.registry import ENGINE

    config = config if config is not None else _config_for(fixture.config)
    data = fixture.path.read_bytes()
    tree = engine.parse(data, str(fixture.path))
    findings = ENGINE.check_tree_alone(tree, str(fixture.path), config)
    findings = noqa.filter_noqa(findings, data.decode("utf-8"))
    return {(fixture.rel, f.line, f.code) for f in findings}


def run_engine(fixtures: Iterable[Fixture]) -> set[Key]:
    found: set[Key] = set()
    for config_path, group in by_config(fixtures).items():
        config = _config_for(config_path)
        for fixture in group:
            found |= engine_findings(fixture, config)
    return found


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONHASHSEED", None)
    return env


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, env=_env())


def _collect(process: subprocess.Popen, args: list[str], ok: tuple[int, ...]) -> str:
    stdout, stderr = process.communicate(timeout=300)
    if process.returncode not in ok:
        raise RuntimeError(f"{' '.join(args)} exited {process.returncode}:\n{stderr}\n{stdout[:2000]}")
    return stdout


def _relative(path: str) -> str:
    return Path(ROOT, path).resolve().relative_to(FIXTURES).as_posix()


def _run_groups(fixtures: Iterable[Fixture], command: Callable[[Path | None, list[str]], list[str]],
                parse: Callable[[str], set[Key]], ok: tuple[int, ...]) -> set[Key]:
    """One subprocess per config group, all started before any is waited for."""
    started = []
    for config_path, group in by_config(fixtures).items():
        paths = [os.path.relpath(f.path, ROOT) for f in group]
        args = command(config_path, paths)
        started.append((_start(args), args))
    found: set[Key] = set()
    for process, args in started:
        found |= parse(_collect(process, args, ok))
    return found


def _cli_command(config: Path | None, paths: list[str]) -> list[str]:
    extra = ["--config", os.path.relpath(config, ROOT)] if config is not None else []
    return [sys.executable, "-m", "netra_isolation_lint", "--format", "json", *extra, *paths]


def _parse_cli_json(stdout: str) -> set[Key]:
    return {(_relative(row["path"]), row["line"], row["code"]) for row in json.loads(stdout)
            if row["code"] not in PROJECT_WIDE_CODES}


def run_cli(fixtures: Iterable[Fixture]) -> set[Key]:
    """``netra-isolation-lint --format json`` over every fixture, one run per config group."""
    return _run_groups(fixtures, _cli_command, _parse_cli_json, ok=(0, 1))


FLAKE8_FORMAT = "%(path)s\t%(row)d\t%(code)s"


def _flake8_command(config: Path | None, paths: list[str]) -> list[str]:
    extra = ["--isolation-config", os.path.relpath(config, ROOT)] if config is not None else []
    return [sys.executable, "-m", "flake8", "--isolated", "--select", "NIL", "--format", FLAKE8_FORMAT,
            *extra, *paths]


def _parse_flake8(stdout: str) -> set[Key]:
    found: set[Key] = set()
    for line in stdout.splitlines():
        path, row, code = line.split("\t")
        found.add((_relative(path), int(row), code))
    return found


def run_flake8(fixtures: Iterable[Fixture]) -> set[Key]:
    """``flake8 --isolated --select NIL`` over every fixture, one run per config group."""
    return _run_groups(fixtures, _flake8_command, _parse_flake8, ok=(0, 1))


PYLINT_FORMAT = "{path}\t{line}\t{msg_id}"
PYLINT_OK = tuple(code for code in range(64) if not code & (1 | 32))  # no fatal, no usage error


def _pylint_command(config: Path | None, paths: list[str]) -> list[str]:
    extra = ["--isolation-config", os.path.relpath(config, ROOT)] if config is not None else []
    return [sys.executable, "-m", "pylint", "--load-plugins", "netra_isolation_lint.pylint_plugin",
            "--disable=all", "--enable=netra-isolation", "--persistent=n", "--score=n",
            "--msg-template", PYLINT_FORMAT, *extra, *paths]


def _parse_pylint(stdout: str) -> set[Key]:
    found: set[Key] = set()
    for line in stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and re.fullmatch(r"[EWCRI]9\d{3}", parts[2]):
            found.add((_relative(parts[0]), int(parts[1]), "NIL" + parts[2][2:]))
    return found


def run_pylint(fixtures: Iterable[Fixture]) -> set[Key]:
    """``pylint --load-plugins netra_isolation_lint.pylint_plugin`` over every fixture, per config group."""
    return _run_groups(fixtures, _pylint_command, _parse_pylint, ok=PYLINT_OK)


FRONT_ENDS: dict[str, Callable[[Iterable[Fixture]], set[Key]]] = {
    "engine": run_engine,
    "cli": run_cli,
    "flake8": run_flake8,
    "pylint": run_pylint,
}


def run_front_ends(fixtures: list[Fixture], front_ends: dict | None = None) -> dict[str, set[Key]]:
    """Every front end over the same fixtures, concurrently (the subprocess ones dominate)."""
    front_ends = front_ends if front_ends is not None else FRONT_ENDS
    with ThreadPoolExecutor(max_workers=len(front_ends)) as pool:
        futures = {name: pool.submit(runner, fixtures) for name, runner in front_ends.items()}
        return {name: future.result() for name, future in futures.items()}


# --------------------------------------------------------------------------- shape checks

def code_tokens(path: Path) -> str:
    """A fixture's code as space-separated tokens, without comments and string literals, so that shape
    checks look at what the code does rather than at what its docstrings say."""
    skip = {tokenize.COMMENT, tokenize.STRING, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
            tokenize.DEDENT, tokenize.ENDMARKER}
    fstring_parts = {getattr(tokenize, n) for n in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
                     if hasattr(tokenize, n)}
    with path.open("rb") as handle:
        tokens = list(tokenize.tokenize(handle.readline))
    return " ".join(t.string for t in tokens[1:] if t.type not in skip | fstring_parts)


def mentions_any(path: Path, patterns: Iterable[str]) -> bool:
    code = code_tokens(path)
    return any(re.search(p, code) for p in patterns)
