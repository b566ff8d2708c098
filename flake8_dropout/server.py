"""`flake8-dropout server`: a language server on stdin/stdout (pygls).

Diagnostics come from the editor's buffer on open, change and save; each
fixable finding gets a quick fix that is exactly `--fix` for that finding alone
(the new layer in `__init__`, the `nn` import and the call, as one workspace
edit); every finding gets a "silence with # noqa" action (`--add-noqa` for that
line); `source.fixAll.flake8-dropout` applies every fix `--fix` would. Settings
come from `[tool.flake8-dropout]` of the `pyproject.toml` above the file, read
again for each request, so editing it takes effect at once.

The event loop only talks: analyses and fixes run in one worker thread, a
change is linted after a short pause, and a client that resolves code actions
lazily gets each fix computed only when the user picks it.
"""

from __future__ import annotations

import asyncio
import difflib
import io
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from . import __version__
from .config import ConfigError, Options, find_config, resolve
from .engine import Finding
from .source import SourceError

if TYPE_CHECKING:
    from .settings import Settings

NAME = "flake8-dropout"
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.{NAME}"
_CALLEE = re.compile(r"[\w.]+", re.UNICODE)


@dataclass(frozen=True)
class _Found:
    finding: Finding
    diagnostic: types.Diagnostic


@dataclass(frozen=True)
class _Context:
    options: Options
    excluded: bool  # the file matches the user's exclude patterns: no diagnostics
    error: str | None  # a broken configuration: the defaults are used, the user is told


def _context(document: TextDocument) -> _Context:
    """The settings for this buffer's file, from the pyproject.toml above it, read afresh."""
    from .config import ConfigFile
    from .discovery import _excluded

    path = document.path if document.uri.startswith("file:") else None
    start = Path(os.path.dirname(path)) if path else Path.cwd()
    try:
        config = find_config(start)
        options = resolve(config, {}, cwd=str(start))
    except ConfigError as error:
        defaults = resolve(ConfigFile(None, start, {}), {}, cwd=str(start))
        return _Context(defaults, False, str(error))
    # Like a file named on the command line: only the patterns the user set exclude it.
    excluded = bool(
        path
        and options.user_exclude
        and _excluded(os.path.abspath(path), options.user_exclude, str(config.root))
    )
    return _Context(options, excluded, None)


def _project_settings(document: TextDocument, options: Options) -> Settings:
    """The settings the command line uses for the saved file: its project's classes too."""
    if not document.uri.startswith("file:"):
        return options.settings
    from .project import ProjectClasses

    return replace(options.settings, project=ProjectClasses(document.path, options.settings))


def _utf16(text: str) -> int:
    """LSP counts columns in UTF-16 code units; our findings count characters."""
    return len(text.encode("utf-16-le")) // 2


def _lines(text: str) -> list[str]:
    return io.StringIO(text, newline="").readlines()


def _findings(document: TextDocument, options: Options) -> list[_Found]:
    """The buffer's reported findings (selection and `# noqa` applied), as diagnostics."""
    from .engine import check
    from .noqa import NoqaLines

    text = document.source
    try:
        findings = check(text, _project_settings(document, options))
    except SourceError:  # a buffer that does not parse yet: the Python extension says why
        return []
    noqa = NoqaLines(text)
    lines = noqa.lines
    found = []
    for finding in findings:
        code = finding.code.value
        if not options.is_selected(code) or noqa.suppresses(finding.line, code):
            continue
        line = lines[finding.line - 1] if finding.line <= len(lines) else ""
        callee = _CALLEE.match(line, finding.column)
        end = callee.end() if callee else len(line)
        start = types.Position(line=finding.line - 1, character=_utf16(line[: finding.column]))
        diagnostic = types.Diagnostic(
            range=types.Range(
                start=start,
                end=types.Position(line=finding.line - 1, character=_utf16(line[:end])),
            ),
            message=finding.message.removeprefix(code + " "),
            severity=types.DiagnosticSeverity.Warning,
            code=code,
            source=NAME,
            data={"fix": finding.applicability.value},
        )
        found.append(_Found(finding, diagnostic))
    return found


def _end_position(lines: list[str], index: int) -> types.Position:
    """The position where line `index` starts, or the end of the text past the last line."""
    if index < len(lines):
        return types.Position(line=index, character=0)
    if not lines:
        return types.Position(line=0, character=0)
    last = lines[-1]
    if last.endswith(("\n", "\r")):
        return types.Position(line=len(lines), character=0)
    return types.Position(line=len(lines) - 1, character=_utf16(last))


