"""``netra-isolation-lint server``: every rule live in the editor, over the Language Server Protocol (stdio).

Each workspace folder is one project, as the CLI sees it: its configuration, and an index of every file's facts
built once at start (from the cache when it is warm). An open buffer is analysed on open, on change (debounced)
and on save; its facts replace the file's in the index and every open document of that folder is judged again,
so a changed base class, signature or return type re-judges the files that depend on it. Files changed on disk
(``workspace/didChangeWatchedFiles``) update the index the same way. Fixes are the rules' own (``rules/fix.py``),
offered as code actions; a suppression adds the code to the line's ``# noqa``.
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import os
import re
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

from lsprotocol import converters
from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path

from . import __version__
from .config import CONFIG_FILENAME, DEFAULTS, PYPROJECT_FILENAME, Config, ConfigError
from .engine import finish
from .fixes import apply_edits, fixable, non_overlapping, parses, source_of
from .model.facts import ModuleFacts
from .model.names import module_name_for
from .noqa import NOQA_INLINE, apply_noqa
from .registry import RULES, resolve_known_config
from .rules.api import raising_emits
from .rules.fix import SAFE, Edit, Source, Where
from .runner import ENGINE, RAISING_CODES, Result, analyse_bytes, lint_directory
from .sources import DEFAULT_EXCLUDES, SourceFile, Skipped, excluded, open_source, project_root

NAME = "netra-isolation-lint"
FIX_ALL = "source.fixAll.netra-isolation"
DEFAULT_DEBOUNCE_MS = 200
SEVERITY = {"error": lsp.DiagnosticSeverity.Error, "warning": lsp.DiagnosticSeverity.Warning}
CONFIG_NAMES = (CONFIG_FILENAME, PYPROJECT_FILENAME)
REASON = "<reason>"  # the placeholder a suppression leaves for the reason (noqa_requires_reason wants one)
_CONVERTER = converters.get_converter()  # lsprotocol objects as their JSON (the fix in a diagnostic's data)
_PROBLEM_LINE = re.compile(r":(\d+)(?::\d+)?:")  # "file.yaml:3: ..." or "file.yaml:3:5: ..."


def path_of(uri: str) -> str | None:
    parsed = urlparse(uri)
    return os.path.abspath(unquote(parsed.path)) if parsed.scheme == "file" else None


class Folder:
    """One workspace folder: its config (the last one that loaded), its index, and its open buffers' facts."""

    def __init__(self, root: str):
        self.root = root
        self.config: Config = DEFAULTS
        self.config_problems: list[str] = []
        self.index = None  # model.project.Project over every file the CLI would read
        self.broken: set[tuple[str, int, int]] = set()  # calls that raise: NIL403 counts their events out
        self.buffers: dict[str, tuple[ModuleFacts, dict[int, str]]] = {}  # open path -> (facts, noqa lines)
        self.ready = asyncio.Event()

    def owns(self, path: str) -> bool:
        return path == self.root or path.startswith(self.root.rstrip(os.sep) + os.sep)

    def load_config(self) -> bool:
        """Read the config again. On a problem the last good one stays. True when it changed."""
        try:
            config = resolve_known_config(None, self.root)
        except ConfigError as exc:
            self.config_problems = list(exc.problems)
            return False
        self.config_problems = []
        changed, self.config = config != self.config, config
        return changed

    def build(self) -> int:
        """Index the project as the CLI reads it (reusing and refreshing its cache). Returns the file count."""
        _, report = lint_directory(self.root, self.config, self.root, self.root, verdicts=False)
        self.index = report.project  # the verdicts are the open files', judged as they open
        self.broken = {b for m in self.index.all_modules if m.emits for b in raising_emits(m, self.index)}
        self.buffers = {}
        return report.files

    def update(self, path: str, data: bytes | None) -> None:
        """The file's facts from ``data`` (a buffer or the bytes on disk); None: the file is gone."""
        self.broken = {b for b in self.broken if b[0] != path}
        if data is None:
            self.index.replace(path, None)
            self.buffers.pop(path, None)
            return
        facts, noqa = analyse_bytes(data, path, self.config, module_name_for(path))
        self.index.replace(path, facts)
        self.buffers[path] = (facts, noqa)

    def judge(self, path: str) -> list[Result]:
        """An open file's findings against the index, as the CLI reports them (selection, ``# noqa``)."""
        facts, noqa = self.buffers[path]
        raw = ENGINE.project_findings(self.index, facts)
        self.broken = {b for b in self.broken if b[0] != path} | {
            (path, f.line, f.col) for f in raw if f.code in RAISING_CODES}
        wide = [f for where, f in ENGINE.project_wide_findings(self.index, self.broken, None) if where == path]
        found = apply_noqa(finish(raw + wide, self.config, path), noqa, self.config, path, unfiltered=raw + wide)
        return sorted(Result(path, f.line, f.col, f.code, f.message) for f in found)

    def excludes(self, path: str) -> bool:
        """Excluded from the project (the defaults, ``exclude`` in the config): the editor shows nothing for it."""
        patterns, current = DEFAULT_EXCLUDES + self.config.exclude, path
        while self.owns(current) and current != self.root:  # the file or a directory discovery would skip
            if excluded(current, patterns, self.root):
                return True
            current = os.path.dirname(current)
        return False

    def read(self, path: str) -> bytes | None:
        try:
            return open_source(SourceFile(path, self.root), self.config.max_file_bytes)[0]
        except Skipped:
            return None


