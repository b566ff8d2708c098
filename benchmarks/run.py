"""Speed benchmark of flake8-dropout on the transformers 5.24.0 package.

Run it from anywhere with any Python >= 3.9 that has pip:

    python benchmarks/run.py            # 3 repeats of every timing, the minimum is kept
    python benchmarks/run.py --quick    # 1 repeat
    python benchmarks/run.py --skip-flake8 --repeats 7   # parts 2-5 only, 7 repeats
    python benchmarks/run.py --json     # the numbers as JSON on stdout

Everything it needs lives in benchmarks/.cache/ and is reused on the next run:
the transformers wheel (fetched with `pip download --no-deps`) unpacked, and two
virtual environments with the same flake8: `base` (flake8 and ruff) and `plugin`
(flake8 and this project, reinstalled from a copy of the working tree whenever
its sources change). Every number in the table is measured in the same run, so
the ratios hold on a noisy machine even when the absolute times do not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TRANSFORMERS_VERSION = "5.24.0"
FLAKE8_VERSION = "7.5.0"
#: Pinned: part 2 measures the CLI against ruff, so a faster ruff would move the ratio.
RUFF_REQUIREMENT = "ruff==0.17.6"

GOAL_OVERHEAD_PERCENT = 5.0
GOAL_RUFF_RATIO = 1.0
GOAL_PEAK_MB = 150.0
GOAL_CACHE_RATIO = 0.10
#: A run on the few files pre-commit or an editor passes, as a multiple of `python -c pass`.
GOAL_STARTUP_RATIO = 10.0
STARTUP_FILE_COUNTS = (1, 10)

#: Runs `python -m flake8_dropout ARGS` unchanged (runpy is what `-m` uses) and, at exit,
#: writes the peak RSS of the main process and of its largest reaped child (a pool worker).
RSS_WRAPPER = """\
import atexit, json, resource, runpy, sys

_out = sys.argv.pop(1)


def _report():
    usage = resource.getrusage
    with open(_out, "w") as handle:
        json.dump(
            {
                "main_kb": usage(resource.RUSAGE_SELF).ru_maxrss,
                "child_kb": usage(resource.RUSAGE_CHILDREN).ru_maxrss,
            },
            handle,
        )


atexit.register(_report)
sys.argv[0] = "flake8_dropout"
runpy.run_module("flake8_dropout", run_name="__main__", alter_sys=True)
"""

#: Top-level files of the project that a build may need; the package folder is added.
PROJECT_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "MANIFEST.in", "README.md", "LICENSE")


def log(message: str) -> None:
    """Progress goes to stderr so that `--json` output stays clean."""
    print(message, file=sys.stderr, flush=True)


def run(command: Sequence[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a setup command; fail loudly with its output."""
    result = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, check=False, **kwargs
    )
    if result.returncode != 0:
        sys.exit(
            f"command failed ({result.returncode}): {' '.join(map(str, command))}\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


def venv_python(env: Path) -> Path:
    """The interpreter of a virtual environment."""
    scripts = "Scripts" if os.name == "nt" else "bin"
    return env / scripts / ("python.exe" if os.name == "nt" else "python")


# --- setup -----------------------------------------------------------------------------------


def get_wheel(cache: Path, given: Path | None) -> Path:
    """The transformers wheel: `--wheel`, else the cached download, else `pip download`."""
    if given is not None:
        if not given.is_file():
            sys.exit(f"no such wheel: {given}")
        return given
    folder = cache / "wheels"
    found = sorted(folder.glob(f"transformers-{TRANSFORMERS_VERSION}-*.whl"))
    if found:
        return found[0]
    log(f"downloading transformers=={TRANSFORMERS_VERSION} ...")
    folder.mkdir(parents=True, exist_ok=True)
    run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--dest", folder]
        + [f"transformers=={TRANSFORMERS_VERSION}"]
    )
    found = sorted(folder.glob(f"transformers-{TRANSFORMERS_VERSION}-*.whl"))
    if not found:
        sys.exit("pip download produced no transformers wheel")
    return found[0]


