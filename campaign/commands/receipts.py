"""``flask --app wsgi receipts new-pepper``: give up a lost receipt pepper, start a new one.

Only for a pepper that is lost for good (no file, no backup): the site refuses to start
while receipts depend on a missing or different pepper (``core/checks.py``). This command
says how many requests would no longer open by receipt, asks, then calls
``campaign.cases.receipts.replace_lost_pepper``.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from campaign.cases import receipts
from campaign.core.db import db_session

receipts_cli = AppGroup("receipts", help="Receipts and the receipt pepper.")


@receipts_cli.command("new-pepper")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def new_pepper(yes: bool) -> None:
    """Give up the receipts made under a lost pepper and use a new one."""
    session = db_session()
    count = receipts.count_needing_pepper(session)
    if count and not yes:
        click.confirm(
            f"{count} requests will no longer open with their receipts (staff still read "
            "them). Do this only if the old pepper cannot be restored. Continue?",
            abort=True,
        )
    try:
        lost = receipts.replace_lost_pepper(session)
    except receipts.ReceiptPepperError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from exc
    click.echo(
        f"{lost} requests can no longer be opened by receipt. The pepper in "
        f"{receipts.pepper_location()} is now used; back it up with the recovery keys."
    )
