"""The fix on real code: `--fix --unsafe-fixes` over pinned wheels, judged by real tools.

Run it from the repository with the project's development environment (flake8,
ruff and libcst installed; the working tree is used through PYTHONPATH):

    python benchmarks/fix_real.py                 # every package below
    python benchmarks/fix_real.py pygod espnet    # some of them
    python benchmarks/fix_real.py --json          # the rows as JSON on stdout

Each wheel is fetched once with `pip download --no-deps --only-binary=:all:`
into benchmarks/.cache/wheels/ and unpacked twice into a temporary folder: one
copy stays as it was, the other is fixed by `python -m flake8_dropout --fix
--unsafe-fixes` (the project's line length there is the default 88). Then, for
every file the fix changed:

- sites: findings the fix rewrote, into a registered layer or in place
  (`training=self.training`); each in-place fix writes one more `.training`
  read, so the split is counted from the files themselves;
- new E/W: `flake8 --select E,W --max-line-length 88` on the file before and
  after; what the fixed file has that the original did not (per code);
- isort broken: files that `ruff check --select I` accepted before and not after
  (in brackets: how many of the fixed files it accepted before);
- broken: files that compiled before and do not after.

The goal is zero in the last three columns.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "benchmarks" / ".cache" / "wheels"
LINE_LENGTH = 88

#: (distribution, version): the wheels the speed benchmark uses and several with findings.
PACKAGES: tuple[tuple[str, str], ...] = (
    ("transformers", "5.24.0"),
    ("espnet", "202511"),
    ("pygod", "1.1.0"),
    ("openhgnn", "0.7.0"),
    ("speechbrain", "1.1.2"),
    ("cogdl", "0.6"),
    ("deepchem", "2.8.0"),
    ("darts", "0.48.1"),
    ("torch-geometric-temporal", "0.56.2"),
    ("pytorch-forecasting", "1.8.0"),
)

_READS_TRAINING = re.compile(rb"\b\w+\s*\.\s*training\b")
_FIXED = re.compile(r"^Fixed (.+?):\d+:\d+: DRP\d+ ", re.MULTILINE)
_PYCODESTYLE = re.compile(r"^(.+?):\d+:\d+: ([EW]\d+) ", re.MULTILINE)


@dataclass
class Row:
    package: str
    files: int = 0  # files the fix changed
    sites: int = 0
    layers: int = 0
    in_place: int = 0
    remaining: int = 0  # findings left (not fixable, or no-qa'd)
    new_warnings: dict[str, int] = field(default_factory=dict)  # code -> count
    isort_clean: int = 0  # changed files ruff's isort rules accepted before the fix
    isort_broken: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(command: Sequence[str | Path], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, check=False, **kwargs
    )


def wheel(name: str, version: str) -> Path:
    """The pinned wheel, downloaded once."""
    stem = name.replace("-", "_")
    found = sorted(CACHE.glob(f"{stem}-{version}-*.whl")) + sorted(
        CACHE.glob(f"{name}-{version}-*.whl")
    )
    if found:
        return found[0]
    log(f"downloading {name}=={version} ...")
    CACHE.mkdir(parents=True, exist_ok=True)
    result = run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
        + ["--dest", CACHE, f"{name}=={version}"]
    )
    found = sorted(CACHE.glob(f"{stem}-{version}-*.whl"))
    if not found:
        sys.exit(f"no wheel for {name}=={version}:\n{result.stderr[-2000:]}")
    return found[0]


def unpack(path: Path, target: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.namelist() if ".dist-info/" not in m]
        archive.extractall(target, members)
    (target / ".git").mkdir(exist_ok=True)  # its own root: no .gitignore above applies


def python_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*.py"))
        if ".git" not in p.parts
    }


def pycodestyle(root: Path, files: list[str]) -> dict[str, Counter]:
    found: dict[str, Counter] = {f: Counter() for f in files}
    if not files:
        return found
    result = run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "E,W"]
        + ["--max-line-length", str(LINE_LENGTH), *files],
        cwd=root,
    )
    for path, code in _PYCODESTYLE.findall(result.stdout):
        found[path][code] += 1
    return found


def isort_unsorted(root: Path, files: list[str]) -> set[str]:
    """Files ruff's isort rules reject; run in the package root, so it is first-party."""
    if not files:
        return set()
    result = run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "I"]
        + ["--line-length", str(LINE_LENGTH), "--output-format", "json", *files],
        cwd=root,
    )
    items = json.loads(result.stdout or "[]")
    return {os.path.relpath(item["filename"], root) for item in items}


