"""The CLI's path policy on hostile trees (POSIX): it never hangs, never reads outside the analysed root
through a symlink, never prints a byte of a refused file, and reports every refused path exactly once.

Git can commit symlinks, so a pull request can plant ``leak.py -> ~/.ssh/id_rsa`` or
``zero.py -> /dev/zero``; flake8 and ruff print such a secret with ``--show-source`` (see
docs/reliability.md). The marker below stands for the secret: it must appear in no output format.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from reliability_support import assert_no_traceback, findings, git_root, run_cli_bounded, write

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symlinks, FIFOs and modes are POSIX")

SECRET = "SECRET_MARKER_7f3a9c"
CALL = "get_agent_websocket_bridge()\n"


def _formats() -> list[list[str]]:
    from netra_isolation_lint.cli import build_parser
    from netra_isolation_lint.formats import FORMATS

    variants = [["--format", name] for name in sorted(FORMATS)]
    if any("--show-source" in action.option_strings for action in build_parser()._actions):
        variants.append(["--format", "text", "--show-source"])
    return variants


def _one_result_per_path(stdout: str) -> dict[str, list[str]]:
    by_path: dict[str, list[str]] = {}
    for path, _, _, code in findings(stdout):
        by_path.setdefault(path, []).append(code)
    return by_path


@pytest.fixture
def hostile_tree(tmp_path: Path) -> Path:
    """root/ with every kind of path the policy must refuse, next to an outside secret."""
    outside = tmp_path / "outside"
    write(outside / "secret.py", f"{CALL.strip()}  # {SECRET}\nTOKEN = '{SECRET}'\n")
    write(outside / "pkg" / "inner.py", f"{CALL.strip()}  # {SECRET}\n")
    root = git_root(tmp_path / "root")
    write(root / "good.py", CALL)
    write(root / "inside_target.py", "x = 1\n")
    os.symlink(outside / "secret.py", root / "leak.py")  # a file symlink leaving the root
    os.symlink("leak.py", root / "chain.py")  # an in-root link to the leaving link
    os.symlink("/dev/zero", root / "zero.py")  # would grow without bound if read
    os.symlink(outside / "pkg", root / "outside_dir")  # a directory symlink leaving the root
    os.symlink("inside_target.py", root / "inside_link.py")  # stays inside: followed
    os.symlink("missing.py", root / "dangling.py")
    os.symlink("loop_b.py", root / "loop_a.py")
    os.symlink("loop_a.py", root / "loop_b.py")
    (root / "loopdir").mkdir()
    os.symlink("..", root / "loopdir" / "up")  # a directory loop
    os.mkfifo(root / "fifo.py")
    return root


EXPECTED_REFUSALS = {
    "leak.py": "symlink points outside the analysed tree",
    "chain.py": "symlink points outside the analysed tree",
    "zero.py": "symlink points outside the analysed tree",
    "fifo.py": "not a regular file",
    "dangling.py": "broken symlink",
    "loop_a.py": "cannot read file",
    "loop_b.py": "cannot read file",
}


@pytest.mark.parametrize("fmt", _formats(), ids=lambda f: "-".join(a.lstrip("-") for a in f if a != "--format"))
def test_secret_never_printed_in_any_format(hostile_tree: Path, fmt: list[str]) -> None:
    proc = run_cli_bounded(".", *fmt, cwd=hostile_tree)
    assert_no_traceback(proc.stdout, proc.stderr)
    assert SECRET not in proc.stdout and SECRET not in proc.stderr
    assert proc.returncode == 1, proc.stderr


def test_every_refused_path_reported_once(hostile_tree: Path) -> None:
    proc = run_cli_bounded(".", "--ignore", "NIL403", cwd=hostile_tree)
    assert_no_traceback(proc.stdout, proc.stderr)
    by_path = _one_result_per_path(proc.stdout)
    lines = {line.split(": NIL", 1)[0].rsplit(":", 2)[0]: line for line in proc.stdout.splitlines()}
    for path, reason in EXPECTED_REFUSALS.items():
        assert by_path.get(path) == ["NIL902"], (path, proc.stdout)
        assert reason in lines[path], lines[path]
    assert by_path["good.py"] == ["NIL101"]
    assert "inside_link.py" not in by_path  # followed (inside the tree), clean
    assert not any(p.startswith("outside_dir") or p.startswith("loopdir") for p in by_path), by_path
    assert set(by_path) == set(EXPECTED_REFUSALS) | {"good.py"}, by_path


def test_symlink_inside_the_tree_is_followed(tmp_path: Path) -> None:
    root = git_root(tmp_path)
    write(root / "real.py", CALL)
    os.symlink("real.py", root / "alias.py")
    proc = run_cli_bounded("alias.py", cwd=root)
    assert findings(proc.stdout) == [("alias.py", 1, 1, "NIL101")], proc.stdout + proc.stderr


def test_explicit_symlink_argument_leaving_cwd_is_refused(hostile_tree: Path) -> None:
    proc = run_cli_bounded("leak.py", "--format", "text", "--show-source", cwd=hostile_tree)
    assert SECRET not in proc.stdout + proc.stderr
    assert _one_result_per_path(proc.stdout) == {"leak.py": ["NIL902"]}, proc.stdout


def test_json_output_names_refusals(hostile_tree: Path) -> None:
    proc = run_cli_bounded(".", "--format", "json", cwd=hostile_tree)
    rows = json.loads(proc.stdout)
    refused = {row["path"] for row in rows if row["code"] == "NIL902"}
    assert refused == set(EXPECTED_REFUSALS)


def test_directory_loop_terminates(tmp_path: Path) -> None:
    root = git_root(tmp_path)
    write(root / "a" / "b" / "mod.py", CALL)
    os.symlink("../..", root / "a" / "b" / "up")
    os.symlink(".", root / "a" / "self")
    proc = run_cli_bounded(".", "--ignore", "NIL403", cwd=root, timeout=30)
    assert findings(proc.stdout) == [("a/b/mod.py", 1, 1, "NIL101")], proc.stdout


def test_fifo_named_explicitly_does_not_block(tmp_path: Path) -> None:
    root = git_root(tmp_path)
    os.mkfifo(root / "pipe.py")
    proc = run_cli_bounded("pipe.py", cwd=root, timeout=30)
    assert _one_result_per_path(proc.stdout) == {"pipe.py": ["NIL902"]}
    assert "not a regular file" in proc.stdout


def test_mode_000_file(tmp_path: Path) -> None:
    root = git_root(tmp_path)
    write(root / "other.py", CALL)
    locked = write(root / "locked.py", CALL)
    locked.chmod(0)
    try:
        try:
            with open(locked, "rb"):
                readable = True
        except PermissionError:
            readable = False
        if readable:
            pytest.skip("mode 000 is still readable here (running as root or with CAP_DAC_OVERRIDE); "
                        "test_permission_denied_in_process covers the refusal")
        proc = run_cli_bounded(".", "--ignore", "NIL403", cwd=root)
        by_path = _one_result_per_path(proc.stdout)
        assert by_path == {"locked.py": ["NIL902"], "other.py": ["NIL101"]}, proc.stdout
        assert "permission denied" in proc.stdout
    finally:
        locked.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_unlistable_directory_as_non_root(tmp_path: Path) -> None:
    root = git_root(tmp_path)
    write(root / "sealed" / "mod.py", CALL)
    write(root / "other.py", CALL)
    (root / "sealed").chmod(0)
    try:
        if os.access(root / "sealed", os.R_OK):
            pytest.skip("mode 000 directories are still listable here (root); "
                        "test_unlistable_directory_in_process covers it")
        proc = run_cli_bounded(".", "--ignore", "NIL403", cwd=root)
        assert _one_result_per_path(proc.stdout) == {"sealed": ["NIL902"], "other.py": ["NIL101"]}
    finally:
        (root / "sealed").chmod(0o755)


# -- in-process: conditions a root test runner cannot create for real ---------------------------------

def _lint_dir(root: Path, before_lint=None):
    from netra_isolation_lint.config import DEFAULTS
    from netra_isolation_lint.runner import lint
    from netra_isolation_lint.sources import DEFAULT_EXCLUDES, discover

    cwd = os.getcwd()
    os.chdir(root)
    try:
        sources, missing = discover(["."], DEFAULT_EXCLUDES)
        assert not missing
        if before_lint is not None:
            before_lint(sources)
        return lint(sources, DEFAULTS)
    finally:
        os.chdir(cwd)


def _by_path(report) -> dict[str, list[tuple[str, str]]]:
    result: dict[str, list[tuple[str, str]]] = {}
    for r in report.results:
        result.setdefault(r.path, []).append((r.code, r.message))
    return result


def test_file_deleted_between_discovery_and_read(tmp_path: Path) -> None:
    root = git_root(tmp_path)
    write(root / "a.py", CALL)
    write(root / "gone.py", CALL)
    write(root / "z.py", CALL)
    report = _lint_dir(root, before_lint=lambda sources: os.remove(root / "gone.py"))
    by_path = _by_path(report)
    assert [c for c, _ in by_path["gone.py"]] == ["NIL902"]
    assert "disappeared" in by_path["gone.py"][0][1]
    assert [c for c, _ in by_path["a.py"]] == ["NIL101"] and [c for c, _ in by_path["z.py"]] == ["NIL101"]
    assert not report.internal_errors


def test_file_replaced_by_fifo_between_discovery_and_read(tmp_path: Path) -> None:
    root = git_root(tmp_path)
    write(root / "swap.py", CALL)
    write(root / "z.py", CALL)

    def swap(_sources):
        os.remove(root / "swap.py")
        os.mkfifo(root / "swap.py")

    report = _lint_dir(root, before_lint=swap)
    by_path = _by_path(report)
    assert [c for c, _ in by_path["swap.py"]] == ["NIL902"]
    assert [c for c, _ in by_path["z.py"]] == ["NIL101"]


def test_permission_denied_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """EACCES on open (what a non-root runner gets for mode 000), simulated so root runs cover it too."""
    from netra_isolation_lint import sources as sources_module

    root = git_root(tmp_path)
    write(root / "locked.py", CALL)
    write(root / "other.py", CALL)
    real_open = os.open

    def guarded_open(path, flags, *args, **kwargs):
        if os.path.basename(os.fsdecode(path)) == "locked.py":
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(sources_module.os, "open", guarded_open)
    by_path = _by_path(_lint_dir(root))
    assert by_path["locked.py"] == [("NIL902", "file not checked: permission denied")]
    assert [c for c, _ in by_path["other.py"]] == ["NIL101"]


def test_unlistable_directory_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A directory os.walk cannot list must be reported, not silently dropped with all its files."""
    root = git_root(tmp_path)
    write(root / "sealed" / "mod.py", CALL)
    write(root / "other.py", CALL)
    real_scandir = os.scandir

    def guarded_scandir(path="."):
        if os.path.basename(os.fsdecode(path)) == "sealed":
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", guarded_scandir)
    by_path = _by_path(_lint_dir(root))
    assert [c for c, _ in by_path["sealed"]] == ["NIL902"], by_path
    assert "could not be listed" in by_path["sealed"][0][1]
    assert [c for c, _ in by_path["other.py"]] == ["NIL101"]


def test_non_utf8_file_name(tmp_path: Path) -> None:
    if sys.platform == "darwin":
        pytest.skip("APFS refuses file names that are not UTF-8")
    root = git_root(tmp_path)
    write(root / "ok.py", "x = 1\n")
    name = os.fsdecode(b"bad\xff\x1b[2K.py")
    write(root / name, CALL)
    for fmt in ("text", "json"):
        proc = run_cli_bounded(".", "--format", fmt, "--ignore", "NIL403", cwd=root)
        assert_no_traceback(proc.stdout, proc.stderr)
        assert "\x1b" not in proc.stdout and "\udcff" not in proc.stdout
        assert proc.returncode == 1, proc.stderr
        assert "NIL101" in proc.stdout


def test_huge_file_is_never_read_in_full(tmp_path: Path) -> None:
    """A sparse 1 GiB file: refused from its size before reading, quickly."""
    root = git_root(tmp_path)
    with open(root / "huge.py", "wb") as handle:
        handle.truncate(1 << 30)
    proc = run_cli_bounded("huge.py", cwd=root, timeout=30)
    assert _one_result_per_path(proc.stdout) == {"huge.py": ["NIL902"]}
    assert "larger than max_file_bytes" in proc.stdout
