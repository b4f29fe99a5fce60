"""The language server, driven over stdio by a real LSP client (pytest-lsp): diagnostics on open and on change,
cross-module verdicts from the project index, dependent files re-judged, code actions applied, suppressions,
a broken config recovered from, unparseable buffers, several folders."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")
import pytest_asyncio  # noqa: E402  (pytest-lsp brings it)
from lsprotocol import types as lsp  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402
from snippets import EMITTER, SINGLETON  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="function")

TIMEOUT = 30

BASE = '''\
class BaseAgent:
    def __init__(self, name, user_context=None):
        self.name = name
        self.user_context = user_context
'''
AGENT = '''\
from base import BaseAgent


class ToolAgent(BaseAgent):
    def __init__(self, llm):
        super().__init__("tool")
        self.llm = llm
'''
USES_EMITTER = '''\
from emitter import AgentWebSocketBridge


async def started(user_context):
    emitter = await AgentWebSocketBridge().create_user_emitter(user_context)
    await emitter.emit_agent_started({"agent": "demo"})
'''


class Session:
    """The client side: documents by path, and waiting for what the server publishes."""

    def __init__(self, client, root: Path):
        self.client, self.root = client, root
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}

    def uri(self, name: str) -> str:
        return from_fs_path(str(self.root / name))

    def open(self, name: str, text: str | None = None) -> str:
        uri = self.uri(name)
        text = (self.root / name).read_text() if text is None else text
        self.texts[uri], self.versions[uri] = text, 1
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
            uri=uri, language_id="python", version=1, text=text)))
        return uri

    def change(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)]))

    async def codes(self, uri: str, wanted=lambda codes: bool(codes)) -> list[str]:
        """The codes published for ``uri`` once ``wanted`` holds for them (the test fails after TIMEOUT)."""
        async def published() -> list[str]:
            while True:
                found = self.client.diagnostics.get(uri)
                if found is not None and wanted(codes := sorted(str(d.code) for d in found if d.code)):
                    return codes
                await asyncio.sleep(0.02)

        return await asyncio.wait_for(published(), TIMEOUT)

    def apply(self, uri: str, edit: lsp.WorkspaceEdit) -> str:
        """The document's text after the edit (ASCII text: positions are characters)."""
        (change,) = edit.document_changes
        assert change.text_document.uri == uri and change.text_document.version == self.versions[uri]
        lines = self.texts[uri].splitlines(keepends=True)
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line))
        text = self.texts[uri]
        for item in sorted(change.edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            start = starts[item.range.start.line] + item.range.start.character
            end = starts[item.range.end.line] + item.range.end.character
            text = text[:start] + item.new_text + text[end:]
        return text

    async def actions(self, uri: str, line: int, only=None) -> list[lsp.CodeAction]:
        diagnostics = [d for d in self.client.diagnostics[uri] if d.range.start.line == line]
        return await self.client.text_document_code_action_async(lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=lsp.Range(start=lsp.Position(line=line, character=0), end=lsp.Position(line=line, character=1)),
            context=lsp.CodeActionContext(diagnostics=diagnostics, only=only)))


def _project(root: Path, files: dict[str, str]) -> None:
    (root / ".git").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))


async def _start(roots: list[Path], debounce_ms: int = 20):
    client = pytest_lsp.make_test_lsp_client()
    await client.start_io(sys.executable, "-m", "netra_isolation_lint", "server")
    await client.initialize_session(lsp.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
        root_uri=from_fs_path(str(roots[0])),
        workspace_folders=[lsp.WorkspaceFolder(uri=from_fs_path(str(r)), name=r.name) for r in roots],
        initialization_options={"debounceMs": debounce_ms}))
    return client


@pytest_asyncio.fixture
async def session(tmp_path):
    root = tmp_path / "project"
    _project(root, {"base.py": BASE, "agent.py": AGENT, "singleton.py": SINGLETON, "emitter.py": EMITTER,
                    "uses_emitter.py": USES_EMITTER, "ctx.py": "class UserExecutionContext:\n    pass\n"})
    client = await _start([root])
    yield Session(client, root)
    await client.shutdown_session()
    await client.stop()


async def test_a_singleton_call_shows_nil101_with_its_page_and_range(session):
    uri = session.open("singleton.py")
    assert await session.codes(uri) == ["NIL101", "NIL102", "NIL103"]
    (nil101,) = [d for d in session.client.diagnostics[uri] if d.code == "NIL101"]
    assert nil101.range.start == lsp.Position(line=4, character=19)
    assert nil101.range.end == lsp.Position(line=4, character=47)  # the whole accessor call
    assert nil101.severity == lsp.DiagnosticSeverity.Warning and nil101.source == "netra-isolation-lint"
    assert nil101.code_description.href.endswith("docs/rules/NIL101.md")