def text_edits(old: str, new: str) -> list[types.TextEdit]:
    """The changed blocks of lines as non-overlapping edits against `old` (LSP applies them
    all to the original text), so the editor keeps cursor and folds elsewhere."""
    before, after = _lines(old), _lines(new)
    edits = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(
            types.TextEdit(
                range=types.Range(start=_end_position(before, i1), end=_end_position(before, i2)),
                new_text="".join(after[j1:j2]),
            )
        )
    return edits


def _workspace_edit(document: TextDocument, new: str) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(
        document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=document.uri, version=document.version
                ),
                edits=text_edits(document.source, new),
            )
        ]
    )


def _fixable(finding: Finding, options: Options) -> bool:
    return finding.applicability.value == "safe" or (
        finding.applicability.value == "unsafe" and options.unsafe_fixes
    )


def _fixed(document: TextDocument, options: Options, target: Finding | None) -> str | None:
    """The buffer with `target` fixed (every fixable finding when None); None if unchanged."""
    from .fix import fix_source
    from .line_length import line_length_for

    # The same fix as `--fix` on the saved file: its line length, its project's classes.
    path = document.path if document.uri.startswith("file:") else None
    try:
        result = fix_source(
            document.source,
            _project_settings(document, options),
            unsafe=options.unsafe_fixes,
            style=options.fix_style,
            selected=options.is_selected,
            only=(lambda f: f == target) if target is not None else (lambda f: True),
            line_length=line_length_for(path),
        )
    except SourceError:
        return None
    return result.source if result.source != document.source else None


def _edited(
    document: TextDocument, options: Options, target: Finding | None, noqa: bool
) -> str | None:
    """The buffer after an action: `target` silenced with a noqa comment, or fixed."""
    if not noqa:
        return _fixed(document, options, target)
    from .add_noqa import add_noqa

    assert target is not None
    new, _ = add_noqa(document.source, [(target.line, target.code.value)])
    return new if new != document.source else None


def _wanted(kind: str, only: Sequence[str] | None) -> bool:
    """LSP kinds are hierarchical: asking for `source.fixAll` includes ours."""
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


def _lazy(capabilities: types.ClientCapabilities) -> bool:
    """The client resolves an action's edit when chosen (`codeAction/resolve`): a fix is
    then computed only for the action the user picks, not for every cursor move."""
    text_document = capabilities.text_document
    code_action = text_document.code_action if text_document else None
    support = code_action.resolve_support if code_action else None
    return bool(support and "edit" in support.properties)


def code_actions(
    document: TextDocument,
    options: Options,
    found: list[_Found],
    params: types.CodeActionParams,
    lazy: bool,
) -> list[types.CodeAction]:
    """The actions for the asked diagnostics, and fix-all; with `lazy`, fixes carry only
    the `data` that `resolve_action` turns into their edit."""
    actions: list[types.CodeAction] = []
    only = params.context.only
    asked = {
        (d.code, d.range.start.line, d.range.start.character)
        for d in params.context.diagnostics
        if d.source == NAME
    }
    quickfix = types.CodeActionKind.QuickFix.value

    def add(title: str, kind: str, target: Finding | None, noqa: bool = False, **extra) -> None:
        action = types.CodeAction(title=title, kind=kind, **extra)
        if lazy:
            key = None if target is None else [target.line, target.column, target.code.value]
            action.data = {
                "uri": document.uri,
                "version": document.version,
                "finding": key,
                "noqa": noqa,
            }
        else:
            new = _edited(document, options, target, noqa)
            if new is None:
                return
            action.edit = _workspace_edit(document, new)
        actions.append(action)

    if asked and _wanted(quickfix, only):
        for item in found:
            diagnostic = item.diagnostic
            start = diagnostic.range.start
            if (diagnostic.code, start.line, start.character) not in asked:
                continue
            finding = item.finding
            code = finding.code.value
            if _fixable(finding, options):
                add(
                    f"Fix {code} as --fix does",
                    quickfix,
                    finding,
                    diagnostics=[diagnostic],
                    is_preferred=finding.applicability.value == "safe",
                )
            add(f"Silence {code} with # noqa", quickfix, finding, True, diagnostics=[diagnostic])
    if _wanted(FIX_ALL, only) and any(_fixable(item.finding, options) for item in found):
        add("flake8-dropout: fix all", FIX_ALL, None)
    return actions