@dataclass(frozen=True)
class Judged:
    """A document as last published: the text its findings, fixes and diagnostics are positions in."""

    version: int | None
    index: int  # id of the index it was judged against (a rebuild makes a new one)
    source: Source
    diagnostics: tuple[tuple[Result, lsp.Diagnostic], ...]  # each finding and what was published for it
    offers: dict[Result, tuple[str, tuple[Edit, ...]]]  # each finding's fix, when its rule offers one here


class Document:
    """An open document: its text and version as last received, and its last judgement."""

    def __init__(self, uri: str, path: str, version: int | None, data: bytes):
        self.uri, self.path, self.version, self.data = uri, path, version, data
        self.task: asyncio.Task | None = None
        self.judged: Judged | None = None


class IsolationServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(NAME, __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.folders: dict[str, Folder] = {}
        self.documents: dict[str, Document] = {}
        self.debounce = DEFAULT_DEBOUNCE_MS / 1000
        self.config_shown: set[str] = set()  # config files showing a problem now

    # ------------------------------------------------------------------ folders
    def folder_for(self, path: str) -> Folder:
        owners = [f for f in self.folders.values() if f.owns(path)]
        if owners:
            return max(owners, key=lambda f: len(f.root))
        return self.add_folder(project_root(None, [path]))  # outside every folder: its own repository

    def add_folder(self, root: str) -> Folder:
        root = os.path.abspath(root)
        if root not in self.folders:
            folder = self.folders[root] = Folder(root)
            asyncio.get_running_loop().create_task(self.start(folder))
        return self.folders[root]

    async def start(self, folder: Folder) -> None:
        folder.load_config()
        self.show_config_problems(folder)
        await self.rebuild(folder)

    async def rebuild(self, folder: Folder) -> None:
        folder.ready.clear()
        started = time.perf_counter()
        try:
            files = await asyncio.get_running_loop().run_in_executor(None, folder.build)
        except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001 - the server must stay up
            self.log(f"{folder.root}: cannot index: {type(exc).__name__}: {exc}", lsp.MessageType.Error)
            return
        self.log(f"{folder.root}: indexed {files} files in {time.perf_counter() - started:.2f} s")
        for document in self.documents.values():
            if folder.owns(document.path):
                self.guarded(lambda d=document: folder.update(d.path, d.data), document.uri)
        folder.ready.set()
        self.publish_all(folder)
        # The index is a few hundred thousand long-lived objects: the collector need not walk them after each edit
        # (without this, one edit in twenty paid a 300 ms full collection).
        gc.freeze()

    # ------------------------------------------------------------------ judging
    def schedule(self, document: Document, delay: float) -> None:
        """Judge ``document`` after ``delay``; a newer change cancels what waits."""
        if document.task is not None:
            document.task.cancel()
        document.task = asyncio.get_running_loop().create_task(self.refresh(document, delay))

    async def refresh(self, document: Document, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        folder = self.folder_for(document.path)
        await folder.ready.wait()
        judged = document.judged
        if self.documents.get(document.uri) is not document or judged is not None and (
                judged.version, judged.index) == (document.version, id(folder.index)):
            return  # closed meanwhile, or judged already (a rebuild that finished meanwhile judged every buffer)
        self.guarded(lambda: folder.update(document.path, document.data), document.uri)
        self.publish_all(folder)

    def publish_all(self, folder: Folder) -> None:
        """Every open document of the folder, judged again: what one file changed may change the others."""
        for document in list(self.documents.values()):
            if folder.owns(document.path) and document.path in folder.buffers:
                self.guarded(lambda d=document: self.publish(folder, d), document.uri)

    def publish(self, folder: Folder, document: Document) -> None:
        """Judge the document and publish; the code actions answer from this judgement, in its positions."""
        results = folder.judge(document.path)
        source = source_of(document.data) or Source(document.data, None)
        offers = {r: offer for r in results if (offer := self.offer(r, source, folder, document)) is not None}
        diagnostics = tuple((r, self.diagnostic(r, source, offers.get(r))) for r in results)
        document.judged = Judged(document.version, id(folder.index), source, diagnostics, offers)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=document.uri, version=document.version, diagnostics=[d for _, d in diagnostics]))

    @staticmethod
    def diagnostic(result: Result, source: Source, offer: tuple[str, tuple[Edit, ...]] | None) -> lsp.Diagnostic:
        rule = RULES.get(result.code)
        data: dict = {"code": result.code}
        if offer is not None:
            data["fix"] = {"safety": offer[0], "edits": [_CONVERTER.unstructure(_text_edit(source, e))
                                                         for e in offer[1]]}
        return lsp.Diagnostic(
            range=_range(source, result.line, result.col), message=result.message, source=NAME, code=result.code,
            severity=SEVERITY.get(rule.severity, lsp.DiagnosticSeverity.Warning) if rule else None,
            code_description=lsp.CodeDescription(href=rule.help_uri) if rule else None, data=data)

    def offer(self, result: Result, source: Source, folder: Folder,
              document: Document) -> tuple[str, tuple[Edit, ...]] | None:
        rule = RULES.get(result.code)
        if rule is None or rule.fix is None or source.tree is None or not fixable(result.code, folder.config):
            return None
        facts = folder.buffers.get(document.path, (None,))[0]
        made = rule.fix.fixer(source, result.line, result.col, Where(folder.config, folder.index, facts))
        return made if made is not None and made[1] else None

    def guarded(self, work: Callable[[], object], uri: str) -> None:
        """A fault while judging one document is logged; the server and the other documents go on."""
        try:
            work()
        except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001 - isolation is the point
            self.log(f"{uri}: internal error {type(exc).__name__}: {exc}\n{traceback.format_exc()}",
                     lsp.MessageType.Error)

    def log(self, message: str, kind: lsp.MessageType = lsp.MessageType.Info) -> None:
        self.window_log_message(lsp.LogMessageParams(type=kind, message=message))

    # ------------------------------------------------------------------ config
    def show_config_problems(self, folder: Folder) -> None:
        """A broken config shows as diagnostics on its file until it loads again."""
        by_file: dict[str, list[str]] = {}
        for problem in folder.config_problems:
            by_file.setdefault(_config_file(problem, folder.root), []).append(problem)
        for path in [p for p in self.config_shown if folder.owns(p) and p not in by_file]:
            self.config_shown.discard(path)
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=from_fs_path(path),
                                                                                diagnostics=[]))
        for path, problems in by_file.items():
            self.config_shown.add(path)
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
                uri=from_fs_path(path), diagnostics=[lsp.Diagnostic(
                    range=_line_range(_problem_line(p)), message=p, source=NAME,
                    severity=lsp.DiagnosticSeverity.Error) for p in problems]))

    async def reload_config(self, folder: Folder) -> None:
        changed = folder.load_config()
        self.show_config_problems(folder)
        if changed:
            await self.rebuild(folder)

    # ------------------------------------------------------------------ code actions
    def actions(self, document: Document, wanted: lsp.Range, context: lsp.CodeActionContext) -> list[lsp.CodeAction]:
        """Fix and suppress for each finding the request's diagnostics name or its range touches; fix-all. All
        from the last judgement: its edits carry its version, so a client with newer text refuses them."""
        judged = document.judged
        if judged is None:
            return []
        folder, only = self.folder_for(document.path), context.only
        named = {(str(d.code), d.range.start.line, d.range.start.character) for d in context.diagnostics}
        found: list[lsp.CodeAction] = []
        kinds = only or [lsp.CodeActionKind.QuickFix, FIX_ALL]
        quick = any(k == lsp.CodeActionKind.QuickFix or str(k).startswith("quickfix") for k in kinds)
        for result, diagnostic in judged.diagnostics if quick else ():
            start = diagnostic.range.start
            if (result.code, start.line, start.character) not in named and not _overlaps(diagnostic.range, wanted):
                continue
            offer = judged.offers.get(result)
            if offer is not None:
                safety, edits = offer
                title = f"Fix {result.code}" + ("" if safety == SAFE else " (unsafe)")
                found.append(lsp.CodeAction(title=title, kind=lsp.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                                            is_preferred=safety == SAFE, edit=self.edit(document, judged, edits)))
            if result.code not in folder.config.unsuppressible:
                found.append(lsp.CodeAction(
                    title=f"Suppress {result.code} on this line", kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic], edit=self.edit(document, judged, (_suppress(judged.source, result),))))
        if any(FIX_ALL.startswith(str(k)) or str(k) == FIX_ALL for k in kinds):
            edits = self.fix_all(document, folder, judged)
            if edits:
                found.append(lsp.CodeAction(title="Fix all safe netra-isolation findings", kind=FIX_ALL,
                                            edit=self.edit(document, judged, edits)))
        return found

    def fix_all(self, document: Document, folder: Folder, judged: Judged) -> tuple[Edit, ...]:
        """The safe fixes of the judged text, applied together, kept only if the result parses and brings no
        finding of a code the document did not have (judged against the index, then put back)."""
        edits = [e for safety, made in judged.offers.values() if safety == SAFE for e in made]
        if not edits:
            return ()
        taken = non_overlapping(edits)
        fixed = apply_edits(judged.source.data, taken)
        if not parses(fixed):
            return ()
        before = {(r.code, r.message) for r, _ in judged.diagnostics}
        try:
            folder.update(document.path, fixed)
            after = folder.judge(document.path)
        finally:
            folder.update(document.path, document.data)
        return tuple(taken) if all((r.code, r.message) in before for r in after) else ()

    @staticmethod
    def edit(document: Document, judged: Judged, edits) -> lsp.WorkspaceEdit:
        return lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(
            text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=document.uri, version=judged.version),
            edits=[_text_edit(judged.source, e) for e in sorted(edits)])])


