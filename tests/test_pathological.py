"""Pathological inputs from the crash classes other AST linters hit (docs/reliability.md, "G3").

Every case is generated in ``tmp_path`` at test time (nothing hostile is committed) and run through the
CLI and flake8 in a subprocess, one process per case, so that a hang, a traceback or a lost finding is
pinned to its input. Each case states the exact (line, code) set each front end must report:

* the CLI reports what the file shows, plus one NIL900 for a file it cannot parse or decode and one
  NIL902 for a file it refuses to read;
* flake8 owns E902/E999 (we select only NIL), and never gives us a file above our size cap, so for
  flake8 the NIL900/NIL902 entries drop out.

Whether an input is parseable depends on the interpreter (a 5,000-term chain parses on 3.10 and 3.13,
raises RecursionError inside ``ast.parse`` on 3.11/3.12): expectations marked ``PARSE`` are derived by
parsing the bytes in-process, so each interpreter is held to exactly what its own parser accepts.
"""

from __future__ import annotations

import ast
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from reliability_support import (
    assert_no_traceback,
    findings,
    git_root,
    run_cli,
    run_flake8,
    write,
)

HANG_GUARD_SECONDS = 5.0  # generous: every case takes well under a second on a 2-core runner
CALL = "get_agent_websocket_bridge()"
PARSE = "parse-dependent"  # marker: NIL900 at line 1 exactly when this interpreter cannot parse the bytes


@dataclass
class Case:
    name: str
    data: bytes
    # (line, code) pairs the CLI must report; PARSE: [(1, "NIL900")] if unparseable here, else ``parsed``
    cli: list[tuple[int, str]] | str
    parsed: list[tuple[int, str]] = field(default_factory=list)  # used with PARSE when it does parse
    # with PARSE when it does not: what the statements that parse on their own still show (recover.py)
    recovered: list[tuple[int, str]] = field(default_factory=list)
    relpath: str = "case.py"  # where the file sits below tmp_path (packages for relative imports)
    package_files: tuple[str, ...] = ()  # extra empty files to create (``__init__.py`` of packages)
    min_version: tuple[int, int] = (3, 10)
    cli_xfail: str | None = None  # a known bug in a file this suite does not own: see notes
    flake8_xfail: str | None = None
    flake8: list[tuple[int, str]] | None = None  # default: the CLI's list without NIL900/NIL902


def _chain(prefix: str, unit: str, count: int, suffix: str = "") -> bytes:
    return (prefix + unit * count + suffix + "\n").encode()


def _nested_defs(depth: int) -> bytes:
    lines = [("    " * i) + f"def f{i}():" for i in range(depth)]
    lines.append("    " * depth + CALL)
    return ("\n".join(lines) + "\n").encode()


MATCH_SRC = f"""\
match command:
    case {{"action": [first, *rest]}} if first:
        {CALL}
    case Point(x=0, y=0) | None:
        pass
    case [1, 2, *_] as seq:
        pass
"""
EXCEPT_STAR_SRC = f"""\
try:
    pass
except* (ValueError, TypeError) as group:
    {CALL}
"""
PEP695_SRC = f"""\
type Alias[T] = list[T]
class Box[T: int, *Ts, **P]:
    def get[U](self, value: U) -> U:
        return {CALL}
def ident[T](value: T) -> T: ...
"""
PEP701_SRC = f"""\
name = f"{{f"{{f"{{ {CALL} }}"}}"}}"
other = f"{{'\\n'.join(['a', 'b'])}}"
"""
PEP696_SRC = f"""\
class Box[T = int]:
    def get(self) -> T:
        return {CALL}
"""

