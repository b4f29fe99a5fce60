"""Where the contract comes from: ``[tool.netra-isolation-lint]`` in ``pyproject.toml`` beside
``.netra-isolation.yaml``, and ``extends`` chains between them (docs/configuration.md, *Config sources* and
*Sharing a contract*).

In-process tests call ``config.load_config`` / ``config.resolve_config``; the front-end tests run the CLI,
flake8 and pylint in a subprocess as a user would. Fixtures that must exist on disk are under
``tests/bad_configs/`` (``toml_*.toml`` and ``extends/``); the rest are written into ``tmp_path``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reliability_support import (
    HAS_PYLINT_PLUGIN,
    POSIX,
    RAW_CONTROL,
    assert_no_traceback,
    git_root,
    run_cli,
    run_flake8,
    run_pylint,
    write,
)

from netra_isolation_lint import config as cfg
from netra_isolation_lint.config import ConfigError, load_config, resolve_config

BAD_CONFIGS = Path(__file__).resolve().parent / "bad_configs"
EXTENDS = BAD_CONFIGS / "extends"
TABLE = "[tool.netra-isolation-lint]"
ERROR_LINE = re.compile(r"^netra-isolation-lint: error: \S.*\S$")
NOTE = "ignores [tool.netra-isolation-lint] in pyproject.toml; .netra-isolation.yaml wins"
# Reported on line 1 with the defaults, on line 2 when the config makes fetch_shared_bridge the accessor.
TWO_ACCESSORS = "get_agent_websocket_bridge()\nfetch_shared_bridge()\n"
ACCESSOR_TOML = f"[project]\nname = \"demo\"\n\n{TABLE[:-1]}.singleton]\naccessors = [\"fetch_shared_bridge\"]\n"
ACCESSOR_YAML = "singleton:\n  accessors: [fetch_shared_bridge]\n"


def _problems(path: Path | str) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_config(str(path))
    return raised.value.problems


def _project(tmp_path: Path) -> Path:
    project = git_root(tmp_path / "project")
    write(project / "t.py", TWO_ACCESSORS)
    return project


def _lines_reported(stdout: str) -> list[str]:
    return [line.split(":")[1] for line in stdout.splitlines() if line.strip() and not line.startswith("*")]


# -- discovery ----------------------------------------------------------------------------------------

def test_pyproject_table_is_discovered_from_a_subdirectory(tmp_path):
    project = _project(tmp_path)
    write(project / "pyproject.toml", ACCESSOR_TOML)
    deeper = project / "pkg" / "sub"
    deeper.mkdir(parents=True)
    found = resolve_config(None, cwd=str(deeper))
    assert found.source == str(project / "pyproject.toml")
    assert found.root == str(project)
    assert found.accessors == ("fetch_shared_bridge",)
    assert found.notes == ()


def test_pyproject_without_the_table_is_not_a_config(tmp_path):
    """The search goes on above it, to the directory that does hold a contract."""
    project = _project(tmp_path)
    write(project / "pyproject.toml", ACCESSOR_TOML)
    inner = project / "libs" / "inner"
    write(inner / "pyproject.toml", "[project]\nname = \"inner\"\n\n[tool.black]\nline-length = 100\n")
    found = resolve_config(None, cwd=str(inner))
    assert found.source == str(project / "pyproject.toml")
    assert found.accessors == ("fetch_shared_bridge",)
    assert cfg.find_config(str(inner)) == str(project / "pyproject.toml")


def test_nearest_directory_wins_whatever_the_kind(tmp_path):
    project = _project(tmp_path)
    write(project / ".netra-isolation.yaml", "custom_events: [outer]\n")
    inner = project / "svc"
    write(inner / "pyproject.toml", f"{TABLE}\ncustom_events = [\"inner\"]\n")
    assert resolve_config(None, cwd=str(inner)).custom_events == ("inner",)
    assert resolve_config(None, cwd=str(project)).custom_events == ("outer",)


def test_pyproject_above_the_repository_root_is_not_read(tmp_path):
    write(tmp_path / "pyproject.toml", f"{TABLE}\ncustom_events = [\"outside\"]\n")
    project = _project(tmp_path)
    write(project / "pkg" / "pyproject.toml", f"{TABLE}\ncustom_events = [\"inside\"]\n")
    assert resolve_config(None, cwd=str(project / "pkg")).custom_events == ("inside",)
    assert resolve_config(None, cwd=str(project)) is cfg.DEFAULTS


def test_yaml_wins_over_the_table_in_the_same_directory_with_a_note(tmp_path):
    project = _project(tmp_path)
    write(project / ".netra-isolation.yaml", "custom_events: [from_yaml]\n")
    write(project / "pyproject.toml", f"{TABLE}\ncustom_events = [\"from_toml\"]\n")
    found = resolve_config(None, cwd=str(project))
    assert found.source == str(project / ".netra-isolation.yaml")
    assert found.custom_events == ("from_yaml",)
    assert found.notes == (f"{project}: {NOTE}",)
    # No table, or a pyproject.toml that cannot be parsed: the YAML file is the config, nothing to note.
    write(project / "pyproject.toml", "[tool.black]\nline-length = = 1\n")
    assert resolve_config(None, cwd=str(project)).notes == ()
    write(project / "pyproject.toml", "[tool.black]\nline-length = 1\n")
    assert resolve_config(None, cwd=str(project)).notes == ()


def test_explicit_pyproject_and_other_toml_files(tmp_path):
    path = write(tmp_path / "cfg" / "pyproject.toml", f"{TABLE}\nselect = [\"NIL1\"]\n")
    assert load_config(str(path)).select == ("NIL1",)
    other = write(tmp_path / "netra.toml", f"{TABLE}\nignore = [\"NIL2\"]\n")
    assert load_config(str(other)).ignore == ("NIL2",)
    assert _problems(BAD_CONFIGS / "toml_without_table.toml") == [
        f"{BAD_CONFIGS / 'toml_without_table.toml'}: no [tool.netra-isolation-lint] table"]


def test_toml_values_match_the_yaml_values(tmp_path):
    """Every kind of key, sections and per_path_ignores included, reads the same from either file."""
    yaml_text = (
        "critical_events: [agent_started]\ncustom_events: [agent_error]\nselect: [NIL1, NIL4]\nignore: [NIL104]\n"
        "per_path_ignores:\n  tests: NIL203\n  \"legacy/*.py\": [NIL1]\nexclude: [\"*/generated/*\"]\n"
        "test_paths: [tests]\nmax_file_bytes: 1000\n"
        "singleton:\n  accessors: [pkg.get_bridge]\n  bridge_names: [\"*_hub\"]\n"
        "context:\n  parameter: ctx\nemitters:\n  factories: [make_emitter]\napi:\n  modules: [\"ws.*\"]\n")
    toml_text = (
        f"{TABLE}\ncritical_events = [\"agent_started\"]\ncustom_events = [\"agent_error\"]\n"
        "select = [\"NIL1\", \"NIL4\"]\nignore = [\"NIL104\"]\nexclude = [\"*/generated/*\"]\n"
        "test_paths = [\"tests\"]\n"
        "max_file_bytes = 1000\n"
        "per_path_ignores = { tests = \"NIL203\", \"legacy/*.py\" = [\"NIL1\"] }\n"
        "singleton = { accessors = [\"pkg.get_bridge\"], bridge_names = [\"*_hub\"] }\n\n"
        f"{TABLE[:-1]}.context]\nparameter = \"ctx\"\n\n{TABLE[:-1]}.emitters]\nfactories = [\"make_emitter\"]\n\n"
        f"{TABLE[:-1]}.api]\nmodules = [\"ws.*\"]\n")
    from_yaml = load_config(str(write(tmp_path / "a" / ".netra-isolation.yaml", yaml_text)))
    from_toml = load_config(str(write(tmp_path / "b" / "pyproject.toml", toml_text)))
    assert from_yaml == from_toml  # compares every setting, not where it came from
    assert from_toml.per_path_ignores == (("tests", ("NIL203",)), ("legacy/*.py", ("NIL1",)))
    body = lambda c: cfg.dump_effective(c).split("\n", 1)[1]  # noqa: E731 - all but the source line
    assert body(from_yaml) == body(from_toml)


# -- the same bad value, the same one-line error ------------------------------------------------------

# name -> (YAML text, the same settings in the table, a piece of the one problem line)
SAME_PROBLEM = {
    "string_for_list": ("custom_events: agent_error\n", 'custom_events = "agent_error"\n',
                        "custom_events: expected a list, got a string (write [agent_error])"),
    "negative_integer": ("max_file_bytes: -1\n", "max_file_bytes = -1\n",
                         "max_file_bytes: expected a positive integer, got an integer -1"),
    "boolean_integer": ("max_file_bytes: true\n", "max_file_bytes = true\n", "got boolean true"),
    "float_name": ("context:\n  types: [3.1]\n", "context.types = [3.1]\n",
                   "context.types[0]: expected a name or dotted name, got a number 3.1"),
    "unknown_section_key": ("singleton:\n  accesors: [x]\n",
                            '[tool.netra-isolation-lint.singleton]\naccesors = ["x"]\n',
                            "singleton.accesors: unknown key (did you mean 'accessors'?)"),
    "key_in_wrong_section": ("accessors: [x]\n", 'accessors = ["x"]\n',
                             "accessors: unknown key (it belongs under 'singleton:')"),
    "dotted_method": ("emitters:\n  factories: [a.b]\n", 'emitters = { factories = ["a.b"] }\n',
                      "emitters.factories[0]: expected a method or attribute name (no dots)"),
    "empty_critical_events": ("critical_events: []\n", "critical_events = []\n", "must name at least one event"),
    "section_not_a_mapping": ("emitters: [x]\n", 'emitters = ["x"]\n', "emitters: expected a mapping, got a list"),
    "bad_code": ("select: [W0611]\n", 'select = ["W0611"]\n', "select[0]: expected a rule code or prefix"),
    "bad_ignore_code": ("per_path_ignores:\n  tests: [W1]\n",
                        '[tool.netra-isolation-lint.per_path_ignores]\ntests = ["W1"]\n',
                        "per_path_ignores.tests: expected rule codes or prefixes such as NIL103, got 'W1'"),
    "date_for_event": ("custom_events: [2024-01-01]\n", "custom_events = [2024-01-01]\n",
                       "custom_events[0]: expected an event name (identifier), got date"),
    "typo_of_extends": ("extend: base.yaml\n", 'extend = "base.yaml"\n',
                        "extend: unknown key (did you mean 'extends'?)"),
    "extends_url": ("extends: https://example.com/c.yaml\n", 'extends = "https://example.com/c.yaml"\n',
                    "extends: expected a local file path, not a URL"),
    "extends_number": ("extends: 3\n", "extends = 3\n",
                       "extends: expected the path of a config file, got an integer 3"),
}


@pytest.mark.parametrize("name", sorted(SAME_PROBLEM))
def test_same_bad_value_same_error_from_yaml_and_toml(name, tmp_path):
    yaml_text, toml_text, expected = SAME_PROBLEM[name]
    yaml_path = write(tmp_path / "y" / ".netra-isolation.yaml", yaml_text)
    toml_path = write(tmp_path / "t" / "pyproject.toml", f"[project]\nname = \"x\"\n\n{TABLE}\n{toml_text}")
    from_yaml, from_toml = _problems(yaml_path), _problems(toml_path)
    assert len(from_yaml) == 1 and expected in from_yaml[0], from_yaml
    assert from_yaml[0].startswith(f"{yaml_path}: ")
    assert from_toml[0].startswith(f"{toml_path} [tool.netra-isolation-lint]: "), from_toml
    # Past the file's name, the line is the same.
    assert [p.partition(": ")[2] for p in from_toml] == [p.partition(": ")[2] for p in from_yaml]


def test_several_problems_in_the_table_are_one_line_each(tmp_path):
    project = _project(tmp_path)
    write(project / "pyproject.toml", f"{TABLE}\ncritcal_events = [\"a\"]\nmax_file_bytes = -3\n"
                                      f"{TABLE[:-1]}.singleton]\nnope = [\"x\"]\n")
    proc = run_cli("t.py", cwd=project)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 3 and all(ERROR_LINE.match(line) for line in lines), proc.stderr
    assert all(f"{project / 'pyproject.toml'} [tool.netra-isolation-lint]: " in line for line in lines)


# -- malformed TOML -----------------------------------------------------------------------------------

# fixture -> (a piece of the one line, the ":line:col" it must carry or None)
BAD_TOML = {
    "toml_unclosed_array": ("invalid TOML: Invalid value", ":7:1"),
    "toml_duplicate_key": ("invalid TOML: Cannot overwrite a value", ":3:18"),
    "toml_duplicate_table": ("invalid TOML: Cannot declare", ":4:"),
    "toml_malformed_other_table": ("invalid TOML: Invalid value", ":3:15"),
    "toml_huge_integer": ("invalid TOML value: Exceeds the limit", None),
    "toml_table_not_a_table": ("[tool.netra-isolation-lint]: the top level must be a mapping of keys, got an integer",
                               None),
    "toml_unknown_key": ("critcal_events: unknown key (did you mean 'critical_events'?)", None),
    "toml_date_event": ("custom_events[0]: expected an event name (identifier), got date", None),
    "toml_extends_url": ("extends: expected a local file path, not a URL", None),
}
# built at test time: name -> (text or bytes, piece)
GENERATED_TOML = {
    "not_utf8": (b"[tool.netra-isolation-lint]\nselect = [\"NIL\xff\"]\n", "config file is not valid UTF-8"),
    "nul_byte": ("[tool.netra-isolation-lint]\nselect = [\"NIL1\"]\x00\n", "invalid TOML"),
    "nesting_10k_deep": (f"{TABLE}\nselect = " + "[" * 10_000 + "]" * 10_000 + "\n", "invalid TOML"),
    "nesting_10k_inline_tables": (f"{TABLE}\nselect = " + "{a = " * 10_000 + "1" + "}" * 10_000 + "\n",
                                  "invalid TOML"),
    "larger_than_256k": ("# " + "x" * (300 * 1024) + f"\n{TABLE}\n", "config file is larger than 262144 bytes"),
    "unterminated_string_at_end": (f"{TABLE}\nselect = [\"NIL1", "invalid TOML"),
    "control_character_in_key": (f"{TABLE}\n\"a\\u001b]0;x\\u0007\" = 1\n", "unknown key"),
}


def _bad_toml(name: str, directory: Path) -> tuple[Path, str, str | None]:
    if name in GENERATED_TOML:
        data, piece = GENERATED_TOML[name]
        return write(directory / "pyproject.toml", data), piece, None
    piece, where = BAD_TOML[name]
    target = directory / "pyproject.toml"
    target.write_bytes((BAD_CONFIGS / f"{name}.toml").read_bytes())
    return target, piece, where


def _assert_one_error_line(proc, piece: str, path: Path, where: str | None) -> None:
    assert_no_traceback(proc.stdout, proc.stderr)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and ERROR_LINE.match(lines[0]), proc.stderr
    assert piece in lines[0] and str(path) in lines[0], lines[0]
    if where is not None:
        assert f"{path}{where}" in lines[0], lines[0]
    assert not RAW_CONTROL.search(proc.stderr), repr(proc.stderr)


@pytest.mark.parametrize("name", sorted(BAD_TOML) + sorted(GENERATED_TOML))
def test_malformed_pyproject_discovered_is_one_line_and_exit_2(name, tmp_path):
    project = _project(tmp_path)
    path, piece, where = _bad_toml(name, project)
    _assert_one_error_line(run_cli("t.py", cwd=project), piece, path, where)


@pytest.mark.parametrize("name", ["toml_unclosed_array", "toml_duplicate_key", "toml_without_table"])
def test_malformed_or_tableless_pyproject_given_with_config(name, tmp_path):
    project = _project(tmp_path)
    given = BAD_CONFIGS / f"{name}.toml"
    piece, where = BAD_TOML.get(name, ("no [tool.netra-isolation-lint] table", None))
    _assert_one_error_line(run_cli("--config", str(given), "t.py", cwd=project), piece, given, where)


def test_malformed_pyproject_stops_flake8_and_pylint(tmp_path):
    project = _project(tmp_path)
    path, piece, _ = _bad_toml("toml_unclosed_array", project)
    flake8 = run_flake8("t.py", cwd=project)
    output = flake8.stdout + flake8.stderr
    assert_no_traceback(output)
    assert flake8.returncode != 0
    ours = [line for line in output.splitlines() if line.startswith("netra-isolation-lint:")]
    assert len(ours) == 1 and piece in ours[0] and str(path) in ours[0], output
    assert "NIL101" not in output
    if HAS_PYLINT_PLUGIN:
        pylint = run_pylint("t.py", cwd=project)
        output = pylint.stdout + pylint.stderr
        assert_no_traceback(output)
        assert pylint.returncode == 32, output
        ours = [line for line in output.splitlines() if line.startswith("netra-isolation-lint: error:")]
        assert len(ours) == 1 and piece in ours[0], output


@pytest.mark.skipif(not POSIX, reason="FIFOs are POSIX")
def test_discovered_pyproject_that_is_a_fifo_does_not_hang(tmp_path):
    project = _project(tmp_path)
    os.mkfifo(project / "pyproject.toml")
    proc = run_cli("t.py", cwd=project)
    _assert_one_error_line(proc, "is not a regular file, expected a TOML file", project / "pyproject.toml", None)


def test_toml_is_parsed_with_tomllib_or_tomli_only():
    source = Path(cfg.__file__).read_text(encoding="utf-8")
    assert "import tomllib" in source and "import tomli as tomllib" in source
    assert "tomlkit" not in source and "import toml\n" not in source


# -- the note when YAML wins: once, from every front end ----------------------------------------------

def _both_in_one_directory(tmp_path: Path) -> Path:
    project = _project(tmp_path)
    write(project / "u.py", TWO_ACCESSORS)
    write(project / ".netra-isolation.yaml", ACCESSOR_YAML)
    write(project / "pyproject.toml", f"{TABLE}\nselect = [\"NIL9\"]\n")  # would hide every finding
    return project


def _note_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "note:" in line]


def test_note_when_yaml_wins_cli(tmp_path):
    project = _both_in_one_directory(tmp_path)
    proc = run_cli("-j", "2", "--no-cache", "t.py", "u.py", cwd=project)
    assert proc.returncode == 1, proc.stderr
    assert _lines_reported(proc.stdout) == ["2", "2"], proc.stdout  # the YAML contract was applied
    assert _note_lines(proc.stderr) == [f"netra-isolation-lint: note: {project}: {NOTE}"], proc.stderr
    show = run_cli("--show-config", cwd=project)
    assert show.stdout.splitlines()[0] == f"# source: {project / '.netra-isolation.yaml'}"
    assert len(_note_lines(show.stderr)) == 1


def test_note_when_yaml_wins_flake8(tmp_path):
    project = _both_in_one_directory(tmp_path)
    proc = run_flake8("-j", "2", "t.py", "u.py", cwd=project)
    assert _lines_reported(proc.stdout) == ["2", "2"], proc.stdout + proc.stderr
    assert _note_lines(proc.stderr) == [f"netra-isolation-lint: note: {project}: {NOTE}"], proc.stderr


@pytest.mark.skipif(not HAS_PYLINT_PLUGIN, reason="netra_isolation_lint.pylint_plugin not written yet")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_note_when_yaml_wins_pylint(jobs, tmp_path):
    """Under -j only the workers run the checker's open(); the note still comes once, from the main process."""
    project = _both_in_one_directory(tmp_path)
    proc = run_pylint(f"--jobs={jobs}", "t.py", "u.py", cwd=project)
    # (a set: pylint 3.3 under -j reports each message twice; pylint 4 does not)
    reported = {tuple(line.split(":")[:2]) for line in proc.stdout.splitlines() if "W9101" in line}
    assert reported == {("t.py", "2"), ("u.py", "2")}, proc.stdout + proc.stderr
    assert _note_lines(proc.stderr) == [f"netra-isolation-lint: note: {project}: {NOTE}"], proc.stderr


