"""The language server over stdio, driven by a real LSP client (pytest-lsp, on pygls).

From `initialize` to a code action applied to the buffer: diagnostics come from
the buffer (not the file on disk) on open, change and save, with the settings of
the file's pyproject.toml; the quick fix applied to the buffer gives exactly what
`--fix` writes; `source.fixAll.flake8-dropout` too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the language server needs the lsp extra")
pytest.importorskip("pytest_lsp", reason="pytest-lsp 1.x needs Python 3.10")

import pytest_lsp
from helpers import run_cli
from lsprotocol import types
from pygls.workspace import TextDocument
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

# The layer fix needs all three parts: an `nn` import, a new `__init__` and the call.
SOURCE = (
    "import torch.nn.functional as F\n"
    "from torch.nn import Module\n"
    "\n"
    "\n"
    "class Block(Module):\n"
    "    def forward(self, x, training):\n"
    "        x = F.dropout(x, 0.1)\n"
    "        y = F.dropout(x, 0.2, training=training)\n"
    "        return F.dropout(x + y, 0.3)\n"
)
PYPROJECT = '[tool.flake8-dropout]\nignore = ["DRP003"]\n'


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "flake8_dropout", "server"]),
    # VS Code resolves an action's edit when it is chosen; Emacs' eglot wants it at once.
    params=["visual-studio-code", "emacs"],
)
async def client(lsp_client: LanguageClient, request):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities(request.param))
    )
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    path = tmp_path / "model.py"
    path.write_text("x = 1\n", encoding="utf-8")  # on disk: clean; the buffer is what counts
    return path


def cli_fix(project: Path, source: str) -> str:
    """What `--fix` makes of `source` there (the same settings: `- --stdin-filename`)."""
    _, out, _ = run_cli(
        "-", "--fix", "--stdin-filename", project.name, stdin=source.encode(), cwd=project.parent
    )
    return out


async def chosen(client: LanguageClient, action: types.CodeAction) -> types.WorkspaceEdit:
    """The action's edit, resolved first when the server left that to the client."""
    if action.edit is None:
        assert action.data is not None
        action = await client.code_action_resolve_async(action)
    assert action.edit is not None
    return action.edit


def apply(text: str, edit: types.WorkspaceEdit, uri: str) -> str:
    """Apply a workspace edit as an editor does: every text edit against the original text."""
    (change,) = edit.document_changes
    assert change.text_document.uri == uri
    document = TextDocument(uri, text)
    ordered = sorted(
        change.edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    )
    for text_edit in ordered:
        document.apply_change(
            types.TextDocumentContentChangePartial(range=text_edit.range, text=text_edit.new_text)
        )
    return document.source


async def open_buffer(client: LanguageClient, uri: str, text: str, version: int = 1):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=version, text=text
            )
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics[uri]


async def change_buffer(client: LanguageClient, uri: str, text: str, version: int):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics[uri]


async def actions(client, uri, diagnostics, only=None) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range
            if diagnostics
            else types.Range(
                start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
            ),
            context=types.CodeActionContext(diagnostics=list(diagnostics), only=only),
        )
    )
    return list(result or [])


@pytest.mark.asyncio
async def test_quick_fix_applied_to_the_buffer_is_the_cli_fix(client: LanguageClient, project):
    uri = project.as_uri()
    diagnostics = await open_buffer(client, uri, SOURCE)
    # DRP003 is ignored by the pyproject.toml; the buffer, not the clean disk file, is linted.
    assert [(d.code, d.range.start.line, d.range.start.character) for d in diagnostics] == [
        ("DRP001", 6, 12),
        ("DRP001", 8, 15),
    ]
    first = diagnostics[0]
    assert first.source == "flake8-dropout"
    assert (first.range.end.line, first.range.end.character) == (6, 12 + len("F.dropout"))
    assert first.message.startswith("F.dropout() without training= is always active")

    offered = await actions(client, uri, [first])
    fix = next(a for a in offered if a.title == "Fix DRP001 as --fix does")
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    fixed = apply(SOURCE, await chosen(client, fix), uri)
    # `--fix` on a buffer where the other finding is silenced fixes exactly this one.
    other_silenced = SOURCE.replace("x + y, 0.3)\n", "x + y, 0.3)  # noqa: DRP001\n")
    expected = cli_fix(project, other_silenced).replace("  # noqa: DRP001", "")
    assert fixed == expected
    # One edit, all parts: the import of the layer, the new __init__, the call.
    assert "from torch.nn import Dropout, Module" in fixed and "def __init__" in fixed

    remaining = await change_buffer(client, uri, fixed, 2)
    assert [(d.code, d.range.start.line) for d in remaining] == [("DRP001", 12)]


