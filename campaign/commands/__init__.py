"""Every ``flask --app wsgi ...`` operator command, grouped as the README's command table.

- ``setup``: ``init``, ``db upgrade | downgrade | current``, ``check``
- ``teams``: ``team create | list | set-default``, ``routing list | add | move | remove``
- ``staff``: ``staff create-admin | grant``
- ``maintenance``: ``outbox send | status``, ``purge``
- ``keys``: ``rotate-secret``
- ``receipts``: ``receipts new-pepper``
- ``content``: ``content import | export | status``

Commands call the same functions in ``campaign.cases`` and ``campaign.content`` as the staff
pages do; they never import a web layer.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from campaign.commands import content, keys, maintenance, receipts, setup, staff, teams

    for command in (
        setup.init_command,
        setup.db_cli,
        setup.check_command,
        keys.rotate_secret_command,
        teams.team_cli,
        teams.routing_cli,
        staff.staff_cli,
        maintenance.outbox_cli,
        maintenance.purge_command,
        receipts.receipts_cli,
        content.content_cli,
    ):
        app.cli.add_command(command)