def test_no_note_without_a_conflict(tmp_path):
    project = _project(tmp_path)
    write(project / "pyproject.toml", ACCESSOR_TOML)
    proc = run_cli("t.py", cwd=project)
    assert proc.stderr == "" and _lines_reported(proc.stdout) == ["2"]


def test_print_notes_is_silent_in_a_worker_process_and_once_in_the_main_one(tmp_path):
    """flake8 re-parses its options in every worker when processes are spawned (macOS, Windows)."""
    script = write(tmp_path / "notes.py", (
        "import dataclasses, multiprocessing, sys\n"
        "from netra_isolation_lint.config import DEFAULTS, print_notes\n"
        "CONFIG = dataclasses.replace(DEFAULTS, notes=('/repo: a note',))\n"
        "def worker():\n"
        "    print_notes(CONFIG)\n"
        "if __name__ == '__main__':\n"
        "    if sys.argv[1] == 'worker':\n"
        "        process = multiprocessing.get_context('spawn').Process(target=worker)\n"
        "        process.start(); process.join()\n"
        "    else:\n"
        "        print_notes(CONFIG); print_notes(CONFIG)\n"))
    worker = subprocess.run([sys.executable, str(script), "worker"], capture_output=True, text=True, timeout=120)
    assert worker.returncode == 0 and worker.stderr == "", worker.stderr
    main = subprocess.run([sys.executable, str(script), "main"], capture_output=True, text=True, timeout=120)
    assert main.stderr == "netra-isolation-lint: note: /repo: a note\n"


