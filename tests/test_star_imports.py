"""star_imports: what `from M import *` binds, read from M's source and never run.

Scratch packages in tmp_path play the project and an installed package (a folder
put on sys.path for the test); the installed one raises on import and writes a
marker, so a test fails if anything were imported or executed.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_dropout import star_imports
from flake8_dropout.module_files import MAX_BYTES
from flake8_dropout.star_imports import MAX_DEPTH, star_names

F = "torch.nn.functional"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts without answers cached by another test's files."""
    star_imports.clear_cache()
    yield
    star_imports.clear_cache()


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def module_star(tmp_path: Path, source: str, **extra: str) -> star_imports.Exports | None:
    """`from pkg.m import *` for a package `pkg` whose `m.py` holds `source`."""
    write(tmp_path, {"pkg/__init__.py": "", "pkg/m.py": source, **extra})
    return star_names("pkg.m", 0, tmp_path / "user.py")


# --- the fastai shape: re-exports through relative star imports ------------------------

FASTAI_LIKE = {
    "lib/__init__.py": "",
    "lib/imports.py": """
        import torch
        import torch.nn.functional as F
        from torch import nn
        from torch.nn import Module, functional as nnf
        import numpy as np, os.path
        _private = 1
        def helper(): pass
    """,
    "lib/torch_basics.py": "from .imports import *\nclass Block: pass\n",
    "lib/vision/__init__.py": "",
    "lib/vision/all.py": "from ..torch_basics import *\nfrom .core import *\n",
    "lib/vision/core.py": "__all__ = ['image']\ndef image(): pass\nF = None\n",
}


def test_a_chain_of_relative_star_imports_is_followed_to_the_imports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {**FASTAI_LIKE, "lib/vision/models/__init__.py": "", "lib/vision/models/net.py": ""},
    )
    user = tmp_path / "lib/vision/models/net.py"
    found = star_names("all", 2, user)  # `from ..all import *`
    assert found is not None and found.complete
    assert dict(found) == {
        "torch": "torch",
        "F": F,
        "nn": "torch.nn",
        "Module": "torch.nn.Module",
        "nnf": F,
        "np": "numpy",
        "os": "os",
        "helper": "lib.imports.helper",
        "Block": "lib.torch_basics.Block",
        "image": "lib.vision.core.image",  # core's `F = None` is not in its __all__
    }
    assert set(found.files) == {
        str(tmp_path / name)
        for name in (
            "lib/vision/all.py",
            "lib/torch_basics.py",
            "lib/imports.py",
            "lib/vision/core.py",
        )
    }


def test_absolute_star_imports_resolve_from_the_importers_top_level_package(tmp_path: Path) -> None:
    write(tmp_path, {**FASTAI_LIKE, "lib/train.py": ""})
    found = star_names("lib.vision.all", 0, tmp_path / "lib/train.py")  # roots as project.py
    assert found is not None and found["F"] == F and found["nn"] == "torch.nn"
    assert star_imports.project_roots(tmp_path / "lib/train.py") == (str(tmp_path),)
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    assert star_names("lib.vision.all", 0, scripts / "run.py") is None  # not its project
    assert star_names("lib.vision.all", 0, scripts / "run.py", [tmp_path])["F"] == F  # type: ignore[index]


