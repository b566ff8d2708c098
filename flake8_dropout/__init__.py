"""flake8-dropout: find functional dropout that ignores model.eval(), and fix it."""

__version__ = "0.1.0"
