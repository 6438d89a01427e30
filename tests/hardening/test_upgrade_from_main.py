"""A database made by the code before this hardening (migration 0002, commit 5f03861)
upgrades, and its request, receipt, reply and staff login still work afterwards.

The old code is taken from git history (``git archive``) and run in its own process, so
the rows are written exactly as it wrote them (unpadded plaintexts, receipts without the
pepper, the old lockout columns); the new code then upgrades the database and uses it.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from campaign import create_app
from campaign.cases import crypto, handling, intake, login
from campaign.core import migrate
from campaign.core.config import DEFAULTS
from campaign.core.db import db_session, engine
from campaign.models import HelpRequest, Team
from tests.conftest import TEST_CONFIG
from tests.databases import database_url

ROOT = Path(__file__).resolve().parents[2]
OLD_COMMIT = "5f03861"  # main before the layers and the hardening: schema 0002
SECRET_KEY = "upgrade-test-secret-key-0123456789abcdef"
PASSWORD = "correct horse battery staple"

OLD_SCRIPT = """
import json, sys
from campaign import create_app, migrate, crypto, casework
from campaign.db import db_session, engine
from campaign.teams import create_team
from campaign.staff import accounts, cases
from campaign.models import HelpRequest
url, out = sys.argv[1], sys.argv[2]
app = create_app({"TESTING": True, "SECRET_KEY": %(secret)r, "DATABASE_URL": url,
    "STAFF_PASSWORD_TIME_COST": 1, "STAFF_PASSWORD_MEMORY_KIB": 8192,
    "STAFF_KEY_TIME_COST": 1, "STAFF_KEY_MEMORY_KIB": 8192})
with app.app_context():
    migrate.upgrade(engine())
    s = db_session()
    team, recovery = create_team(s, "Hotline", default=True)
    totp = accounts.new_totp_secret()
    user = accounts.create_user(s, "old@example.org", "Old", %(password)r, "admin", totp)
    s.commit()
    key = crypto.parse_recovery_key(recovery)
    accounts.grant_team_key(s, team, user, key, None)
    receipt = casework.submit(s, casework.Submission(category="other", region="unspecified",
        language="en", message="OLD-MESSAGE", contact={"method": "phone",
        "phone": "+375 29 111 22 33", "may_leave_message": "no"}))
    request = s.query(HelpRequest).one()
    cases.reply(s, user, request, key, "OLD-REPLY")
    s.commit()
    json.dump({"receipt": receipt, "totp": totp, "recovery": recovery,
               "revision": migrate.current_revision(engine())}, open(out, "w"))
"""


def old_tree(tmp_path: Path) -> Path:
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", OLD_COMMIT, "campaign", "templates", "static"],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"the old code is not in this checkout's git history: {exc}")
    target = tmp_path / "old"
    target.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    (target / "instance").mkdir()
    return target


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_database_of_the_old_code_upgrades_and_keeps_working(kind: str, tmp_path: Path) -> None:
    old = old_tree(tmp_path)
    with database_url(kind, tmp_path) as url:
        out = tmp_path / "made.json"
        made = subprocess.run(
            [
                sys.executable,
                "-c",
                OLD_SCRIPT % {"secret": SECRET_KEY, "password": PASSWORD},
                url,
                str(out),
            ],
            cwd=old,
            env={"PYTHONPATH": str(old), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert made.returncode == 0, made.stderr[-3000:]
        facts: dict[str, Any] = json.loads(out.read_text())
        assert facts["revision"] == "0002"

        app = create_app(
            {
                **TEST_CONFIG,
                "SECRET_KEY": SECRET_KEY,
                "DATABASE_URL": url,
                "RECEIPT_PEPPER_FILE": str(tmp_path / "receipt-pepper"),
                # The old code hashed the receipt with the production costs.
                "RECEIPT_ARGON2_TIME_COST": DEFAULTS["RECEIPT_ARGON2_TIME_COST"],
                "RECEIPT_ARGON2_MEMORY_KIB": DEFAULTS["RECEIPT_ARGON2_MEMORY_KIB"],
            }
        )
        runner = app.test_cli_runner()
        upgraded = runner.invoke(args=["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
        try:
            with app.app_context():
                assert migrate.is_current(engine())
                dbs = db_session()
                # The person reads the old thread with the old receipt.
                thread = intake.open_thread(dbs, facts["receipt"])
                assert thread is not None
                texts = [entry.text for entry in thread.entries]
                assert texts == ["OLD-MESSAGE", "OLD-REPLY"]
                # The old member logs in with the new login code and reads the request.
                result = login.login(
                    dbs, "old@example.org", PASSWORD, pyotp.TOTP(facts["totp"]).now(), "net"
                )
                team = dbs.scalars(select(Team)).one()
                request = dbs.scalars(select(HelpRequest)).one()
                team_key = crypto.parse_recovery_key(facts["recovery"])
                assert crypto.public_key_matches(team_key, team.public_key)
                contact = intake.read_contact(request, team_key)
                assert contact["phone"] == "+375 29 111 22 33"
                # A new reply reaches the person; her new message reaches staff.
                handling.reply(dbs, result.user, request, team_key, "NEW-REPLY")
                assert intake.add_person_message(dbs, facts["receipt"], "NEW-MESSAGE")
                again = intake.open_thread(dbs, facts["receipt"])
                assert again is not None
                assert [e.text for e in again.entries][-2:] == ["NEW-REPLY", "NEW-MESSAGE"]
                staff_view = intake.read_thread_as_staff(request, team_key)
                assert [e.text for e in staff_view.entries][-1] == "NEW-MESSAGE"
        finally:
            with app.app_context():
                engine().dispose()
