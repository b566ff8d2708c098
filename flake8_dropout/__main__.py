"""`python -m flake8_dropout`."""

import os
import sys


def _forget_the_current_folder() -> None:
    """`python -m` puts the current folder first on sys.path: a linted folder holding a
    `pathspec.py`, `tempfile.py` or `difflib.py` would run its code. Dropped, unless
    this package itself was found there (running from its own checkout)."""
    if not sys.path or getattr(sys.flags, "safe_path", False):
        return
    here = os.getcwd()
    if os.path.abspath(sys.path[0] or os.curdir) != here:
        return
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if package_parent != here:
        del sys.path[0]


_forget_the_current_folder()

from .cli import main  # after sys.path is safe

if __name__ == "__main__":
    sys.exit(main())