async def test_an_agent_whose_base_is_in_an_unopened_module_shows_nil201(session):
    uri = session.open("agent.py")
    assert await session.codes(uri) == ["NIL201"]  # BaseAgent's __init__ is known from the index, not a buffer


async def test_changing_the_base_in_an_unsaved_buffer_rejudges_the_agent(session):
    handing_on = AGENT.replace("def __init__(self, llm):", "def __init__(self, llm, user_context=None):").replace(
        'super().__init__("tool")', 'super().__init__("tool", user_context=user_context)')
    agent = session.open("agent.py", handing_on)
    base = session.open("base.py")
    assert await session.codes(agent, lambda codes: codes == []) == []
    session.change(base, BASE.replace("user_context=None", "context=None").replace(
        "self.user_context = user_context", "self.context = context"))
    assert await session.codes(agent) == ["NIL202"]  # the base no longer takes the context it is handed


async def test_changing_an_unsaved_emitter_rejudges_the_file_that_calls_it(session):
    user = session.open("uses_emitter.py")
    emitter = session.open("emitter.py")
    assert await session.codes(user, lambda codes: codes == []) == []
    session.change(emitter, EMITTER.replace("emit_agent_started(self, data)", "emit_agent_started(self)"))
    assert await session.codes(user) == ["NIL405"]  # the edit is in another, unsaved file
    session.change(emitter, EMITTER)
    assert await session.codes(user, lambda codes: codes == []) == []


async def test_the_fix_is_a_code_action_that_clears_the_finding(session):
    uri = session.open("agent.py")
    await session.codes(uri)
    (nil201,) = [d for d in session.client.diagnostics[uri] if d.code == "NIL201"]
    assert nil201.data["fix"]["safety"] == "safe"
    actions = await session.actions(uri, nil201.range.start.line)
    fix = next(a for a in actions if a.title == "Fix NIL201")
    assert fix.kind == lsp.CodeActionKind.QuickFix and fix.is_preferred
    fixed = session.apply(uri, fix.edit)
    assert "super().__init__(\"tool\", user_context=user_context)" in fixed
    session.change(uri, fixed)
    assert await session.codes(uri, lambda codes: "NIL201" not in codes) == []


async def test_fix_all_applies_the_safe_fixes_of_the_document(session):
    uri = session.open("agent.py")
    await session.codes(uri)
    (action,) = await session.actions(uri, 0, only=["source.fixAll.netra-isolation"])
    session.change(uri, session.apply(uri, action.edit))
    assert await session.codes(uri, lambda codes: codes == []) == []


async def test_a_suppression_adds_a_noqa_with_a_reason_placeholder(session):
    uri = session.open("singleton.py")
    await session.codes(uri)
    actions = await session.actions(uri, 4)
    suppress = next(a for a in actions if a.title == "Suppress NIL101 on this line")
    suppressed = session.apply(uri, suppress.edit)
    assert suppressed.splitlines()[4].endswith("get_agent_websocket_bridge()  # noqa: NIL101 <reason>")
    session.change(uri, suppressed)
    assert await session.codes(uri, lambda codes: "NIL101" not in codes) == ["NIL102", "NIL103"]
    again = next(a for a in await session.actions(uri, 5) if a.title == "Suppress NIL103 on this line")
    assert session.apply(uri, again.edit).splitlines()[5].endswith('"demo")  # noqa: NIL103 <reason>')


async def test_an_unsuppressible_code_offers_no_suppression(tmp_path):
    root = tmp_path / "project"
    _project(root, {"singleton.py": SINGLETON, ".netra-isolation.yaml": "unsuppressible: [NIL101]\n"})
    client = await _start([root])
    try:
        session = Session(client, root)
        uri = session.open("singleton.py")
        await session.codes(uri)
        titles = [a.title for a in await session.actions(uri, 4)]
        assert "Suppress NIL101 on this line" not in titles
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_a_broken_config_is_shown_on_its_file_and_the_last_good_one_stays(session):
    uri = session.open("singleton.py")
    assert await session.codes(uri) == ["NIL101", "NIL102", "NIL103"]
    config = session.root / ".netra-isolation.yaml"
    config_uri = from_fs_path(str(config))

    def saved(text: str) -> None:
        config.write_text(text)
        session.client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(
            changes=[lsp.FileEvent(uri=config_uri, type=lsp.FileChangeType.Changed)]))

    saved("select: [NIL1\n")  # not YAML
    problems = await asyncio.wait_for(_diagnostics(session.client, config_uri, bool), TIMEOUT)
    assert len(problems) == 1 and ".netra-isolation.yaml" in problems[0].message
    session.change(uri, SINGLETON + "\n")
    assert await session.codes(uri) == ["NIL101", "NIL102", "NIL103"]  # still judged, with the last good config
    saved("ignore: [NIL102]\n")
    assert await asyncio.wait_for(_diagnostics(session.client, config_uri, lambda d: d == []), TIMEOUT) == []
    assert await session.codes(uri, lambda codes: "NIL102" not in codes) == ["NIL101", "NIL103"]