CASES = [
    # -- nesting and chains: anything ast.parse accepts is walked without RecursionError
    Case("binop_chain_1k", ("x = " + "+".join(["1"] * 1000) + "\n").encode(), PARSE),
    Case("binop_chain_5k", ("x = " + "+".join(["1"] * 5000) + "\n").encode(), PARSE),
    Case("binop_chain_5k_then_call", ("x = " + "+".join(["1"] * 5000) + f"\n{CALL}\n").encode(), PARSE,
         parsed=[(2, "NIL101")], recovered=[(2, "NIL101")]),
    Case("attribute_chain_3k", _chain("x = a", ".b", 3000), PARSE),
    Case("call_chain_3k", _chain("x = f", "()", 3000), PARSE),
    Case("method_chain_3k", _chain("x = a", ".b()", 3000), PARSE),
    Case("unary_chain_5k", ("x = " + "-" * 5000 + "1\n").encode(), PARSE),
    Case("parentheses_200", ("x = " + "(" * 200 + "1" + ")" * 200 + "\n").encode(), PARSE),
    Case("parentheses_201", ("x = " + "(" * 201 + "1" + ")" * 201 + "\n").encode(), PARSE),
    Case("nested_defs_99", _nested_defs(99), PARSE, parsed=[(100, "NIL101")]),
    Case("nested_defs_100", _nested_defs(100), PARSE, parsed=[(101, "NIL101")]),
    # A chain of emitter-factory calls: the engine's receiver-class lookup once recursed per link
    # (FileContext.class_of <-> _value_of_call), so 600 links gave NIL901 instead of the finding.
    Case("emitter_factory_chain_600", _chain("x = a", ".create_user_emitter()", 600), PARSE,
         parsed=[(1, "NIL302")]),
    Case("emitter_factory_chain_3k", _chain("x = a", ".create_user_emitter()", 3000), PARSE,
         parsed=[(1, "NIL302")]),
    # -- bytes and encodings
    Case("utf8_bom", b"\xef\xbb\xbfx = 1\n", []),
    Case("bom_and_cookie_with_finding", b"\xef\xbb\xbf# -*- coding: utf-8 -*-\n" + CALL.encode() + b"\n",
         [(2, "NIL101")]),
    Case("bom_and_latin1_cookie", b"\xef\xbb\xbf# -*- coding: latin-1 -*-\nx = 1\n", [(1, "NIL900")]),
    Case("latin1_with_cookie", b"# -*- coding: latin-1 -*-\ns = '\xe9'\n" + CALL.encode() + b"\n",
         [(3, "NIL101")]),
    Case("unknown_cookie", b"# -*- coding: foobar -*-\nx = 1\n", [(1, "NIL900")]),
    # flake8 falls back to latin-1 and parses this; the CLI parses bytes exactly as CPython: NIL900.
    Case("latin1_without_cookie", b"s = '\xe9'\n", [(1, "NIL900")], flake8=[]),
    Case("utf16", "x = 1\n".encode("utf-16"), [(1, "NIL900")]),
    Case("nul_byte", b"x = 1\x00\n", [(1, "NIL900")]),
    # -- line endings and layout: line numbers must stay the tokenizer's
    Case("crlf", ("x = 1\r\n" + CALL + "\r\n").encode(), [(2, "NIL101")]),
    Case("lone_cr", ("x = 1\r" + CALL + "\r").encode(), [(2, "NIL101")]),
    Case("form_feed_and_u2028_in_strings", ('x = "a\x0cb"\ny = "\u2028"\n' + CALL + "\n").encode(),
         [(3, "NIL101")]),
    # ``# noqa`` on line 1 must not reach line 2. The CLI's noqa line map once split with str.splitlines(),
    # which also breaks at \x0c and U+2028, so the comment was applied to the next line: a lost finding.
    Case("form_feed_string_then_noqa", ('x = "a\x0cb"  # noqa\n' + CALL + "\n").encode(), [(2, "NIL101")]),
    Case("u2028_string_then_noqa", ('x = "\u2028"  # noqa\n' + CALL + "\n").encode(), [(2, "NIL101")]),
    # Same split: a file-level ``# flake8: noqa`` inside a string after U+2028 silenced the whole file in
    # the CLI (flake8, which splits physical lines correctly, still reports).
    Case("u2028_then_file_level_noqa_text", ('x = "\u2028# flake8: noqa"\n' + CALL + "\n").encode(),
         [(2, "NIL101")]),
    Case("form_feed_at_line_start", ("\x0cx = 1\n" + CALL + "\n").encode(), [(2, "NIL101")]),
    Case("tabs", ("class A:\n\tdef f(self):\n\t\t" + CALL + "\n").encode(), [(3, "NIL101")]),
    Case("inconsistent_tabs", b"if x:\n\ty = 1\n        z = 2\n", [(3, "NIL900")]),
    Case("empty_file", b"", []),
    Case("comments_only", b"# nothing but a comment\n# and another\n", []),
    Case("no_final_newline", CALL.encode(), [(1, "NIL101")]),
    # -- constants are never evaluated or formatted
    Case("hex_literal_5000_digits", ("x = 0x" + "f" * 5000 + "\n" + "get_agent_websocket_bridge(x)\n").encode(),
         [(2, "NIL101")]),
    # int max-str-digits: CPython refuses the literal itself (a SyntaxError from ast.parse) -> NIL900.
    Case("decimal_literal_5000_digits", ("emit_custom_event(" + "9" * 5000 + ")\n").encode(), PARSE),
    Case("power_tower", b"x = 9**9**9**9\n", []),
    Case("fstring_huge_width", b"x = f'{0:11111111111}'\n", []),
    Case("type_comment_100k_braces", ("x = 1  # type: " + "{" * 100_000 + "\n").encode(), []),
    Case("huge_string_event", ("emit_custom_event('" + "a" * 100_000 + "')\n").encode(), [(1, "NIL402")]),
    # -- size
    Case("over_max_file_bytes", b"#" * (2 * 1024 * 1024) + b"\n", [(1, "NIL902")]),
    Case("exactly_max_file_bytes", b"#" * (2 * 1024 * 1024 - 1) + b"\n", []),
    # -- syntax
    Case("python2_print", b'print "hello"\n', [(1, "NIL900")]),
    Case("python2_except", b"try:\n    pass\nexcept ValueError, e:\n    pass\n", [(3, "NIL900")]),
    # -- relative imports (module is None, level > 0, past the top-level package)
    Case("from_dot_import", b"from . import x\n", [], relpath="pkg/mod.py", package_files=("pkg/__init__.py",)),
    Case("from_dotdot_import_star", b"from .. import *\n", [], relpath="pkg/sub/mod.py",
         package_files=("pkg/__init__.py", "pkg/sub/__init__.py")),
    Case("from_dot_a_b_import", b"from .a.b import c\n", [], relpath="pkg/mod.py", package_files=("pkg/__init__.py",)),
    Case("relative_past_top_package", ("from ..... import get_agent_websocket_bridge\n" + CALL + "\n").encode(),
         [(1, "NIL102"), (2, "NIL101")], relpath="pkg/sub/mod.py",
         package_files=("pkg/__init__.py", "pkg/sub/__init__.py")),
    Case("relative_outside_any_package", b"from .. import get_agent_websocket_bridge as g\ng()\n",
         [(1, "NIL102"), (2, "NIL101")]),
    Case("from_dot_import_in_init", b"from . import get_agent_websocket_bridge\n", [(1, "NIL102")],
         relpath="pkg/__init__.py"),
    Case("dynamic_imports", b"import importlib\n__import__('os')\nimportlib.import_module(name)\n"
         b"importlib.import_module('netra.services')\n", []),
    # -- new syntax, gated by the running interpreter
    Case("match_statement", MATCH_SRC.encode(), [(3, "NIL101")]),
    Case("except_star", EXCEPT_STAR_SRC.encode(), [(4, "NIL101")], min_version=(3, 11)),
    Case("pep695_type_params", PEP695_SRC.encode(), [(4, "NIL101")], min_version=(3, 12)),
    Case("pep701_nested_fstrings", PEP701_SRC.encode(), [(1, "NIL101")], min_version=(3, 12)),
    Case("pep696_type_param_default", PEP696_SRC.encode(), [(3, "NIL101")], min_version=(3, 13)),
]


