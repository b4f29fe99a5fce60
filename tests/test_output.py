"""What a person at a terminal sees: the summary line, colour, the progress line, the caret under a finding,
Ctrl-C, and the warning for a run that found no file. Piped, saved and machine output stays as it was."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ci_support import VIOLATION_IMPORT, small_project
from conftest import run_cli

from netra_isolation_lint import cli, formats
from netra_isolation_lint.runner import Report, Result

CALL = "get_agent_websocket_bridge()\n"
FINDING_LINE = re.compile(r"^(.+?):(\d+):(\d+): (NIL\d{3}) ")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Variables that decide colour and progress: each test sets the ones it is about.
AMBIENT = ("CI", "NO_COLOR", "FORCE_COLOR", "TERM")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in AMBIENT and k != "PYTHONHASHSEED"}
    env["TERM"] = "xterm-256color"
    env.update(extra)
    return env


def read_terminal(master: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end of the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return b"".join(chunks)


def on_terminal(*args: str, cwd, env=None, piped: str | None = None, argv=None) -> tuple[int, str, str]:
    """Run the CLI with stdout and stderr on a pseudo-terminal, except the ``piped`` one; (exit status, what the
    terminal showed, what the pipe got). The terminal's line ends are turned back into ``\\n``; lone carriage
    returns stay. Colourless unless ``env`` says otherwise."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv or [sys.executable, "-m", "netra_isolation_lint", *args], cwd=cwd,
                            env=env if env is not None else clean_env(NO_COLOR="1"), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE if piped == "stdout" else slave,
                            stderr=subprocess.PIPE if piped == "stderr" else slave)
    os.close(slave)
    shown = read_terminal(master).decode("utf-8").replace("\r\n", "\n")
    out, err = proc.communicate(timeout=120)
    pipe = {"stdout": out, "stderr": err}.get(piped) or b""
    return proc.returncode, shown, pipe.decode("utf-8")


def two_findings(tmp_path: Path) -> Path:
    # three files with the helper module of small_project: two findings in one file, none in the others
    return small_project(tmp_path / "p", {"a.py": VIOLATION_IMPORT + CALL, "clean.py": "x = 1\n"})


# -- the summary line ----------------------------------------------------------------------------
@pytest.mark.parametrize("results, files, cached, expected", [
    (2, 3, 0, "Found 2 findings in 3 files."),
    (1, 1, 0, "Found 1 finding in 1 file."),
    (12, 5, 3, "Found 12 findings in 5 files (3 files checked from cache)."),
    (1, 2, 1, "Found 1 finding in 2 files (1 file checked from cache)."),
    (0, 212, 0, "No findings in 212 files."),
    (0, 1, 1, "No findings in 1 file (1 file checked from cache)."),
    (0, 0, 0, "No findings in 0 files."),
])
def test_summary_wording(results, files, cached, expected):
    report = Report(results=[Result("a.py", n + 1, 0, "NIL101", "m") for n in range(results)], files=files,
                    cached=cached)
    assert formats.summary(report) == expected + "\n"


def test_summary_follows_the_report_on_a_terminal_and_counts_the_cache(tmp_path):
    project = two_findings(tmp_path)
    code, out, _ = on_terminal(".", cwd=project)
    lines = out.splitlines()
    assert code == 1
    assert [FINDING_LINE.match(line)[4] for line in lines[:-1]] == ["NIL102", "NIL101"]
    assert lines[-1] == "Found 2 findings in 3 files."
    # unchanged: the whole run's verdicts come from the cache
    assert on_terminal(".", cwd=project)[1].splitlines()[-1] == (
        "Found 2 findings in 3 files (3 files checked from cache).")
    (project / "clean.py").write_text("x = 22\n", encoding="utf-8")
    assert on_terminal(".", cwd=project)[1].splitlines()[-1] == (
        "Found 2 findings in 3 files (2 files checked from cache).")
    (project / "a.py").write_text("x = 1\n", encoding="utf-8")
    assert on_terminal("--no-cache", ".", cwd=project)[1] == "No findings in 3 files.\n"


def test_summary_comes_after_the_statistics(tmp_path):
    out = on_terminal("--no-cache", "--statistics", ".", cwd=two_findings(tmp_path))[1]
    assert "Findings by rule:" in out
    assert out.splitlines()[-1] == "Found 2 findings in 3 files."


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "gitlab", "rdjson"])
def test_no_summary_in_machine_formats_even_on_a_terminal(tmp_path, fmt):
    out = on_terminal("--no-cache", "--format", fmt, ".", cwd=two_findings(tmp_path))[1]
    assert "Found" not in out
    if fmt != "github":
        json.loads(out)


