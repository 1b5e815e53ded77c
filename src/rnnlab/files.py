"""Paths the user names, checked before any work, and the lock that gives a run one writer.

Every check raises ValueError naming the option (``out``, ``--json``, ...), the path and what is
wrong, so the CLI prints one line instead of a traceback from deep inside a run. A directory is
tested by creating (and removing) a temporary entry where the run will write: permission bits
alone say nothing for root, read-only mounts or ``/proc``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

LOCK_NAME = ".rnnlab.lock"


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _probe(directory: Path, name: str) -> None:
    """Create and remove a temporary directory in ``directory``; if that fails, a ValueError
    naming the option ``name``."""
    try:
        os.rmdir(tempfile.mkdtemp(dir=directory, prefix=".rnnlab-probe-"))
    except OSError as exc:
        raise ValueError(f"{name}: cannot write in {directory} ({_reason(exc)})") from None


def nearest_existing(path: Path) -> Path:
    """``path`` or the closest of its parents that exists."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_writable_dir(path: str | Path, name: str) -> Path:
    """``path`` as a directory this process can create (if missing) and write into.

    Nothing is left behind: a missing directory is tested in its nearest existing parent.
    """
    if str(path).strip() == "":
        raise ValueError(f"{name}: expected a directory, got an empty path")
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{name}: {path} exists and is not a directory")
    where = nearest_existing(path)
    if not where.is_dir():
        raise ValueError(f"{name}: cannot create {path}: {where} is a file, not a directory")
    _probe(where, name)
    return path


def check_writable_file(path: str | Path, name: str) -> Path:
    """``path`` as a file this process can write: not a directory, in a writable directory."""
    if str(path).strip() == "":
        raise ValueError(f"{name}: expected a file name, got an empty path")
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{name}: {path} is a directory; expected a file name")
    parent = path.parent
    if not parent.is_dir():
        raise ValueError(f"{name}: directory {parent} does not exist")
    _probe(parent, name)
    return path


def parse_file(
    path: str | Path, name: str, kind: str, parse: Callable[[str], Any], invalid: type[Exception]
) -> Any:
    """``parse`` of the UTF-8 text in ``path``: a file that cannot be read, is not UTF-8 text
    or is not valid ``kind`` (``parse`` raised ``invalid``) is one ValueError naming ``name``."""
    try:
        return parse(Path(path).read_bytes().decode("utf-8"))
    except OSError as exc:
        raise ValueError(f"{name}: cannot read {path} ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ValueError(f"{name}: {path} is not a {kind} file (not UTF-8 text)") from None
    except invalid as exc:
        raise ValueError(f"{name}: {path} is not valid {kind} ({exc})") from None


def read_arrays(path: Path, name: str) -> dict[str, np.ndarray]:
    """The arrays of the ``.npz`` file ``path`` (pickles refused); one ValueError naming ``name``
    if it cannot be read."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except Exception as exc:
        raise ValueError(f"{name}: cannot read {path} ({type(exc).__name__}: {exc})") from None


def make_dir(path: Path, name: str) -> None:
    """``mkdir -p`` with one line (naming ``name``) instead of an OSError."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"{name}: cannot create {path} ({_reason(exc)})") from None


def _holder(lock: Path) -> str:
    try:
        pid = lock.read_text().strip()
    except OSError:
        pid = ""
    return f"process {pid}" if pid.isdigit() else "another process"


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


@contextlib.contextmanager
def run_lock(directory: Path, name: str = "out") -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` (which must exist) while the block runs.

    The lock is ``fcntl.flock`` on ``.rnnlab.lock`` holding the owner's PID. The OS drops it
    when its process dies, however it dies, so a stale lock of a killed run is simply taken
    over. A second holder is refused with ValueError naming the process that holds it. Without
    ``fcntl`` (Windows) no lock is taken.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    path = Path(directory) / LOCK_NAME
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ValueError(
                f"{name}: {directory} is in use by {_holder(path)} (another rnnlab run "
                "writing there); wait for it to finish or choose another directory"
            ) from None
        # The previous holder may have removed the file between our open and flock: then our
        # lock is on a deleted file, and we start again on the new one.
        if _same_file(fd, path):
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)