def test_a_star_import_of_the_importers_own_package(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/__init__.py": "from torch import nn\n", "pkg/net.py": ""})
    found = star_names(None, 1, tmp_path / "pkg/net.py")  # `from . import *`
    # net.py itself is a submodule: importing it sets `pkg.net`, not known to be bound yet
    assert found is not None and dict(found) == {"nn": "torch.nn", "net": None}


def test_private_names_are_not_bound_without_all(tmp_path: Path) -> None:
    found = module_star(tmp_path, "import torch.nn.functional as _F\n_x = 1\nx = 2\n__y__ = 3\n")
    assert dict(found or {}) == {"x": "pkg.m.x"}


# --- __all__ ---------------------------------------------------------------------------


def test_all_limits_the_names_and_may_name_private_ones(tmp_path: Path) -> None:
    found = module_star(
        tmp_path,
        """
        import torch.nn.functional as F
        from torch import nn
        __all__ = ["nn", "_helper", "missing"]
        __all__ += ["extra"]
        __all__.extend(("more",))
        __all__.append("last")
        def _helper(): pass
        extra = more = last = 1
        """,
    )
    assert found is not None and found.complete
    assert dict(found) == {
        "nn": "torch.nn",
        "_helper": "pkg.m._helper",
        "missing": None,  # listed but never bound: unknown, never a guess
        "extra": "pkg.m.extra",
        "more": "pkg.m.more",
        "last": "pkg.m.last",
    }


def test_all_taken_from_other_modules_is_followed(tmp_path: Path) -> None:
    found = module_star(
        tmp_path,
        """
        from .a import *
        from .a import __all__ as a_all
        from . import b
        __all__ = a_all + b.__all__ + ["own"]
        own = 1
        """,
        **{
            "pkg/a.py": "import torch.nn.functional as F\n__all__ = ['F']\n",
            "pkg/b.py": "__all__ = ('nn',)\nfrom torch import nn\n",
        },
    )
    assert found is not None and found.complete
    assert dict(found) == {"F": F, "nn": None, "own": "pkg.m.own"}  # nn: listed, not bound in m


def test_a_computed_all_keeps_the_literal_names_and_is_not_complete(tmp_path: Path) -> None:
    found = module_star(
        tmp_path,
        "import torch.nn.functional as F\n__all__ = ['F'] + [n for n in dir() if n.isupper()]\n",
    )
    assert found is not None and dict(found) == {"F": F} and not found.complete


# --- what a name is bound to, as Python runs the module --------------------------------


@pytest.mark.parametrize(
    ("source", "origin"),
    [
        ("import torch.nn.functional as F\nF = make()\n", "pkg.m.F"),  # the last binding
        ("F = make()\nimport torch.nn.functional as F\n", F),
        ("import torch.nn.functional as F\ndef F(): pass\n", "pkg.m.F"),
        ("if c:\n    import torch.nn.functional as F\nelse:\n    F = None\n", None),
        ("if c:\n    import torch.nn.functional as F\n", None),  # maybe not bound at all
        (
            "if c:\n    import torch.nn.functional as F\nelse:\n    from torch.nn import functional as F\n",
            F,
        ),
        ("for _ in x:\n    import torch.nn.functional as F\n", None),
        # the judge's rule: an except handler's fallback does not hide the body's import
        ("try:\n    import torch.nn.functional as F\nexcept ImportError:\n    F = None\n", F),
        ("try:\n    pass\nexcept ImportError:\n    import torch.nn.functional as F\n", None),
        ("with ctx():\n    import torch.nn.functional as F\n", F),
        ("import torch.nn.functional as F\nif c:\n    del F\n", None),
        ("import torch.nn.functional as F\ndef set_f():\n    global F\n    F = 1\n", None),
        ("[F := 1 for _ in x]\n", "pkg.m.F"),  # a comprehension's walrus binds in the module
    ],
)
def test_bindings_follow_python_and_are_unknown_where_unsure(
    tmp_path: Path, source: str, origin: str | None
) -> None:
    found = module_star(tmp_path, source)
    assert found is not None and found.complete
    assert found["F"] == origin


@pytest.mark.parametrize(
    "source",
    [
        "import torch.nn.functional as F\ndel F\n",
        "if TYPE_CHECKING:\n    import torch.nn.functional as F\n",
        'if __name__ == "__main__":\n    import torch.nn.functional as F\n',
        "F: object\n",
        "def f():\n    F = 1\nclass C:\n    F = 2\nlambda: (F := 3)\n",
    ],
)
def test_names_that_are_not_bound_at_import_are_not_exported(tmp_path: Path, source: str) -> None:
    found = module_star(tmp_path, source)
    assert found is not None and found.complete and "F" not in found


@pytest.mark.parametrize(
    ("source", "complete"),
    [
        ("import torch.nn.functional as F\nglobals().update(table)\n", False),
        ("import torch.nn.functional as F\nglobals()['F'] = x\n", False),
        ("import torch.nn.functional as F\nexec(code)\n", False),
        ("import torch.nn.functional as F\nregister(globals())\n", False),  # handed away
        ("import torch.nn.functional as F\ndef put(k):\n    globals()[k] = 1\nput('F')\n", False),
        # deleting can only unbind: the names left are unsure, no other name appears
        (
            "import torch.nn.functional as F\n_g = globals()\nfor k in list(_g):\n    del _g[k]\n",
            True,
        ),
        ("import torch.nn.functional as F\nsys.modules[__name__] = Other()\n", False),
    ],
)
def test_code_that_changes_the_namespace_at_run_time_makes_names_unknown(
    tmp_path: Path, source: str, complete: bool
) -> None:
    found = module_star(tmp_path, source)
    assert found is not None and found["F"] is None and found.complete is complete


@pytest.mark.parametrize(
    "source",
    [
        "import torch.nn.functional as F\nx = globals()['F']\ny = globals().get('F')\n",
        "import torch.nn.functional as F\ndef put(k):\n    globals()[k] = 1\n",  # never called
        "import torch.nn.functional as F\ndef f():\n    return vars()\n# globals().update(x)\n",
    ],
)
def test_reading_the_namespace_changes_nothing(tmp_path: Path, source: str) -> None:
    found = module_star(tmp_path, source)
    assert found is not None and found.complete and found["F"] == F


def test_a_later_unresolved_star_import_may_rebind_anything(tmp_path: Path) -> None:
    found = module_star(tmp_path, "import torch.nn.functional as F\nfrom no_such_pkg_x import *\n")
    assert found is not None and found["F"] is None and not found.complete
    found = module_star(tmp_path, "from no_such_pkg_x import *\nimport torch.nn.functional as F\n")
    assert found is not None and found["F"] == F and not found.complete


def test_a_package_submodule_may_replace_a_name_of_its_init(tmp_path: Path) -> None:
    """`import pkg.nn` anywhere sets `pkg.nn` to the submodule: `from pkg import *` then
    binds that, not the `nn` its __init__ imported."""
    write(
        tmp_path,
        {
            "pkg/__init__.py": "from torch import nn\nfrom . import sub\n",
            "pkg/nn.py": "",
            "pkg/sub.py": "",
        },
    )
    found = star_names("pkg", 0, tmp_path / "user.py")
    assert found is not None and found.complete
    assert dict(found) == {"nn": None, "sub": "pkg.sub"}


def test_all_naming_a_submodule_imports_it(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/__init__.py": "__all__ = ['sub', 'other']\n", "pkg/sub.py": ""})
    found = star_names("pkg", 0, tmp_path / "user.py")
    assert found is not None and dict(found) == {"sub": "pkg.sub", "other": None}


# --- cycles, depth, files that cannot be read ------------------------------------------


def test_a_cycle_ends_and_gives_the_same_answer_whatever_was_asked_first(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "import torch.nn.functional as F\nfrom .b import *\nX = 1\n",
        "pkg/b.py": "from .a import *\nfrom torch import nn\n",
        "pkg/c.py": "from .c import *\nimport torch\n",  # itself
    }
    write(tmp_path, files)
    user = tmp_path / "user.py"
    alone = dict(star_names("pkg.a", 0, user) or {})
    star_imports.clear_cache()
    star_names("pkg.b", 0, user)
    after_b = star_names("pkg.a", 0, user)
    assert after_b is not None and dict(after_b) == alone
    # b saw a half-run a: F may have been rebound by it, X was not bound yet
    assert alone == {"F": None, "nn": "torch.nn", "X": "pkg.a.X"}
    assert not after_b.complete
    itself = star_names("pkg.c", 0, user)
    assert itself is not None and itself["torch"] == "torch" and not itself.complete


def test_star_imports_nested_past_the_depth_cap_are_unknown(tmp_path: Path) -> None:
    count = MAX_DEPTH + 5
    files = {"pkg/__init__.py": ""}
    for index in range(count):
        files[f"pkg/m{index}.py"] = f"from .m{index + 1} import *\n"
    files[f"pkg/m{count}.py"] = "import torch.nn.functional as F\n"
    write(tmp_path, files)
    deep = star_names("pkg.m0", 0, tmp_path / "user.py")
    assert deep is not None and "F" not in deep and not deep.complete
    shallow = star_names(f"pkg.m{count - 10}", 0, tmp_path / "user.py")
    assert shallow is not None and shallow.complete and shallow["F"] == F


@pytest.mark.parametrize(
    "broken", ["def (:\n", b"\xff\xfe not utf-8 \x00", "x = 1\n" + "#" * MAX_BYTES]
)
def test_a_module_that_cannot_be_read_is_unknown(tmp_path: Path, broken: str | bytes) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/uses.py": "import torch.nn.functional as F\nfrom .bad import *\n",
        },
    )
    bad = tmp_path / "pkg/bad.py"
    bad.write_bytes(broken if isinstance(broken, bytes) else broken.encode())
    assert star_names("pkg.bad", 0, tmp_path / "user.py") is None
    uses = star_names("pkg.uses", 0, tmp_path / "user.py")
    assert uses is not None and uses["F"] is None and not uses.complete