def test_no_summary_when_piped_or_saved(tmp_path):
    project = two_findings(tmp_path)
    piped = run_cli("--no-cache", ".", cwd=project, env=clean_env())
    assert [FINDING_LINE.match(line)[4] for line in piped.stdout.splitlines()] == ["NIL102", "NIL101"]
    code, out, _ = on_terminal("--no-cache", "--output", "r.txt", ".", cwd=project)
    assert code == 1 and out == ""
    assert (project / "r.txt").read_text(encoding="utf-8") == piped.stdout


def test_report_counts_the_files_taken_from_the_cache(tmp_path):
    from netra_isolation_lint import runner
    from netra_isolation_lint.cache import Cache
    from netra_isolation_lint.config import DEFAULTS
    from netra_isolation_lint.sources import DEFAULT_EXCLUDES, discover

    project = two_findings(tmp_path)

    def run():
        sources, _ = discover([str(project)], DEFAULT_EXCLUDES)
        return runner.lint(sources, DEFAULTS, str(project), prefilter=True,
                           cache=Cache(str(tmp_path / "cache"), DEFAULTS, prefilter=True))

    assert run().cached == 0
    assert run().cached == 3  # verdicts reused whole
    (project / "clean.py").write_text("x = 22\n", encoding="utf-8")
    assert run().cached == 2  # facts reused for the two unchanged files


# -- colour --------------------------------------------------------------------------------------
class Stream:
    def __init__(self, tty: bool):
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("option, env, tty, expected", [
    ("auto", {}, True, True),
    ("auto", {}, False, False),
    ("auto", {"NO_COLOR": "1"}, True, False),
    ("auto", {"NO_COLOR": ""}, True, True),  # no-color.org: only a non-empty value counts
    ("auto", {"FORCE_COLOR": "1"}, False, True),
    ("auto", {"FORCE_COLOR": ""}, False, False),
    ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
    ("auto", {"TERM": "dumb"}, True, False),
    ("always", {"NO_COLOR": "1"}, False, True),  # the command line beats the environment
    ("never", {"FORCE_COLOR": "1"}, True, False),
])
def test_colour_decision(monkeypatch, option, env, tty, expected):
    for name in AMBIENT:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stdout", Stream(tty))
    assert cli._color(cli.build_parser().parse_args(["--color", option])) is expected