# -- the three front ends read the table (and extends) the same way -----------------------------------

LAYOUTS = {
    "table": {"pyproject.toml": ACCESSOR_TOML},
    "table_extends_yaml": {"pyproject.toml": f"{TABLE}\nextends = \"contract/base.yaml\"\n",
                           "contract/base.yaml": ACCESSOR_YAML},
    "yaml_extends_table": {".netra-isolation.yaml": "extends: ../shared/pyproject.toml\n",
                           "../shared/pyproject.toml": ACCESSOR_TOML},
}


def _layout(name: str, tmp_path: Path) -> Path:
    project = _project(tmp_path)
    for relative, text in LAYOUTS[name].items():
        write(project / relative, text)
    return project


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_cli_reads_the_config_source(layout, tmp_path):
    project = _layout(layout, tmp_path)
    proc = run_cli("--no-cache", "t.py", cwd=project)
    assert proc.returncode == 1 and proc.stderr == "", proc.stderr
    assert _lines_reported(proc.stdout) == ["2"], proc.stdout


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_flake8_reads_the_config_source(layout, tmp_path):
    project = _layout(layout, tmp_path)
    proc = run_flake8("t.py", cwd=project)
    assert _lines_reported(proc.stdout) == ["2"], proc.stdout + proc.stderr
    if layout == "table":  # named with --isolation-config from outside the project
        explicit = run_flake8("--isolation-config", str(project / "pyproject.toml"), str(project / "t.py"),
                              cwd=tmp_path)
        assert _lines_reported(explicit.stdout) == ["2"], explicit.stdout + explicit.stderr


