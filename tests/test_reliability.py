"""Reliability with real processes, signals, FIFOs and devices: no hang, no stray process or file."""

from __future__ import annotations

import ast
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import run_cli as run

HEADER = "import torch.nn.functional as F\nfrom torch import nn\n\n\n"
BAD = HEADER + "class M(nn.Module):\n    def forward(self, x):\n        return F.dropout(x)\n"


def many_classes(count: int) -> str:
    body = "".join(
        f"class M{i}(nn.Module):\n    def forward(self, x):\n        return F.dropout(x, 0.{i % 9 + 1})\n\n"
        for i in range(count)
    )
    return HEADER + body


def children(pid: int) -> set[int]:
    found = set()
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            found.update(int(each) for each in text)
    except OSError:  # the process or a thread just ended
        pass
    return found


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_sigterm_during_fix_ends_the_workers_promptly(tmp_path):
    source = many_classes(1000)  # 16 files of 90 KB: enough work to start workers
    for i in range(16):
        (tmp_path / "pkg" / f"m{i:02}.py").parent.mkdir(exist_ok=True)
        (tmp_path / "pkg" / f"m{i:02}.py").write_text(source)
    env = {k: v for k, v in os.environ.items() if k != "FLAKE8_DROPOUT_CACHE_DIR"}
    process = subprocess.Popen(
        [sys.executable, "-m", "flake8_dropout", "--fix", "-j", "2", "pkg"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
        workers |= children(process.pid)
        time.sleep(0.05)
    assert workers, "no worker started"
    time.sleep(1.0)  # the workers are busy fixing
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert b"Traceback" not in stderr, stderr
    assert process.returncode == 143
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)
    # Each file is either as it was or fully fixed; no temporary file is left.
    assert sorted(p.name for p in (tmp_path / "pkg").iterdir()) == [
        f"m{i:02}.py" for i in range(16)
    ]
    for path in (tmp_path / "pkg").iterdir():
        text = path.read_text()
        ast.parse(text)
        assert text == source or "F.dropout(x, 0.1)" not in text


def test_devices_are_refused_and_others_still_checked(tmp_path):
    (tmp_path / "m.py").write_text(BAD)
    code, out, err = run("/dev/zero", "/dev/urandom", "m.py", "--no-cache", cwd=tmp_path)
    assert code == 2
    assert "/dev/zero: error: not a regular file" in err
    assert "/dev/urandom: error: not a regular file" in err
    assert out.startswith("m.py:7:16: DRP001")


def test_fifo_without_writer_does_not_hang_and_fifo_with_writer_is_read(tmp_path):
    os.mkfifo(tmp_path / "silent.py")
    os.mkfifo(tmp_path / "piped.py")
    (tmp_path / "m.py").write_text(BAD)
    env = {k: v for k, v in os.environ.items() if k != "FLAKE8_DROPOUT_CACHE_DIR"}
    process = subprocess.Popen(
        [sys.executable, "-m", "flake8_dropout", "--no-cache", "piped.py", "silent.py", "m.py"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    with open(tmp_path / "piped.py", "w") as writer:  # blocks until the tool opens it
        writer.write(BAD)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1, err
    assert out.decode().splitlines()[0].startswith("m.py:7:16: DRP001")
    assert out.decode().splitlines()[1].startswith("piped.py:7:16: DRP001")


def test_a_huge_module_class_is_checked_without_libcst():
    # 100k lines in one module class used to cost libcst 33 s and 1.1 GB; the check
    # judges the `ast` tree and never loads libcst (run in a fresh interpreter).
    methods = "".join(
        f"    def m{i}(self, x):\n        y = x + {i}\n        return y\n\n" for i in range(25_000)
    )
    source = BAD + "\n" + methods + "    def forward2(self, x):\n        return F.dropout(x)\n"
    code = (
        "import ast, sys\n"
        "from flake8_dropout.engine import check\n"
        "from flake8_dropout.settings import Settings\n"
        "source = sys.stdin.read()\n"
        "found = check(source, Settings(), tree=ast.parse(source))\n"
        "print([(f.line, f.column, f.code.value) for f in found], 'libcst' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=source, capture_output=True, text=True, check=True
    )
    last = len(source.splitlines())
    assert out.stdout.split() == [
        "[(7,",
        "15,",
        "'DRP001'),",
        f"({last},",
        "15,",
        "'DRP001')]",
        "False",
    ]


# -- unwanted writes ---------------------------------------------------------------------


def test_cache_writes_gitignore_only_into_a_folder_it_creates(tmp_path):
    (tmp_path / "m.py").write_text(BAD)
    code, _out, err = run("m.py", "--cache-dir", ".", cwd=tmp_path)
    assert code == 1, err
    assert not (tmp_path / ".gitignore").exists()
    assert list(tmp_path.glob("results-*.json"))  # the cache itself works there
    assert run("m.py", cwd=tmp_path)[0] == 1  # the default folder is the cache's own
    ignore = tmp_path / ".flake8-dropout-cache" / ".gitignore"
    assert ignore.read_text().splitlines()[-1] == "*"


def fix(tmp_path, *paths: str) -> tuple[int, str]:
    code, _out, err = run("--fix", "--no-cache", *paths, cwd=tmp_path)
    return code, err


def test_fix_refuses_read_only_hard_linked_and_fifo_files(tmp_path):
    read_only = tmp_path / "read_only.py"
    read_only.write_text(BAD)
    read_only.chmod(0o444)
    linked = tmp_path / "linked.py"
    linked.write_text(BAD)
    os.link(linked, tmp_path / "other_name.py")
    code, err = fix(tmp_path, "read_only.py", "linked.py")
    assert code == 2
    assert "read_only.py: error: read-only (no write permission): the fix is not written" in err
    assert "linked.py: error: has 2 hard links" in err
    assert read_only.read_text() == BAD and linked.read_text() == BAD
    assert os.stat(linked).st_nlink == 2

    os.mkfifo(tmp_path / "pipe.py")
    env = {k: v for k, v in os.environ.items() if k != "FLAKE8_DROPOUT_CACHE_DIR"}
    process = subprocess.Popen(
        [sys.executable, "-m", "flake8_dropout", "--fix", "--no-cache", "pipe.py"],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
    )
    with open(tmp_path / "pipe.py", "w") as writer:
        writer.write(BAD)
    _, err_bytes = process.communicate(timeout=60)
    assert process.returncode == 2
    assert b"pipe.py: error: not a regular file: the fix is not written" in err_bytes
    assert stat.S_ISFIFO(os.stat(tmp_path / "pipe.py").st_mode)


def test_fix_keeps_owner_drops_setuid_and_writes_through_links_inside_only(tmp_path):
    plain = tmp_path / "pkg" / "plain.py"
    plain.parent.mkdir()
    plain.write_text(BAD)
    plain.chmod(0o4755)
    if os.geteuid() == 0:
        os.chown(plain, 65534, 65534)
    outside = tmp_path / "outside.py"
    outside.write_text(BAD)
    (tmp_path / "pkg" / "to_outside.py").symlink_to(outside)
    inner = tmp_path / "pkg" / "sub" / "inner.py"
    inner.parent.mkdir()
    inner.write_text(BAD)
    (tmp_path / "pkg" / "to_inner.py").symlink_to(inner)
    code, err = fix(tmp_path, "pkg")
    assert code == 2
    assert err.count("error") == 1, err
    assert "pkg/to_outside.py: error: a symbolic link to a file outside the folder walked" in err
    assert outside.read_text() == BAD
    status = os.stat(plain)
    assert plain.read_text() != BAD
    assert stat.S_IMODE(status.st_mode) == 0o755
    if os.geteuid() == 0:
        assert (status.st_uid, status.st_gid) == (65534, 65534)
    assert (tmp_path / "pkg" / "to_inner.py").is_symlink()
    assert inner.read_text() != BAD


def test_an_edit_made_while_fix_runs_is_not_lost(tmp_path):
    source = many_classes(400)
    target = tmp_path / "big.py"
    target.write_text(source)
    env = {k: v for k, v in os.environ.items() if k != "FLAKE8_DROPOUT_CACHE_DIR"}
    process = subprocess.Popen(
        [sys.executable, "-m", "flake8_dropout", "--fix", "--no-cache", "big.py"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # Wait until the tool has read the file (it imports libcst after reading), then edit it.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            maps = Path(f"/proc/{process.pid}/maps").read_text()
        except OSError:  # already done
            break
        if "libcst" in maps:
            break
        time.sleep(0.02)
    edited = source + "# an edit made meanwhile\n"
    target.write_text(edited)
    _, err = process.communicate(timeout=300)
    text = target.read_text()
    assert "# an edit made meanwhile" in text
    if text == edited:  # the edit came in while the fix was under way
        assert process.returncode == 2
        assert b"big.py: error: changed while it was being fixed" in err


def test_python_m_never_imports_modules_from_the_linted_folder(tmp_path):
    for name in ("pathspec", "tempfile", "difflib", "libcst", "tomllib"):
        (tmp_path / f"{name}.py").write_text(
            f"open({str(tmp_path / ('imported-' + name))!r}, 'w').close()\n"
        )
    (tmp_path / ".gitignore").write_text("ignored/\n")
    (tmp_path / "pyproject.toml").write_text("[tool.flake8-dropout]\n")
    (tmp_path / "m.py").write_text(BAD)
    assert run("--diff", ".", cwd=tmp_path)[0] == 1
    assert run("--fix", ".", cwd=tmp_path)[0] == 0
    assert sorted(p.name for p in tmp_path.glob("imported-*")) == []


# -- messages ----------------------------------------------------------------------------


def test_messages_name_the_real_problem(tmp_path):
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    (tmp_path / "broken").symlink_to("nowhere")
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbf# coding: latin-1\nx = 1\n")
    (tmp_path / "u8.py").write_bytes(b"x = 1\r\ny = 2\r\nz = '\xff'\r\n")
    code, _out, err = run("loop1", "broken", "bom.py", "u8.py", cwd=tmp_path)
    assert code == 2
    assert "loop1: error: symbolic link loop" in err
    assert "broken: error: broken symbolic link (its target: No such file" in err
    assert "bom.py: error: cannot detect the encoding: a UTF-8 byte order mark, but a" in err
    assert "u8.py: error: cannot decode as utf-8 at line 3, column 6 (bytes ff)" in err


def test_non_utf8_file_names_are_printed_as_their_own_bytes(tmp_path):
    name = os.fsdecode(b"caf\xe9.py")
    (tmp_path / name).write_text(BAD)
    result = subprocess.run(
        [sys.executable, "-m", "flake8_dropout", "--no-cache", "."],
        cwd=tmp_path,
        capture_output=True,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert result.returncode == 1
    assert result.stdout.startswith(b"caf\xe9.py:7:16: DRP001")


def test_fix_with_diff_says_that_diff_wins(tmp_path):
    (tmp_path / "m.py").write_text(BAD)
    code, out, err = run("--fix", "--diff", "m.py", cwd=tmp_path)
    assert code == 1 and out.startswith("--- m.py")
    assert "--diff given: nothing is written (--fix ignored)" in err
    assert (tmp_path / "m.py").read_text() == BAD


def test_no_syntax_warning_noise(tmp_path):
    # Python >= 3.12 warns at parse time, naming `<unknown>` instead of the file.
    (tmp_path / "m.py").write_text(
        BAD.replace("return", "if x is 1:\n            y = '\\d'\n        return")
    )
    for flags in ([], ["--fix"]):
        code, _out, err = run("-q", "--no-cache", *flags, "m.py", cwd=tmp_path)
        assert code in (0, 1) and "Warning" not in err, err


@pytest.mark.parametrize(
    "body",
    [
        "class M(nn.Module):\n\f    def forward(self, x):\n        return F.dropout(x)\n",
        "class M(nn.Module):\n    def forward(self, x):\n\f        return F.dropout(x)\n",
        "class M(nn.Module):\n  \f  def forward(self, x):\n        return F.dropout(x)\n",
        "class M(nn.Module):\n \tdef forward(self, x):\n \t\treturn F.dropout(x)\n",
        # A line holding only `\` + CR: Python joins it to the next line; libcst rejects it.
        "class M(nn.Module):\n    \\\r    def forward(self, x):\n        return F.dropout(x)\n",
        # ... but a `\` line inside a string is the string's own (libcst takes it as it is).
        (
            'x = "a\\\r\\\rb"\nclass M(nn.Module):\n    def forward(self, x):\n'
            "        return F.dropout(x)\n"
        ),
    ],
)
def test_form_feeds_and_tabs_in_indentation_are_checked_like_flake8(tmp_path, body):
    source = "import torch.nn.functional as F\nfrom torch import nn\n" + body
    ast.parse(source)  # valid Python
    (tmp_path / "m.py").write_text(source)
    code, out, err = run("-q", "--no-cache", "m.py", cwd=tmp_path)
    assert code == 1, err
    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=DRP", "m.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.split(" DRP")[0] == flake8.stdout.split(" DRP")[0]
    assert out.startswith(("m.py:5:", "m.py:6:", "m.py:8:"))
    code, _out, err = run("-q", "--no-cache", "--fix", "m.py", cwd=tmp_path)
    if "\f" in body:  # libcst cannot give back such a file: never written
        assert code == 2 and "form feed in indentation" in err
        assert (tmp_path / "m.py").read_text() == source


def test_a_named_data_file_is_not_passed_as_python(tmp_path):
    # JSON parses as one Python expression: "All checks passed" would be a lie.
    (tmp_path / "model.json").write_text('{"layers": [], "dropout": "torch"}\n')
    (tmp_path / "script").write_text(BAD)  # no suffix: a script, checked
    code, out, err = run("--no-cache", "model.json", "script", cwd=tmp_path)
    assert code == 2
    assert "model.json: error: not Python source" in err
    assert out.startswith("script:7:16: DRP001")


# -- per-file configuration ------------------------------------------------------------------


def test_each_file_gets_its_nearest_pyproject_and_per_file_ignores(tmp_path):
    for name in ("pkgA/m.py", "pkgB/m.py", "pkgB/tests/t.py", "top.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(BAD)
    (tmp_path / "pkgA" / "pyproject.toml").write_text(
        '[tool.flake8-dropout]\nignore = ["DRP001"]\n'
    )
    (tmp_path / "pkgB" / "pyproject.toml").write_text(
        '[tool.flake8-dropout]\nper-file-ignores = {"tests/*" = ["DRP001"]}\n'
    )
    expected = ["pkgB/m.py:7:16", "top.py:7:16"]
    # The verdict on pkgA/m.py no longer depends on which other files are named (pre-commit).
    assert run("--no-cache", "pkgA/m.py", cwd=tmp_path)[0] == 0
    for paths in (["."], ["pkgA/m.py", "pkgB/m.py", "pkgB/tests/t.py", "top.py"]):
        code, out, err = run(*paths, cwd=tmp_path)  # with the cache: twice
        code, out, err = run(*paths, cwd=tmp_path)
        assert code == 1, err
        assert [line.split(": DRP")[0] for line in out.splitlines()] == expected
    code, _out, err = run("--fix", "--no-cache", ".", cwd=tmp_path)
    assert (tmp_path / "pkgA" / "m.py").read_text() == BAD
    assert (tmp_path / "pkgB" / "tests" / "t.py").read_text() == BAD
    assert (tmp_path / "pkgB" / "m.py").read_text() != BAD
    code, out, _err = run(
        "--stdin-filename", "pkgB/tests/x.py", "-", cwd=tmp_path, stdin=BAD.encode()
    )
    assert (code, out) == (0, "")


def test_a_file_too_large_to_fix_is_reported_with_why_and_left_alone(tmp_path):
    helpers = "".join(f"def helper_{i}(x):\n    return x + {i}\n\n\n" for i in range(40_000))
    source = (
        HEADER
        + helpers
        + "class M(nn.Module):\n    def forward(self, x):\n        return F.dropout(x)\n"
    )
    assert len(source) > 1_000_000
    path = tmp_path / "big.py"
    path.write_text(source)
    code, out, err = run("--no-cache", "--fix", "--output-format=json", "big.py", cwd=tmp_path)
    assert code == 1, err
    assert path.read_text() == source
    (row,) = json.loads(out)
    assert row["code"] == "DRP001" and "over 1 MB" in row["fix_note"]
