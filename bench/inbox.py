"""Benchmark: the staff inbox page with 10,000 requests on PostgreSQL (target < 100 ms).

Fills a fresh PostgreSQL schema with N requests (bulk insert; the inbox never decrypts, so
their ciphertext is random bytes of realistic size), logs a caseworker in, and times the
inbox page through the full Flask stack, first with an empty team as the baseline in the
same run, then for the default view, a filtered view and a deep page.

    python bench/inbox.py [--requests 10000] [--runs 30] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nacl.utils import random as random_bytes
from sqlalchemy import insert, select, text

from campaign import create_app
from campaign.cases.teams import create_team
from campaign.cases.vocabulary import CATEGORY_VALUES, LANGUAGE_VALUES, REGION_VALUES
from campaign.core import migrate
from campaign.core.db import db_session, engine
from campaign.models import HelpRequest, TeamMembership
from devtools.postgres import postgres_schema
from devtools.staff import login, make_member

FAST_ARGON2 = {
    "STAFF_PASSWORD_TIME_COST": 1,
    "STAFF_PASSWORD_MEMORY_KIB": 8192,
    "STAFF_KEY_TIME_COST": 1,
    "STAFF_KEY_MEMORY_KIB": 8192,
}


def fill(team_id: int, count: int, assignee: int) -> None:
    now = dt.datetime.now(dt.UTC)
    rng = random.Random(7)
    rows = []
    for i in range(count):
        created = now - dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 180))
        rows.append(
            {
                "team_id": team_id,
                "category": rng.choice(CATEGORY_VALUES),
                "region": rng.choice(REGION_VALUES),
                "language": rng.choice(LANGUAGE_VALUES),
                "status": rng.choice(["new", "open", "waiting", "closed", "closed"]),
                "receipt_hash": random_bytes(32),
                "thread_key_for_team": random_bytes(80),
                "thread_key_for_receipt": random_bytes(72),
                "contact_sealed": random_bytes(120),
                "created_at": created,
                "last_activity_at": created + dt.timedelta(hours=rng.randrange(0, 48)),
                "assignee_id": assignee if i % 5 == 0 else None,
            }
        )
    for start in range(0, len(rows), 2000):
        db_session().execute(insert(HelpRequest), rows[start : start + 2000])
    db_session().commit()


def timed(client: object, url: str, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    with postgres_schema("bench_") as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", **FAST_ARGON2})
        with app.app_context():
            migrate.upgrade(engine())
            team, _key = create_team(db_session(), "Hotline", default=True)
            empty_team, _ = create_team(db_session(), "Empty")
            team_id, empty_id = team.id, empty_team.id
        member = make_member(app, "bench@example.org")
        with app.app_context():
            dbs = db_session()
            dbs.add(TeamMembership(team_id=team_id, user_id=member.id))
            dbs.add(TeamMembership(team_id=empty_id, user_id=member.id))
            dbs.commit()
            fill(team_id, args.requests, member.id)
            total = len(dbs.scalars(select(HelpRequest.id)).all())
            dbs.execute(text("ANALYZE"))
            dbs.commit()
        client = app.test_client()
        assert login(app, client, member).status_code == 302
        print(f"PostgreSQL, {total} requests, {args.runs} runs each (median / p95)")
        cases = [
            ("baseline: empty team", f"/staff/?team={empty_id}"),
            ("inbox default view", "/staff/"),
            ("all statuses, by activity", "/staff/?status=all&sort=activity"),
            ("filtered: mine, physical", "/staff/?who=mine&category=physical"),
            ("deep page 60", "/staff/?status=all&page=60"),
        ]
        for label, path in cases:
            timed(client, path, 3)  # warm-up
            median, p95 = timed(client, path, args.runs)
            print(f"{label:<30}{median:7.1f} ms {p95:7.1f} ms")
        with app.app_context():
            engine().dispose()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
