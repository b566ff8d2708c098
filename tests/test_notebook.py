"""notebook.py: IPython masking, the cell map, and the byte-for-byte splice of fixed cells."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_dropout.fix import fix_source
from flake8_dropout.notebook import Notebook, find_escapes, mask
from flake8_dropout.settings import Settings
from flake8_dropout.source import SourceError

nbformat = pytest.importorskip("nbformat")


def masked_lines(cell: str) -> set[int]:
    escapes = find_escapes(cell)
    assert escapes is not None
    return {e.first + i for e in escapes for i in range(e.count)}


# Each case: a cell, and the 0-based lines IPython runs as something other than Python.
CELLS = [
    ("%matplotlib inline\nimport torch", {0}),
    ("!pip install torch\nx = 1", {0}),
    ("for i in range(2):\n    !echo hi\n    %time f(i)", {1, 2}),
    ("files = !ls\nout = %sx echo\na, b = %sx ls", {0, 1, 2}),
    ("Block?\nBlock??\nx.y?\n%time?", {0, 1, 2, 3}),
    ("?Block\n??Block", {0, 1}),
    (",f a b\n;f a\n/f a", {0, 1, 2}),
    ("!ls \\\n  -la\nx = 1", {0, 1}),
    # Python that only looks like IPython: strings, brackets, continuations, comments, operators.
    ('s = """\n%d items\n!not a command\n"""', set()),
    ("x = (1\n%2)\ny = (2\n/1)", set()),
    ("y = 1 \\\n% 2", set()),
    ("# !pip install torch\nx = a % b  # what?\nd = {'k?': '!'}", set()),
    ("s = 'it''s'  # ?\nt = '''a\n?'''", set()),
    ("x = a != b\ny = not x", set()),
]


@pytest.mark.parametrize(("cell", "expected"), CELLS)
def test_masked_lines(cell, expected):
    assert masked_lines(cell) == expected


@pytest.mark.parametrize(("cell", "expected"), CELLS)
def test_masked_lines_agree_with_ipython(cell, expected):
    """The lines IPython's own transformer rewrites are exactly the masked ones."""
    transformer = pytest.importorskip("IPython.core.inputtransformer2").TransformerManager()
    if any(line.endswith("\\") for line in cell.splitlines()) and expected:
        pytest.skip("IPython joins a continued command into one line")
    before = cell.splitlines()
    after = transformer.transform_cell(cell).splitlines()
    assert len(before) == len(after)
    changed = {i for i, (a, b) in enumerate(zip(before, after)) if a != b}
    assert changed == expected


@pytest.mark.parametrize(("cell", "_"), CELLS)
def test_masked_cell_parses_and_keeps_every_other_line(cell, _):
    escapes = find_escapes(cell)
    text, originals = mask(cell, escapes, "TAG ")
    compile(text, "cell", "exec")
    lines, old = text.split("\n"), cell.split("\n")
    assert len(lines) == len(old)
    hidden = masked_lines(cell)
    assert [o for i, o in enumerate(old) if i in hidden] == originals
    command_indent = {}  # line -> the indentation of its command's first line
    for escape in escapes:
        first = old[escape.first]
        for i in range(escape.first, escape.first + escape.count):
            command_indent[i] = first[: len(first) - len(first.lstrip())]
    for i, (new, original) in enumerate(zip(lines, old)):
        if i in hidden:
            assert new.endswith(f"# TAG {originals.index(original)}")
            assert new[: len(new) - len(new.lstrip())] == command_indent[i]
        else:
            assert new == original


def test_cell_magics():
    assert masked_lines("%%time\nx = 1\n!ls") == {0, 2}
    assert masked_lines("\n%%capture out\nx = 1") == {1}
    assert find_escapes("%%bash\necho hi") is None
    assert find_escapes("%%writefile a.py\nx = (") is None
    assert find_escapes("x = 1\n%%time") == [find_escapes("%%time")[0].__class__(1, 1)]


def test_automagic_only_in_a_one_line_cell():
    assert masked_lines("pip install torch") == {0}
    assert masked_lines("\ncd ..\n") == {1}
    assert masked_lines("pip in packages") == set()  # Python
    assert masked_lines("pip install torch\nx = 1") == set()  # IPython does not either


def notebook(*cells, **metadata) -> dict:
    """A notebook document: strings are code cells, ("md", text) markdown ones."""
    made = []
    for cell in cells:
        if isinstance(cell, tuple):
            made.append(nbformat.v4.new_markdown_cell(cell[1]))
        else:
            made.append(nbformat.v4.new_code_cell(cell))
    document = nbformat.v4.new_notebook(cells=made)
    document.metadata.update(metadata)
    return json.loads(nbformat.writes(document))  # sources as lists of lines, as on disk