@pytest.mark.asyncio
async def test_fix_all_and_noqa_actions(client: LanguageClient, project):
    uri = project.as_uri()
    diagnostics = await open_buffer(client, uri, SOURCE)
    offered = await actions(client, uri, [], only=[types.CodeActionKind.SourceFixAll])
    (fix_all,) = offered
    assert fix_all.kind == "source.fixAll.flake8-dropout"
    fixed = apply(SOURCE, await chosen(client, fix_all), uri)
    assert fixed == cli_fix(project, SOURCE)
    assert list(await change_buffer(client, uri, fixed, 2)) == []

    # The silencing action on the original buffer: the diagnostic goes away.
    await change_buffer(client, uri, SOURCE, 3)
    offered = await actions(client, uri, [diagnostics[1]], only=[types.CodeActionKind.QuickFix])
    silence = next(a for a in offered if a.title == "Silence DRP001 with # noqa")
    silenced = apply(SOURCE, await chosen(client, silence), uri)
    assert silenced.splitlines()[8].endswith("F.dropout(x + y, 0.3)  # noqa: DRP001")
    left = await change_buffer(client, uri, silenced, 4)
    assert [(d.code, d.range.start.line) for d in left] == [("DRP001", 6)]


@pytest.mark.asyncio
async def test_save_relints_and_settings_are_reread(client: LanguageClient, project):
    uri = project.as_uri()
    assert len(await open_buffer(client, uri, SOURCE)) == 2
    # The project now wants DRP003 too: the next save shows it.
    (project.parent / "pyproject.toml").write_text(
        "[tool.flake8-dropout]\nselect = ['DRP']\n", encoding="utf-8"
    )
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert [d.code for d in client.diagnostics[uri]] == ["DRP001", "DRP003", "DRP001"]
    # An unparsable buffer has no diagnostics and does not break the server.
    assert list(await change_buffer(client, uri, SOURCE + "    def (\n", 2)) == []
    assert len(await change_buffer(client, uri, SOURCE, 3)) == 3


def test_server_without_pygls_says_how_to_install_it(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import sys; sys.modules['pygls'] = None; from flake8_dropout.cli import main; "
                "sys.exit(main(['server']))"
            ),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "pip install 'flake8-dropout[lsp]'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.asyncio
async def test_excluded_files_and_a_broken_configuration(client: LanguageClient, project):
    uri = project.as_uri()
    pyproject = project.parent / "pyproject.toml"
    pyproject.write_text('[tool.flake8-dropout]\nextend-exclude = ["model.py"]\n', encoding="utf-8")
    assert list(await open_buffer(client, uri, SOURCE)) == []  # as on the command line
    offered = await actions(client, uri, [], only=[types.CodeActionKind.SourceFixAll])
    assert offered == []
    # A typo in the table: the user is told once, and the defaults lint the buffer.
    pyproject.write_text("[tool.flake8-dropout]\nselekt = ['DRP']\n", encoding="utf-8")
    for version in (2, 3):
        diagnostics = await change_buffer(client, uri, SOURCE, version)
        assert [d.code for d in diagnostics] == ["DRP001", "DRP003", "DRP001"]
    told = [m.message for m in client.messages if "selekt" in m.message]
    assert len(told) == 1 and told[0].endswith("using the default settings")


@pytest.mark.asyncio
async def test_utf16_columns_and_crlf_buffers(client: LanguageClient, project):
    uri = project.as_uri()
    text = SOURCE.replace(
        "        x = F.dropout(x, 0.1)\n", '        s = "😀é"; x = F.dropout(x, 0.1)\n'
    )
    text = text.replace("\n", "\r\n")
    diagnostics = await open_buffer(client, uri, text)
    first = diagnostics[0]
    # LSP counts UTF-16 units: the emoji is two, é one; the finding's column counts characters.
    prefix = '        s = "😀é"; x = '
    assert first.range.start.character == len(prefix) + 1
    offered = await actions(client, uri, [], only=[types.CodeActionKind.SourceFixAll])
    fixed = apply(text, await chosen(client, offered[0]), uri)
    assert fixed == cli_fix(project, text)
    assert "\r\n" in fixed and "\n" not in fixed.replace("\r\n", "")
    assert list(await change_buffer(client, uri, fixed, 2)) == []


@pytest.mark.asyncio
async def test_lazy_fixes_are_computed_on_resolve_and_not_for_a_stale_buffer(
    client: LanguageClient, project
):
    if client.capabilities.text_document.code_action.resolve_support is None:
        pytest.skip("this client wants every edit at once")
    uri = project.as_uri()
    diagnostics = await open_buffer(client, uri, SOURCE)
    offered = await actions(client, uri, [diagnostics[0]])
    fix = next(a for a in offered if a.title == "Fix DRP001 as --fix does")
    assert fix.edit is None  # nothing computed until the user picks it
    await change_buffer(client, uri, "# edited\n" + SOURCE, 2)
    stale = await client.code_action_resolve_async(fix)
    assert stale.edit is None  # offered for version 1: the buffer moved on
