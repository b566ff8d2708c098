"""`# noqa` comments, read the way flake8 reads them, for the CLI and the fixer.

flake8 applies `# noqa` itself to what the plugin reports; the command line and
the fixer must honour the same comments, so they share flake8's rules: the
comment stands on the reported (first) line of the call, or after the end of a
multi-line string or backslash continuation that line starts, `noqa` in any
case, codes after a colon matched as prefixes.
"""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
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


class NoqaLines:
    """For each line, the text whose `# noqa` covers it, as flake8 maps them.

    flake8 searches one physical line, except that the lines of a token that
    spans several (a triple-quoted string, a backslash continuation) form one
    range: a `# noqa` after the closing quotes covers the string's first line.
    Tokens are computed only when some line actually needs a range.
    """

    def __init__(self, text: str) -> None:
        self.lines = _LINE_BREAK.split(text)
        self._text = text
        self._ranges: dict[int, tuple[int, int]] | None = None

    def range_of(self, line: int) -> tuple[int, int]:
        """The first and last line of the range that holds `line` (1-based)."""
        if self._ranges is None:
            self._ranges = _ranges(self._text, len(self.lines))
        return self._ranges.get(line, (line, line))

    def text(self, line: int) -> str:
        first, last = self.range_of(line)
        return "\n".join(self.lines[first - 1 : last])

    def suppresses(self, line: int, code: str) -> bool:
        if line > len(self.lines) or "noqa" not in self._text.lower():
            return False
        return is_suppressed(self.text(line), code)


def _ranges(text: str, count: int) -> dict[int, tuple[int, int]]:
    """Line -> (first, last) of the lines flake8 joins, for every line in a multi-line range."""
    import io
    import tokenize

    ranges: dict[int, tuple[int, int]] = {}
    # One kind of line break for the tokenizer; the line numbers stay the same.
    readline = io.StringIO(_LINE_BREAK.sub("\n", text)).readline
    first, last = count + 2, -1
    try:
        for token in tokenize.generate_tokens(readline):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            first, last = min(first, token.start[0]), max(last, token.end[0])
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                if last > first:
                    for line in range(first, last + 1):
                        ranges[line] = (first, last)
                first, last = count + 2, -1
    except (tokenize.TokenError, SyntaxError):  # flake8 then falls back to physical lines
        return {}
    return ranges