@pytest.mark.skipif(not HAS_PYLINT_PLUGIN, reason="netra_isolation_lint.pylint_plugin not written yet")
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_pylint_reads_the_config_source(layout, tmp_path):
    project = _layout(layout, tmp_path)
    proc = run_pylint("t.py", cwd=project)
    assert [line.split(":")[1] for line in proc.stdout.splitlines() if "W9101" in line] == ["2"], \
        proc.stdout + proc.stderr


def test_explicit_pyproject_with_cli_and_show_config(tmp_path):
    project = _project(tmp_path)
    given = write(tmp_path / "elsewhere" / "pyproject.toml", ACCESSOR_TOML)
    proc = run_cli("--no-cache", "--config", str(given), "t.py", cwd=project)
    assert _lines_reported(proc.stdout) == ["2"], proc.stdout + proc.stderr
    show = run_cli("--show-config", "--config", str(given), cwd=project)
    lines = show.stdout.splitlines()
    assert lines[0] == f"# source: {given} [tool.netra-isolation-lint]"
    assert lines[1] == "# found: --config (given on the command line)"


def test_show_config_names_the_pyproject_table_and_the_extends_chain(tmp_path):
    project = _project(tmp_path)
    write(project / "pyproject.toml", f"{TABLE}\nextends = \"base.yaml\"\n")
    write(project / "base.yaml", "extends: shared/root.yaml\ncustom_events: [from_base]\n")
    write(project / "shared" / "root.yaml", "select: [NIL1]\n")
    show = run_cli("--show-config", cwd=project)
    assert show.returncode == 0, show.stderr
    lines = show.stdout.splitlines()
    assert lines[0] == f"# source: {project / 'pyproject.toml'} [tool.netra-isolation-lint]"
    assert lines[1].startswith("# found: discovered (nearest .netra-isolation.yaml or pyproject.toml")
    assert f"# extends: {project / 'base.yaml'} -> {project / 'shared' / 'root.yaml'}" in lines
    assert "custom_events: [from_base]" in lines and "select: [NIL1]" in lines


