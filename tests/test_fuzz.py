"""Generated programs through every in-process front end: no exception, no NIL901, ever.

Two generators:

* hypothesmith ``from_grammar() | from_node()``: arbitrary valid Python (as flake8-bugbear and
  flake8-async fuzz). It rarely says anything our rules care about, so it proves the walker and the
  semantic model survive any shape of code.
* a domain generator (below): programs built from this linter's own vocabulary (bridges, emitters,
  user contexts, agent classes, events) nested in classes, functions, ``with``/``try``/``match``
  blocks, so that every rule handler runs on odd combinations. It also checks two oracles: analysing a
  file twice gives the same findings, and the flake8 adapter agrees with the CLI on a single file.

Each program goes through the engine (``ENGINE.analyze_tree`` + ``Project``), the flake8 adapter
(``flake8_plugin.Plugin(tree, filename).run()`` exhausted) and the CLI's runner (``runner.lint`` on a
file). Counts come from the environment: ``NIL_FUZZ_EXAMPLES`` (default 1000, what CI runs) and
``NIL_FUZZ_DOMAIN_EXAMPLES`` (default 300). The last test prints ``fuzz: N programs, 0 crashes``.
"""

from __future__ import annotations

import ast
import atexit
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
hypothesmith = pytest.importorskip("hypothesmith")

from hypothesis import HealthCheck, given, reject, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

TARGET = int(os.environ.get("NIL_FUZZ_EXAMPLES", "1000"))
DOMAIN_TARGET = int(os.environ.get("NIL_FUZZ_DOMAIN_EXAMPLES", "300"))
DEEP_TARGET = int(os.environ.get("NIL_FUZZ_DEEP_EXAMPLES", "10000"))  # --runslow only (nightly)
# hypothesmith validates its programs with compile(), which warns about things like ``1()``.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")
HEALTH = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
          HealthCheck.large_base_example]
COUNTS = {"hypothesmith": 0, "domain": 0, "crashes": 0, "ran": set(), "seconds": 0.0}
_WORKDIR = Path(tempfile.mkdtemp(prefix="nil-fuzz-"))
(_WORKDIR / ".git").mkdir()  # config discovery stops here
atexit.register(shutil.rmtree, _WORKDIR, True)


def _parse(source: str) -> ast.Module | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None


def _check_all_front_ends(source: str, tree: ast.Module, name: str) -> list[tuple[int, int, str]]:
    """Run the three front ends; return the CLI's (line, col, code) findings for the oracles."""
    from netra_isolation_lint.engine import finish
    from netra_isolation_lint.config import DEFAULTS
    from netra_isolation_lint.flake8_plugin import Plugin
    from netra_isolation_lint.model.project import Project
    from netra_isolation_lint.registry import ENGINE
    from netra_isolation_lint.runner import lint
    from netra_isolation_lint.sources import SourceFile

    path = _WORKDIR / name
    try:
        facts = ENGINE.analyze_tree(tree, str(path), DEFAULTS)
        engine = finish(ENGINE.project_findings(Project([facts], DEFAULTS), facts), DEFAULTS, str(path))
        assert not [f for f in engine if f.code == "NIL901"], source

        flake8 = list(Plugin(tree, str(path)).run())
        assert not [m for _, _, m, _ in flake8 if m.startswith("NIL901")], source

        data = source.encode("utf-8")
        path.write_bytes(data)
        report = lint([SourceFile(str(path), str(_WORKDIR))], DEFAULTS)
        cli = [(r.line, r.col, r.code) for r in report.results]
        assert "NIL901" not in {code for *_, code in cli}, (source, report.results)
        if _parse_bytes_ok(data):
            assert "NIL900" not in {code for *_, code in cli}, (source, report.results)
        return cli
    except BaseException:
        COUNTS["crashes"] += 1
        raise


def _parse_bytes_ok(data: bytes) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(data)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
    return True


@settings(max_examples=TARGET, deadline=None, database=None, suppress_health_check=HEALTH)
@given(source=hypothesmith.from_grammar() | hypothesmith.from_node())
def _hypothesmith_programs(source: str) -> None:
    COUNTS["ran"].add("hypothesmith")
    tree = _parse(source)
    if tree is None:
        reject()  # from_node can emit code only a newer/older grammar accepts
    _check_all_front_ends(source, tree, "fuzzed.py")
    COUNTS["hypothesmith"] += 1


# -- domain generator ---------------------------------------------------------------------------------