def resolve_action(
    document: TextDocument, options: Options, found: list[_Found], action: types.CodeAction
) -> types.CodeAction:
    """Compute a lazy action's edit; none when the buffer changed since it was offered."""
    data = action.data if isinstance(action.data, dict) else {}
    if data.get("version") != document.version:
        return action
    key = data.get("finding")
    target = None
    if key is not None:
        target = next(
            (
                i.finding
                for i in found
                if [i.finding.line, i.finding.column, i.finding.code.value] == key
            ),
            None,
        )
        if target is None:
            return action
    new = _edited(document, options, target, bool(data.get("noqa")))
    if new is not None:
        action.edit = _workspace_edit(document, new)
    return action


#: Wait this long after a change before linting, so typing is not slowed down.
DEBOUNCE_SECONDS = 0.25


def build_server() -> LanguageServer:
    server = LanguageServer(NAME, __version__)
    told: set[str] = set()  # configuration errors already shown: once each, not per keystroke
    # uri -> (version, options, findings) of the last analysis: code actions reuse it.
    analysed: dict[str, tuple[int | None, Options, list[_Found]]] = {}
    # One worker thread: analyses never overlap (the engine raises the interpreter's
    # recursion limit while libcst runs), and the event loop keeps answering meanwhile.
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=NAME)

    async def in_worker(function, *args):
        return await asyncio.get_running_loop().run_in_executor(worker, function, *args)

    def snapshot(uri: str) -> TextDocument:
        """A copy of the buffer as it is now, for a worker thread to analyse."""
        document = server.workspace.get_text_document(uri)
        return TextDocument(document.uri, document.source, version=document.version)

    def context(document: TextDocument) -> _Context:
        found = _context(document)
        if found.error is not None and found.error not in told:
            told.add(found.error)
            server.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning,
                    message=f"{NAME}: {found.error}; using the default settings",
                )
            )
        return found

    def log_error(error: Exception) -> None:
        server.window_log_message(
            types.LogMessageParams(type=types.MessageType.Error, message=f"{NAME}: {error!r}")
        )

    async def findings(document: TextDocument) -> tuple[_Context, list[_Found]]:
        found = context(document)
        if found.excluded:
            return found, []
        cached = analysed.get(document.uri)
        if cached is not None and cached[0] == document.version and cached[1] == found.options:
            return found, cached[2]
        result = await in_worker(_findings, document, found.options)
        analysed[document.uri] = (document.version, found.options, result)
        return found, result

    async def publish(uri: str) -> None:
        document = snapshot(uri)
        try:
            _, found = await findings(document)
            diagnostics = [item.diagnostic for item in found]
        except Exception as error:  # noqa: BLE001 - an editor's linter never dies on a buffer
            log_error(error)
            diagnostics = []
        if server.workspace.get_text_document(uri).version != document.version:
            return  # the buffer changed meanwhile: its own turn publishes
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=diagnostics, version=document.version
            )
        )

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(params: types.DidOpenTextDocumentParams) -> None:
        await publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(params: types.DidChangeTextDocumentParams) -> None:
        await asyncio.sleep(DEBOUNCE_SECONDS)
        uri = params.text_document.uri
        if server.workspace.get_text_document(uri).version == params.text_document.version:
            await publish(uri)  # else a later change is waiting its turn

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(params: types.DidSaveTextDocumentParams) -> None:
        await publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        analysed.pop(params.text_document.uri, None)
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=True
        ),
    )
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        document = snapshot(params.text_document.uri)
        try:
            found_context, found = await findings(document)
            if found_context.excluded or not found:
                return None
            lazy = _lazy(server.client_capabilities)
            options = found_context.options
            actions = await in_worker(code_actions, document, options, found, params, lazy)
            return actions or None
        except Exception as error:  # noqa: BLE001 - never crash the editor's session
            log_error(error)
            return None

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        uri = data.get("uri")
        if not isinstance(uri, str):
            return action
        try:
            document = snapshot(uri)
            found_context, found = await findings(document)
            return await in_worker(resolve_action, document, found_context.options, found, action)
        except Exception as error:  # noqa: BLE001 - never crash the editor's session
            log_error(error)
            return action

    return server


def serve() -> None:
    build_server().start_io()
