"""Atomic file output: write to a temp file beside the target, then rename over it.

A run killed halfway leaves the previous file intact, never a half-written one. A set of files
that belong together (a build's tables) is written into a hidden staging folder first and only
then renamed into place, file by file, so a run killed while writing (the slow part) leaves the
previous set untouched; the renames take microseconds. Temp files and staging folders carry the
writer's pid, so the next run can tell a dead run's leftovers from a live one's and remove them.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from filelock import FileLock, Timeout

from kg.errors import KgError

STAGING_PREFIX = ".kg-staging-"
LOCK_NAME = ".kg.lock"
LEFTOVER = re.compile(r"^(?:\.kg-staging-(?P<spid>\d+)-.*|\..+\.(?P<tpid>\d+)\.[^.]+\.tmp)$")


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None
                ) -> Iterator[IO]:
    """Open a temp file next to `path`; on success fsync it and rename it to `path`.

        >>> with atomic_open("out/notes.txt") as fh:
        ...     _ = fh.write("周佰发")
        >>> Path("out/notes.txt").read_text(encoding="utf-8"), sorted(p.name for p in Path("out").iterdir())
        ('周佰发', ['notes.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{_short(path.name)}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        if "b" in mode:
            fh = os.fdopen(fd, mode)
        else:
            fh = os.fdopen(fd, mode, encoding=encoding, newline=newline)
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(path))  # mkstemp makes 0600; an output should read like any new file
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if err.filename is None and err.errno is not None:  # a full disk in write/flush/fsync names no file
            raise OSError(err.errno, err.strerror, str(path)) from err
        raise
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _short(name: str, limit: int = 200) -> str:
    """`name` cut to `limit` bytes, so that a temp file for a name of up to 255 bytes (the most a
    file system takes) stays under 255 with its dot, pid, random part and `.tmp`."""
    while len(os.fsencode(name)) > limit:
        name = name[:-1]  # by characters: never half of one
    return name


@contextlib.contextmanager
def staged_folder(target: str | Path, last: str | None = None) -> Iterator[Path]:
    """Yield a hidden staging folder inside `target`; on success move each file in it over `target`'s.

    The file named `last` (a manifest) is moved last, so it is in place only when the rest is.

    On any exception (or a kill) nothing in `target` has changed; the staging folder is removed
    here, or by the next call if the process died.
    """
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target)
    stage = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=target))
    try:
        yield stage
        for f in sorted(stage.iterdir(), key=lambda f: (f.name == last, f.name)):
            os.replace(f, target / f.name)
        _fsync_dir(target)
    except OSError as err:  # name the file the user asked for, not its hidden staging twin
        if err.filename and Path(err.filename).parent == stage:
            raise OSError(err.errno, err.strerror, str(target / Path(err.filename).name)) from err
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def remove_leftovers(folder: str | Path) -> list[Path]:
    """Remove temp files and staging folders that dead processes left in `folder`; return them."""
    removed = []
    for entry in Path(folder).iterdir():
        m = LEFTOVER.match(entry.name)
        if not m or _alive(int(m.group("spid") or m.group("tpid"))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
        removed.append(entry)
    return removed


def check_writable(folder: str | Path) -> None:
    """KgError naming `folder` unless files can be created in it (or it can be created).

    Probes by creating and removing a temp file, since permission bits lie (root, ACLs, read-only
    mounts). Creates nothing that stays: a missing folder is probed through its nearest parent.
    """
    folder = Path(folder)
    probe_in = folder
    while not probe_in.exists():
        if probe_in.parent == probe_in:
            break
        probe_in = probe_in.parent
    if probe_in.exists() and not probe_in.is_dir():
        what = "the output folder" if probe_in == folder else f"its parent {probe_in}"
        raise KgError(f"{folder}: cannot write output: {what} is a file, not a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".kg-probe.{os.getpid()}.", suffix=".tmp", dir=probe_in)
        os.close(fd)
        os.unlink(tmp)
    except OSError as err:
        where = "" if probe_in == folder else f" (cannot create files in {probe_in})"
        raise KgError(f"{folder}: cannot write output: {err.strerror or err}{where}") from err


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or those a plain open() would give a new file (0666 - umask)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        pass
    umask = 0o022
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                umask = int(line.split()[1], 8)
    return 0o666 & ~umask


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(folder: Path) -> None:
    """Make the renames durable (a power cut after this keeps the new files)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def output_lock(folder: str | Path) -> Iterator[Path]:
    """Hold an exclusive lock on output folder `folder` (created if missing) while writing into it.

    A second `kg build` into the same folder fails at once with a KgError instead of racing the
    first and silently winning. The lock is the kernel's (flock, via `filelock`), so a killed
    process never leaves a stale lock, and the lock file is removed on release. A folder this
    call created and nothing was written into is removed again, so a failed build leaves no trace.
    """
    folder = Path(folder)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    lock_path = folder / LOCK_NAME
    lock = FileLock(lock_path, timeout=0)
    try:
        lock.acquire()
    except Timeout as err:
        raise KgError(f"{folder}: another kg process is writing this output folder (lock {lock_path}); "
                      "wait for it to finish or choose another --out") from err
    try:
        yield folder
    finally:
        with contextlib.suppress(OSError):
            lock_path.unlink()  # while held: a waiter that opened it finds the inode unlinked and retries
        lock.release()
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty: a build that failed before writing leaves nothing