RECEIVERS = ["bridge", "self._bridge", "ws_bridge", "emitter", "self.emitter", "self._emitter", "user_emitter",
             "AgentWebSocketBridge()", "get_agent_websocket_bridge()", "create_user_emitter(user_context)",
             "self.bridge.create_user_emitter(self.user_context)", "self._get_user_emitter()", "await factory()",
             "cls._shared", "REGISTRY[key]", "Mock()", "(yield)", "lambda: emitter", "x.y.z().w"]
METHODS = ["notify_agent_started", "notify_custom", "notify_agent_error", "emit_agent_started",
           "emit_agent_strated", "emit_tool_completed", "emit_custom_event", "set_user_context", "append",
           "update", "create_user_emitter", "create_scoped_emitter", "_get_user_emitter", "emit_", "emit"]
ARGS = ["", "user_context", "user_context=user_context", "'agent_started'", "'agent_thinkin'", "''",
        "'\\x1b]0;x\\x07'", "f'{event}'", "*args", "**kwargs", "ctx, 1, key=2", "'" + "e" * 300 + "'",
        "0x" + "f" * 300, "user_context=None", "self.user_context"]
TARGETS = ["x", "self.emitter", "self._emitter", "self.user_context", "self._user_context", "SHARED",
           "cls.bridge", "REGISTRY[key]", "a, (b, c)", "[d, *e]", "Agent.instance", "self.bridge"]
NAMES = ["get_agent_websocket_bridge", "AgentWebSocketBridge", "create_user_emitter", "BaseAgent",
         "UserExecutionContext", "WorkflowOrchestrator", "x", "emit_custom_event"]
MODULES = ["netra.websocket", "app.agents.base", "os", ".", "..", ".bridge", "...core.emitters"]
CLASSES = ["Agent", "WorkflowOrchestrator", "PipelineExecutor", "Helper", "ReportAgent"]
BASES = ["", "BaseAgent", "Agent", "base.BaseAgent", "object, metaclass=M", "WorkflowOrchestrator", "*bases"]
PARAMS = ["self", "self, user_context", "self, user_context: UserExecutionContext", "self, **kwargs",
          "self, ctx: 'UserExecutionContext | None' = None", "cls", "self, /, user_context, *, limit=3",
          "user_context", "self, *args, **kwargs"]


def _simple_statements() -> st.SearchStrategy[str]:
    pick = st.sampled_from
    return st.one_of(
        st.builds("{} = {}".format, pick(TARGETS), pick(RECEIVERS)),
        st.builds("{}: {} = {}".format, pick(["x", "self.emitter", "SHARED"]),
                  pick(["AgentWebSocketBridge", "Optional[AgentWebSocketBridge]", "'UserEmitter'", "Mock"]),
                  pick(RECEIVERS)),
        st.builds("{}.{}({})".format, pick(RECEIVERS), pick(METHODS), pick(ARGS)),
        st.builds("await {}.{}({})".format, pick(RECEIVERS), pick(METHODS), pick(ARGS)),
        st.builds("{}({})".format, pick(NAMES + CLASSES), pick(ARGS)),
        st.builds("from {} import {}".format, pick(MODULES), pick(NAMES + ["*", "x as bridge"])),
        st.builds("import {} as {}".format, pick(["netra.websocket", "app.bridge"]), pick(["ws", "bridge"])),
        st.builds("super().__init__({})".format, pick(ARGS)),
        st.builds("global {}".format, pick(["SHARED", "bridge", "emitter"])),
        st.builds("return {}".format, pick(RECEIVERS)),
        st.builds("del {}".format, pick(["x", "self.emitter", "REGISTRY[key]"])),
        st.just("pass"),
    )


def _headers() -> st.SearchStrategy[str]:
    pick = st.sampled_from
    return st.one_of(
        st.builds("class {}({}):".format, pick(CLASSES), pick(BASES)),
        st.builds("def {}({}):".format, pick(["__init__", "run", "set_user_context", "handle", "__new__"]),
                  pick(PARAMS)),
        st.builds("async def {}({}):".format, pick(["run", "execute", "_get_user_emitter"]), pick(PARAMS)),
        st.builds("@{}\ndef {}({}):".format, pick(["staticmethod", "classmethod", "property", "cache"]),
                  pick(["make", "get"]), pick(PARAMS)),
        st.builds("with {} as {}:".format, pick(RECEIVERS), pick(["em", "self.emitter", "(a, b)"])),
        st.builds("async with {} as {}:".format, pick(RECEIVERS), pick(["em", "bridge"])),
        st.sampled_from(["if user_context:", "for event in events:", "while True:", "try:", "else:",
                         "match command:\n    case {'x': [a, *rest]} if a:", "match x:\n    case Agent(y=0) | None:"]),
    )


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for chunk in lines for line in chunk.split("\n")]