def compiles(data: bytes, name: str) -> bool:
    try:
        compile(data, name, "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def measure(name: str, version: str, work: Path) -> Row:
    before, after = work / f"{name}-before", work / f"{name}-after"
    path = wheel(name, version)
    unpack(path, before)
    unpack(path, after)
    originals = python_files(before)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = run(
        [sys.executable, "-m", "flake8_dropout", "--fix", "--unsafe-fixes", "--show-fixes"]
        + ["--no-cache", "."],
        cwd=after,
        env=env,
    )
    if result.returncode not in (0, 1) or "Traceback" in result.stderr:
        sys.exit(f"{name}: the CLI failed ({result.returncode}):\n{result.stderr[-3000:]}")
    fixed = python_files(after)
    changed = sorted(f for f in fixed if fixed[f] != originals.get(f))
    row = Row(f"{name} {version}", files=len(changed))
    row.remaining = sum(1 for line in result.stdout.splitlines() if ": DRP" in line)
    sites = Counter(os.path.normpath(p) for p in _FIXED.findall(result.stderr))
    for file in changed:
        count = sites[os.path.normpath(file)]
        added = len(_READS_TRAINING.findall(fixed[file])) - len(
            _READS_TRAINING.findall(originals[file])
        )
        row.sites += count
        row.in_place += added
        row.layers += count - added
        if compiles(originals[file], file) and not compiles(fixed[file], file):
            row.broken.append(file)
    old, new = pycodestyle(before, changed), pycodestyle(after, changed)
    warnings: Counter = Counter()
    for file in changed:
        warnings += new[file] - old[file]
    row.new_warnings = dict(sorted(warnings.items()))
    unsorted_before = isort_unsorted(before, changed)
    unsorted_after = isort_unsorted(after, changed)
    row.isort_clean = len(set(changed) - unsorted_before)
    row.isort_broken = sorted(unsorted_after - unsorted_before)
    return row


def table(rows: list[Row]) -> str:
    head = (
        "| package | files fixed | sites | into layers | in place | left |"
        " new E/W | isort broken (of clean) | broken |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    total = Row("**total**")
    for row in [*rows, total]:
        if row is not total:
            for name in ("files", "sites", "layers", "in_place", "remaining", "isort_clean"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
            total.new_warnings = dict(Counter(total.new_warnings) + Counter(row.new_warnings))
            total.isort_broken += row.isort_broken
            total.broken += row.broken
        warned = sum(row.new_warnings.values())
        lines.append(
            f"| {row.package} | {row.files} | {row.sites} | {row.layers} | {row.in_place} |"
            f" {row.remaining} | {warned} | {len(row.isort_broken)} ({row.isort_clean}) |"
            f" {len(row.broken)} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("packages", nargs="*", help="distribution names (default: all)")
    parser.add_argument("--json", action="store_true", help="the rows as JSON on stdout")
    args = parser.parse_args(argv)
    chosen = [p for p in PACKAGES if not args.packages or p[0] in args.packages]
    if not chosen:
        parser.error(f"unknown package; choose from {', '.join(n for n, _ in PACKAGES)}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="fix-real-") as folder:
        for name, version in chosen:
            log(f"{name} {version} ...")
            rows.append(measure(name, version, Path(folder)))
            shutil.rmtree(Path(folder) / f"{name}-before", ignore_errors=True)
            shutil.rmtree(Path(folder) / f"{name}-after", ignore_errors=True)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
        return 0
    print(table(rows))
    details = [(r, w) for r in rows for w in (*r.isort_broken, *r.broken) if w]
    for row in rows:
        if row.new_warnings:
            print(f"{row.package}: new warnings {row.new_warnings}")
        for file in row.isort_broken:
            print(f"{row.package}: isort order broken in {file}")
        for file in row.broken:
            print(f"{row.package}: no longer compiles: {file}")
    return 1 if details or any(r.new_warnings for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