def test_a_report_file_is_coloured_only_when_asked(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setattr(sys, "stdout", Stream(True))
    assert cli._color(cli.build_parser().parse_args(["--output", "r.txt"])) is False
    assert cli._color(cli.build_parser().parse_args(["--output", "r.txt", "--color", "always"])) is True


def test_colours_on_a_terminal(tmp_path):
    project = small_project(tmp_path / "p", {"a.py": VIOLATION_IMPORT, "broken.py": "def f(:\n"})
    code, out, _ = on_terminal("--no-cache", "--no-prefilter", "--show-source", ".", cwd=project, env=clean_env())
    assert code == 1
    colon = "\x1b[36m:\x1b[0m"
    assert f"\x1b[1ma.py\x1b[0m{colon}1{colon}63{colon} \x1b[1;33mNIL102\x1b[0m get_agent_websocket_bridge" in out
    assert f"\x1b[1mbroken.py\x1b[0m{colon}1{colon}7{colon} \x1b[1;31mNIL900\x1b[0m" in out  # an error: red
    assert "\n    def f(:\n          \x1b[1;31m^\x1b[0m\n" in out
    assert out.endswith("\x1b[1mFound 2 findings in 3 files.\x1b[0m\n")
    clean = small_project(tmp_path / "clean", {})
    assert on_terminal("--no-cache", ".", cwd=clean, env=clean_env())[1] == "\x1b[1;32mNo findings in 1 file.\x1b[0m\n"


def test_no_colour_with_no_color_or_never_or_when_piped(tmp_path):
    project = two_findings(tmp_path)
    for args, env in ((("--no-cache", "."), clean_env(NO_COLOR="1")),
                      (("--no-cache", "--color", "never", "."), clean_env())):
        out = on_terminal(*args, cwd=project, env=env)[1]
        assert "\x1b" not in out and out.endswith("Found 2 findings in 3 files.\n")
    assert "\x1b" not in run_cli("--no-cache", ".", cwd=project, env=clean_env()).stdout


def test_forced_colour_in_a_pipe_only_for_text(tmp_path):
    project = two_findings(tmp_path)
    for env, args in ((clean_env(FORCE_COLOR="1"), ()), (clean_env(), ("--color", "always"))):
        out = run_cli("--no-cache", *args, ".", cwd=project, env=env).stdout
        assert "\x1b[1;33mNIL101\x1b[0m" in out
        assert "Found" not in out  # colour, but still no summary in a pipe
        assert "\x1b" not in run_cli("--no-cache", "--format", "json", *args, ".", cwd=project, env=env).stdout


def test_colour_never_lets_the_analysed_tree_drive_the_terminal(tmp_path):
    name = "evil\x1b[2Jname.py"
    project = small_project(tmp_path / "p", {name: "def f():\n    x = '\x1b[31m'; get_agent_websocket_bridge()\n"})
    out = run_cli("--no-cache", "--color", "always", "--show-source", name, cwd=project, env=clean_env()).stdout
    assert "evil\\x1b[2Jname.py" in out and "\\x1b[31m" in out
    palette = {"\x1b[0m", "\x1b[1m", "\x1b[36m", "\x1b[1;33m"}
    assert set(ANSI.findall(out)) <= palette
    assert "\x1b" not in ANSI.sub("", out)


# -- the caret -----------------------------------------------------------------------------------
@pytest.mark.parametrize("line, shown, width", [
    ("abc", "abc", 3),
    ("\tx", "        x", 9),
    ("ab\tx", "ab      x", 9),
    ('s="日日";\tg', 's="日日";       g', 17),  # the tab stop counts display columns, not characters
    ("ｘ", "ｘ", 2),  # fullwidth
    ("e\u0301x", "e\u0301x", 2),  # a combining accent takes no column
    ("a\x1bb", "a\\x1bb", 6),  # escaped as shown
    ("\x1b\tx", "\\x1b    x", 9),
])
def test_displayed_width(line, shown, width):
    assert formats.displayed(line) == (shown, width)


def caret_block(out: str, code: str) -> tuple[str, str]:
    lines = out.splitlines()
    (number,) = [n for n, line in enumerate(lines) if f": {code} " in line]
    return lines[number + 1], lines[number + 2]


@pytest.mark.parametrize("source, prefix_width", [
    ('s="日日";\tget_agent_websocket_bridge()\n', 16),
    ('x = "e\u0301"; get_agent_websocket_bridge()\n', 9),
    ('x = "ｔｅｓｔ"; get_agent_websocket_bridge()\n', 16),
])
def test_caret_is_under_the_column_whatever_comes_before(tmp_path, source, prefix_width):
    project = small_project(tmp_path / "p", {"a.py": source})
    shown, caret = caret_block(run_cli("--no-cache", "--show-source", "a.py", cwd=project).stdout, "NIL101")
    assert caret == "    " + " " * prefix_width + "^"
    assert shown.endswith("get_agent_websocket_bridge()")
    assert formats.displayed(shown[4:])[1] == prefix_width + len("get_agent_websocket_bridge()")


# -- the progress line ---------------------------------------------------------------------------
WRAPPER = '''
import os, sys, time
from netra_isolation_lint import cli, runner

delay, mark = float(os.environ.get("SLOW_EXAMINE", "0")), os.environ.get("SLOW_MARK")
real_examine, real_replace = runner.examine, os.replace


def examine(*args, **kwargs):
    if mark and delay:
        open(mark, "a").close()
    time.sleep(delay)
    return real_examine(*args, **kwargs)


def replace(source, target):  # the report is complete in its temporary file; the rename waits
    if mark:
        open(mark, "a").close()
    time.sleep(60)
    real_replace(source, target)


def project(*args, **kwargs):  # the parent judges the project while the workers wait for work
    open(mark, "a").close()
    time.sleep(60)
    return real_project(*args, **kwargs)


runner.examine = examine
if os.environ.get("SLOW_REPLACE"):
    os.replace = replace
if os.environ.get("SLOW_PROJECT"):
    real_project, runner.Project = runner.Project, project
sys.exit(cli.main(sys.argv[1:]))
'''


def slow_tree(tmp_path: Path, files: int) -> tuple[Path, list[str]]:
    project = small_project(tmp_path / "p", {f"pkg/m{n:03}.py": CALL for n in range(files)})
    wrapper = tmp_path / "slow_cli.py"
    wrapper.write_text(WRAPPER, encoding="utf-8")
    return project, [sys.executable, str(wrapper)]


PROGRESS = re.compile(r"\r(netra-isolation-lint: (\d+)/101 files checked)")


@pytest.mark.parametrize("jobs, delay", [("1", "0.02"), ("2", "0.04")])  # 2: worker processes
def test_progress_on_a_terminal_for_a_long_run_then_erased(tmp_path, jobs, delay):
    project, argv = slow_tree(tmp_path, 100)
    code, err, out = on_terminal(cwd=project, env=clean_env(SLOW_EXAMINE=delay), piped="stdout",
                                 argv=argv + ["--no-cache", "-j", jobs, "."])
    assert code == 1 and len(out.splitlines()) == 100
    drawn = PROGRESS.findall(err)
    assert drawn, err
    counts = [int(done) for _, done in drawn]
    assert counts == sorted(counts) and 0 < counts[0] and counts[-1] <= 101
    assert err == "".join(f"\r{line}" for line, _ in drawn) + "\r" + " " * len(drawn[-1][0]) + "\r"


@pytest.mark.parametrize("env, args", [({"CI": "true"}, ()), ({}, ("--format", "json")), ({"SLOW_EXAMINE": "0"}, ())])
def test_no_progress_in_ci_machine_formats_or_quick_runs(tmp_path, env, args):
    project, argv = slow_tree(tmp_path, 100)
    full = {"SLOW_EXAMINE": "0.02", **env}
    code, err, _ = on_terminal(cwd=project, env=clean_env(**full), piped="stdout",
                               argv=argv + ["--no-cache", "-j", "1", *args, "."])
    assert code == 1 and err == ""


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path):
    project, argv = slow_tree(tmp_path, 100)
    completed = subprocess.run(argv + ["--no-cache", "-j", "1", "."], cwd=project, capture_output=True, text=True,
                               env=clean_env(SLOW_EXAMINE="0.02"), stdin=subprocess.DEVNULL, timeout=120)
    assert completed.returncode == 1 and completed.stderr == ""