def test_missing_and_non_file_modules_are_unknown(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/__init__.py": "", "pkg/space/readme.txt": ""})
    os.mkfifo(tmp_path / "pkg/pipe.py")  # opening it would block
    user = tmp_path / "user.py"
    for module, level in [
        ("pkg.missing", 0),
        ("pkg.space", 0),
        ("pkg.pipe", 0),
        ("x", 3),
        ("math", 0),
    ]:
        assert star_names(module, level, user) is None, module
    assert star_names("pkg", 1, None) is None  # relative with no file to be relative to


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from .b import *\n",
            "pkg/b.py": "import torch.nn.functional as F\n",
        },
    )
    user = tmp_path / "user.py"
    assert star_names("pkg.a", 0, user)["F"] == F  # type: ignore[index]
    (tmp_path / "pkg/b.py").write_text("F = 1  # not torch any more\n")
    assert star_names("pkg.a", 0, user)["F"] == "pkg.b.F"  # type: ignore[index]
    (tmp_path / "pkg/b.py").write_text("def (:\n")
    assert not star_names("pkg.a", 0, user).complete  # type: ignore[union-attr]


# --- installed packages: found by their spec, never imported ---------------------------

TRAP = """
import pathlib as _pathlib
_pathlib.Path({marker!r}).write_text("imported")
raise RuntimeError("executed")
"""