# -- extends: override semantics ----------------------------------------------------------------------

BASE = ("custom_events: [base_event]\nselect: [NIL1, NIL4]\ntest_paths: [qa]\n"
        "per_path_ignores:\n  tests: [NIL2]\n  legacy: [NIL1]\n"
        "singleton:\n  accessors: [base_accessor]\n  bridge_classes: [BaseBridge]\n"
        "context:\n  parameter: base_ctx\n")


def test_extending_file_replaces_each_key_it_sets_whole(tmp_path):
    write(tmp_path / "base.yaml", BASE)
    child = write(tmp_path / "svc" / ".netra-isolation.yaml", (
        "extends: ../base.yaml\ncustom_events: [svc_event]\n"
        "per_path_ignores:\n  legacy: [NIL3]\nsingleton:\n  accessors: [svc_accessor]\ncontext:\n"))
    merged = load_config(str(child))
    assert merged.custom_events == ("svc_event",)  # a list is replaced, not extended
    assert merged.per_path_ignores == (("legacy", ("NIL3",)),)  # the mapping is one value: replaced whole
    assert merged.accessors == ("svc_accessor",)  # a section's key overrides that key ...
    assert merged.bridge_classes == ("BaseBridge",)  # ... and the section's other keys are inherited
    assert merged.context_parameter == "base_ctx"  # a section set to nothing changes nothing
    assert merged.select == ("NIL1", "NIL4") and merged.test_paths == ("qa",)  # keys not set: the base's
    assert merged.emitter_factories == cfg.DEFAULTS.emitter_factories  # set by neither: the default
    assert merged.source == str(child) and merged.extended == (str(tmp_path / "base.yaml"),)


