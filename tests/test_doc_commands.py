"""The commands in README.md and docs/ci.md run as written.

Every command of a ```sh block, and every ``run:`` / ``script:`` line of the CI workflows in ```yaml blocks,
is run with bash in a scratch git repository holding two copies of ``examples/`` (``examples/`` and ``src/``,
the tree the Use section lints). The legacy files are committed after the migrated ones, so ``--diff-base`` against
the first commit has findings to show. A command either runs and must exit as documented (0 clean, 1
findings, pylint's bit 4 for warnings; never 2, no traceback), or matches one entry of ``SKIPS``, which says
why it cannot run here; an entry no command matches fails, so the list cannot go stale.
Documented placeholders for paths are replaced by real ones (``PLACEHOLDERS``); any other ``<...>`` placeholder
is only allowed in a skipped command.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

DOCS = ("README.md", "docs/ci.md")
SKIPS = {
    r"^python (-I )?-m pip install\b": "installs packages into the running venv, partly from the network; installing "
                                       "this checkout from a path is what pre-commit does in tests/test_hooks.py",
    r"^python -m pytest\b": "the test suite itself",
    r"^apt-get\b": "system packages of a CI image (needs root and Debian's mirrors)",
    r"\breviewdog\b": "needs reviewdog and a GitHub token",
    r"\[PATH \.\.\.\]": "a synopsis with a placeholder, not a command",
}
PLACEHOLDERS = {"/path/to/netra-isolation-lint": str(ROOT)}
HAS_PRE_COMMIT = importlib.util.find_spec("pre_commit") is not None
GIT = ["git", "-c", "user.name=doc test", "-c", "user.email=doc@test.invalid", "-c", "commit.gpgsign=false"]


def _fenced(text: str, language: str) -> list[tuple[int, str]]:
    """(line number of the block's first line, body) for each ```language block."""
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1))
            for m in re.finditer(rf"^```{language}\n(.*?)^```$", text, flags=re.S | re.M)]


def _sh_commands(start: int, body: str) -> list[tuple[int, str]]:
    commands, pending, first = [], "", start
    for number, line in enumerate(body.splitlines(), start):
        if not pending:
            first = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        pending += line
        if pending.strip() and not pending.lstrip().startswith("#"):
            commands.extend((first, part.strip()) for part in pending.split(" && "))
        pending = ""
    return commands


def _workflow_commands(start: int, body: str) -> list[tuple[int, str]]:
    """The shell lines a GitHub Actions (``jobs.*.steps[].run``) or GitLab (``script``, ``before_script``)
    workflow runs; other YAML (pre-commit configs) has none."""
    data = yaml.safe_load(body)
    scripts: list[str] = []
    if isinstance(data, dict) and "jobs" in data:
        scripts = [step["run"] for job in data["jobs"].values() for step in job.get("steps", []) if "run" in step]
    elif isinstance(data, dict) and "repos" not in data:
        scripts = [line for job in data.values() for key in ("before_script", "script") for line in job.get(key, [])]
    lines = body.splitlines()
    commands = []
    for script in scripts:
        for line in script.splitlines():
            if line.strip():
                # the line of the block that holds it (a folded ``>-`` script: its first line)
                number = start + next((i for i, text in enumerate(lines) if line.strip()[:30] in text), 0)
                commands.extend((number, part.strip()) for part in line.split(" && "))
    return commands


def doc_commands() -> list[tuple[str, int, str]]:
    found = []
    for doc in DOCS:
        text = (ROOT / doc).read_text()
        for start, body in _fenced(text, "sh"):
            found.extend((doc, line, command) for line, command in _sh_commands(start, body))
        for start, body in _fenced(text, "yaml"):
            found.extend((doc, line, command) for line, command in _workflow_commands(start, body))
    return found


COMMANDS = doc_commands()


def skip_reason(command: str) -> str | None:
    for pattern, reason in SKIPS.items():
        if re.search(pattern, command):
            return reason
    return None


def info_options() -> set[str]:
    """The CLI's "information" options (--explain, --show-config, ...): they print and exit 0."""
    from netra_isolation_lint.cli import build_parser

    parser = build_parser()
    groups = [group for group in parser._action_groups if group.title == "information"]
    assert groups, "the CLI has no 'information' option group any more"
    return {option for action in groups[0]._group_actions for option in action.option_strings} | {"--version",
                                                                                                   "--help"}