# ---------------------------------------------------------------------- positions
# ast columns are UTF-8 bytes; LSP positions count UTF-16 code units (the default encoding, which every client
# supports).

def _character(source: Source, line: int, col: int) -> int:
    """UTF-16 units before byte ``col`` of 1-based ``line``."""
    start = source.starts[line - 1] if line - 1 < len(source.starts) else len(source.data)
    text = source.data[start:start + col].decode("utf-8", "replace")
    return len(text.encode("utf-16-le")) // 2


def _position(source: Source, offset: int) -> lsp.Position:
    line = max(0, bisect.bisect_right(source.starts, offset) - 1)
    return lsp.Position(line=line, character=_character(source, line + 1, offset - source.starts[line]))


def _range(source: Source, line: int, col: int) -> lsp.Range:
    """From the finding to the end of the node it is at (on its first line), else to the end of the word."""
    start = source.offset(line, col) if line - 1 < len(source.starts) else len(source.data)
    line_end = source.data.find(b"\n", start)
    line_end = len(source.data) if line_end < 0 else line_end
    end = None
    if source.tree is not None:
        nodes = [n for n in source.at(line, col) if getattr(n, "end_lineno", None)]
        if nodes:
            node = nodes[0]  # outermost: the call, not just its name
            end = source.offset(node.end_lineno, node.end_col_offset) if node.end_lineno == line else line_end
    if end is None:
        word = re.match(rb"\w+", source.data[start:line_end])
        end = start + (word.end() if word else min(1, line_end - start))
    return lsp.Range(start=_position(source, start), end=_position(source, min(end, line_end)))


