"""The issue's walk-through: an editor publishes, every worker serves it within a second.

gunicorn runs the site with 2 sync workers (the repository's configuration) on a fresh
SQLite database holding the shipped content. The editor works on another "host": an app of
this process on the same database, through the real staff forms (login with TOTP, the
editor, Preview, Publish, history, Restore). Each check of the public page asks both
workers (``devtools.server.get_on_each_worker``); both were asked before the publish, so
each holds the old page in its memory and must notice the content version to change.
"""

from __future__ import annotations

import html as entities
import re
import secrets
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from campaign import create_app
from campaign.core.db import db_session, engine
from campaign.models import AuditEvent
from devtools.server import get_on_each_worker, gunicorn, migrated_sqlite, wait_for_workers
from tests.conftest import TEST_CONFIG
from tests.staff.staffclient import csrf_of, login, make_member

pytestmark = pytest.mark.xdist_group("gunicorn-workers")

WORKERS = 2
STATEMENT = "/en/statements/2020-08-suspension"
EDITOR = "/staff/publishing/statements/2020-08-suspension/en"
OLD = "is informing the Ministry of Interior"
NEW = "Updated by the editor: the organisation stands by this statement."


def field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*>([^<]*)</textarea>', html) or re.search(
        rf'name="{name}"[^>]*value="([^"]*)"', html
    )
    assert match, name
    return entities.unescape(match.group(1))


def both_workers_show(port: int, text: str) -> bool:
    return all(text in body for body in get_on_each_worker(port, STATEMENT, WORKERS))


def test_editor_publishes_and_both_workers_serve_it_within_a_second(tmp_path: Path) -> None:
    url = migrated_sqlite(tmp_path)
    env = {
        "CAMPAIGN_DATABASE_URL": url,
        "CAMPAIGN_SECRET_KEY": "publish-test-" + secrets.token_hex(16),
    }
    editor_app = create_app({**TEST_CONFIG, "DATABASE_URL": url})
    member = make_member(editor_app, "editor@example.org", "editor")
    editor: FlaskClient = editor_app.test_client()
    assert login(editor_app, editor, member).status_code == 302
    with gunicorn("wsgi:app", WORKERS, env=env, probe="/healthz") as (port, _process):
        wait_for_workers(port, WORKERS)
        assert both_workers_show(port, OLD)

        # The editor opens the English statement, previews a change, then publishes it.
        page = editor.get(EDITOR).get_data(as_text=True)
        token = csrf_of(page)
        body = field(page, "body")
        text = {"title": field(page, "title"), "summary": field(page, "summary")}
        changed = body.replace(OLD, NEW)
        form = {"csrf_token": token, **text, "body": changed}
        preview = editor.post(EDITOR, data={**form, "action": "preview"})
        assert preview.status_code == 200
        assert NEW in preview.get_data(as_text=True)
        assert both_workers_show(port, OLD), "a preview published something"
        assert editor.post(EDITOR, data={**form, "action": "publish"}).status_code == 302
        time.sleep(1.0)
        assert both_workers_show(port, NEW)

        # The translations are now outdated.
        listing = editor.get("/staff/publishing/").get_data(as_text=True)
        row = listing.split('href="/staff/publishing/statements/2020-08-suspension/be"')[0]
        row = row.rsplit("<tr", 1)[-1] + listing.split(row, 1)[1].split("</tr>", 1)[0]
        assert row.count("outdated") >= 2, row

        # Restoring the revision before brings the old text back, on both workers.
        history = editor.get(EDITOR + "/history").get_data(as_text=True)
        restores = re.findall(rf'action="{EDITOR}/restore/(\d+)"', history)
        assert restores, "no revision to restore"
        previous = max(int(r) for r in restores)  # the newest before the published one
        restore_token = csrf_of(history)
        restored = editor.post(
            f"{EDITOR}/restore/{previous}",
            data={"restore-csrf_token": restore_token, "csrf_token": restore_token},
        )
        assert restored.status_code == 302
        time.sleep(1.0)
        assert both_workers_show(port, OLD)
        assert not any(NEW in page for page in get_on_each_worker(port, STATEMENT, WORKERS))

    with editor_app.app_context():
        events = db_session().scalars(
            select(AuditEvent).where(AuditEvent.actor_label == member.email).order_by(AuditEvent.id)
        )
        steps = [(event.action, event.detail) for event in events]
        engine().dispose()
    # Each step in the audit log, naming the page and revision, never the text.
    assert [action for action, _detail in steps] == [
        "login",
        "content published",
        "content restored",
    ]
    for _action, detail in steps[1:]:
        assert detail.startswith("statements/2020-08-suspension [en] revision "), detail
        assert NEW not in detail and OLD not in detail