def test_runner_reports_progress_up_to_every_file(tmp_path):
    from netra_isolation_lint import runner
    from netra_isolation_lint.config import DEFAULTS
    from netra_isolation_lint.sources import DEFAULT_EXCLUDES, discover

    project = small_project(tmp_path / "p", {f"m{n:03}.py": CALL for n in range(99)})
    sources, _ = discover([str(project)], DEFAULT_EXCLUDES)
    for jobs in (1, 2):
        calls: list[tuple[int, int]] = []
        runner.lint(sources, DEFAULTS, str(project), jobs=jobs,
                    progress=lambda done, total: calls.append((done, total)))
        assert calls and calls[-1] == (100, 100), jobs
        assert [done for done, _ in calls] == sorted({done for done, _ in calls})
        assert len(calls) <= 20  # sparingly: per batch, never per file


# -- Ctrl-C --------------------------------------------------------------------------------------
def interrupted(argv: list[str], cwd: Path, mark: Path, **env: str) -> subprocess.CompletedProcess:
    """Start ``argv``, wait until it is inside the slow step, then press Ctrl-C: SIGINT to its process group,
    workers included, as a terminal sends it."""
    proc = subprocess.Popen(argv, cwd=cwd, env=clean_env(SLOW_MARK=str(mark), **env), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while not mark.exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)
    started = time.monotonic()
    out, err = proc.communicate(timeout=60)
    assert time.monotonic() - started < 5, "the run went on after Ctrl-C"
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


@pytest.mark.parametrize("jobs, slow", [("1", "SLOW_EXAMINE"), ("2", "SLOW_EXAMINE"), ("2", "SLOW_PROJECT")])
def test_ctrl_c_prints_one_line_and_exits_130(tmp_path, jobs, slow):
    project, argv = slow_tree(tmp_path, 400)  # 10 s of work: the interrupted run must not finish it
    delay = {"SLOW_EXAMINE": "0.05"} if slow == "SLOW_EXAMINE" else {"SLOW_PROJECT": "1"}
    completed = interrupted(argv + ["--no-cache", "-j", jobs, "."], project, tmp_path / "mark", **delay)
    assert completed.returncode == 130
    assert completed.stderr == "netra-isolation-lint: interrupted\n"  # no traceback, from the workers either
    assert completed.stdout == ""


def test_ctrl_c_while_writing_the_report_leaves_the_old_one(tmp_path):
    project, argv = slow_tree(tmp_path, 3)
    (project / "report.txt").write_text("the previous report\n", encoding="utf-8")
    completed = interrupted(argv + ["--no-cache", "--output", "report.txt", "."], project, tmp_path / "mark",
                            SLOW_REPLACE="1")
    assert completed.returncode == 130 and completed.stderr == "netra-isolation-lint: interrupted\n"
    assert (project / "report.txt").read_text(encoding="utf-8") == "the previous report\n"
    assert sorted(p.name for p in project.iterdir() if p.is_file()) == ["emits_every_event.py", "report.txt"]