def load(document) -> Notebook:
    return Notebook.load(nbformat.writes(nbformat.from_dict(document)).encode())


def test_cell_map():
    """Every line of a Python cell is at the module line that maps back to it."""
    cells = [
        "import torch",
        ("md", "# text"),
        "%matplotlib inline\nclass A(torch.nn.Module):\n    pass",
        "",
        "%%bash\necho hi",
        "x = 1\n\n\ny = 2\n",
        "def broken(:",
        "a = A()",
    ]
    book = load(notebook(*cells))
    module = book.module.split("\n")
    seen = {}
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, str) or not cell or number in (5, 7):
            continue  # markdown, empty, %%bash, not Python
        for line_number, text in enumerate(cell.splitlines(), 1):
            seen[(number, line_number)] = text
    found = {}
    for line in range(1, len(module) + 1):
        cell, within = book.position(line)
        if within:
            found[(cell, within)] = module[line - 1]
    for where, text in seen.items():
        if not text.startswith("%"):
            assert found[where] == text, where
    assert {cell for cell, _ in found} == {1, 3, 6, 8}
    assert book.errors == [(7, "SyntaxError at line 1: invalid syntax")]


def test_not_python_kernel():
    book = load(notebook("x <- 1", language_info={"name": "R"}))
    assert (book.module, book.errors) == ("", [])


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[]",
        b'{"cells": 3}',
        b"\xff\xfe",
        b'{"cells": [{"cell_type": "code", "source": 1}]}',
    ],
)
def test_not_a_notebook(data):
    with pytest.raises(SourceError):
        Notebook.load(data)


# No name binds torch.nn: a fixed notebook needs an import (or a changed one) in cell 1.
TORCH = "import torch.nn.functional as F\nfrom torch.nn import Module"
BLOCK = (
    "class Block(Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.p = 0.5\n"
)
HEAD = "class Head(Block):\n    def step(self, x):\n        return F.dropout(x, 0.25)"


def test_cells_are_one_module():
    """The import in cell 1 and the base class in cell 2 make cell 4's call a finding."""
    book = load(notebook(TORCH, BLOCK, ("md", "## head"), HEAD))
    found = fix_source(book.module, Settings()).found
    assert [(book.position(f.line), f.column, f.code.value) for f in found] == [
        ((4, 3), 15, "DRP001")
    ]
    alone = load(notebook(HEAD))
    assert fix_source(alone.module, Settings()).found == []


def fixed(book: Notebook) -> dict[int, tuple[str, str]]:
    return book.changed_cells(fix_source(book.module, Settings()).source)


def only_imports_added_or_changed(old: str, new: str) -> bool:
    """`new` is `old` with import lines added or changed, and nothing else."""
    kept = [line for line in new.split("\n") if line in old.split("\n")]
    others = [line for line in new.split("\n") if line not in old.split("\n")]
    return (
        len(others) > 0
        and all(line.startswith(("import ", "from ")) for line in others)
        and all(line.startswith(("import ", "from ")) or line in kept for line in old.split("\n"))
    )


def test_fix_changes_the_cells_that_need_it():
    """The import goes into cell 1 beside the others; the layer into the class's cell."""
    document = notebook(TORCH, "x = 1", BLOCK, HEAD)
    changes = fixed(load(document))
    assert sorted(changes) == [1, 4]
    assert only_imports_added_or_changed(*changes[1])
    assert "Dropout(p=0.25)" in changes[4][1]
    assert changes[4][1].endswith("return self.dropout(x)")  # no newline added at the end
    namespace: dict = {}
    for number in (1, 2, 3, 4):  # the fixed cells run in order, as the kernel runs them
        cell = changes.get(number, (None, document["cells"][number - 1]["source"]))[1]
        exec("".join(cell), namespace)  # noqa: S102 - the test's own cells
    namespace["Head"]().eval()


def test_masked_lines_come_back_after_a_fix():
    cell = "%%time\nclass M(Module):\n    def forward(self, x):\n        !echo hi\n        return F.dropout(x)\nm = !ls"
    changes = fixed(load(notebook("%matplotlib inline\n" + TORCH + "\n%load_ext autoreload", cell)))
    new = changes[2][1]
    assert new.startswith("%%time\n")
    assert "        !echo hi\n" in new
    assert new.endswith("m = !ls")
    assert "flake8-dropout-notebook" not in new
    first = changes[1][1]  # an import added among the others, the magics around them kept
    assert first.startswith("%matplotlib inline\n") and first.endswith("\n%load_ext autoreload")
    assert only_imports_added_or_changed(*changes[1])