def expected_exit(words: list[str]) -> int:
    """What the docs promise for this command in the scratch tree (it has findings outside migrated/)."""
    if words[0] == "pylint":
        return 4  # pylint's bit mask: warning messages only, no fatal (1), error (2) or usage error (32)
    if words[0] == "pre-commit":
        return 1  # the hooks find the legacy files' findings
    if words[0] not in ("netra-isolation-lint", "flake8"):
        return 0  # git and other helpers in a workflow
    if words[0] == "netra-isolation-lint" and any(word.partition("=")[0] in info_options() for word in words):
        return 0
    if "--exit-zero" in words:
        return 0
    paths = [word for word in words[1:] if not word.startswith("-")]
    if paths and all(path.rstrip("/").endswith("migrated") for path in paths):
        return 0  # README: ``netra-isolation-lint examples/migrated`` exits 0
    return 1


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("docs") / "project"
    for copy in ("examples", "src"):
        shutil.copytree(ROOT / "examples", root / copy)
    (root / ".netra-isolation.yaml").write_text("ignore: []\n")  # the base branch's contract (ci.md's git show)
    subprocess.run([*GIT, "init", "-q", "."], cwd=root, check=True)
    subprocess.run([*GIT, "add", ".netra-isolation.yaml", "examples/migrated", "src/migrated"], cwd=root, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "migrated"], cwd=root, check=True)
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()
    subprocess.run([*GIT, "add", "."], cwd=root, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "legacy"], cwd=root, check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_", "NETRA_ISOLATION"))}
    env.pop("PYTHONHASHSEED", None)
    # ``python``, ``netra-isolation-lint``, ``flake8``, ``pylint`` and ``pre-commit``: this venv's, as after the
    # documented install; the workflows' base revision variables name the first commit.
    runner_temp = tmp_path_factory.mktemp("runner_temp")
    env.update(PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""), BASE_SHA=base,
               CI_MERGE_REQUEST_DIFF_BASE_SHA=base, RUNNER_TEMP=str(runner_temp))
    return root, env


@pytest.mark.parametrize(("doc", "line", "command"), COMMANDS, ids=[f"{d}:{n}:{c[:40]}" for d, n, c in COMMANDS])
def test_documented_command_runs_as_written(scratch, doc: str, line: int, command: str) -> None:
    reason = skip_reason(command)
    if reason is not None:
        pytest.skip(f"{doc}:{line}: {reason}")
    for placeholder, real in PLACEHOLDERS.items():
        command = command.replace(placeholder, real)
    assert not re.search(r"<[A-Z][A-Z-]*>|/path/to/", command), f"{doc}:{line}: unfilled placeholder: {command}"
    words = shlex.split(command, comments=True)
    if words[0] == "pylint":
        # pylint 4.1 mis-parses a spaced ``--disable all`` after another valued option: docs use the = form
        assert not {"--disable", "--enable"} & set(words), command
    if words[0] == "pre-commit" and not HAS_PRE_COMMIT:
        pytest.skip("pre-commit is not installed (it is in the test extra: pip install -e '.[test]')")
    root, env = scratch
    output = words[words.index("--output") + 1] if "--output" in words else None
    if output:
        (root / output).unlink(missing_ok=True)
    proc = subprocess.run(["bash", "-c", command], cwd=root, env=env, capture_output=True, text=True,
                          timeout=900, stdin=subprocess.DEVNULL)
    shown = f"{doc}:{line}: {command}\nexit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stdout + proc.stderr, shown
    assert proc.returncode == expected_exit(words), shown
    if words[0] == "netra-isolation-lint":
        assert "error:" not in proc.stderr, shown
    if output:
        assert proc.stdout == "", shown  # the report went to the file
        report = (root / output).read_text()
        json.loads(report)  # every --output in the docs is a machine-readable format
    elif words[0] in ("netra-isolation-lint", "flake8", "pylint"):
        assert proc.stdout.strip(), shown  # a finding, a report or a rule's page: never silence


def test_commands_were_found() -> None:
    """The extraction itself: the commands the docs are known to show are among those run."""
    found = {command for _, _, command in COMMANDS}
    for expected in ("netra-isolation-lint examples/", "netra-isolation-lint --explain NIL103",
                     "flake8 --select NIL src/", "netra-isolation-lint --exit-zero --statistics .",
                     'netra-isolation-lint --format github --diff-base "$BASE_SHA" .',
                     "pre-commit try-repo /path/to/netra-isolation-lint --all-files"):
        assert any(command.split("  #")[0].strip() == expected for command in found), expected
    assert any(command.startswith("pylint --load-plugins") for command in found)


@pytest.mark.parametrize("pattern", sorted(SKIPS))
def test_every_skip_is_used(pattern: str) -> None:
    assert any(re.search(pattern, command) for _, _, command in COMMANDS), f"no documented command matches {pattern}"


def test_pre_commit_configs_name_real_hooks_and_no_missing_release() -> None:
    """The pre-commit snippets name hooks this repository defines, and a ``rev`` that exists: a placeholder
    the reader fills in, or a revision of this repository. No doc installs the package by a name PyPI lacks."""
    hook_ids = {hook["id"] for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    configs = 0
    for doc in DOCS:
        text = (ROOT / doc).read_text()
        assert not re.search(r"pip install (-\S+ )*netra-isolation-lint(\s|$)", text), f"{doc}: not on PyPI"
        for _, body in _fenced(text, "yaml"):
            data = yaml.safe_load(body)
            if not (isinstance(data, dict) and "repos" in data):
                continue
            for repo in data["repos"]:
                configs += 1
                assert {hook["id"] for hook in repo["hooks"]} <= hook_ids, (doc, repo)
                rev = str(repo["rev"])
                if not re.fullmatch(r"<[A-Z][A-Z-]*>", rev):
                    check = subprocess.run(["git", "rev-parse", "--verify", "--quiet", rev + "^{commit}"], cwd=ROOT,
                                           capture_output=True)
                    assert check.returncode == 0, f"{doc}: rev {rev} is no revision of this repository"
    assert configs >= 3