def test_ctrl_c_in_process(monkeypatch, tmp_path, capsys):
    from netra_isolation_lint import runner

    def pressed(*_, **__):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "lint", pressed)
    monkeypatch.chdir(small_project(tmp_path / "p", {}))
    assert cli.main(["--no-cache", "."]) == 130
    assert capsys.readouterr().err == "netra-isolation-lint: interrupted\n"


# -- the report file is written whole or not at all -----------------------------------------------
def test_a_failed_write_keeps_the_old_report_and_no_temporary_file(tmp_path, monkeypatch, capsys):
    project = small_project(tmp_path / "p", {"a.py": VIOLATION_IMPORT})
    (project / "r.txt").write_text("old\n", encoding="utf-8")
    monkeypatch.chdir(project)

    def full_disk(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    assert cli.main(["--no-cache", "--output", "r.txt", "."]) == 2
    assert capsys.readouterr().err == (
        "netra-isolation-lint: error: r.txt: cannot write report: No space left on device\n")
    assert sorted(p.name for p in project.iterdir() if p.is_file()) == ["a.py", "emits_every_event.py", "r.txt"]
    assert (project / "r.txt").read_text(encoding="utf-8") == "old\n"


def test_the_report_file_gets_the_usual_mode_and_a_symlink_stays_a_symlink(tmp_path):
    project = small_project(tmp_path / "p", {"a.py": VIOLATION_IMPORT})
    (project / "out").mkdir()
    real = project / "out" / "real.txt"
    real.write_text("old\n", encoding="utf-8")
    try:
        os.symlink(real, project / "link.txt")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks not available")
    assert run_cli("--no-cache", "--output", "link.txt", "a.py", cwd=project).returncode == 1
    assert (project / "link.txt").is_symlink()
    assert "NIL102" in real.read_text(encoding="utf-8")
    mask = os.umask(0o022)
    os.umask(mask)
    assert real.stat().st_mode & 0o777 == 0o666 & ~mask


def test_the_report_can_go_to_a_fifo(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs")
    project = small_project(tmp_path / "p", {"a.py": VIOLATION_IMPORT})
    os.mkfifo(project / "fifo")
    reader = subprocess.Popen(["cat", str(project / "fifo")], stdout=subprocess.PIPE, text=True)
    try:
        completed = run_cli("--no-cache", "--output", "fifo", "a.py", cwd=project)
        assert completed.returncode == 1, completed.stderr
        assert "NIL102" in reader.communicate(timeout=60)[0]
    finally:
        reader.kill()


@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError])
def test_an_interrupted_cache_write_leaves_the_store_as_it_was(tmp_path, failure):
    import sqlite3

    from netra_isolation_lint.cache import Cache
    from netra_isolation_lint.config import DEFAULTS

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("from x import get_agent_websocket_bridge\n", encoding="utf-8")
    env = {"NETRA_ISOLATION_CACHE_DIR": str(tmp_path / "cache")}
    run_cli("src", cwd=tmp_path, env=env)
    cache = Cache(str(tmp_path / "cache"), DEFAULTS, prefilter=True)
    before = sqlite3.connect(cache.path).execute("SELECT * FROM entries").fetchall()
    assert before

    def rows():
        yield ("b.py", "b", "1,2,3", "digest", None, "{}")
        raise failure()

    if failure is KeyboardInterrupt:
        with pytest.raises(KeyboardInterrupt):
            cache._write([("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)", rows())])
    else:
        cache._write([("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)", rows())])  # costs time only
    cache.close()
    assert sqlite3.connect(cache.path).execute("SELECT * FROM entries").fetchall() == before
    assert sorted(os.listdir(tmp_path / "cache")) == [".gitignore", os.path.basename(cache.path)]  # no journal


# -- no Python file found --------------------------------------------------------------------------
def test_warning_when_no_python_file_is_found(tmp_path):
    root = tmp_path / "p"
    (root / ".git").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "docs" / "notes.txt").write_text("x\n", encoding="utf-8")
    completed = run_cli("docs", cwd=root)
    assert completed.returncode == 0 and completed.stdout == ""
    assert completed.stderr == "netra-isolation-lint: warning: no Python files found under docs\n"
    completed = run_cli("--format", "json", "--exclude", "*.py", ".", "docs", cwd=root)
    assert completed.returncode == 0 and json.loads(completed.stdout) == []
    assert completed.stderr == "netra-isolation-lint: warning: no Python files found under ., docs\n"


def test_no_warning_when_files_are_found(tmp_path):
    completed = run_cli(".", cwd=small_project(tmp_path / "p", {}))
    assert completed.returncode == 0 and completed.stderr == ""