def test_origin_names_the_file_that_set_each_setting(tmp_path):
    """For checks made after loading (unknown rule codes): the line names the file the value came from."""
    base = write(tmp_path / "pyproject.toml", f"{TABLE}\nselect = [\"NIL1\"]\n")
    child = write(tmp_path / "svc" / "c.yaml", "extends: ../pyproject.toml\nignore: [NIL104]\n")
    merged = load_config(str(child))
    assert cfg.origin(merged, "select") == f"{base} [tool.netra-isolation-lint]"
    assert cfg.origin(merged, "ignore") == str(child)
    assert cfg.origin(merged, "custom_events") == str(child)  # a default: attributed to the source
    assert cfg.origin(cfg.DEFAULTS, "select") == "built-in defaults"


def test_an_explicit_empty_list_overrides_the_base(tmp_path):
    """Setting a key to the built-in default value still overrides the base."""
    write(tmp_path / "base.yaml", BASE)
    child = write(tmp_path / "child.yaml", "extends: base.yaml\nselect: []\nper_path_ignores: {}\n")
    merged = load_config(str(child))
    assert merged.select == () and merged.per_path_ignores == ()


def test_chain_overrides_nearest_first_across_file_kinds(tmp_path):
    write(tmp_path / "root.yaml", "custom_events: [root]\nselect: [NIL1]\nignore: [NIL104]\n")
    write(tmp_path / "mid" / "pyproject.toml", f"{TABLE}\nextends = \"../root.yaml\"\nselect = [\"NIL2\"]\n"
                                               "custom_events = [\"mid\"]\n")
    leaf = write(tmp_path / "mid" / "leaf" / ".netra-isolation.yaml",
                 "extends: ../pyproject.toml\ncustom_events: [leaf]\n")
    merged = load_config(str(leaf))
    assert (merged.custom_events, merged.select, merged.ignore) == (("leaf",), ("NIL2",), ("NIL104",))
    assert merged.extended == (str(tmp_path / "mid" / "pyproject.toml"), str(tmp_path / "root.yaml"))


