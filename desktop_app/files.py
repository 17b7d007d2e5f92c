"""Files an export writes appear whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


class ExportError(Exception):
    """An export that could not be written; the message is one line meant for the user."""


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


@contextlib.contextmanager
def atomic_output(path: str | Path, *, directory: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` at once.

    On any error (an unwritable folder, a full disk, a cancel raised by the caller) the
    temporary file is removed and ``path`` is left as it was. The temporary name keeps
    the suffix, so tools that choose a format by extension (ffmpeg) still do.

    Parameters
    ----------
    path
        The file (or, with ``directory``, the folder) to produce.
    directory
        Produce a folder: an existing non-empty folder at ``path`` is refused.
    """
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise ExportError(f"{path}: the folder {folder} does not exist")
    if directory and path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise ExportError(f"{path}: already exists and is not an empty folder")
    if not directory and path.is_dir():
        raise ExportError(f"{path}: is a folder")
    try:
        if directory:
            temporary = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=folder))
        else:
            handle, name = tempfile.mkstemp(
                prefix=f".{path.stem}.", suffix=f".part{path.suffix}", dir=folder
            )
            os.close(handle)
            temporary = Path(name)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write here ({_reason(exc)})") from None
    try:
        yield temporary
        if not directory:
            # mkstemp makes the file private; an export is an ordinary document.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except OSError as exc:
        _remove(temporary)
        raise ExportError(f"{path}: cannot write ({_reason(exc)})") from None
    except BaseException:
        _remove(temporary)
        raise


def _remove(temporary: Path) -> None:
    if temporary.is_dir():
        for child in temporary.iterdir():
            child.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            temporary.rmdir()
    else:
        temporary.unlink(missing_ok=True)