def test_tag_is_unique():
    cell = "# flake8-dropout-notebook line 0\n" + HEAD.replace("Block", "Module")
    book = load(notebook(TORCH, "%time 1", cell))
    changes = fixed(book)
    assert changes[3][1].startswith("# flake8-dropout-notebook line 0\n")
    assert "%time 1" not in changes[3][1]


def changed_document(document, changes):
    copy = json.loads(json.dumps(document))
    for number, (_, new) in changes.items():
        copy["cells"][number - 1]["source"] = new.splitlines(keepends=True)
    return copy


DUMPS = {
    "nbformat": lambda d: nbformat.writes(nbformat.from_dict(d)),
    "indent 2, keys as written": lambda d: json.dumps(d, indent=2) + "\n",
    "compact": lambda d: json.dumps(d, separators=(",", ":")),
    "spaced one line": lambda d: json.dumps(d, ensure_ascii=False),
    "ascii escapes": lambda d: json.dumps(d, indent=1, ensure_ascii=True),
    "crlf": lambda d: json.dumps(d, indent=4, ensure_ascii=False).replace("\n", "\r\n") + "\r\n",
}


@pytest.mark.parametrize("style", DUMPS)
def test_write_is_the_same_serialisation(style):
    """Writing a fixed notebook gives exactly what its writer would have written."""
    dumps = DUMPS[style]
    document = json.loads(
        json.dumps(notebook(TORCH, ("md", "Café ☕"), "", BLOCK, "# é\n" + HEAD, "print(1)\n"))
    )
    document["cells"][5]["outputs"] = [{"name": "stdout", "output_type": "stream", "text": ["1\n"]}]
    document["cells"][5]["execution_count"] = 3
    data = dumps(document).encode()
    book = Notebook.load(data)
    assert book.write({}) == data
    changes = fixed(book)
    assert sorted(changes) == [1, 5]  # the import's cell and the class's
    assert book.write(changes) == dumps(changed_document(document, changes)).encode()


def test_write_keeps_a_bom_and_a_string_source():
    document = json.loads(json.dumps(notebook(TORCH, BLOCK + HEAD)))
    document["cells"][1]["source"] = BLOCK + HEAD  # one string, as nbformat allows
    data = b"\xef\xbb\xbf" + json.dumps(document, indent=1).encode()
    book = Notebook.load(data)
    changes = fixed(book)
    out = book.write(changes)
    assert out.startswith(b"\xef\xbb\xbf")
    expected = json.loads(json.dumps(document))
    expected["cells"][1]["source"] = changes[2][1]
    expected["cells"][0]["source"] = changes[1][1].splitlines(keepends=True)
    assert out[3:] == json.dumps(expected, indent=1).encode()


def test_write_fills_an_empty_cell_like_its_neighbours():
    document = json.loads(json.dumps(notebook("", TORCH, BLOCK + HEAD)))
    book = Notebook.load((json.dumps(document, indent=1) + "\n").encode())
    changes = {1: ("", "import os\n\nx = 1")}
    expected = json.loads(json.dumps(document))
    expected["cells"][0]["source"] = ["import os\n", "\n", "x = 1"]
    assert book.write(changes) == (json.dumps(expected, indent=1) + "\n").encode()


lines = st.lists(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12).map(
        lambda s: s.replace("\r", "").replace("\n", "")
    ),
    max_size=4,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(lines, min_size=1, max_size=4),
    new=lines,
    which=st.integers(min_value=0),
    indent=st.sampled_from([None, 1, 2, 4]),
    sort_keys=st.booleans(),
)
def test_splice_matches_json_dumps(cells, new, which, indent, sort_keys):
    """Any cell source, replaced, gives json.dumps's own output for the changed document."""
    document = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "source": [line + "\n" for line in cell[:-1]] + cell[-1:],
                "outputs": [],
                "execution_count": None,
            }
            for cell in cells
        ],
        "metadata": {"note": "é"},
        "nbformat": 4,
        "nbformat_minor": 5,
    }

    def dumps(d):
        return json.dumps(d, indent=indent, sort_keys=sort_keys, ensure_ascii=False)

    book = Notebook.load(dumps(document).encode())
    number = which % len(cells) + 1
    new_source = "\n".join(new)
    old_source = "".join(document["cells"][number - 1]["source"])
    changes = {number: (old_source, new_source)} if new_source != old_source else {}
    expected = json.loads(json.dumps(document))
    expected["cells"][number - 1]["source"] = new_source.splitlines(keepends=True)
    if changes:
        assert book.write(changes) == dumps(expected).encode()
    else:
        assert book.write(changes) == dumps(document).encode()
