"""``netra-isolation-lint history`` on a repository built here: findings added, fixed and brought back, a rename, a
deleted file, a merge; every figure, every format, commit selection, a bare clone, a dirty work tree never read."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from snippets import EMITTER, SINGLETON

PER_USER = '''\
from pkg.emitter import AgentWebSocketBridge


async def send(user_context):
    emitter = await AgentWebSocketBridge().create_user_emitter(user_context)
    await emitter.emit_agent_started({"agent": "demo"})
'''
BROKEN_SEND = PER_USER.replace('emit_agent_started({"agent": "demo"})', 'emit_agent_started("demo", {})')
AGENTS = '''\
class BaseAgent:
    def __init__(self, name, user_context=None):
        self.user_context = user_context


class WiredAgent(BaseAgent):
    def __init__(self, user_context=None):
        super().__init__("wired", user_context=user_context)


class LooseAgent(BaseAgent):
    def __init__(self):
        super().__init__("loose")
'''

DAY = 86400
START = 1_757_000_000  # 2025-09-04 15:33 UTC


def _git(root: Path, *args: str, when: int | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"@{when} +0000"
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def _commit(root: Path, message: str, when: int, files: dict[str, str | None]) -> str:
    for name, text in files.items():
        path = root / name
        if text is None:
            _git(root, "rm", "-q", name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        _git(root, "add", name)
    _git(root, "commit", "-q", "-m", message, when=when)
    return _git(root, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """Seven first-parent commits over seven days, one of them a merge; their shas by name."""
    root = tmp_path_factory.mktemp("history") / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    shas = {}
    shas["add"] = _commit(root, "add a singleton send", START, {
        "pkg/__init__.py": "", "pkg/emitter.py": EMITTER, "pkg/agent.py": SINGLETON})
    shas["fix"] = _commit(root, "send through the per-user emitter", START + DAY, {"pkg/agent.py": PER_USER})
    shas["again"] = _commit(root, "bring a singleton back", START + 2 * DAY, {"pkg/legacy.py": SINGLETON})
    _git(root, "mv", "pkg/legacy.py", "pkg/old.py")
    shas["rename"] = _commit(root, "rename it", START + 3 * DAY, {})
    shas["delete"] = _commit(root, "delete it", START + 4 * DAY, {"pkg/old.py": None})
    _git(root, "checkout", "-q", "-b", "agents")
    shas["branch"] = _commit(root, "agents, one of them loose", START + 5 * DAY, {"pkg/agents.py": AGENTS})
    _git(root, "checkout", "-q", "main")
    shas["side"] = _commit(root, "break a send", START + 5 * DAY + 60, {"pkg/agent.py": BROKEN_SEND})
    _git(root, "merge", "-q", "--no-ff", "-m", "merge the agents", "agents", when=START + 6 * DAY)
    shas["merge"] = _git(root, "rev-parse", "HEAD")
    return root, shas


def _history(root: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return run_cli("history", *args, cwd=cwd or root)


def _points(root: Path, *args: str) -> list[dict]:
    result = _history(root, "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


EXPECTED = {  # per commit: the five figures and the findings per code
    "add": ({"singleton_calls": 2, "context_classes_wired": 1.0, "sends_through_emitter": 0.0, "api_breaks": 0,
             "working_critical_events": 0}, {"NIL101": 1, "NIL102": 1, "NIL103": 1, "NIL403": 5}),
    "fix": ({"singleton_calls": 0, "context_classes_wired": 1.0, "sends_through_emitter": 1.0, "api_breaks": 0,
             "working_critical_events": 1}, {"NIL403": 4}),
    "again": ({"singleton_calls": 2, "context_classes_wired": 1.0, "sends_through_emitter": 0.5, "api_breaks": 0,
               "working_critical_events": 1}, {"NIL101": 1, "NIL102": 1, "NIL103": 1, "NIL403": 4}),
    "rename": ({"singleton_calls": 2, "context_classes_wired": 1.0, "sends_through_emitter": 0.5, "api_breaks": 0,
                "working_critical_events": 1}, {"NIL101": 1, "NIL102": 1, "NIL103": 1, "NIL403": 4}),
    "delete": ({"singleton_calls": 0, "context_classes_wired": 1.0, "sends_through_emitter": 1.0, "api_breaks": 0,
                "working_critical_events": 1}, {"NIL403": 4}),
    "side": ({"singleton_calls": 0, "context_classes_wired": 1.0, "sends_through_emitter": 1.0, "api_breaks": 1,
              "working_critical_events": 0}, {"NIL403": 5, "NIL405": 1}),
    "merge": ({"singleton_calls": 0, "context_classes_wired": 0.5, "sends_through_emitter": 1.0, "api_breaks": 1,
               "working_critical_events": 0}, {"NIL201": 1, "NIL403": 5, "NIL405": 1}),
}
FIRST_PARENT = ["add", "fix", "again", "rename", "delete", "side", "merge"]


def test_every_figure_of_every_first_parent_commit(repo):
    root, shas = repo
    points = _points(root)
    assert [p["commit"] for p in points] == [shas[name] for name in FIRST_PARENT]  # the branch's commit is not
    for point, name in zip(points, FIRST_PARENT):
        metrics, codes = EXPECTED[name]
        assert (point["metrics"], point["codes"]) == (metrics, codes), name
        assert point["families"] == {f"{c[:4]}xx": sum(n for k, n in codes.items() if k[:4] == c[:4]) for c in codes}


def test_each_commit_equals_a_plain_run_on_its_extracted_tree(repo, tmp_path):
    root, shas = repo
    for point in _points(root):
        tree = tmp_path / point["commit"]
        tree.mkdir()
        archive = subprocess.run(["git", "-C", str(root), "archive", point["commit"]], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        (tree / ".git").mkdir()
        plain = json.loads(run_cli("--no-cache", "--format", "json", ".", cwd=tree).stdout)
        counts: dict[str, int] = {}
        for row in plain:
            counts[row["code"]] = counts.get(row["code"], 0) + 1
        assert point["codes"] == dict(sorted(counts.items())), point["commit"]


def test_one_process_and_several_agree(repo):
    root, _ = repo
    assert _points(root, "--jobs", "1") == _points(root, "--jobs", "3")


def test_all_parents_adds_the_merged_branch(repo):
    root, shas = repo
    assert shas["branch"] in [p["commit"] for p in _points(root, "--all-parents")]


def test_every_day_keeps_the_last_commit_of_each_day_and_both_ends(repo):
    root, shas = repo
    points = _points(root, "--every", "DAY")
    assert [p["commit"] for p in points] == [shas[n] for n in ("add", "fix", "again", "rename", "delete", "side",
                                                               "merge")]
    week = _points(root, "--every", "week")
    assert week[0]["commit"] == shas["add"] and week[-1]["commit"] == shas["merge"] and len(week) <= 3


def test_max_commits_spreads_evenly_and_keeps_both_ends(repo):
    root, shas = repo
    assert [p["commit"] for p in _points(root, "--max-commits", "3")] == [shas["add"], shas["rename"], shas["merge"]]
    assert [p["commit"] for p in _points(root, "--max-commits", "1")] == [shas["merge"]]


def test_a_range_and_a_path(repo):
    root, shas = repo
    points = _points(root, f"{shas['fix']}..{shas['delete']}", "pkg/agent.py")
    assert [p["commit"] for p in points] == [shas["again"], shas["rename"], shas["delete"]]
    assert all(p["files"] == 1 and p["metrics"]["singleton_calls"] == 0 for p in points)  # legacy.py is outside


def test_a_dirty_work_tree_is_never_read(repo):
    root, shas = repo
    before = _points(root)
    agent = root / "pkg" / "agent.py"
    committed = agent.read_text()
    agent.write_text(SINGLETON)  # uncommitted
    (root / "pkg" / "untracked.py").write_text(SINGLETON)
    try:
        assert _points(root) == before
    finally:
        agent.write_text(committed)
        (root / "pkg" / "untracked.py").unlink()


def test_a_bare_clone_gives_the_same_history(repo, tmp_path):
    root, _ = repo
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(bare)], check=True)
    assert _points(bare, "--repo", str(bare)) == _points(root)


def test_csv_has_a_row_per_commit_with_every_figure_and_code(repo):
    root, shas = repo
    result = _history(root, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["commit"] for r in rows] == [shas[n] for n in FIRST_PARENT]
    merge = rows[-1]
    assert (merge["context_classes_wired"], merge["api_breaks"], merge["NIL201"], merge["NIL101"]) == (
        "0.5", "1", "1", "0")


def test_markdown_compares_a_branch_with_its_base(repo):
    root, shas = repo
    result = _history(root, "--format", "markdown", "--max-commits", "2", f"{shas['delete']}^..{shas['merge']}")
    lines = result.stdout.splitlines()
    assert lines[0] == f"| | base `{shas['delete'][:9]}` | this branch `{shas['merge'][:9]}` | change |"
    assert "| context-bound classes that take and forward the context (share) | 100% | 50% | -50 pts |" in lines
    assert "| API-contract breaks (NIL404-NIL407) | 0 | 1 | +1 |" in lines
    assert "| NIL201 | 0 | 1 | +1 |" in lines
    table = _history(root, "--format", "markdown").stdout.splitlines()
    assert len(table) == 2 + len(FIRST_PARENT) and table[2].startswith(f"| `{shas['add'][:9]}` |")


def test_html_and_the_svg_are_self_contained(repo, tmp_path):
    root, shas = repo
    plot = tmp_path / "history.svg"
    result = _history(root, "--format", "html", "--plot", str(plot))
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<script" not in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched
    chart = plot.read_text()
    assert chart.startswith("<?xml") and chart.count("<polyline") == 9  # five figures, four families
    assert f"<title>{shas['merge'][:9]} " in chart  # each point names its commit on hover


def test_text_and_errors(repo):
    root, _ = repo
    text = _history(root).stdout
    assert "singleton call sites left (NIL101, NIL103)" in text
    bad = _history(root, "no-such-rev..HEAD")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "error" in bad.stderr
    assert _history(root, "--max-commits", "0").returncode == 2
    option = _history(root, "--", "--output=stolen")  # never handed to git as an option
    assert option.returncode == 2 and not (root / "stolen").exists()
    outside = _history(root, "--repo", str(root.parent))
    assert outside.returncode == 2 and "error" in outside.stderr


NETRA = Path(os.environ.get("NETRA_MIRROR", "/work/.mirror/netra-systems+zen/repo"))


@pytest.mark.slow
@pytest.mark.skipif(not NETRA.is_dir() or shutil.which("tar") is None, reason="needs the Netra mirror")
def test_netra_history_ends_equal_plain_runs_on_the_extracted_trees(tmp_path):
    """The acceptance run: 05bd22d^..2fafd1dd, one point a day; its first and last commits against the CLI on
    those trees extracted with git archive."""
    result = run_cli("history", "--repo", str(NETRA), "--every", "DAY", "--format", "json", "05bd22d^..2fafd1dd",
                     "netra_backend", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    points = json.loads(result.stdout)
    assert len(points) >= 13
    for point in (points[0], points[-1]):
        tree = tmp_path / point["commit"]
        tree.mkdir()
        archive = subprocess.run(["git", "-C", str(NETRA), "archive", point["commit"], "netra_backend"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        plain = json.loads(run_cli("--no-cache", "--format", "json", "netra_backend", cwd=tree).stdout)
        counts: dict[str, int] = {}
        for row in plain:
            counts[row["code"]] = counts.get(row["code"], 0) + 1
        assert point["codes"] == dict(sorted(counts.items())), point["commit"]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))
