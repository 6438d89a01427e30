"""Hardening item 16: what the app writes under instance/ is private from the start.

Under the common umask 022, ``flask init`` used to leave ``instance/`` 0755 and
``campaign.db`` 0644 (readable by every local user), and wrote ``config.py`` before
tightening it. Now the folder is 0700 and every file the app creates there is 0600 when it
is created: the config file, the SQLite database with its WAL and SHM files, and the
compiled translations. A real ``flask init`` process under umask 022, then the app itself.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from campaign import create_app
from campaign.core.db import engine
from devtools.server import ROOT
from tests.hardening.processes import clean_env


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_init_under_umask_022_makes_everything_private(tmp_path: Path) -> None:
    instance = tmp_path / "instance"  # does not exist yet
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "init"],
        cwd=ROOT,
        env=clean_env(CAMPAIGN_INSTANCE_PATH=str(instance)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        umask=0o022,
    )
    assert result.returncode == 0, result.stderr
    assert mode(instance) == 0o700
    files = [p for p in instance.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"config.py", "campaign.db", "messages.mo"} <= names
    for path in files:
        assert mode(path) == 0o600, path
    for folder in (p for p in instance.rglob("*") if p.is_dir()):
        assert mode(folder) == 0o700, folder


def test_sqlite_wal_and_shm_files_are_private(tmp_path: Path, umask_022: None) -> None:
    instance = tmp_path / "instance"
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance)})
    assert Path(app.instance_path) == instance
    assert mode(instance) == 0o700
    with app.app_context():
        with engine().begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
        with engine().connect() as connection:  # WAL and SHM exist while a connection is open
            connection.execute(text("SELECT * FROM t")).all()
            for name in ("campaign.db", "campaign.db-wal", "campaign.db-shm"):
                assert (instance / name).exists(), name
                assert mode(instance / name) == 0o600, name
        engine().dispose()
    translations = instance / "translations"
    for path in translations.rglob("*"):
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_init_tightens_an_existing_instance_folder(tmp_path: Path, umask_022: None) -> None:
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    instance.chmod(0o755)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "SECRET_KEY": "x" * 40})
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert mode(instance) == 0o700
    assert mode(instance / "campaign.db") == 0o600
    with app.app_context():
        engine().dispose()