def unpack(wheel: Path, cache: Path) -> Path:
    """Unpack the wheel once; returns the folder that holds `transformers/`."""
    target = cache / f"transformers-{TRANSFORMERS_VERSION}"
    marker = target / ".complete"
    if not marker.is_file():
        log(f"unpacking {wheel.name} ...")
        shutil.rmtree(target, ignore_errors=True)
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
        marker.write_text(wheel.name)
    # The CLI (like git) honours the .gitignore files up to the repository root, and this
    # repository ignores benchmarks/.cache/: an empty .git makes the tree its own root.
    (target / ".git").mkdir(exist_ok=True)
    return target


def source_hash() -> str:
    """A hash of the files that make the installed project."""
    digest = hashlib.sha256()
    for path in project_sources():
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def project_sources() -> list[Path]:
    """The project's build files and package sources, sorted."""
    files = [REPO / name for name in PROJECT_FILES if (REPO / name).is_file()]
    package = REPO / "flake8_dropout"
    files += [
        p
        for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    ]
    return sorted(files)


def make_venv(env: Path, packages: Sequence[str]) -> None:
    """Create a virtual environment with `packages`, unless a complete one is cached."""
    marker = env / ".complete"
    wanted = " ".join(packages)
    if marker.is_file() and marker.read_text() == wanted:
        return
    log(f"creating {env} ...")
    shutil.rmtree(env, ignore_errors=True)
    run([sys.executable, "-m", "venv", env])
    run([venv_python(env), "-m", "pip", "install", "--quiet", *packages])
    marker.write_text(wanted)


def install_project(env: Path, cache: Path) -> str:
    """Install a copy of the working tree (non-editable) when its hash changed."""
    digest = source_hash()
    marker = env / ".project-hash"
    if marker.is_file() and marker.read_text() == digest:
        return digest
    log(f"installing the working tree ({digest}) into {env.name} ...")
    copy = cache / "project-src"
    shutil.rmtree(copy, ignore_errors=True)
    for path in project_sources():
        target = copy / path.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    # flake8 pinned in the same command, so the project's `flake8>=5` cannot move it.
    run(
        [venv_python(env), "-m", "pip", "install", "--quiet", "--force-reinstall"]
        + [f"flake8=={FLAKE8_VERSION}", copy]
    )
    shutil.rmtree(copy, ignore_errors=True)
    marker.write_text(digest)
    return digest


def tool_version(python: Path, module: str) -> str:
    """`python -m module --version`, first line."""
    result = subprocess.run(
        [str(python), "-m", module, "--version"], capture_output=True, text=True, check=False
    )
    text = " ".join((result.stdout or result.stderr).split())
    return f"{module} {text}" if result.returncode == 0 and module not in text else text


def cli_works(python: Path) -> bool:
    """Whether `python -m flake8_dropout --help` runs in the plugin environment."""
    result = subprocess.run(
        [str(python), "-m", "flake8_dropout", "--help"], capture_output=True, text=True, check=False
    )
    return result.returncode == 0 and "--no-cache" in result.stdout


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Run:
    """One run of a command: wall time, CPU time (all its processes) and output."""

    wall: float
    cpu: float
    stdout: str


@dataclass
class Timed:
    """Wall and CPU times of one command, every repeat."""

    label: str
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    stdout_lines: int = 0

    @property
    def best(self) -> float:
        return min(self.times)


