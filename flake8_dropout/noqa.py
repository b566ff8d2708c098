"""`# noqa` comments, read the way flake8 reads them, for the CLI and the fixer.

flake8 applies `# noqa` itself to what the plugin reports; the command line,
the fixer, `--add-noqa` and the editor server must honour the same comments, so
they all ask `NoqaLines`, which follows flake8 7 (flake8/processor.py
`_noqa_line_mapping`, violation.py `is_inline_ignored`, processor.py
`should_ignore_file`): a reported line is searched together with every line
that shares a token range with it (a multi-line string or f-string, a backslash
continuation), so a `# noqa` in a comment or in a string's text on any of those
lines counts; the first match decides; `noqa` in any case, codes after a colon
matched as prefixes; a line that starts with `# flake8: noqa` skips the file.
"""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Same grammar as flake8's NOQA_INLINE_REGEXP.
_NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
# Same as flake8's NOQA_FILE, matched at the start of each line (strings' lines too).
_NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
_ANY = re.compile("noqa", re.IGNORECASE)  # neither directive can match without it


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

    flake8 tokenizes the file and joins the lines from one NL or NEWLINE token
    to the next: a line on its own, except that a token spanning lines (a
    triple-quoted string or f-string) or a backslash continuation makes them
    one range, whose text (comments and strings alike) counts for each of its
    lines. Inside brackets each line ends with an NL, so it stays alone.
    Tokens are computed only when some line actually needs a range: a file
    without `# noqa` pays one search of its text.
    """

    def __init__(self, text: str) -> None:
        self.lines = _LINE_BREAK.split(text)
        self._text = text
        self._ranges: dict[int, tuple[int, int]] | None = None
        self._inline: bool | None = None  # an inline directive in the text, found once
        self._file: bool | None = None  # a file-level `flake8: noqa` line

    def _scan(self) -> None:
        if not _ANY.search(self._text):
            self._inline = self._file = False
            return
        self._inline = _NOQA.search(self._text) is not None
        lines = [self.lines[0].removeprefix("\ufeff"), *self.lines[1:]]  # flake8 drops a BOM
        self._file = any(_NOQA_FILE.match(line) for line in lines)

    @property
    def skips_file(self) -> bool:
        """True when flake8 skips the whole file (a line starting `# flake8: noqa`)."""
        if self._file is None:
            self._scan()
        return bool(self._file)

    def range_of(self, line: int) -> tuple[int, int]:
        """The first and last line of the range that holds `line` (1-based)."""
        if self._ranges is None:
            self._ranges = _ranges(self._text, len(self.lines))
        return self._ranges.get(line, (line, line))

    def text(self, line: int) -> str:
        first, last = self.range_of(line)
        return "\n".join(self.lines[first - 1 : last])

    def suppresses(self, line: int, code: str) -> bool:
        """True when flake8 would not report `code` on `line`."""
        if self.skips_file:
            return True
        if line > len(self.lines) or not self._inline:
            return False
        return is_suppressed(self.text(line), code)


def _ranges(text: str, count: int) -> dict[int, tuple[int, int]]:
    """Line -> (first, last) of the lines flake8 joins, for every line in a multi-line range."""
    import io
    import tokenize

    ranges: dict[int, tuple[int, int]] = {}
    # One kind of line break for the tokenizer; the line numbers stay the same.
    readline = io.StringIO(_LINE_BREAK.sub("\n", text.removeprefix("\ufeff"))).readline
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