def _block(children: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    def build(header: str, body: list[str]) -> list[str]:
        head = header.split("\n")
        if header.startswith("match"):  # the case line is already indented once: the body goes deeper
            return head + ["    " + line for line in _indent(body)]
        if header == "try:":
            return head + _indent(body) + ["except* ValueError:" if sys.version_info >= (3, 11) and len(body) % 2
                                           else "except Exception as exc:", "    raise"]
        if header == "else:":
            return ["if flag:", "    pass", "else:"] + _indent(body)
        return head + _indent(body)

    return st.builds(build, _headers(), children)


def _agent_class(children: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    """The shape the NIL2xx/NIL3xx rules judge: a (maybe context-bound) class with __init__ and a setter."""

    def build(name: str, base: str, params: str, init_body: list[str], setter_body: list[str]) -> list[str]:
        return ([f"class {name}({base}):", f"    def __init__({params}):"] + ["    " + ln for ln in _indent(init_body)]
                + ["    def set_user_context(self, user_context):", "        self.user_context = user_context"]
                + ["    " + ln for ln in _indent(setter_body)])

    pick = st.sampled_from
    return st.builds(build, pick(CLASSES), pick(BASES), pick(PARAMS), children, children)


def _nest(inner: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    return st.one_of(_block(inner), _agent_class(inner),
                     st.lists(inner, min_size=1, max_size=3).map(lambda ls: sum(ls, [])))


DOMAIN_PROGRAMS = st.recursive(
    st.lists(_simple_statements(), min_size=1, max_size=3), _nest, max_leaves=25,
).map(lambda lines: "\n".join(lines) + "\n")


@settings(max_examples=DOMAIN_TARGET, deadline=None, database=None, suppress_health_check=HEALTH)
@given(source=DOMAIN_PROGRAMS, name=st.sampled_from(["agent.py", "__init__.py", "service.py"]))
def _domain_programs(source: str, name: str) -> None:
    COUNTS["ran"].add("domain")
    tree = _parse(source)
    if tree is None:
        reject()
    cli = _check_all_front_ends(source, tree, name)
    from netra_isolation_lint.registry import ENGINE
    from netra_isolation_lint.config import DEFAULTS

    # Oracle 1: the analysis of a file is a function of the file.
    again = ENGINE.check_tree_alone(_parse(source), str(_WORKDIR / name), DEFAULTS)
    assert ENGINE.check_tree_alone(tree, str(_WORKDIR / name), DEFAULTS) == again
    # Oracle 2: on one file, the flake8 adapter and the CLI report the same findings.
    assert sorted((f.line, f.col, f.code) for f in again) == sorted(cli), source
    COUNTS["domain"] += 1


def test_hypothesmith_programs() -> None:
    _timed(_hypothesmith_programs)


@pytest.mark.slow
def test_hypothesmith_programs_deep() -> None:
    """The nightly share: many more programs, same checks (counted with the others)."""
    programs = given(source=hypothesmith.from_grammar() | hypothesmith.from_node())
    deep = settings(max_examples=DEEP_TARGET, deadline=None, database=None, suppress_health_check=HEALTH)(
        programs(_hypothesmith_programs.hypothesis.inner_test))
    before = COUNTS["hypothesmith"]
    _timed(deep)
    assert COUNTS["hypothesmith"] - before >= DEEP_TARGET


def test_domain_programs() -> None:
    _timed(_domain_programs)


def _timed(run) -> None:
    started = time.perf_counter()
    try:
        run()
    finally:
        COUNTS["seconds"] += time.perf_counter() - started


def test_zz_fuzz_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs last in this module: proves the counts were reached and puts them in the CI log."""
    if not COUNTS["ran"]:
        pytest.skip("the fuzz tests were not selected")
    total = COUNTS["hypothesmith"] + COUNTS["domain"]
    with capsys.disabled():
        sys.stdout.write(f"\nfuzz: {total} programs, {COUNTS['crashes']} crashes "
                         f"({COUNTS['hypothesmith']} hypothesmith, {COUNTS['domain']} domain; "
                         f"engine + flake8 adapter + CLI runner; {COUNTS['seconds']:.0f}s; "
                         f"Python {sys.version.split()[0]})\n")
    assert COUNTS["crashes"] == 0
    if "hypothesmith" in COUNTS["ran"]:
        assert COUNTS["hypothesmith"] >= TARGET  # plus DEEP_TARGET with --runslow
    if "domain" in COUNTS["ran"]:
        assert COUNTS["domain"] >= DOMAIN_TARGET