def _parse_error_line(data: bytes) -> int | None:
    """None when this interpreter parses ``data``; else the line NIL900 must name (1 when none)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(data)
        except SyntaxError as exc:
            return max(1, exc.lineno or 1)
        except (ValueError, RecursionError, MemoryError, OverflowError):
            return 1
    return None


def _parses(data: bytes) -> bool:
    return _parse_error_line(data) is None


def _expected(case: Case, front_end: str) -> list[tuple[int, str]]:
    cli = case.cli
    if cli == PARSE:
        line = _parse_error_line(case.data)
        cli = case.parsed if line is None else [(line, "NIL900"), *case.recovered]
    if front_end == "cli":
        return sorted(cli)
    if case.flake8 is not None:
        return sorted(case.flake8)
    return sorted(p for p in cli if p[1] not in ("NIL900", "NIL902"))


def _materialise(case: Case, tmp_path: Path) -> Path:
    git_root(tmp_path)
    for extra in case.package_files:
        write(tmp_path / extra, b"")
    return write(tmp_path / case.relpath, case.data)


def _params(front_end: str):
    for case in CASES:
        marks = []
        if sys.version_info[:2] < case.min_version:
            marks.append(pytest.mark.skip(reason=f"syntax needs Python {'.'.join(map(str, case.min_version))}"))
        xfail = case.cli_xfail if front_end == "cli" else case.flake8_xfail
        if xfail:
            marks.append(pytest.mark.xfail(strict=True, reason=xfail))
        yield pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", list(_params("cli")))
def test_cli(case: Case, tmp_path: Path) -> None:
    path = _materialise(case, tmp_path)
    started = time.perf_counter()
    proc = run_cli(case.relpath, cwd=tmp_path)
    elapsed = time.perf_counter() - started
    assert_no_traceback(proc.stdout, proc.stderr)
    assert proc.stderr == ""
    got = sorted((line, code) for _, line, _, code in findings(proc.stdout))
    assert got == _expected(case, "cli"), proc.stdout
    assert all(p == case.relpath for p, *_ in findings(proc.stdout)), proc.stdout
    assert proc.returncode == (1 if got else 0), proc.stdout + proc.stderr
    assert elapsed < HANG_GUARD_SECONDS, f"{case.name}: {elapsed:.1f}s"
    assert path.exists()


@pytest.mark.parametrize("case", list(_params("flake8")))
def test_flake8(case: Case, tmp_path: Path) -> None:
    _materialise(case, tmp_path)
    started = time.perf_counter()
    proc = run_flake8(case.relpath, cwd=tmp_path)
    elapsed = time.perf_counter() - started
    expected = _expected(case, "flake8")
    output = proc.stdout + proc.stderr
    if "failed during execution" in output or "Traceback" in output:
        # flake8 itself (its ``ast.parse`` of the joined lines, or pyflakes' recursive visitor) fails on
        # deep inputs we handle; that is flake8's failure and aborts its run, so there is no NIL output
        # to compare. Our plugin must not be the one failing: test_engine_in_process_* covers it.
        assert "netra_isolation_lint" not in output and '"NIL' not in output, output[-3000:]
        pytest.skip(f"flake8 itself fails on this input on Python {sys.version_info[:2]} (not our plugin)")
    assert_no_traceback(proc.stdout, proc.stderr)
    got = sorted((line, code) for _, line, _, code in findings(proc.stdout))
    assert got == expected, proc.stdout
    assert "NIL901" not in proc.stdout
    assert elapsed < HANG_GUARD_SECONDS, f"{case.name}: {elapsed:.1f}s"


IN_PROCESS = [c for c in CASES if c.cli == PARSE or c.min_version > (3, 10) or c.name == "match_statement"]


@pytest.mark.parametrize("case", [
    pytest.param(c, id=c.name, marks=[pytest.mark.xfail(strict=True, reason=c.cli_xfail)] if c.cli_xfail else [])
    for c in IN_PROCESS
])
def test_engine_in_process_never_recurses(case: Case) -> None:
    """The flake8 adapter on the tree itself (no flake8 checkers around it): whatever ast.parse accepts
    must give no NIL901 and no exception, including the deep chains flake8's own plugins choke on."""
    if sys.version_info[:2] < case.min_version or not _parses(case.data):
        if case.cli_xfail:  # keep strict xfail meaningful: the bug needs a parseable input to show
            pytest.fail("input not parseable here; the known bug cannot show")
        pytest.skip("not parseable on this interpreter")
    from netra_isolation_lint.flake8_plugin import Plugin

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(case.data)
    results = list(Plugin(tree, case.relpath).run())
    assert not any("NIL901" in message for _, _, message, _ in results), results


