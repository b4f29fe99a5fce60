"""The pre-commit hooks in .pre-commit-hooks.yaml work as a user installs them.

- the flake8 hook's own arguments keep flake8's E999, so a file that does not parse fails the hook;
- ``pre-commit try-repo <this checkout>`` in a fresh repository passes on clean, unrelated files and fails
  on a broken one (E999 from the flake8 hook, NIL900 from the native hook). pre-commit builds each hook's
  environment with pip from this checkout (HEAD plus uncommitted changes to tracked files), which needs PyPI.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

HOOKS = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
FLAKE8_HOOK = HOOKS["netra-isolation-lint-flake8"]
NATIVE_HOOK = HOOKS["netra-isolation-lint"]
CLEAN = {
    # two files that share nothing: no agent, no bridge, no emitter, no event
    "one.py": "import os\n\n\ndef home() -> str:\n    return os.getcwd()\n",
    "pkg/two.py": "VALUE = {'a': 1}\n\n\nclass Point:\n    x = 0\n",
}
BROKEN = "def broken(:\n    pass\n"
LEGACY = "from myapp.bridge import get_agent_websocket_bridge\n"
HAS_PRE_COMMIT = importlib.util.find_spec("pre_commit") is not None
needs_pre_commit = pytest.mark.skipif(not HAS_PRE_COMMIT,
                                      reason="pre-commit is not installed (it is in the test extra: pip install -e '.[test]')")


def _flake8_hook(cwd: Path, *files: str) -> subprocess.CompletedProcess:
    """flake8 as the hook starts it: its entry, its args, then the file names pre-commit passes."""
    assert FLAKE8_HOOK["entry"] == "flake8"
    return subprocess.run([sys.executable, "-m", "flake8", *FLAKE8_HOOK["args"], *files], cwd=cwd,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def test_flake8_hook_fails_on_a_syntax_error_with_e999(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text(BROKEN)
    proc = _flake8_hook(tmp_path, "broken.py")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert [line.split(" ", 2)[1] for line in proc.stdout.splitlines()] == ["E999"], proc.stdout
    assert "Traceback" not in proc.stderr


def test_flake8_hook_reports_nil_and_nothing_else(tmp_path: Path) -> None:
    """The hook is this linter's: its own rules, not flake8's style checks (the clean file has an unused
    import and a long line, which pyflakes and pycodestyle would report)."""
    (tmp_path / "legacy.py").write_text(LEGACY)
    (tmp_path / "clean.py").write_text("import os\n" + "x = 1  " + "#" * 120 + "\n")
    proc = _flake8_hook(tmp_path, "legacy.py", "clean.py")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert [line.split(" ", 2)[1] for line in proc.stdout.splitlines()] == ["NIL102"], proc.stdout


def test_hook_definitions() -> None:
    """What the docs promise of the hooks: Python files only, serial (the native hook judges files together)."""
    assert NATIVE_HOOK["entry"] == "netra-isolation-lint"
    for hook in (NATIVE_HOOK, FLAKE8_HOOK):
        assert hook["language"] == "python" and hook["types"] == ["python"] and hook["require_serial"] is True


def _fresh_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir()
    subprocess.run(["git", "init", "-q", "."], cwd=root, check=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    subprocess.run(["git", "add", "--", *files], cwd=root, check=True)  # --all-files lints what git tracks
    return root


def _try_repo(cwd: Path, *hook: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")  # git, and no other venv
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), *hook, "--all-files",
                           "--color", "never"], cwd=cwd, capture_output=True, text=True, timeout=900,
                          stdin=subprocess.DEVNULL, env=env)


def _verdicts(output: str) -> dict[str, str]:
    """Hook name -> Passed / Failed, from pre-commit's status lines (``name.....Passed``)."""
    found = {}
    for line in output.splitlines():
        for verdict in ("Passed", "Failed"):
            if line.endswith(verdict) and "..." in line:
                found[line.partition("...")[0].rstrip(".")] = verdict
    return found


@needs_pre_commit
def test_try_repo_passes_on_two_clean_unrelated_files(tmp_path: Path) -> None:
    """The native hook gets only the file names (as on a commit): nothing to report, and NIL403 is not
    judged for files named one by one. The flake8 hook agrees."""
    repo = _fresh_repo(tmp_path / "project", CLEAN)
    proc = _try_repo(repo, "netra-isolation-lint")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _verdicts(proc.stdout) == {NATIVE_HOOK["name"]: "Passed"}, proc.stdout
    proc = _try_repo(repo, "netra-isolation-lint-flake8")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _verdicts(proc.stdout) == {FLAKE8_HOOK["name"]: "Passed"}, proc.stdout


@needs_pre_commit
def test_try_repo_fails_on_a_broken_file(tmp_path: Path) -> None:
    repo = _fresh_repo(tmp_path / "project", {**CLEAN, "broken.py": BROKEN})
    proc = _try_repo(repo)  # every hook of the checkout
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert _verdicts(proc.stdout) == {NATIVE_HOOK["name"]: "Failed", FLAKE8_HOOK["name"]: "Failed"}, proc.stdout
    # flake8 versions place E999's column differently; the line and the code are what matter
    assert re.search(r"^broken\.py:1:\d+: E999 SyntaxError", proc.stdout, re.M), proc.stdout
    assert re.search(r"^broken\.py:1:\d+: NIL900 ", proc.stdout, re.M), proc.stdout