# -- extends: relative paths --------------------------------------------------------------------------

def test_extends_is_relative_to_the_extending_file_not_the_working_directory(tmp_path, monkeypatch):
    write(tmp_path / "repo" / "shared" / "base.yaml", "custom_events: [shared]\n")
    write(tmp_path / "repo" / "svc" / "shared" / "base.yaml", "custom_events: [wrong_one]\n")
    child = write(tmp_path / "repo" / "svc" / "api" / "c.yaml", "extends: ../../shared/base.yaml\n")
    monkeypatch.chdir(tmp_path / "repo" / "svc")
    assert load_config(str(child)).custom_events == ("shared",)
    # A relative --config path: the base is still found next to the file, and named that way.
    monkeypatch.chdir(tmp_path / "repo")
    merged = load_config("svc/api/c.yaml")
    assert merged.custom_events == ("shared",) and merged.extended == (os.path.join("shared", "base.yaml"),)


def test_paths_in_an_extended_file_are_relative_to_the_extending_file(tmp_path):
    """per_path_ignores, test_paths and the root come from the extending file's directory."""
    repo = tmp_path / "repo"
    write(repo / "base.yaml", "per_path_ignores:\n  \"pkg/*\": [NIL1]\n  \"svc/only/*\": [NIL4]\n"
                              "test_paths: [\"checks/*\"]\n")
    child = write(repo / "svc" / ".netra-isolation.yaml", "extends: ../base.yaml\n")
    merged = load_config(str(child))
    assert merged.root == str(repo / "svc")
    from netra_isolation_lint.engine import path_ignored_codes
    from netra_isolation_lint.model.names import is_test_path

    assert path_ignored_codes(merged, str(repo / "svc" / "pkg" / "a.py")) == ("NIL1",)
    # Spelled from the base's directory, it does not match from the service's.
    assert path_ignored_codes(merged, str(repo / "svc" / "only" / "a.py")) == ()
    assert is_test_path(str(repo / "svc" / "checks" / "t.py"), merged)


def test_extended_per_path_ignores_apply_in_the_cli(tmp_path):
    repo = git_root(tmp_path / "repo")
    write(repo / ".netra-isolation.yaml", "per_path_ignores:\n  \"legacy/*\": [NIL101]\n")
    svc = repo / "services" / "api"
    write(svc / ".netra-isolation.yaml", "extends: ../../.netra-isolation.yaml\n")
    write(svc / "legacy" / "old.py", "get_agent_websocket_bridge()\n")
    write(svc / "new.py", "get_agent_websocket_bridge()\n")
    proc = run_cli("--no-cache", ".", cwd=svc)
    assert proc.returncode == 1, proc.stderr
    assert {line.split(":")[0] for line in proc.stdout.splitlines() if "NIL101" in line} == {"new.py"}, proc.stdout


# -- extends: cycles, depth and errors naming the chain -----------------------------------------------

def test_extends_cycle_names_the_chain():
    a, b = EXTENDS / "cycle_a.yaml", EXTENDS / "cycle_b.yaml"
    assert _problems(a) == [f"{a} -> {b} -> {a}: extends cycle"]
    assert _problems(EXTENDS / "self.yaml") == [f"{EXTENDS / 'self.yaml'} -> {EXTENDS / 'self.yaml'}: extends cycle"]


def test_extends_cycle_through_another_spelling_of_the_same_file(tmp_path):
    write(tmp_path / "a.yaml", "extends: sub/../b.yaml\n")
    write(tmp_path / "b.yaml", "extends: ./a.yaml\n")
    (problem,) = _problems(tmp_path / "a.yaml")
    assert problem.endswith(": extends cycle") and problem.count(" -> ") == 2, problem


def test_extends_cycle_in_the_cli_is_one_line_and_exit_2(tmp_path):
    project = _project(tmp_path)
    write(project / ".netra-isolation.yaml", "extends: pyproject.toml\n")
    write(project / "pyproject.toml", f"{TABLE}\nextends = \".netra-isolation.yaml\"\n")
    proc = run_cli("t.py", cwd=project)
    yaml_file = project / ".netra-isolation.yaml"
    _assert_one_error_line(proc, f"{yaml_file} -> {project / 'pyproject.toml'} -> {yaml_file}: extends cycle",
                           yaml_file, None)


def _chain(tmp_path: Path, files: int) -> Path:
    for number in range(files):
        text = f"custom_events: [event_{number}]\n"
        if number + 1 < files:
            text = f"extends: c{number + 1}.yaml\n" + text
        write(tmp_path / f"c{number}.yaml", text)
    return tmp_path / "c0.yaml"