async def _diagnostics(client, uri: str, wanted) -> list:
    while True:
        found = client.diagnostics.get(uri)
        if found is not None and wanted(list(found)):
            return list(found)
        await asyncio.sleep(0.02)


async def test_an_unparseable_buffer_still_gets_what_can_be_found_and_nil900(session):
    uri = session.open("singleton.py", SINGLETON + "\ndef broken(:\n")
    assert await session.codes(uri, lambda codes: "NIL900" in codes) == ["NIL101", "NIL102", "NIL103", "NIL900"]


async def test_closing_a_document_clears_it_and_the_index_goes_back_to_the_disk(session):
    user = session.open("uses_emitter.py")
    emitter = session.open("emitter.py")
    await session.codes(user, lambda codes: codes == [])
    session.change(emitter, EMITTER.replace("emit_agent_started(self, data)", "emit_agent_started(self)"))
    assert await session.codes(user) == ["NIL405"]
    session.client.text_document_did_close(lsp.DidCloseTextDocumentParams(
        text_document=lsp.TextDocumentIdentifier(uri=emitter)))
    assert await asyncio.wait_for(_diagnostics(session.client, emitter, lambda d: d == []), TIMEOUT) == []
    assert await session.codes(user, lambda codes: codes == []) == []  # the unsaved edit is gone with its buffer


async def test_each_folder_is_its_own_project_with_its_own_config(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    _project(first, {"singleton.py": SINGLETON})
    _project(second, {"singleton.py": SINGLETON, ".netra-isolation.yaml": "ignore: [NIL102, NIL103]\n"})
    client = await _start([first, second])
    try:
        one, two = Session(client, first), Session(client, second)
        assert await one.codes(one.open("singleton.py")) == ["NIL101", "NIL102", "NIL103"]
        assert await two.codes(two.open("singleton.py")) == ["NIL101"]
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_a_file_changed_on_disk_rejudges_the_open_files_that_depend_on_it(session):
    user = session.open("uses_emitter.py")
    await session.codes(user, lambda codes: codes == [])
    broken = EMITTER.replace("emit_agent_started(self, data)", "emit_agent_started(self)")
    (session.root / "emitter.py").write_text(broken)
    session.client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(
        changes=[lsp.FileEvent(uri=session.uri("emitter.py"), type=lsp.FileChangeType.Changed)]))
    assert await session.codes(user) == ["NIL405"]
    (session.root / "emitter.py").unlink()
    session.client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(
        changes=[lsp.FileEvent(uri=session.uri("emitter.py"), type=lsp.FileChangeType.Deleted)]))
    assert await session.codes(user, lambda codes: codes == []) == []  # unknown now: silent


async def test_changes_within_the_debounce_are_judged_once_on_the_last_text(tmp_path):
    root = tmp_path / "project"
    _project(root, {"singleton.py": SINGLETON})
    client = await _start([root], debounce_ms=400)
    try:
        session = Session(client, root)
        versions: list[int | None] = []
        features = client.protocol.fm.features
        shown = features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

        def recorded(*args):  # every publication, not just the last one the client keeps
            versions.append(args[-1].version)
            return shown(*args)

        features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = recorded
        uri = session.open("singleton.py", "")
        await session.codes(uri, lambda codes: codes == [])
        session.change(uri, SINGLETON)  # judged only if nothing follows within the debounce
        session.change(uri, SINGLETON.replace("bridge.notify_agent_started", "print"))
        assert await session.codes(uri) == ["NIL101", "NIL102"]  # the last text's, never the first's NIL103
        await asyncio.sleep(0.6)
        assert versions == [1, 3]
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_a_malformed_request_is_answered_with_an_error_and_the_server_goes_on(session):
    uri = session.open("singleton.py")
    await session.codes(uri)
    with pytest.raises(Exception):  # a document the server was never told about, with a malformed range
        await session.client.text_document_code_action_async(lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=lsp.Range(start=lsp.Position(line=-5, character=0), end=lsp.Position(line=-5, character=0)),
            context=lsp.CodeActionContext(diagnostics=[], only=["no-such-kind"])))
    session.change(uri, SINGLETON.replace("notify_agent_started", "notify_agent_thinking"))
    assert await session.codes(uri) == ["NIL101", "NIL102", "NIL103"]


async def test_an_excluded_file_shows_nothing(tmp_path):
    root = tmp_path / "project"
    _project(root, {"legacy/singleton.py": SINGLETON, "singleton.py": SINGLETON,
                    ".netra-isolation.yaml": "exclude: [legacy]\n"})
    client = await _start([root])
    try:
        session = Session(client, root)
        excluded, kept = session.open("legacy/singleton.py"), session.open("singleton.py")
        assert await session.codes(kept) == ["NIL101", "NIL102", "NIL103"]
        assert excluded not in client.diagnostics
    finally:
        await client.shutdown_session()
        await client.stop()