def children_cpu() -> float:
    """User + system time of every reaped descendant so far (pool workers included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(command: Sequence[str | Path], cwd: Path, ok_codes: tuple[int, ...] = (0, 1)) -> Run:
    """Time one run; exit codes in `ok_codes` (1: findings) count as success."""
    cpu = children_cpu()
    start = time.perf_counter()
    result = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    cpu = children_cpu() - cpu
    if result.returncode == 2 and 2 in ok_codes:  # the CLI: some file could not be checked
        log(f"  warning: exit status 2: {result.stderr.strip()[-500:]}")
    if result.returncode not in ok_codes:
        sys.exit(
            f"benchmark command failed ({result.returncode}): {' '.join(map(str, command))}\n"
            f"{result.stderr[-3000:]}"
        )
    return Run(elapsed, cpu, result.stdout)


def interleaved(commands: dict[str, Callable[[], Run]], repeats: int) -> dict[str, Timed]:
    """Run the commands in turn `repeats` times (A B A B ...), so drift hits all alike."""
    timings = {name: Timed(name) for name in commands}
    for round_ in range(repeats):
        for name, command in commands.items():
            done = command()
            timings[name].times.append(done.wall)
            timings[name].cpu.append(done.cpu)
            timings[name].stdout_lines = len(done.stdout.splitlines())
            log(
                f"  {name:<22} round {round_ + 1}/{repeats}: {done.wall:6.2f} s, cpu {done.cpu:6.2f} s"
            )
    return timings


def dropout_model_files(root: Path) -> list[str]:
    """Every 12th of the sorted model files that contain "dropout" (paths relative to root)."""
    models = root / "transformers" / "models"
    files = sorted(
        str(p.relative_to(root)) for p in models.rglob("*.py") if b"dropout" in p.read_bytes()
    )
    return files[::12]


# --- the four parts --------------------------------------------------------------------------


def part1_flake8(root: Path, base: Path, plugin: Path, repeats: int) -> dict[str, Any]:
    """flake8 -j1 with and without the plugin on the dropout model files."""
    files = dropout_model_files(root)
    log(f"part 1: flake8 -j1 on {len(files)} model files ...")
    flake8 = ["-m", "flake8", "--isolated", "-j1", *files]
    timings = interleaved(
        {
            "flake8 (no plugin)": lambda: timed_run([venv_python(base), *flake8], root),
            "flake8 + plugin": lambda: timed_run([venv_python(plugin), *flake8], root),
        },
        repeats,
    )
    without, with_ = timings["flake8 (no plugin)"], timings["flake8 + plugin"]
    drp = timed_run([venv_python(plugin), *flake8, "--select", "DRP"], root)
    overhead = 100.0 * (with_.best / without.best - 1.0)
    return {
        "files": len(files),
        "without_s": without.times,
        "with_s": with_.times,
        "without_cpu_s": without.cpu,
        "with_cpu_s": with_.cpu,
        "drp_findings": len(drp.stdout.splitlines()),
        "overhead_percent": overhead,
        "overhead_cpu_percent": 100.0 * (min(with_.cpu) / min(without.cpu) - 1.0),
        "pass": overhead <= GOAL_OVERHEAD_PERCENT,
    }


def cli_command(plugin: Path, wrapper: Path, rss_file: Path, *args: str) -> list[str | Path]:
    """`python -m flake8_dropout ARGS transformers`, through the RSS wrapper."""
    return [venv_python(plugin), wrapper, rss_file, *args, "transformers"]


def read_rss(rss_file: Path) -> tuple[float, float]:
    """Peak RSS (MB) of the CLI's main process and of its largest worker."""
    data = json.loads(rss_file.read_text())
    return data["main_kb"] / 1024.0, data["child_kb"] / 1024.0


