"""The package as users get it: a wheel built with pip, its files, its metadata, its version."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from importlib import metadata
from pathlib import Path

import pytest

from flake8_dropout import __version__

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "flake8_dropout"
#: Not part of the project's source: local environments, caches and build output.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".*cache", ".hypothesis"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built by pip from a copy of the source tree (the checkout stays clean)."""
    work = tmp_path_factory.mktemp("package")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    out = work / "wheels"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("*.whl")
    return built


def test_wheel_holds_only_the_package_and_its_metadata(wheel):
    assert wheel.name == f"flake8_dropout-{__version__}-py3-none-any.whl"
    names = zipfile.ZipFile(wheel).namelist()
    dist_info = f"flake8_dropout-{__version__}.dist-info/"
    modules = {f"flake8_dropout/{path.name}" for path in PACKAGE.glob("*.py")}
    assert {name for name in names if not name.startswith(dist_info)} == modules
    assert set(names) - modules == {
        dist_info + name
        for name in ("METADATA", "WHEEL", "entry_points.txt", "top_level.txt", "RECORD")
    } | {dist_info + "licenses/LICENSE"}


def test_wheel_metadata_names_the_licence_and_entry_points(wheel):
    archive = zipfile.ZipFile(wheel)
    dist_info = f"flake8_dropout-{__version__}.dist-info/"
    fields = Parser().parsestr(archive.read(dist_info + "METADATA").decode("utf-8"))
    assert fields["Name"] == "flake8-dropout"
    assert fields["Version"] == __version__
    assert fields["License-Expression"] == "MIT"
    assert fields.get_all("License-File") == ["LICENSE"]
    license_text = archive.read(dist_info + "licenses/LICENSE").decode("utf-8")
    assert license_text == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License")
    entry_points = archive.read(dist_info + "entry_points.txt").decode("utf-8")
    assert "DRP = flake8_dropout.plugin:DropoutChecker" in entry_points
    assert "flake8-dropout = flake8_dropout.cli:main" in entry_points


def test_installed_wheel_reports_the_version_of_its_metadata(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), wheel],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (installed,) = metadata.distributions(name="flake8-dropout", path=[str(site)])
    env = {**os.environ, "PYTHONPATH": str(site)}

    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    # The installed wheel runs, not the checkout.
    assert Path(run("-c", "import flake8_dropout; print(flake8_dropout.__file__)")).is_relative_to(
        site
    )
    assert run("-m", "flake8_dropout", "--version") == f"flake8-dropout {installed.version}"
    assert installed.version == __version__


def test_changelog_has_the_current_version_and_an_unreleased_section():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\]", changelog, flags=re.MULTILINE)
    assert headings[0] == "Unreleased"
    assert __version__ in headings


def _package_imports(path: Path) -> set[str]:
    """The package modules `path` imports when it runs, at its top or inside a function
    (a lazy import is still an edge); `if TYPE_CHECKING:` blocks never run."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for statement in block.body
        for node in ast.walk(statement)
    }
    names = {module.stem for module in PACKAGE.glob("*.py")}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE.name):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {
                a.name.split(".")[1] for a in node.names if a.name.startswith("flake8_dropout.")
            }
    return (found & names) - {"__init__", path.stem}


def test_the_modules_import_one_another_without_a_cycle():
    graph = {path.stem: _package_imports(path) for path in PACKAGE.glob("*.py")}
    assert graph["cli"] >= {"work", "pool", "config"}  # the graph is read, not empty
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = path[path.index(module) :] + [module]
            raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
        if module not in done:
            for imported in sorted(graph[module]):
                visit(imported, [*path, module])
            done.add(module)

    for module in sorted(graph):
        visit(module, [])


@pytest.mark.parametrize("module", sorted(p.stem for p in PACKAGE.glob("*.py")))
def test_each_module_imports_alone_in_a_fresh_interpreter(module):
    result = subprocess.run(
        [sys.executable, "-c", f"import flake8_dropout.{module}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
