"""Shared test helpers: run each front end as a user would, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def _run(args: list[str], cwd: str | os.PathLike | None, env: dict | None = None) -> subprocess.CompletedProcess:
    merged = dict(os.environ)
    # the developer's or CI's colour and hash settings must not change the output the tests read
    for name in ("PYTHONHASHSEED", "FORCE_COLOR", "NO_COLOR", "CI"):
        merged.pop(name, None)
    merged.update(env or {})
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=merged, timeout=600,
                          stdin=subprocess.DEVNULL)


def run_cli(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "netra_isolation_lint", *args], cwd, env)


def run_flake8(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "flake8", "--isolated", "--select", "NIL", *args], cwd, env)


def run_pylint(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "pylint", "--load-plugins", "netra_isolation_lint.pylint_plugin",
                 "--disable=all", "--enable=netra-isolation", "--persistent=n", "--score=n",
                 *args], cwd, env)