def parts234_cli(
    root: Path, base: Path, plugin: Path, cache: Path, jobs: int, repeats: int
) -> dict[str, Any]:
    """The CLI against ruff, its peak memory, and the result cache."""
    wrapper = cache / "rss_wrapper.py"
    wrapper.write_text(RSS_WRAPPER)
    rss_file = cache / "rss.json"
    peaks: list[tuple[float, float]] = []

    def cli(*args: str) -> Run:
        rss_file.unlink(missing_ok=True)
        command = cli_command(plugin, wrapper, rss_file, "--jobs", str(jobs), *args)
        result = timed_run(command, root, ok_codes=(0, 1, 2))
        peaks.append(read_rss(rss_file))
        return result

    ruff = [venv_python(base), "-m", "ruff", "check", "--isolated", "--select", "F"]
    ruff += ["--no-cache", "--exit-zero", "transformers"]
    log(f"part 2/3: the CLI (--jobs {jobs}) and ruff over transformers/ ...")
    timings = interleaved(
        {
            "flake8-dropout CLI": lambda: cli("--no-cache"),
            "ruff check --select F": lambda: timed_run(ruff, root),
        },
        repeats,
    )
    cli_t, ruff_t = timings["flake8-dropout CLI"], timings["ruff check --select F"]
    ratio = cli_t.best / ruff_t.best
    main_mb = max(p[0] for p in peaks)
    worker_mb = max(p[1] for p in peaks)

    log("part 4: the result cache (cold run into an empty cache, then a warm run) ...")
    first: list[float] = []
    second: list[float] = []
    for round_ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="drp-cache-") as cache_dir:
            first.append(cli("--cache-dir", cache_dir).wall)
            second.append(cli("--cache-dir", cache_dir).wall)
        log(f"  cache round {round_ + 1}/{repeats}: {first[-1]:7.2f} s -> {second[-1]:7.2f} s")
    cache_ratio = min(second) / min(first)
    peak_mb = max(main_mb, worker_mb)
    return {
        "jobs": jobs,
        "cli_s": cli_t.times,
        "cli_cpu_s": cli_t.cpu,
        "cli_output_lines": cli_t.stdout_lines,
        "ruff_s": ruff_t.times,
        "ruff_cpu_s": ruff_t.cpu,
        "ruff_ratio": ratio,
        "ruff_cpu_ratio": min(cli_t.cpu) / min(ruff_t.cpu),
        "ruff_pass": ratio <= GOAL_RUFF_RATIO,
        "peak_main_mb": main_mb,
        "peak_worker_mb": worker_mb,
        "peak_pass": peak_mb <= GOAL_PEAK_MB,
        "cache_first_s": first,
        "cache_second_s": second,
        "cache_ratio": cache_ratio,
        "cache_pass": cache_ratio <= GOAL_CACHE_RATIO,
    }


def part5_startup(root: Path, plugin: Path, repeats: int) -> dict[str, Any]:
    """A 1-file and a 10-file run (what pre-commit and editors pass) against `python -c pass`.

    Default jobs and no cache, as a user's hook runs: the worker pool must not cost more
    than the work it takes over.
    """
    files = dropout_model_files(root)
    python = venv_python(plugin)
    commands: dict[str, Callable[[], Run]] = {
        "python -c pass": lambda: timed_run([python, "-c", "pass"], root)
    }
    for count in STARTUP_FILE_COUNTS:
        chosen = files[:count]
        command = [python, "-m", "flake8_dropout", "--no-cache", "-q", *chosen]
        commands[f"CLI, {count} file(s)"] = lambda command=command: timed_run(command, root)
    log(f"part 5: start-up, {' and '.join(map(str, STARTUP_FILE_COUNTS))} files ...")
    timings = interleaved(commands, repeats)
    baseline = timings["python -c pass"].best
    runs = {count: timings[f"CLI, {count} file(s)"].times for count in STARTUP_FILE_COUNTS}
    ratios = {count: min(times) / baseline for count, times in runs.items()}
    return {
        "python_s": timings["python -c pass"].times,
        "runs_s": {str(count): times for count, times in runs.items()},
        "ratios": {str(count): ratio for count, ratio in ratios.items()},
        "pass": all(ratio <= GOAL_STARTUP_RATIO for ratio in ratios.values()),
    }


# --- report ----------------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def secs(values: list[float]) -> str:
    return f"{min(values):.2f} s"