def _line_range(line: int) -> lsp.Range:
    return lsp.Range(start=lsp.Position(line=line, character=0), end=lsp.Position(line=line + 1, character=0))


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    def key(p: lsp.Position) -> tuple[int, int]:
        return p.line, p.character

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _text_edit(source: Source, edit: Edit) -> lsp.TextEdit:
    return lsp.TextEdit(range=lsp.Range(start=_position(source, edit.start), end=_position(source, edit.end)),
                        new_text=edit.text.decode("utf-8"))


def _suppress(source: Source, result: Result) -> Edit:
    """Add the code to the line's ``# noqa`` (or add one), with a reason placeholder when there is none yet."""
    start = source.starts[result.line - 1]
    end = source.data.find(b"\n", start)
    end = len(source.data) if end < 0 else end
    line = source.data[start:end].rstrip(b"\r").decode("utf-8", "replace")
    match = NOQA_INLINE.search(line)
    if match is not None and match.group("codes"):
        at = start + len(line[:match.end("codes")].rstrip(", ").encode())
        return Edit(at, at, f", {result.code}".encode())
    if match is not None:  # a bare "# noqa" suppresses everything already; name the code all the same
        at = start + len(line[:match.end()].encode())
        return Edit(at, at, f": {result.code}".encode())
    at = start + len(line.rstrip().encode())
    return Edit(at, at, f"  # noqa: {result.code} {REASON}".encode())


