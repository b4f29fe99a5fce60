"""A malformed config fails closed in every front end: one clear line, a distinct failure, no traceback,
and never a silent fall-back to the defaults.

Each file in ``tests/bad_configs/`` holds exactly one problem. It is used twice per front end: named
explicitly (``--config`` / ``--isolation-config``) and discovered as ``.netra-isolation.yaml`` in the
working directory. The CLI must exit 2 with exactly one stderr line and an empty stdout; flake8 must exit
non-zero with our one-line message (its ``ExecutionError``) and no traceback; pylint must exit 32.
Cases that cannot be committed (10k-deep nesting, > 256 KiB, a directory, a FIFO, a missing path) are
built at test time.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from reliability_support import (
    HAS_PYLINT_PLUGIN,
    RAW_CONTROL,
    assert_no_traceback,
    git_root,
    run_cli,
    run_flake8,
    run_pylint,
    write,
)

BAD_CONFIGS = Path(__file__).resolve().parent / "bad_configs"
ERROR_LINE = re.compile(r"^netra-isolation-lint: error: \S.*\S$")
CHECKED = "get_agent_websocket_bridge()\n"  # what the run would report if it linted with the defaults

# fixture name -> a piece of the one error line it must produce
EXPECTED = {
    "dotted_factory_name": "emitters.factories[0]: expected a method or attribute name (no dots)",
    "unclosed_flow_sequence": "invalid YAML",
    "tab_indentation": "invalid YAML",
    "bad_indentation": "invalid YAML",
    "list_given_as_string": "critical_events: expected a list, got a string",
    "max_file_bytes_not_a_number": "max_file_bytes: expected a positive integer",
    "unknown_key_did_you_mean": "critcal_events: unknown key (did you mean 'critical_events'?)",
    "unknown_section_key": "singleton.accesors: unknown key (did you mean 'accessors'?)",
    "key_in_wrong_section": "accessors: unknown key (it belongs under 'singleton:')",
    "empty_critical_events": "critical_events: must name at least one event",
    "tag_python_object_apply": "YAML tags are not allowed",
    "tag_python_name_nested": "YAML tags are not allowed",
    "tag_custom": "YAML tags are not allowed (!custom)",
    "tag_set": "YAML tags are not allowed",
    "anchor_and_alias": "YAML anchors are not allowed",
    "undefined_alias": "YAML aliases are not allowed",
    "billion_laughs": "YAML anchors are not allowed",
    "merge_key": "YAML merge keys (<<) are not allowed",
    "duplicate_key_top_level": "duplicate key 'custom_events'",
    "duplicate_key_nested": "duplicate key 'accessors'",
    "duplicate_key_differently_quoted": "duplicate key 'select'",
    "multiple_documents": "more than one document",
    "top_level_list": "the top level must be a mapping of keys, got a list",
    "top_level_scalar": "the top level must be a mapping of keys, got a string",
    "boolified_on": "got boolean true (quote it if you meant a name)",
    "boolified_no": "got boolean false (quote it if you meant a name)",
    "number_where_name_expected": "context.types[0]: expected a name or dotted name, got a number 3.1",
    "date_where_event_expected": "custom_events[0]: expected an event name (identifier), got date",
    "invalid_date": "invalid YAML value",
    "huge_integer": "invalid YAML value",
    "invalid_code_in_select": "select[0]: expected a rule code or prefix",
    "invalid_code_in_per_path_ignores": "expected rule codes or prefixes such as NIL103, got 'W0611'",
    "per_path_ignores_not_a_mapping": "per_path_ignores: expected a mapping",
    "bad_event_identifier": "custom_events[0]: expected an event name (identifier), got 'agent-started'",
    "negative_max_file_bytes": "max_file_bytes: expected a positive integer, got an integer -1",
    "zero_max_file_bytes": "max_file_bytes: expected a positive integer, got an integer 0",
    "bool_max_file_bytes": "max_file_bytes: expected a positive integer, got boolean true",
    "section_not_a_mapping": "emitters: expected a mapping, got a list",
    "parameter_not_an_identifier": "context.parameter: expected a Python identifier",
    "non_string_key": "mapping keys must be plain strings",
    "control_characters_in_key": "unknown key",
    "extends_url": "extends: expected a local file path, not a URL",
    "non_utf8_bytes": "not valid UTF-8",
    "nul_byte": "invalid YAML",
    "utf16_encoded": "not valid UTF-8",
}
# built at test time: name -> (builder(dir) -> path, expected piece)
GENERATED = {
    "nesting_10k_deep": (lambda d: write(d / "deep.yaml", "a: " + "[" * 10_000 + "]" * 10_000 + "\n"),
                         "nesting deeper than"),
    "nesting_10k_deep_mappings": (lambda d: write(d / "deepmap.yaml", "a: " + "{b: " * 10_000 + "1" + "}" * 10_000),
                                  "nesting deeper than"),
    "larger_than_256k": (lambda d: write(d / "big.yaml", "# " + "x" * (300 * 1024) + "\n"),
                         "config file is larger than 262144 bytes"),
    "directory": (lambda d: _mkdir(d / "dir.yaml"), "is a directory"),
}


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def test_fixture_inventory() -> None:
    on_disk = {p.stem for p in BAD_CONFIGS.glob("*.yaml")}
    assert on_disk == set(EXPECTED), on_disk ^ set(EXPECTED)
    assert len(on_disk) + len(GENERATED) >= 25


def _config_file(name: str, where: Path) -> Path:
    if name in GENERATED:
        return GENERATED[name][0](where)
    return BAD_CONFIGS / f"{name}.yaml"


def _expected(name: str) -> str:
    return GENERATED[name][1] if name in GENERATED else EXPECTED[name]


def _project(tmp_path: Path) -> Path:
    project = git_root(tmp_path / "project")
    write(project / "t.py", CHECKED)
    return project


def _discovered(name: str, tmp_path: Path) -> Path:
    project = _project(tmp_path)
    source = _config_file(name, tmp_path)
    target = project / ".netra-isolation.yaml"
    if source.is_dir():
        target.mkdir()
    else:
        shutil.copyfile(source, target)
    return project


def _assert_cli_failed_closed(proc, expected: str, config_name: str) -> None:
    assert_no_traceback(proc.stdout, proc.stderr)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert ERROR_LINE.match(lines[0]), lines[0]
    assert expected in lines[0], lines[0]
    assert config_name in lines[0], lines[0]
    assert not RAW_CONTROL.search(proc.stderr), repr(proc.stderr)


ALL = sorted(EXPECTED) + sorted(GENERATED)


@pytest.mark.parametrize("name", ALL)
def test_cli_explicit(name: str, tmp_path: Path) -> None:
    project = _project(tmp_path)
    config = _config_file(name, tmp_path)
    proc = run_cli("--config", str(config), "t.py", cwd=project)
    _assert_cli_failed_closed(proc, _expected(name), config.name)
    assert not (project / "PWNED_BY_CONFIG").exists()


@pytest.mark.parametrize("name", ALL)
def test_cli_discovered(name: str, tmp_path: Path) -> None:
    project = _discovered(name, tmp_path)
    proc = run_cli("t.py", cwd=project)
    _assert_cli_failed_closed(proc, _expected(name), ".netra-isolation.yaml")
    assert not (project / "PWNED_BY_CONFIG").exists()


def _assert_flake8_failed_closed(proc, expected: str) -> None:
    output = proc.stdout + proc.stderr
    assert_no_traceback(output)
    assert proc.returncode != 0, output
    ours = [line for line in output.splitlines() if line.startswith("netra-isolation-lint:")]
    assert len(ours) == 1, output
    assert expected in ours[0], ours[0]
    assert "t.py:1:1: NIL101" not in output, "linted with the defaults instead of failing"
    assert not RAW_CONTROL.search(output), repr(output)


@pytest.mark.parametrize("name", ALL)
def test_flake8_explicit(name: str, tmp_path: Path) -> None:
    project = _project(tmp_path)
    proc = run_flake8("--isolation-config", str(_config_file(name, tmp_path)), "t.py", cwd=project)
    _assert_flake8_failed_closed(proc, _expected(name))


@pytest.mark.parametrize("name", ALL)
def test_flake8_discovered(name: str, tmp_path: Path) -> None:
    project = _discovered(name, tmp_path)
    proc = run_flake8("t.py", cwd=project)
    _assert_flake8_failed_closed(proc, _expected(name))


PYLINT_SAMPLE = ["tag_python_object_apply", "duplicate_key_nested", "unknown_key_did_you_mean", "boolified_on",
                 "invalid_date", "control_characters_in_key", "nesting_10k_deep", "directory", "non_utf8_bytes"]


@pytest.mark.skipif(not HAS_PYLINT_PLUGIN, reason="netra_isolation_lint.pylint_plugin not written yet")
@pytest.mark.parametrize("how", ["explicit", "discovered"])
@pytest.mark.parametrize("name", PYLINT_SAMPLE)
def test_pylint(name: str, how: str, tmp_path: Path) -> None:
    if how == "explicit":
        project = _project(tmp_path)
        proc = run_pylint("--isolation-config", str(_config_file(name, tmp_path)), "t.py", cwd=project)
    else:
        project = _discovered(name, tmp_path)
        proc = run_pylint("t.py", cwd=project)
    output = proc.stdout + proc.stderr
    assert_no_traceback(output)
    assert proc.returncode == 32, output
    ours = [line for line in output.splitlines() if line.startswith("netra-isolation-lint: error:")]
    assert len(ours) == 1 and _expected(name) in ours[0], output
    assert not RAW_CONTROL.search(output), repr(output)


# -- cases that only make sense for one way of naming the file ----------------------------------------

def test_missing_explicit_config(tmp_path: Path) -> None:
    project = _project(tmp_path)
    proc = run_cli("--config", "nowhere.yaml", "t.py", cwd=project)
    _assert_cli_failed_closed(proc, "config file not found", "nowhere.yaml")
    flake8 = run_flake8("--isolation-config", "nowhere.yaml", "t.py", cwd=project)
    _assert_flake8_failed_closed(flake8, "config file not found")


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev/zero are POSIX")
@pytest.mark.parametrize("kind", ["fifo", "dev_zero_symlink"])
def test_discovered_config_that_is_not_a_regular_file(kind: str, tmp_path: Path) -> None:
    """A planted FIFO would block a plain open() forever; /dev/zero would be read as config."""
    project = _project(tmp_path)
    if kind == "fifo":
        os.mkfifo(project / ".netra-isolation.yaml")
    else:
        os.symlink("/dev/zero", project / ".netra-isolation.yaml")
    proc = run_cli("t.py", cwd=project)
    _assert_cli_failed_closed(proc, "is not a regular file", ".netra-isolation.yaml")
    flake8 = run_flake8("t.py", cwd=project)
    _assert_flake8_failed_closed(flake8, "is not a regular file")


def test_several_problems_one_line_each(tmp_path: Path) -> None:
    project = _project(tmp_path)
    write(project / ".netra-isolation.yaml", "critcal_events: [a]\nmax_file_bytes: -3\nsingleton:\n  nope: [x]\n")
    proc = run_cli("t.py", cwd=project)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 3 and all(ERROR_LINE.match(line) for line in lines), proc.stderr


def test_valid_config_is_applied_in_every_front_end(tmp_path: Path) -> None:
    """Control: the same plumbing accepts a good config and it changes what is reported."""
    project = _project(tmp_path)
    write(project / "t.py", "get_agent_websocket_bridge()\nfetch_shared_bridge()\n")
    write(project / ".netra-isolation.yaml", "singleton:\n  accessors: [fetch_shared_bridge]\n")
    proc = run_cli("t.py", cwd=project)
    assert proc.returncode == 1 and proc.stderr == ""
    assert [line.split(":")[1] for line in proc.stdout.splitlines()] == ["2"], proc.stdout
    flake8 = run_flake8("t.py", cwd=project)
    assert [line.split(":")[1] for line in flake8.stdout.splitlines()] == ["2"], flake8.stdout + flake8.stderr


def test_loader_never_uses_unsafe_yaml_api() -> None:
    from netra_isolation_lint import config

    source = Path(config.__file__).read_text(encoding="utf-8")
    assert "safe_load" in source
    for unsafe in ("yaml.load(", "full_load", "unsafe_load", "FullLoader", "UnsafeLoader", "yaml.Loader"):
        assert unsafe not in source, unsafe


def test_recursion_error_from_the_yaml_loader_is_a_config_error(tmp_path: Path, monkeypatch) -> None:
    """The event pre-pass stops deep nesting first; if it ever lets it through, PyYAML's recursive
    composer raises RecursionError (not a YAMLError), which must still become one config error."""
    from netra_isolation_lint import config

    monkeypatch.setattr(config, "MAX_CONFIG_DEPTH", 10**9)
    deep = write(tmp_path / "deep.yaml", "a: " + "[" * 1_500 + "]" * 1_500 + "\n")
    with pytest.raises(config.ConfigError) as raised:
        config.load_config(str(deep))
    assert raised.value.problems == [f"{deep}: invalid YAML: nesting too deep"]
