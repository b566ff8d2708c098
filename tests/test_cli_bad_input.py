"""Bad input on the command line: a clear `path: error: ...`, exit 2, never a traceback.

Every other file is still checked (or fixed), and a bad file is never written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import run_cli as run

from flake8_dropout.fix import fix_source
from flake8_dropout.settings import Settings

HEADER = "import torch.nn.functional as F\nfrom torch import nn\n\n\n"
BAD = HEADER + "class M(nn.Module):\n    def forward(self, x):\n        return F.dropout(x)\n"
FIXER_WORKS = fix_source(BAD, Settings()).source != BAD


def put(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


BROKEN = {
    "syntax.py": (b"def f(:\n    pass\n", "SyntaxError at line 1"),
    "indent.py": (
        b"def f():\nreturn 1\n",
        "IndentationError at line 2: expected an indented block",
    ),
    "dedent.py": (b"if x:\n        a = 1\n    b = 2\n", "IndentationError at line 3: unindent"),
    "nul.py": (b"x = 1\n\x00\n", "null bytes"),
    "utf8.py": (b"x = '\xff\xfe'\n", "encoding"),
    "utf8-late.py": (b"x = 1\n" * 3 + b"y = '\xff\xfe'\n", "cannot decode as utf-8"),
    "cookie.py": (b"# -*- coding: klingon -*-\nx = 1\n", "cannot detect the encoding"),
    "parens.py": (b"x = " + b"(" * 100_000 + b"1" + b")" * 100_000 + b"\n", "too many nested"),
    "brackets.py": (b"x = " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "too many nested"),
    "unary.py": (b"x = " + b"-" * 100_000 + b"1\n", "too deeply nested"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_is_named_and_others_still_checked(tmp_path, name):
    data, reason = BROKEN[name]
    put(tmp_path / name, data)
    put(tmp_path / "z_bad.py", BAD.encode())
    code, out, err = run(name, "z_bad.py", cwd=tmp_path)
    assert code == 2
    assert f"{name}: error: " in err and reason in err, err
    assert out.startswith("z_bad.py:7:16: DRP001")
    assert "1 file could not be checked" in err


def test_deep_nesting_that_parses_is_still_a_clear_error(tmp_path):
    # `ast` accepts it; analysing it recurses too deep: reported, not a crash.
    call = "F.dropout(" + "-" * 2500 + "x)"
    put(tmp_path / "deep.py", BAD.replace("F.dropout(x)", call).encode())
    code, _out, err = run("deep.py", cwd=tmp_path)
    assert code in (1, 2)
    if code == 2:
        assert "deep.py: error: " in err and "nested" in err


def test_broken_files_are_never_written_by_fix(tmp_path):
    for name, (data, _) in BROKEN.items():
        put(tmp_path / name, data + b"\n" + BAD.encode() if name == "nul.py" else data)
    put(tmp_path / "ok.py", BAD.encode())
    code, _out, _err = run(".", "--fix", *sorted(BROKEN), cwd=tmp_path)
    assert code == 2
    for name, (data, _) in BROKEN.items():
        expected = data + b"\n" + BAD.encode() if name == "nul.py" else data
        assert (tmp_path / name).read_bytes() == expected
    assert ((tmp_path / "ok.py").read_text() != BAD) == FIXER_WORKS
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*BROKEN, "ok.py"])


def test_discovered_files_are_parsed_only_when_they_may_hold_a_finding(tmp_path):
    put(tmp_path / "pkg/plain.py", b"def f(:\n")  # no dropout: never parsed
    # A call the text screen cannot rule out (F is imported): parsed.
    put(tmp_path / "pkg/torchy.py", b"import torch.nn.functional as F\nF.dropout(\n")
    code, _out, err = run("pkg", cwd=tmp_path)
    assert code == 2
    assert "pkg/torchy.py: error: SyntaxError" in err
    assert "plain.py" not in err
    # Named on the command line, it is always parsed.
    assert "pkg/plain.py: error: SyntaxError" in run("pkg/plain.py", cwd=tmp_path)[2]


def test_latin1_with_coding_cookie(tmp_path):
    source = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + BAD
    path = put(tmp_path / "latin.py", source.encode("latin-1"))
    code, out, _err = run("latin.py", cwd=tmp_path)
    assert code == 1 and out.startswith("latin.py:9:16: DRP001")
    run("latin.py", "--fix", cwd=tmp_path)
    if FIXER_WORKS:
        assert path.read_bytes() == fix_source(source, Settings()).source.encode("latin-1")


def test_bom(tmp_path):
    path = put(tmp_path / "bom.py", b"\xef\xbb\xbf" + BAD.encode())
    code, out, _err = run("bom.py", cwd=tmp_path)
    assert code == 1 and out.startswith("bom.py:7:16: DRP001")
    run("bom.py", "--fix", cwd=tmp_path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    if FIXER_WORKS:
        assert data[3:].decode() == fix_source(BAD, Settings()).source


def test_crlf(tmp_path):
    source = BAD.replace("\n", "\r\n")
    path = put(tmp_path / "crlf.py", source.encode())
    code, out, _err = run("crlf.py", cwd=tmp_path)
    assert code == 1 and out.startswith("crlf.py:7:16: DRP001")
    run("crlf.py", "--fix", cwd=tmp_path)
    data = path.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")
    if FIXER_WORKS:
        assert data != source.encode()
        code, out, _ = run("crlf.py", "--diff", cwd=tmp_path)
        assert (code, out) == (0, "")


def test_empty_file_and_empty_stdin(tmp_path):
    put(tmp_path / "empty.py", b"")
    assert run("empty.py", cwd=tmp_path)[:2] == (0, "")
    assert run("-", cwd=tmp_path, stdin=b"")[:2] == (0, "")
    assert run("-", "--fix", cwd=tmp_path, stdin=b"")[:2] == (0, "")


def test_ten_megabyte_file(tmp_path):
    # Mentions torch and dropout (so every screen up to `ast` runs) but holds no call.
    filler = "def helper_{0}(x):\n    return x * {0}  # no torch dropout here\n\n\n"
    chunks, size, index = [], 0, 0
    while size < 10_000_000:
        chunk = filler.format(index)
        chunks.append(chunk)
        size += len(chunk)
        index += 1
    put(tmp_path / "big.py", "".join(chunks).encode())
    put(tmp_path / "pkg/big.py", "".join(chunks).encode())
    put(tmp_path / "pkg/bad.py", BAD.encode())
    start = time.perf_counter()
    code, out, _err = run("big.py", "pkg", "--no-cache", cwd=tmp_path)
    elapsed = time.perf_counter() - start
    assert code == 1
    assert out.startswith("pkg/bad.py:7:16: DRP001") and len(out.splitlines()) == 1
    assert elapsed < 90, elapsed


def test_missing_path(tmp_path):
    put(tmp_path / "bad.py", BAD.encode())
    code, out, err = run("nowhere.py", "bad.py", "gone/", cwd=tmp_path)
    assert code == 2
    assert "nowhere.py: error: no such file or folder" in err
    assert "gone: error: no such file or folder" in err
    assert out.startswith("bad.py:7:16: DRP001")


def test_broken_symlink(tmp_path):
    os.symlink(tmp_path / "absent.py", tmp_path / "link.py")
    code, _out, err = run("link.py", cwd=tmp_path)
    assert code == 2 and "link.py: error: " in err


def test_unreadable_file_and_folder(tmp_path):
    bad = put(tmp_path / "locked.py", BAD.encode())
    folder = tmp_path / "locked"
    put(folder / "inner.py", BAD.encode())
    put(tmp_path / "open.py", BAD.encode())
    os.chmod(bad, 0)
    os.chmod(folder, 0)
    try:
        code, out, err = run("locked.py", "locked", "open.py", "--no-cache", cwd=tmp_path)
    finally:
        os.chmod(bad, 0o644)
        os.chmod(folder, 0o755)
    assert "open.py:7:16: DRP001" in out
    if os.geteuid() == 0:  # root reads everything: only check that nothing broke
        assert code == 1
    else:
        assert code == 2
        assert "locked.py: error: cannot read: Permission denied" in err
        assert "locked: error: cannot read the folder: Permission denied" in err


def test_a_folder_that_is_a_file_path_with_a_trailing_slash(tmp_path):
    put(tmp_path / "x.py", BAD.encode())
    code, _, err = run("x.py/", cwd=tmp_path)
    assert code == 2 and "error" in err


def test_too_deep_for_libcst_is_checked_but_not_fixed(tmp_path):
    # libcst's native parser dies with SIGSEGV on this (about 7,000 terms and up): the
    # check reads the `ast` tree only; --fix refuses the file and fixes the others.
    chain = " and ".join(f"a{i}" for i in range(10_000))
    body = f"        y = {chain}\n        return F.dropout(x)\n"
    deep = BAD + f"\n\nclass N(nn.Module):\n    def forward(self, x):\n{body}"
    put(tmp_path / "pkg" / "deep.py", deep.encode())
    put(tmp_path / "pkg" / "z_bad.py", BAD.encode())
    for args in (["pkg/deep.py", "pkg/z_bad.py"], ["pkg"]):
        code, out, err = run(*args, "--no-cache", cwd=tmp_path)
        assert code == 1, (args, err)
        last = len(deep.splitlines())
        rows = [line.split(" ", 2)[:2] for line in out.splitlines()[:3]]
        assert rows == [
            ["pkg/deep.py:7:16:", "DRP001"],
            [f"pkg/deep.py:{last}:16:", "DRP001"],
            ["pkg/z_bad.py:7:16:", "DRP001"],
        ]
    code, out, err = run("--fix", "pkg", "--no-cache", cwd=tmp_path)
    assert code == 2, err
    assert "pkg/deep.py: error: too deeply nested to analyse safely" in err
    assert "nn.Dropout" in (tmp_path / "pkg" / "z_bad.py").read_text()
    assert (tmp_path / "pkg" / "deep.py").read_text() == deep


# -- internal errors become clear messages ---------------------------------------------


def test_gitignore_patterns_git_accepts_are_skipped_not_fatal(tmp_path):
    # git accepts these (and matches nothing with them); pathspec raises on them.
    put(tmp_path / ".gitignore", b"!\n\\\n[z-a]\nignored.py\n")
    put(tmp_path / "ignored.py", BAD.encode())
    put(tmp_path / "kept.py", BAD.encode())
    code, out, err = run(".", "--no-cache", cwd=tmp_path)
    assert (code, err.count("error")) == (1, 0), err
    assert out.startswith("kept.py:7:16: DRP001") and "ignored.py" not in out


def test_cache_entry_of_wrong_types_heals_itself(tmp_path):
    put(tmp_path / "m.py", BAD.encode())
    cache = tmp_path / "cache"
    assert run("m.py", "--cache-dir", str(cache), cwd=tmp_path)[0] == 1
    (results,) = cache.glob("results-*.json")
    data = json.loads(results.read_text())
    for entry in data["files"].values():
        entry[3] = [[7, 15, 1, None, "safe"]]  # the code as a number: what an editor may leave
    results.write_text(json.dumps(data))
    for _ in range(2):
        code, out, err = run("m.py", "--cache-dir", str(cache), cwd=tmp_path)
        assert code == 1 and out.startswith("m.py:7:16: DRP001"), err


def test_binary_pyproject_is_a_usage_error(tmp_path):
    put(tmp_path / "pyproject.toml", b"\x00\xff\xfe[tool.flake8-dropout]\n")
    put(tmp_path / "m.py", BAD.encode())
    code, _out, err = run("m.py", cwd=tmp_path)
    assert code == 2 and "pyproject.toml: invalid TOML: not UTF-8" in err, err


@pytest.mark.parametrize("codec", ["undefined", "punycode", "idna", "unicode_escape"])
def test_odd_coding_cookies_are_reported_and_never_written(tmp_path, codec):
    data = f"# coding: {codec}\n{BAD}".encode()
    put(tmp_path / "m.py", data)
    code, _out, err = run("m.py", "--fix", cwd=tmp_path)
    assert code == 2 and "m.py: error: " in err and "internal error" not in err, err
    assert (tmp_path / "m.py").read_bytes() == data


def test_huge_jobs_is_capped(tmp_path):
    put(tmp_path / "a.py", BAD.encode())
    put(tmp_path / "b.py", BAD.encode())
    started = time.monotonic()
    # A folder and no cache: the pool starts before discovery, one process per job asked for.
    code, out, err = run("-j", str(10**20), "--no-cache", ".", cwd=tmp_path)
    assert code == 1 and out.count("DRP001") == 2, err
    assert time.monotonic() - started < 60


def shell(command: str, cwd, **kwargs) -> subprocess.CompletedProcess:
    """`python -m flake8_dropout` with the shell's redirections (closed descriptors)."""
    line = f'"{sys.executable}" -m flake8_dropout {command}'
    result = subprocess.run(
        ["bash", "-c", line], cwd=cwd, capture_output=True, check=False, timeout=120, **kwargs
    )
    assert b"Traceback" not in result.stderr, result.stderr
    return result


def test_closed_stdin_stdout_and_full_stdout(tmp_path):
    put(tmp_path / "m.py", BAD.encode())
    result = shell("- <&-", tmp_path)
    assert result.returncode == 2 and b"stdin: error: cannot read" in result.stderr
    assert shell("m.py >&-", tmp_path).returncode == 1
    assert shell("m.py 2>&-", tmp_path).returncode == 1
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "flake8_dropout", "m.py"],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            check=False,
            timeout=120,
        )
    assert result.returncode == 2
    assert result.stderr.decode().strip().splitlines() == [
        "flake8-dropout: error: cannot write the output: No space left on device"
    ]