def test_real_finding_survives_bom_and_cookie(tmp_path: Path) -> None:
    """The column of a finding after a BOM is the character column, not shifted by the 3 BOM bytes."""
    git_root(tmp_path)
    write(tmp_path / "bom.py", b"\xef\xbb\xbf" + CALL.encode() + b"\n")
    proc = run_cli("bom.py", cwd=tmp_path)
    assert findings(proc.stdout) == [("bom.py", 1, 1, "NIL101")], proc.stdout


# -- whole-project shapes (the CLI judges several files together) --------------------------------------

def _diamond_ladder(levels: int) -> str:
    """Two classes per level, each inheriting from both classes of the level below (legal Python)."""
    lines = ["class K0:\n    pass\n", "class J0:\n    pass\n"]
    for i in range(1, levels + 1):
        lines.append(f"class K{i}(K{i - 1}, J{i - 1}):\n    pass\n")
        lines.append(f"class J{i}(K{i - 1}, J{i - 1}):\n    pass\n")
    lines.append(f"def handle(user_context):\n    K{levels}().create_user_emitter(user_context)\n")
    return "".join(lines)


@pytest.mark.parametrize("front_end", ["cli", "flake8"])
def test_diamond_inheritance_ladder_is_linear(front_end: str, tmp_path: Path) -> None:
    """62 small classes. Project.member once walked every base of every base without a memo: time
    doubled per level (20 levels: 6.5 s, 30: hours)."""
    import subprocess

    git_root(tmp_path)
    write(tmp_path / "ladder.py", _diamond_ladder(30))
    command = ([sys.executable, "-m", "netra_isolation_lint", "ladder.py"] if front_end == "cli" else
               [sys.executable, "-m", "flake8", "--isolated", "--select", "NIL", "ladder.py"])
    try:
        proc = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=HANG_GUARD_SECONDS,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{front_end} did not finish within {HANG_GUARD_SECONDS}s on 62 classes")
    assert_no_traceback(proc.stdout, proc.stderr)
    assert [code for *_, code in findings(proc.stdout)] == ["NIL404"], proc.stdout


def test_cyclic_multiple_inheritance_across_modules(tmp_path: Path) -> None:
    """Bases that form a cycle through imports (an error at import time, but the tree is what CI lints):
    the verdicts for a third module must not turn into NIL901 and lose its findings."""
    git_root(tmp_path)
    write(tmp_path / "a.py", "from b import B, Y\nclass A(B, Y):\n    pass\nclass X(A, B):\n    pass\n")
    write(tmp_path / "b.py", "from a import A, X\nclass B(A, X):\n    pass\nclass Y(B, A):\n    pass\n")
    write(tmp_path / "c.py", "from a import A\ndef handle(user_context):\n    A().create_user_emitter(user_context)\n"
                             "    get_agent_websocket_bridge()\n")
    proc = run_cli(".", "--ignore", "NIL403", cwd=tmp_path)
    assert_no_traceback(proc.stdout, proc.stderr)
    codes = {(path, code) for path, _, _, code in findings(proc.stdout)}
    assert ("c.py", "NIL901") not in codes, proc.stdout
    assert ("c.py", "NIL101") in codes, proc.stdout
