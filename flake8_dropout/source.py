"""Bytes in and out: decoding like Python does, and atomic writes that keep the file's mode."""

from __future__ import annotations

import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path

_BOM = b"\xef\xbb\xbf"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class SourceError(Exception):
    """A file we cannot read, decode or parse: reported, never written."""


@dataclass(frozen=True)
class DecodedSource:
    text: str  # without the BOM
    encoding: str
    bom: bool

    def encode(self, text: str) -> bytes:
        """Encode fixed text exactly as the original was encoded."""
        data = text.encode(self.encoding)
        return _BOM + data if self.bom else data

    def round_trips(self, original: bytes) -> bool:
        """Whether encoding the text gives back `original`: only then may a fix be written.

        Not so for codecs such as `unicode_escape` (a fixed file would come back
        on one line) or bytes a codec maps loosely.
        """
        try:
            return self.encode(self.text) == original
        except Exception:  # noqa: BLE001 - any codec failure means no
            return False


def decode(data: bytes) -> DecodedSource:
    """Decode with the file's coding cookie or BOM, as the interpreter does."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if data.startswith(_BOM) and "encoding problem" in str(error.msg):
            raise SourceError(
                "cannot detect the encoding: a UTF-8 byte order mark, but a coding "
                "cookie that names another encoding"
            ) from None
        raise SourceError(f"cannot detect the encoding: {error.msg}") from None
    bom = data.startswith(_BOM)
    if bom:
        data = data[len(_BOM) :]
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        prefix = data[: error.start]
        line = len(_LINE_BREAK.split(prefix.decode("latin-1")))
        column = len(prefix) - max(prefix.rfind(b"\n"), prefix.rfind(b"\r")) - 1
        bad = data[error.start : error.end].hex(" ")
        raise SourceError(
            f"cannot decode as {encoding} at line {line}, column {column + 1} "
            f"(bytes {bad}): {error.reason}"
        ) from None
    except (UnicodeError, LookupError) as error:  # `undefined`, `idna`: UnicodeError
        raise SourceError(f"cannot decode as {encoding}: {error}") from None
    except Exception as error:  # noqa: BLE001 - a codec may raise anything on odd bytes
        raise SourceError(f"cannot decode as {encoding}: {type(error).__name__}") from None
    return DecodedSource(text, encoding, bom)


#: Larger files are refused: no Python source is this big, /dev/zero or a stuck pipe may be.
MAX_BYTES = 64 * 1024 * 1024


def read_bytes(path: str | os.PathLike) -> tuple[bytes, os.stat_result]:
    """The bytes of a file named or found, and its stat; SourceError for what is no source.

    Refused: devices and sockets (`/dev/zero`, `/dev/urandom` never end), and
    anything over MAX_BYTES. A FIFO is read (`<(git show ...)`), but opened
    without blocking, so a FIFO that nothing writes to reads as empty at once
    instead of hanging.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error}") from None
    try:
        status = os.fstat(fd)
        mode = status.st_mode
        if stat.S_ISDIR(mode):
            raise SourceError("cannot read: Is a directory")
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise SourceError("not a regular file (a device or socket): not read")
        if stat.S_ISFIFO(mode) and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a writer is there (or none: EOF at once)
        chunks, total = [], 0
        while total <= MAX_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_BYTES:
            raise SourceError(f"larger than {MAX_BYTES >> 20} MiB: not read")
        return b"".join(chunks), status
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error}") from None
    finally:
        os.close(fd)


def read(path: Path) -> DecodedSource:
    return decode(read_bytes(path)[0])


def split_lines(text: str) -> list[str]:
    """Physical lines as Python's tokenizer counts them (\\n, \\r\\n and \\r)."""
    return _LINE_BREAK.split(text)


def write_atomic(path: Path, data: bytes, expected: bytes | None = None) -> None:
    """Write through a temporary file in the same folder, then rename over the original.

    A symlinked file keeps its link (the target is written). The new file keeps
    the old one's mode, less setuid/setgid (as the kernel drops them when a file
    is written), and its owner and group. Refused (SourceError, nothing written):
    a file that is not a regular file (FIFO, device), has no write permission bit
    (chmod 444: whoever made it read-only meant it), has other hard links (a new
    file would split them), belongs to someone we cannot give the new file to,
    or (`expected`) no longer holds the bytes it was fixed from: an edit made
    while the fix ran is kept, not overwritten.
    """
    path = Path(os.path.realpath(path))
    owner: tuple[int, int] | None = None
    try:
        status = path.stat()
    except FileNotFoundError:  # a new file: the usual mode under the umask
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    else:
        if not stat.S_ISREG(status.st_mode):
            raise SourceError("not a regular file: the fix is not written")
        if not status.st_mode & 0o222:
            raise SourceError("read-only (no write permission): the fix is not written")
        if status.st_nlink > 1:
            raise SourceError(
                f"has {status.st_nlink} hard links, which a new file would split: "
                "the fix is not written"
            )
        mode = stat.S_IMODE(status.st_mode) & ~(stat.S_ISUID | stat.S_ISGID)
        owner = (status.st_uid, status.st_gid)
    import tempfile  # here: only writes need it, and it is slow to import

    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            if owner is not None and hasattr(os, "fchown"):
                current = os.fstat(handle.fileno())
                if (current.st_uid, current.st_gid) != owner:
                    try:
                        os.fchown(handle.fileno(), *owner)
                    except PermissionError:
                        raise SourceError(
                            "owned by another user or group: the fix is not written"
                        ) from None
        os.chmod(temporary, mode)
        if expected is not None and _current_bytes(path) != expected:
            raise SourceError("changed while it was being fixed: the fix is not written")
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _current_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
