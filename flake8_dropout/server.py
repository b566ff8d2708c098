"""`flake8-dropout server`: a language server on stdin/stdout (pygls).

Diagnostics come from the editor's buffer on open, change and save; each
fixable finding gets a quick fix that is exactly `--fix` for that finding alone
(the new layer in `__init__`, the `nn` import and the call, as one workspace
edit); every finding gets a "silence with # noqa" action (`--add-noqa` for that
line); `source.fixAll.flake8-dropout` applies every fix `--fix` would. Settings
come from `[tool.flake8-dropout]` of the `pyproject.toml` above the file, read
again for each request, so editing it takes effect at once.
"""

from __future__ import annotations

import difflib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from . import __version__
from .config import ConfigError, Options, find_config, resolve
from .engine import Finding
from .source import SourceError

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
    excluded = bool(path and options.user_exclude) and _excluded(
        os.path.abspath(path), options.user_exclude, str(config.root)
    )
    return _Context(options, excluded, None)


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
        findings = check(text, options.settings)
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
            data={"fix": finding.applicability.value, "column": finding.column},
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

    try:
        result = fix_source(
            document.source,
            options.settings,
            unsafe=options.unsafe_fixes,
            style=options.fix_style,
            selected=options.is_selected,
            only=(lambda f: f == target) if target is not None else (lambda f: True),
        )
    except SourceError:
        return None
    return result.source if result.source != document.source else None


def _wanted(kind: str, only: list[str] | None) -> bool:
    """LSP kinds are hierarchical: asking for `source.fixAll` includes ours."""
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


def code_actions(
    document: TextDocument, options: Options, params: types.CodeActionParams
) -> list[types.CodeAction]:
    actions: list[types.CodeAction] = []
    only = params.context.only
    found = _findings(document, options)
    asked = [d for d in params.context.diagnostics if d.source == NAME and isinstance(d.code, str)]
    quickfix = types.CodeActionKind.QuickFix.value
    if asked and _wanted(quickfix, only):
        for item in found:
            diagnostic = item.diagnostic
            if not any(
                d.code == diagnostic.code and d.range.start == diagnostic.range.start for d in asked
            ):
                continue
            code = item.finding.code.value
            if _fixable(item.finding, options):
                new = _fixed(document, options, item.finding)
                if new is not None:
                    unsafe = item.finding.applicability.value == "unsafe"
                    actions.append(
                        types.CodeAction(
                            title=f"Fix {code} as --fix does",
                            kind=quickfix,
                            diagnostics=[diagnostic],
                            is_preferred=not unsafe,
                            edit=_workspace_edit(document, new),
                        )
                    )
            from .add_noqa import add_noqa

            silenced, _ = add_noqa(document.source, [(item.finding.line, code)])
            actions.append(
                types.CodeAction(
                    title=f"Silence {code} with # noqa",
                    kind=quickfix,
                    diagnostics=[diagnostic],
                    edit=_workspace_edit(document, silenced),
                )
            )
    if found and _wanted(FIX_ALL, only) and any(_fixable(i.finding, options) for i in found):
        new = _fixed(document, options, None)
        if new is not None:
            actions.append(
                types.CodeAction(
                    title="flake8-dropout: fix all",
                    kind=FIX_ALL,
                    edit=_workspace_edit(document, new),
                )
            )
    return actions


def build_server() -> LanguageServer:
    server = LanguageServer(NAME, __version__)
    told: set[str] = set()  # configuration errors already shown: once each, not per keystroke

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

    def publish(uri: str) -> None:
        document = server.workspace.get_text_document(uri)
        try:
            found = context(document)
            diagnostics = (
                [] if found.excluded else [i.diagnostic for i in _findings(document, found.options)]
            )
        except Exception as error:  # noqa: BLE001 - an editor's linter never dies on a buffer
            server.window_log_message(
                types.LogMessageParams(type=types.MessageType.Error, message=f"{NAME}: {error!r}")
            )
            diagnostics = []
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=diagnostics, version=document.version
            )
        )

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False
        ),
    )
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        document = server.workspace.get_text_document(params.text_document.uri)
        try:
            found = context(document)
            if found.excluded:
                return None
            return code_actions(document, found.options, params) or None
        except Exception as error:  # noqa: BLE001 - never crash the editor's session
            server.window_log_message(
                types.LogMessageParams(type=types.MessageType.Error, message=f"{NAME}: {error!r}")
            )
            return None

    return server


def serve() -> None:
    build_server().start_io()