def test_extends_depth_is_bounded_and_the_error_names_the_chain(tmp_path):
    deepest_allowed = load_config(str(_chain(tmp_path / "ok", cfg.MAX_EXTENDS_DEPTH + 1)))
    assert len(deepest_allowed.extended) == cfg.MAX_EXTENDS_DEPTH
    assert deepest_allowed.custom_events == ("event_0",)
    (problem,) = _problems(_chain(tmp_path / "deep", cfg.MAX_EXTENDS_DEPTH + 2))
    names = " -> ".join(str(tmp_path / "deep" / f"c{n}.yaml") for n in range(cfg.MAX_EXTENDS_DEPTH + 2))
    assert problem == f"{names}: more than {cfg.MAX_EXTENDS_DEPTH} extends in a row"


def test_missing_extended_file_is_reported_from_the_file_that_extends_it():
    path = EXTENDS / "missing_base.yaml"
    assert _problems(path) == [f"{path}: extends: {EXTENDS / 'nowhere' / 'base.yaml'}: config file not found"]


def test_problems_in_an_extended_file_name_that_file():
    problems = _problems(EXTENDS / "extends_bad_base.yaml")
    assert problems == [f"{EXTENDS / 'bad_base.yaml'}: singleton.accessors[1]: expected a name or dotted name, "
                        f"got 'not a name'"]


def test_problems_in_both_files_are_all_reported(tmp_path):
    write(tmp_path / "base.yaml", "max_file_bytes: 0\n")
    write(tmp_path / "child.yaml", "extends: base.yaml\ncritcal_events: [x]\n")
    problems = _problems(tmp_path / "child.yaml")
    assert [p.split(": ")[0] for p in problems] == [str(tmp_path / "child.yaml"), str(tmp_path / "base.yaml")]


def test_extends_must_be_one_path():
    assert _problems(EXTENDS / "extends_list.yaml") == [
        f"{EXTENDS / 'extends_list.yaml'}: extends: expected the path of a config file, got a list"]


def test_extended_pyproject_must_have_the_table(tmp_path):
    write(tmp_path / "pyproject.toml", "[project]\nname = \"x\"\n")
    child = write(tmp_path / "svc" / "c.yaml", "extends: ../pyproject.toml\n")
    assert _problems(child) == [
        f"{child}: extends: {tmp_path / 'pyproject.toml'}: no [tool.netra-isolation-lint] table"]


@pytest.mark.skipif(not POSIX, reason="FIFOs are POSIX")
def test_extended_file_that_is_a_fifo_is_refused_not_read(tmp_path):
    os.mkfifo(tmp_path / "base.yaml")
    child = write(tmp_path / "c.yaml", "extends: base.yaml\n")
    (problem,) = _problems(child)
    assert problem == f"{child}: extends: {tmp_path / 'base.yaml'}: is not a regular file, expected a YAML file"


# -- the effective config and the cache key cover the extended files ----------------------------------

def test_editing_an_extended_file_changes_the_effective_config_and_the_cache_key(tmp_path):
    from netra_isolation_lint.cache import Cache

    base = write(tmp_path / "base.yaml", "custom_events: [one]\n")
    child = write(tmp_path / "svc" / ".netra-isolation.yaml", "extends: ../base.yaml\nselect: [NIL]\n")
    before = load_config(str(child))
    key_before = Cache(str(tmp_path / "cache"), before, prefilter=True).path
    base.write_text("custom_events: [one, two]\n", encoding="utf-8")
    after = load_config(str(child))
    assert after.custom_events == ("one", "two")
    assert cfg.dump_effective(after) != cfg.dump_effective(before)
    assert Cache(str(tmp_path / "cache"), after, prefilter=True).path != key_before
    # Pointing the same settings at another base file is a different contract too.
    write(tmp_path / "other.yaml", "custom_events: [one, two]\n")
    child.write_text("extends: ../other.yaml\nselect: [NIL]\n", encoding="utf-8")
    moved = load_config(str(child))
    assert moved == after and cfg.dump_effective(moved) != cfg.dump_effective(after)


def test_cli_cache_sees_an_edit_to_the_extended_file(tmp_path):
    project = _project(tmp_path)
    write(project / ".netra-isolation.yaml", "extends: contract/base.yaml\n")
    base = write(project / "contract" / "base.yaml", "singleton:\n  accessors: [get_agent_websocket_bridge]\n")
    cache = str(tmp_path / "cache")
    first = run_cli("--cache-dir", cache, "t.py", cwd=project)
    assert _lines_reported(first.stdout) == ["1"], first.stdout + first.stderr
    base.write_text(ACCESSOR_YAML, encoding="utf-8")
    second = run_cli("--cache-dir", cache, "t.py", cwd=project)
    assert _lines_reported(second.stdout) == ["2"], second.stdout + second.stderr