def table(report: dict[str, Any]) -> str:
    """The human-readable table."""
    env, p1, cli = report["environment"], report.get("part1"), report.get("cli")
    rows = []
    if p1:
        rows.append(
            (
                "1. flake8 -j1, plugin vs none",
                f"{secs(p1['with_s'])} vs {secs(p1['without_s'])}",
                f"{p1['overhead_percent']:+.1f}% (cpu {p1['overhead_cpu_percent']:+.1f}%)",
                f"<= {GOAL_OVERHEAD_PERCENT:.0f}%",
                verdict(p1["pass"]),
            )
        )
    if cli:
        peak = max(cli["peak_main_mb"], cli["peak_worker_mb"])
        rows += [
            (
                "2. CLI vs ruff --select F",
                f"{secs(cli['cli_s'])} vs {secs(cli['ruff_s'])}",
                f"{cli['ruff_ratio']:.2f}x (cpu {cli['ruff_cpu_ratio']:.1f}x)",
                f"<= {GOAL_RUFF_RATIO:.0f}x",
                verdict(cli["ruff_pass"]),
            ),
            (
                "3. CLI peak RSS",
                f"main {cli['peak_main_mb']:.0f} MB, worker {cli['peak_worker_mb']:.0f} MB",
                f"{peak:.0f} MB",
                f"<= {GOAL_PEAK_MB:.0f} MB",
                verdict(cli["peak_pass"]),
            ),
            (
                "4. cached rerun vs first",
                f"{secs(cli['cache_second_s'])} vs {secs(cli['cache_first_s'])}",
                f"{100 * cli['cache_ratio']:.1f}%",
                f"<= {100 * GOAL_CACHE_RATIO:.0f}%",
                verdict(cli["cache_pass"]),
            ),
        ]
    else:
        rows.append(("2-4. CLI", "python -m flake8_dropout is not available", "", "", "n/a"))
    start = report.get("startup")
    if start:
        for count, ratio in start["ratios"].items():
            rows.append(
                (
                    f"5. CLI on {count} file(s) vs python -c pass",
                    f"{secs(start['runs_s'][count])} vs {secs(start['python_s'])}",
                    f"{ratio:.1f}x",
                    f"<= {GOAL_STARTUP_RATIO:.0f}x",
                    verdict(ratio <= GOAL_STARTUP_RATIO),
                )
            )
    header = ("measure", f"wall time, min of {report['repeats']}", "result", "goal", "")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    parts = [f"part 1: {p1['files']} files, {p1['drp_findings']} DRP findings"] if p1 else []
    if cli:
        parts.append(f"parts 2-4: CLI --jobs {cli['jobs']}, {cli['cli_output_lines']} output lines")
    part1 = "; ".join(parts)
    lines = [
        (
            f"flake8-dropout (sources {env['project_hash']}) on transformers "
            f"{TRANSFORMERS_VERSION}: {env['cores']} cores, Python {env['python']}, "
            f"{env['platform']}"
        ),
        f"{env['flake8']}; {env['ruff']}",
        part1,
        "",
        "  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help="use this transformers wheel, no download")
    parser.add_argument("--quick", action="store_true", help="one repeat instead of three")
    parser.add_argument(
        "--repeats", type=int, default=3, help="repeats of every timing (min kept; default 3)"
    )
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument(
        "--cache", type=Path, default=REPO / "benchmarks" / ".cache", help="the cache folder"
    )
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="CLI workers (default: all cores)"
    )
    parser.add_argument("--skip-cli", action="store_true", help="measure part 1 only")
    parser.add_argument(
        "--skip-flake8", action="store_true", help="skip part 1 (the CLI's parts 2-5 only)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Set up (cached), measure, print; exit status 0 even when a goal fails."""
    args = parse_args(argv)
    cache = args.cache.resolve()
    cache.mkdir(parents=True, exist_ok=True)
    repeats = 1 if args.quick else max(1, args.repeats)

    root = unpack(get_wheel(cache, args.wheel), cache)
    base, plugin = cache / "venv-flake8", cache / "venv-flake8-dropout"
    make_venv(base, [f"flake8=={FLAKE8_VERSION}", RUFF_REQUIREMENT])
    make_venv(plugin, [f"flake8=={FLAKE8_VERSION}"])
    digest = install_project(plugin, cache)

    report: dict[str, Any] = {
        "repeats": repeats,
        "statistic": "min",
        "environment": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(terse=True),
            "flake8": tool_version(venv_python(plugin), "flake8"),
            "ruff": tool_version(venv_python(base), "ruff"),
            "project_hash": digest,
        },
    }
    if not args.skip_flake8:
        report["part1"] = part1_flake8(root, base, plugin, repeats)
    if not args.skip_cli and cli_works(venv_python(plugin)):
        report["cli"] = parts234_cli(root, base, plugin, cache, args.jobs, repeats)
    elif not args.skip_cli:
        log("python -m flake8_dropout --help fails in the plugin environment: parts 2-4 skipped")
    if not args.skip_cli and cli_works(venv_python(plugin)):
        report["startup"] = part5_startup(root, plugin, repeats)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