def _config_file(problem: str, root: str) -> str:
    """The file a config problem names (``path: key: problem``), else the folder's own config file."""
    head = problem.split(":", 1)[0]
    candidate = head if os.path.isabs(head) else os.path.join(root, head)
    return os.path.abspath(candidate) if os.path.basename(candidate) in CONFIG_NAMES or os.path.isfile(
        candidate) else os.path.join(root, CONFIG_FILENAME)


def _problem_line(problem: str) -> int:
    match = _PROBLEM_LINE.search(problem)
    return int(match.group(1)) - 1 if match else 0


# ---------------------------------------------------------------------- the protocol
server = IsolationServer()


@server.feature(lsp.INITIALIZE)
def initialize(ls: IsolationServer, params: lsp.InitializeParams) -> None:
    options = params.initialization_options or {}
    debounce = options.get("debounceMs", DEFAULT_DEBOUNCE_MS) if isinstance(options, dict) else DEFAULT_DEBOUNCE_MS
    ls.debounce = max(0, float(debounce)) / 1000 if isinstance(debounce, (int, float)) else ls.debounce


@server.feature(lsp.INITIALIZED)
async def initialized(ls: IsolationServer, params: lsp.InitializedParams) -> None:
    roots = [path_of(f.uri) for f in (ls.workspace.folders or {}).values()] or [ls.workspace.root_path]
    for root in roots:
        if root:
            ls.add_folder(root)
    watching = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
    if watching and watching.dynamic_registration:
        try:
            await ls.client_register_capability_async(lsp.RegistrationParams(registrations=[lsp.Registration(
                id="netra-isolation-files", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=lsp.DidChangeWatchedFilesRegistrationOptions(watchers=[
                    lsp.FileSystemWatcher(glob_pattern=pattern)
                    for pattern in ("**/*.py", f"**/{CONFIG_FILENAME}", f"**/{PYPROJECT_FILENAME}")]))]))
        except Exception as exc:  # noqa: BLE001 - a client that says it can and cannot: saves still count
            ls.log(f"file watching not registered: {exc}", lsp.MessageType.Warning)


