"""`# noqa` comments, read the way flake8 reads them, for the CLI and the fixer.

flake8 applies `# noqa` itself to what the plugin reports; the command line and
the fixer must honour the same comments, so they share flake8's rules: the
comment stands on the reported (first) line of the call, `noqa` in any case,
codes after a colon matched as prefixes.
"""

from __future__ import annotations

import re

# Same grammar as flake8's NOQA_INLINE_REGEXP.
_NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)


def is_suppressed(line_text: str, code: str) -> bool:
    """True when `line_text` carries a `# noqa` that covers `code`."""
    if "noqa" not in line_text.lower():
        return False
    match = _NOQA.search(line_text)
    if match is None:
        return False
    codes = match.group("codes")
    if not codes:
        return True
    listed = [c for c in re.split(r"[,\s]+", codes.strip()) if c]
    return any(code.startswith(prefix) for prefix in listed)
