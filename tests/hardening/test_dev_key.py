"""Hardening item 11: the development SECRET_KEY never serves through gunicorn.

- ``flask init`` adds a key to an ``instance/config.py`` that has none, keeping the rest;
- gunicorn refuses the development key (or none) with or without ``ENV_PRODUCTION``;
- ``flask check`` reports it; the development server (``flask run``) and tests accept it.

Real processes: ``flask`` and ``gunicorn`` are run as the operator would, with the instance
folder moved to a temporary directory by ``CAMPAIGN_INSTANCE_PATH``.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
from pathlib import Path

from campaign import create_app
from campaign.core import checks
from campaign.core.config import DEFAULTS
from devtools.server import ROOT, free_port, gunicorn, migrated_sqlite, wait_until_up
from tests.hardening.processes import clean_env, flask, run_gunicorn

GOOD_KEY = "hardening-dev-key-test-" + "g" * 32


def instance_with_config(tmp_path: Path, text: str) -> Path:
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o700)
    (instance / "config.py").write_text(text, encoding="utf-8")
    return instance


def test_gunicorn_refuses_the_development_key_outside_production(tmp_path: Path) -> None:
    env = clean_env(
        CAMPAIGN_DATABASE_URL=migrated_sqlite(tmp_path),
        CAMPAIGN_INSTANCE_PATH=str(tmp_path / "instance"),  # no config.py there
    )
    status, err = run_gunicorn(env)
    assert status == 1, "gunicorn served with the development key"
    assert "SECRET_KEY is the development default" in err
    assert "flask --app wsgi init" in err
    assert "Traceback" not in err and "Booting worker" not in err
    # Also as an old key still accepted for signatures: it would let anyone forge them.
    env["CAMPAIGN_SECRET_KEY"] = GOOD_KEY
    env["CAMPAIGN_SECRET_KEY_FALLBACKS"] = f'["{DEFAULTS["SECRET_KEY"]}"]'
    status, err = run_gunicorn(env)
    assert status == 1 and "SECRET_KEY_FALLBACKS" in err


def test_config_file_without_a_key_is_completed_by_init(tmp_path: Path) -> None:
    database = tmp_path / "site.db"
    original = f'# the operator\'s own settings\nDATABASE_URL = "sqlite:///{database}"\n'
    instance = instance_with_config(tmp_path, original)
    env = clean_env(CAMPAIGN_INSTANCE_PATH=str(instance))

    check = flask(["check"], env)
    assert check.returncode == 1
    assert "SECRET_KEY is the development default" in check.stderr
    status, err = run_gunicorn(env)
    assert status == 1 and "SECRET_KEY is the development default" in err

    init = flask(["init"], env)
    assert init.returncode == 0, init.stderr
    text = (instance / "config.py").read_text(encoding="utf-8")
    assert text.startswith(original)  # nothing the operator wrote is lost
    assert text.count("SECRET_KEY = ") == 1
    assert (instance / "config.py").stat().st_mode & 0o777 == 0o600
    assert database.exists()  # the operator's DATABASE_URL was used

    again = flask(["init"], env)
    assert again.returncode == 0
    assert (instance / "config.py").read_text(encoding="utf-8") == text  # one key, kept

    check = flask(["check"], env)
    assert check.returncode == 0, check.stderr
    with gunicorn("wsgi:app", 1, env=env, probe="/healthz") as (port, _process):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
        conn.close()


def test_development_server_and_tests_accept_the_development_key(tmp_path: Path) -> None:
    url = migrated_sqlite(tmp_path)
    instance = str(tmp_path / "instance")  # no config.py there
    app = create_app({"DATABASE_URL": url, "TESTING": True, "INSTANCE_PATH": instance})
    assert app.config["SECRET_KEY"] == DEFAULTS["SECRET_KEY"]
    assert app.test_client().get("/healthz").status_code == 200
    assert checks.secret_key_problem(app.config)  # but `flask check` and gunicorn refuse it

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(port)],
        cwd=ROOT,
        env=clean_env(CAMPAIGN_DATABASE_URL=url, CAMPAIGN_INSTANCE_PATH=instance),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(port, "/healthz", process=server)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