def test_installed_packages_are_read_and_never_imported(tmp_path: Path, monkeypatch) -> None:
    site = tmp_path / "site"
    marker = tmp_path / "marker"
    trap = TRAP.format(marker=str(marker))
    write(
        site,
        {
            "trappkg/__init__.py": trap,
            "trappkg/core/__init__.py": trap,
            "trappkg/core/imports.py": "from torch.nn import functional as F\nimport torch.nn as nn\n"
            + trap,
            "trappkg/core/all.py": "from .imports import *\nfrom ..extra import *\n" + trap,
            "trappkg/extra.py": "__all__ = ['gadget']\ngadget = 1\n" + trap,
        },
    )
    project = tmp_path / "project"
    write(project, {"net.py": ""})
    monkeypatch.syspath_prepend(str(site))
    found = star_names("trappkg.core.all", 0, project / "net.py")
    assert found is not None and found.complete
    assert dict(found) == {"F": F, "nn": "torch.nn", "gadget": "trappkg.extra.gadget"}
    assert not marker.exists()
    assert not [name for name in sys.modules if name.startswith("trappkg")]


def test_the_current_folder_on_sys_path_is_not_searched(tmp_path: Path, monkeypatch) -> None:
    """`python -m` puts the current folder first: the linted tree is no installed package."""
    write(tmp_path, {"herepkg/__init__.py": "import torch.nn.functional as F\n"})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", ["", str(tmp_path), *sys.path])
    assert star_names("herepkg", 0, None, ()) is None
    assert star_names("herepkg", 0, None, (tmp_path,))["F"] == F  # type: ignore[index]


def test_real_installed_sources_torch_nn_functional(tmp_path: Path) -> None:
    """torch itself, when installed: its functional module defines dropout."""
    pytest.importorskip("torch")
    found = star_names("torch.nn.functional", 0, tmp_path / "user.py")
    assert found is not None
    assert found["dropout"] == "torch.nn.functional.dropout"
    assert found["alpha_dropout"] == "torch.nn.functional.alpha_dropout"
