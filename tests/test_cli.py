"""The command line, run for real in subprocesses on scratch trees."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

from helpers import run_cli as run

from flake8_dropout import __version__
from flake8_dropout.fix import fix_source
from flake8_dropout.settings import Settings

HEADER = "import torch.nn.functional as F\nfrom torch import nn\n\n\n"
BAD = HEADER + "class M(nn.Module):\n    def forward(self, x):\n        return F.dropout(x)\n"
BAD_AT = "7:16: DRP001"
LITERAL = (
    HEADER + "class L(nn.Module):\n    def forward(self, x):\n"
    "        return F.dropout(x, training=True)\n"
)
GOOD = (
    HEADER + "class G(nn.Module):\n    def forward(self, x):\n"
    "        return F.dropout(x, training=self.training)\n"
)
#: True once the lead's fixer rewrites calls (fix.py started as a stub).
FIXER_WORKS = fix_source(BAD, Settings()).source != BAD


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_reports_like_flake8_with_summary_on_stderr(tmp_path):
    write(tmp_path / "m.py", BAD)
    code, out, err = run("m.py", "--no-cache", cwd=tmp_path)
    assert code == 1
    assert out.startswith(f"m.py:{BAD_AT} F.dropout() without training= is always active")
    assert out.count("\n") == 1
    assert "Found 1 finding (1 fixable with --fix)." in err


def test_clean_file_exits_zero(tmp_path):
    write(tmp_path / "g.py", GOOD)
    code, out, err = run("g.py", cwd=tmp_path)
    assert (code, out) == (0, "")
    assert "All checks passed." in err
    code, out, err = run("g.py", "-q", cwd=tmp_path)
    assert (code, out, err) == (0, "", "")


def test_summary_counts_unsafe_fixes(tmp_path):
    write(tmp_path / "m.py", BAD)
    write(tmp_path / "l.py", LITERAL)
    code, _, err = run(".", cwd=tmp_path)
    assert code == 1
    assert "Found 2 findings (1 fixable with --fix, 1 more with --unsafe-fixes)." in err
    code, _out, err = run(".", "--unsafe-fixes", cwd=tmp_path)
    assert "Found 2 findings (2 fixable with --fix --unsafe-fixes)." in err


def test_discovery_skips_what_it_should(tmp_path):
    (tmp_path / ".git").mkdir()
    for name in [
        "a.py",
        "pkg/b.py",
        "pkg/sub/c.py",
        ".git/hooks/x.py",
        "build/x.py",
        "dist/x.py",
        "pkg/__pycache__/x.py",
        "lib/site-packages/x.py",
        "env/lib/x.py",
        ".venv/x.py",
        "ignored/x.py",
        "pkg/generated.py",
        "pkg/sub/keep.py",
        "pkg/sub/drop.py",
        "nested/inner/x.py",
        "nested/inner/kept.py",
        "custom/x.py",
        "more/x.py",
        "notes.txt",
    ]:
        write(tmp_path / name, BAD)
    write(tmp_path / "env/pyvenv.cfg", "home = /usr\n")
    write(tmp_path / ".gitignore", "ignored/\ngenerated.py\n")
    write(tmp_path / "pkg/sub/.gitignore", "*.py\n!keep.py\n")
    write(tmp_path / "nested/.gitignore", "inner/*\n!inner/kept.py\n")
    outside = write(tmp_path.parent / f"{tmp_path.name}-outside" / "linked.py", BAD)
    os.symlink(outside.parent, tmp_path / "linkdir", target_is_directory=True)
    code, out, _ = run(".", "--extend-exclude", "custom,more/x.py", "--no-cache", cwd=tmp_path)
    assert code == 1
    paths = [line.split(":")[0] for line in out.splitlines()]
    assert paths == ["a.py", "nested/inner/kept.py", "pkg/b.py", "pkg/sub/keep.py"]


def test_exclude_replaces_the_defaults_and_explicit_paths(tmp_path):
    write(tmp_path / "build/x.py", BAD)
    write(tmp_path / "src/y.py", BAD)
    code, out, _ = run(".", "--exclude", "src", "--no-cache", cwd=tmp_path)
    assert [line.split(":")[0] for line in out.splitlines()] == ["build/x.py"]
    # A file named on the command line is checked even inside a default-excluded folder,
    code, out, _ = run("build/x.py", "--no-cache", cwd=tmp_path)
    assert out.startswith("build/x.py:7:16:")
    # but not when it matches an exclude the user configured (pre-commit passes files).
    code, out, _err = run("src/y.py", "--extend-exclude", "src", "--no-cache", cwd=tmp_path)
    assert (code, out) == (0, "")


def test_output_is_sorted_and_identical_serial_and_parallel(tmp_path):
    for index in range(12):
        write(tmp_path / f"p{index % 3}" / f"f{index}.py", BAD + "\n" + LITERAL)
    runs = [run(".", "--jobs", jobs, "--no-cache", cwd=tmp_path) for jobs in ("1", "4")]
    assert runs[0] == runs[1]
    lines = runs[0][1].splitlines()
    assert len(lines) == 24
    assert lines == sorted(lines, key=lambda line: (line.split(":")[0], int(line.split(":")[1])))


def test_stdin_with_filename(tmp_path):
    code, out, _ = run("-", "--stdin-filename", "pkg/model.py", cwd=tmp_path, stdin=BAD.encode())
    assert code == 1
    assert out.startswith(f"pkg/model.py:{BAD_AT}")
    code, out, _err = run("-", cwd=tmp_path, stdin=GOOD.encode())
    assert (code, out) == (0, "")


def test_stdin_fix_prints_the_source_and_findings_on_stderr(tmp_path):
    code, out, err = run("-", "--fix", "--stdin-filename", "m.py", cwd=tmp_path, stdin=BAD.encode())
    if FIXER_WORKS:
        assert code == 0
        assert out == fix_source(BAD, Settings()).source
        assert "m.py:" not in err
    else:
        assert code == 1
        assert out == BAD
        assert f"m.py:{BAD_AT}" in err
    # An unparsable buffer comes back unchanged (an editor replaces its buffer with stdout).
    broken = "def f(:\n"
    code, out, err = run("-", "--fix", cwd=tmp_path, stdin=broken.encode())
    assert (code, out) == (2, broken)
    assert "stdin: error: SyntaxError at line 1" in err


def test_json_output(tmp_path):
    write(tmp_path / "m.py", BAD)
    write(tmp_path / "l.py", LITERAL)
    code, out, _ = run(".", "--output-format", "json", cwd=tmp_path)
    assert code == 1
    rows = json.loads(out)
    assert [(r["path"], r["line"], r["column"], r["code"], r["fix"]) for r in rows] == [
        ("l.py", 7, 16, "DRP002", "unsafe"),
        ("m.py", 7, 16, "DRP001", "safe"),
    ]
    # `code` holds the code; the message does not repeat it (the text output does).
    assert rows[1]["message"].startswith("F.dropout() without training= is always active")
    assert all(row["code"] not in row["message"] for row in rows)
    write(tmp_path / "m.py", GOOD)
    write(tmp_path / "l.py", GOOD)
    assert run(".", "--output-format", "json", cwd=tmp_path)[:2] == (0, "[]\n")


def test_github_output(tmp_path):
    write(tmp_path / "m.py", BAD)
    code, out, _ = run("m.py", "--output-format=github", cwd=tmp_path)
    assert code == 1
    assert out.startswith("::error title=flake8-dropout DRP001,file=m.py,line=7,col=16::m.py:7:16:")


def test_select_ignore_extend_select(tmp_path):
    write(tmp_path / "m.py", BAD + "\n" + LITERAL)

    def codes(*flags):
        return [line.split()[1] for line in run(".", *flags, cwd=tmp_path)[1].splitlines()]

    assert codes() == ["DRP001", "DRP002"]
    assert codes("--select", "DRP001") == ["DRP001"]
    assert codes("--select", "DRP00") == ["DRP001", "DRP002"]
    assert codes("--ignore", "DRP002") == ["DRP001"]
    assert codes("--ignore", "DRP") == []
    assert codes("--ignore", "DRP", "--extend-select", "DRP002") == ["DRP002"]
    assert run(".", "--ignore", "DRP", cwd=tmp_path)[0] == 0
    assert run(".", "--select", "not a code", cwd=tmp_path)[0] == 2
    # A typo or another tool's code would select nothing and pass: a usage error.
    for flags in (["--select", "DPR"], ["--select", ""], ["--select", "E501"], ["--ignore", "W"]):
        code, _out, err = run(".", *flags, cwd=tmp_path)
        assert code == 2 and "flake8-dropout: error: command line: " in err, (flags, err)
    write(tmp_path / "pyproject.toml", '[tool.flake8-dropout]\nselect = ["E501"]\n')
    code, _out, err = run(".", cwd=tmp_path)
    assert code == 2 and "select: 'E501' matches no code of flake8-dropout" in err


def test_noqa_is_honoured(tmp_path):
    write(tmp_path / "m.py", BAD.replace("F.dropout(x)", "F.dropout(x)  # noqa: DRP001"))
    write(tmp_path / "n.py", BAD.replace("F.dropout(x)", "F.dropout(x)  # noqa: DRP002"))
    _code, out, _ = run(".", cwd=tmp_path)
    assert [line.split(" ")[0] for line in out.splitlines()] == ["n.py:7:16:"]
    write(tmp_path / "n.py", BAD.replace("F.dropout(x)", "F.dropout(x)  # NOQA"))
    assert run(".", cwd=tmp_path)[:2] == (0, "")


def test_exit_zero_and_version(tmp_path):
    write(tmp_path / "m.py", BAD)
    code, out, _ = run("m.py", "--exit-zero", cwd=tmp_path)
    assert code == 0 and f"m.py:{BAD_AT}" in out
    code, out, _ = run("--version", cwd=tmp_path)
    assert (code, out.strip()) == (0, f"flake8-dropout {__version__}")
    # --exit-zero never hides an error.
    write(tmp_path / "broken.py", "def f(:\n")
    assert run("m.py", "broken.py", "--exit-zero", cwd=tmp_path)[0] == 2


def test_usage_errors_exit_2(tmp_path):
    write(tmp_path / "m.py", BAD)
    assert run("--no-such-flag", cwd=tmp_path)[0] == 2
    assert run("--output-format", "xml", cwd=tmp_path)[0] == 2
    assert run("--fix-style", "other", cwd=tmp_path)[0] == 2
    assert run("--jobs", "0", cwd=tmp_path)[0] == 2
    assert run("-", "-", cwd=tmp_path, stdin=b"")[0] == 2
    write(tmp_path / "pyproject.toml", "[tool.flake8-dropout]\nno-such-option = 1\n")
    code, _, err = run("m.py", cwd=tmp_path)
    assert code == 2 and "unknown option 'no-such-option'" in err
    write(tmp_path / "pyproject.toml", "[tool.flake8-dropout\n")
    code, _, err = run("m.py", cwd=tmp_path)
    assert code == 2 and "invalid TOML" in err


def test_pyproject_settings_found_walking_up(tmp_path):
    source = (
        "import torch.nn.functional as F\nfrom mylib import Base\n\n\n"
        "class Custom(Base):\n    def step(self, x):\n        return F.dropout(x)\n"
    )
    write(tmp_path / "src/pkg/custom.py", source)
    assert run("src/pkg", cwd=tmp_path)[:2] == (0, "")
    for value in ('["mylib.Base"]', '"other.Thing, mylib.Base"'):
        write(tmp_path / "pyproject.toml", f"[tool.flake8-dropout]\nmodule-bases = {value}\n")
        code, out, _ = run("pkg", cwd=tmp_path / "src")
        assert code == 1 and out.startswith("pkg/custom.py:7:16: DRP001")
    # The command line overrides the file; flags and file share one parser.
    code, out, _ = run("pkg", "--module-bases", "x.Y", cwd=tmp_path / "src")
    assert (code, out) == (0, "")
    write(
        tmp_path / "pyproject.toml",
        '[tool.flake8-dropout]\nmodule_bases = ["mylib.Base"]\nignore = ["DRP001"]\n'
        'output-format = "json"\n',
    )
    assert run("src", cwd=tmp_path)[:2] == (0, "[]\n")
    assert run("src", "--ignore", "DRP002", cwd=tmp_path)[0] == 1


def test_fix_writes_safe_fixes_and_keeps_mode(tmp_path):
    bad = write(tmp_path / "m.py", BAD)
    literal = write(tmp_path / "l.py", LITERAL)
    os.chmod(bad, 0o640)
    code, out, err = run(".", "--fix", "--show-fixes", cwd=tmp_path)
    assert stat.S_IMODE(bad.stat().st_mode) == 0o640
    assert literal.read_text() == LITERAL  # DRP002 is an unsafe fix
    assert out.startswith("l.py:7:16: DRP002")
    assert code == 1
    if FIXER_WORKS:
        assert bad.read_text() == fix_source(BAD, Settings()).source
        assert f"Fixed m.py:{BAD_AT}" in err
        assert "m.py" not in out
        assert "Fixed 1 finding." in err
        code, out, err = run(".", "--fix", "--unsafe-fixes", cwd=tmp_path)
        assert code == 0 and out == ""
        assert literal.read_text() != LITERAL
        assert run(".", "--fix", "--unsafe-fixes", cwd=tmp_path)[0] == 0
    else:
        assert bad.read_text() == BAD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.py", "m.py"]


def test_fix_style_argument(tmp_path):
    bad = write(tmp_path / "m.py", BAD)
    code, _, _ = run("m.py", "--fix", "--fix-style", "argument", cwd=tmp_path)
    if FIXER_WORKS:
        assert code == 0
        assert "F.dropout(x, training=self.training)" in bad.read_text()
    else:
        assert code == 1


def test_diff_writes_nothing(tmp_path):
    bad = write(tmp_path / "m.py", BAD)
    before = bad.stat().st_mtime_ns
    code, out, err = run("m.py", "--diff", cwd=tmp_path)
    assert code == 1
    assert bad.read_text() == BAD and bad.stat().st_mtime_ns == before
    if FIXER_WORKS:
        assert out.startswith("--- m.py\n+++ m.py\n@@")
        assert "-        return F.dropout(x)\n" in out
        assert "Would fix 1 finding." in err
    write(tmp_path / "g.py", GOOD)
    assert run("g.py", "--diff", cwd=tmp_path)[:2] == (0, "")
    # What would remain is reported (on stderr) where it is in the unchanged file.
    both = write(tmp_path / "both.py", LITERAL + "\n\n" + BAD.replace(HEADER, ""))
    code, out, err = run("both.py", "--diff", cwd=tmp_path)
    assert code == 1 and both.read_text() == LITERAL + "\n\n" + BAD.replace(HEADER, "")
    assert "both.py:7:16: DRP002" in err
    if FIXER_WORKS:
        assert "Would fix 1 finding." in err and "1 finding would remain" in err


def test_cache_answers_unchanged_files_without_reading_them(tmp_path):
    bad = write(tmp_path / "m.py", BAD)
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    (tmp_path / "sub").mkdir()
    assert run("m.py", cwd=tmp_path / "sub" / "..")[0] == 1
    cache = tmp_path / ".flake8-dropout-cache"
    assert cache.is_dir() and (cache / ".gitignore").read_text().endswith("*\n")
    # Same size, same mtime, other content: the cache answers (it did not read the file).
    info = bad.stat()
    bad.write_text(BAD.replace("F.dropout(x)", "x".ljust(12)), encoding="utf-8")
    assert bad.stat().st_size == info.st_size
    os.utime(bad, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert run("m.py", cwd=tmp_path)[0] == 1
    assert run("m.py", "--no-cache", cwd=tmp_path)[0] == 0
    # Other settings are another cache.
    assert run("m.py", "--module-bases", "a.B", cwd=tmp_path)[0] == 0
    # A corrupt cache is ignored.
    for file in cache.glob("results-*.json"):
        file.write_text("{not json")
    assert run("m.py", cwd=tmp_path)[0] == 0


def test_cache_dir_flag_environment_and_no_cache(tmp_path):
    write(tmp_path / "m.py", BAD)
    run("m.py", "--no-cache", cwd=tmp_path)
    assert not (tmp_path / ".flake8-dropout-cache").exists()
    run("m.py", "--cache-dir", "c1", cwd=tmp_path)
    assert list((tmp_path / "c1").glob("results-*.json"))
    run("m.py", cwd=tmp_path, env={"FLAKE8_DROPOUT_CACHE_DIR": str(tmp_path / "c2")})
    assert list((tmp_path / "c2").glob("results-*.json"))
    assert not (tmp_path / ".flake8-dropout-cache").exists()


def test_cache_answers_every_unchanged_file_of_a_large_tree(tmp_path):
    # Mostly files without dropout (read and skipped) plus some with findings. How much
    # faster the second run is, is measured by benchmarks/run.py (part 4), not here.
    bad_files = []
    for index in range(1500):
        body = BAD if index % 25 == 0 else f"def f{index}(x):\n    return x + {index}\n" * 40
        path = write(tmp_path / f"d{index % 30}" / f"m{index}.py", body)
        if index % 25 == 0:
            bad_files.append(path)
    first = run(".", "--jobs", "1", cwd=tmp_path)
    assert first[0] == 1 and len(first[1].splitlines()) == 60
    # Same size, same mtime, no finding left in the text: only the cache still has them.
    for path in bad_files:
        info = path.stat()
        path.write_text(BAD.replace("F.dropout(x)", "x".ljust(12)), encoding="utf-8")
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert run(".", "--jobs", "1", cwd=tmp_path) == first
    assert run(".", "--jobs", "1", "--no-cache", cwd=tmp_path)[0] == 0


def test_discovery_checks_each_real_file_once(tmp_path):
    from flake8_dropout.config import DEFAULT_EXCLUDE, Pattern
    from flake8_dropout.discovery import discover

    write(tmp_path / "a.py", BAD)
    write(tmp_path / "pkg/b.py", BAD)
    write(tmp_path / "pkg/[x]+.py", BAD)
    write(tmp_path / "pkg/y.egg-info/z.py", BAD)
    write(tmp_path / "real/c.py", BAD)
    os.symlink(tmp_path / "a.py", tmp_path / "pkg/alias.py")  # a symlinked file: checked once
    os.symlink(tmp_path / "real", tmp_path / "linked", target_is_directory=True)
    os.symlink(tmp_path / "nowhere.py", tmp_path / "pkg/broken.py")
    exclude = [Pattern(p, str(tmp_path)) for p in (*DEFAULT_EXCLUDE, "[[]x]+.py")]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        found, errors = discover([".", "pkg", "linked", "real/c.py"], exclude, [], str(tmp_path))
        again, _ = discover(["./pkg/"], [Pattern("pkg/b.py", str(tmp_path))], [], str(tmp_path))
        named_first, _ = discover(["real/c.py", "."], exclude, [], str(tmp_path))
    finally:
        os.chdir(cwd)
    assert errors == []
    assert [(t.display, t.explicit) for t in found] == [
        ("a.py", False),
        ("pkg/b.py", False),
        ("real/c.py", True),  # found in `.`, then through `linked`, then named
    ]
    assert [t.display for t in again] == ["pkg/[x]+.py", "pkg/alias.py", "pkg/y.egg-info/z.py"]
    assert [(t.display, t.explicit) for t in named_first] == [
        ("real/c.py", True),  # named, then found in `.`: once, as named
        ("a.py", False),
        ("pkg/b.py", False),
    ]


def test_a_named_pipe_is_read_once(tmp_path):
    fifo = tmp_path / "piped.py"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"cat > '{fifo}'"], stdin=subprocess.PIPE)
    writer.stdin.write(BAD.encode())
    writer.stdin.close()
    try:
        code, out, _ = run("piped.py", "--no-cache", "-j1", cwd=tmp_path)
    finally:
        writer.wait(timeout=30)
    assert code == 1 and f"piped.py:{BAD_AT}" in out


def test_double_dash_ends_the_options(tmp_path):
    write(tmp_path / "-x.py", BAD)
    code, out, _ = run("--no-cache", "--", "-x.py", cwd=tmp_path)
    assert code == 1 and out.startswith(f"-x.py:{BAD_AT}")


def test_a_cache_entry_of_the_wrong_shape_is_ignored(tmp_path):
    write(tmp_path / "m.py", BAD)
    assert run("m.py", cwd=tmp_path)[0] == 1
    [cache_file] = (tmp_path / ".flake8-dropout-cache").glob("results-*.json")
    data = json.loads(cache_file.read_text())
    for entry in data["files"].values():
        entry[3] = [[1, 2]]
    cache_file.write_text(json.dumps(data))
    code, out, _ = run("m.py", cwd=tmp_path)
    assert code == 1 and f"m.py:{BAD_AT}" in out


def test_diff_prints_the_remaining_findings_in_the_chosen_format(tmp_path):
    write(tmp_path / "m.py", BAD + LITERAL.replace(HEADER, ""))
    code, out, err = run(
        "m.py", "--diff", "--output-format", "json", "--no-cache", "-q", cwd=tmp_path
    )
    assert code == 1 and out.startswith("--- m.py")
    [left] = json.loads(err)
    assert left["code"] == "DRP002" and left["fix"] == "unsafe"


def test_each_folder_gets_the_same_configuration_as_a_walk_up(tmp_path):
    """ConfigFinder answers a folder from its parent's answer (one read of each
    pyproject.toml per run); the answers are find_config's, folder by folder: a
    nearer table wins over one further up (whose file is then never read, so a
    broken one above does not matter), a pyproject.toml without a table is the root."""
    import pytest

    from flake8_dropout.config import ConfigError, ConfigFinder, find_config

    (tmp_path / "pyproject.toml").write_text("[tool.flake8-dropout]\nignore = ['DRP003']\n")
    folders = ["a", "a/b", "a/b/c", "d", "d/e", "f", "f/g", "f/g/h"]
    for folder in folders:
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'a'\n")  # no table
    (tmp_path / "d" / "pyproject.toml").write_text("[tool.flake8-dropout]\nignore = []\n")
    (tmp_path / "f" / "pyproject.toml").write_text("this is [not toml\n")
    (tmp_path / "f" / "g" / "pyproject.toml").write_text("[tool.flake8-dropout]\n")
    finder = ConfigFinder({})
    for folder in ["", *folders]:
        path = tmp_path / folder
        if folder == "f":
            with pytest.raises(ConfigError):
                finder.config_for(str(path))
            with pytest.raises(ConfigError):
                find_config(Path(path))
            continue
        assert finder.config_for(str(path)) == find_config(Path(path)), folder
    assert finder.config_for(str(tmp_path / "a" / "b" / "c")).root == tmp_path  # the table's
    assert finder.config_for(str(tmp_path / "f" / "g" / "h")).root == tmp_path / "f" / "g"


def test_many_megabytes_screened_in_workers_give_what_one_process_gives(tmp_path):
    """Past pool.SCREEN_POOL_MIN_BYTES the workers screen the files as they are read:
    findings, errors, the diff and the fix are those of `--jobs 1`."""
    from flake8_dropout.pool import SCREEN_POOL_MIN_BYTES

    filler = "".join(f"def helper_{i}(x):\n    return x * {i}  # torch\n\n\n" for i in range(2500))
    quiet = "import torch\nfrom torch import nn\n\n\ndropout = nn.Dropout(0.1)\n\n\n" + filler
    count = SCREEN_POOL_MIN_BYTES // len(quiet) + 2
    for index in range(count):
        write(tmp_path / "pkg" / f"quiet{index:03}.py", quiet)
    for index in range(5):
        write(tmp_path / "pkg" / f"bad{index}.py", BAD)
    write(tmp_path / "pkg" / "broken_call.py", BAD + "def oops(:\n")  # screened in: reported
    write(tmp_path / "pkg" / "broken_quiet.py", quiet + "def oops(:\n")  # screened out: not
    runs = {jobs: run("pkg", "--jobs", jobs, "--no-cache", cwd=tmp_path) for jobs in ("1", "2")}
    assert runs["1"] == runs["2"]
    code, out, err = runs["2"]
    assert code == 2
    assert [line.split(":")[0] for line in out.splitlines()] == [
        f"pkg/bad{index}.py" for index in range(5)
    ]
    assert "pkg/broken_call.py: error:" in err
    assert "broken_quiet" not in err
    diffs = {jobs: run("pkg", "--diff", "--jobs", jobs, cwd=tmp_path) for jobs in ("1", "2")}
    assert diffs["1"] == diffs["2"]
    assert diffs["2"][1].count("+++ pkg/bad") == 5
    code, _, _ = run("pkg", "--fix", "--jobs", "2", cwd=tmp_path)
    assert code == 2  # the broken file is still an error
    code, out, _ = run("pkg", "--jobs", "2", "--no-cache", cwd=tmp_path)
    assert out == ""


def test_a_run_in_process_leaves_the_garbage_collector_as_it_found_it(tmp_path, capsys):
    # A run collects cyclic garbage rarely (cli._few_collections); whoever calls main()
    # in its own process (an editor integration, a test) gets its own setting back.
    import gc

    from flake8_dropout.cli import main

    path = write(tmp_path / "m.py", BAD)
    before = gc.get_threshold()
    assert main([str(path), "--no-cache"]) == 1
    assert gc.get_threshold() == before
    assert BAD_AT in capsys.readouterr().out