@server.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
def folders_changed(ls: IsolationServer, params: lsp.DidChangeWorkspaceFoldersParams) -> None:
    for removed in params.event.removed:
        ls.folders.pop(path_of(removed.uri) or "", None)
    for added in params.event.added:
        root = path_of(added.uri)
        if root:
            ls.add_folder(root)


@server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
def settings_changed(ls: IsolationServer, params: lsp.DidChangeConfigurationParams) -> None:
    settings = params.settings if isinstance(params.settings, dict) else {}
    debounce = (settings.get("netraIsolationLint") or settings).get("debounceMs")
    if isinstance(debounce, (int, float)) and debounce >= 0:
        ls.debounce = debounce / 1000


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: IsolationServer, params: lsp.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    path = path_of(item.uri)
    if path is None or not path.endswith(".py") or ls.folder_for(path).excludes(path):
        return
    document = ls.documents[item.uri] = Document(item.uri, path, item.version, item.text.encode("utf-8"))
    ls.schedule(document, 0)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: IsolationServer, params: lsp.DidChangeTextDocumentParams) -> None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return
    text = ls.workspace.get_text_document(document.uri).source  # pygls applied the (incremental) changes
    document.data, document.version = text.encode("utf-8"), params.text_document.version
    ls.schedule(document, ls.debounce)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: IsolationServer, params: lsp.DidSaveTextDocumentParams) -> None:
    path = path_of(params.text_document.uri)
    if path is not None and os.path.basename(path) in CONFIG_NAMES:
        await ls.reload_config(ls.folder_for(path))
        return
    document = ls.documents.get(params.text_document.uri)
    if document is not None:
        ls.schedule(document, 0)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: IsolationServer, params: lsp.DidCloseTextDocumentParams) -> None:
    document = ls.documents.pop(params.text_document.uri, None)
    if document is None:
        return
    if document.task is not None:
        document.task.cancel()
    folder = ls.folder_for(document.path)
    if folder.index is not None:  # the index goes back to the file as it is on disk
        ls.guarded(lambda: folder.update(document.path, folder.read(document.path)), document.uri)
        folder.buffers.pop(document.path, None)
        ls.publish_all(folder)
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=document.uri, diagnostics=[]))


@server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
async def files_changed(ls: IsolationServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    touched: dict[str, Folder] = {}
    for change in params.changes:
        path = path_of(change.uri)
        if path is None:
            continue
        folder = ls.folder_for(path)
        if os.path.basename(path) in CONFIG_NAMES:
            await ls.reload_config(folder)
            continue
        if not path.endswith(".py") or folder.index is None or change.uri in ls.documents:
            continue  # an open document is judged from its buffer, not from the disk
        data = None if change.type == lsp.FileChangeType.Deleted else folder.read(path)
        ls.guarded(lambda: folder.update(path, data), change.uri)
        folder.buffers.pop(path, None)  # the index keeps its facts; only open files are judged
        touched[folder.root] = folder
    for folder in touched.values():
        ls.publish_all(folder)


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
    code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False))
def code_action(ls: IsolationServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    return ls.actions(document, params.range, params.context)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog=f"{NAME} server", description="The language server, over stdio.")
    parser.parse_args(argv)
    server.start_io()
    return 0
