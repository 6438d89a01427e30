"""Private files: what the app creates under ``instance/`` is its service user's alone.

The instance folder holds ``config.py`` (SECRET_KEY, the database password), the SQLite
database and the compiled translations. Folders the app makes there are 0700 and files
0600 *when they are created* (``os.open`` with the mode, not a ``chmod`` afterwards), so
there is no moment when another local user can open them, whatever the umask. SQLite
gives its ``-wal`` and ``-shm`` files the mode of the database file, so making the
database file first, empty and 0600, covers those too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents inside it) as 0700; an existing one is kept."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue
        folder.chmod(PRIVATE_DIR)  # mkdir's mode is reduced by the umask; never widened


def tighten(path: Path, mode: int) -> bool:
    """Remove group and other permissions from an existing path; True if it changed."""
    current = stat.S_IMODE(path.stat().st_mode)
    if current & 0o077:
        path.chmod(current & mode)
        return True
    return False


def create_private_file(path: Path) -> bool:
    """Create an empty file 0600 if there is none; True if it was created."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    os.close(descriptor)
    return True


def write_private_text(path: Path, text: str) -> None:
    """Create ``path`` with ``text``, 0600 from the start (FileExistsError if it exists)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)


def append_private_text(path: Path, text: str) -> None:
    """Append ``text`` to an existing file, first making it 0600 (it is getting a secret)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND)
    os.fchmod(descriptor, PRIVATE_FILE)
    with os.fdopen(descriptor, "a", encoding="utf-8") as out:
        out.write(text)


def prepare_sqlite_file(url: str) -> None:
    """Before SQLite first opens a database file, create it empty and 0600.

    (SQLite would create it with 0644 less the umask; its WAL and SHM files then copy the
    database file's mode.) In-memory databases and missing folders are left to SQLite.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.query.get("mode") != "memory":
        prepare_sqlite_path(parsed.database or "")


def prepare_sqlite_path(database: str) -> None:
    """As ``prepare_sqlite_file``, for the file name SQLite is given."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.parent.is_dir():
        create_private_file(path)
