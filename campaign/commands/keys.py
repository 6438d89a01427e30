"""Key commands: ``flask --app wsgi rotate-secret`` (after SECRET_KEY has changed).

Rotating SECRET_KEY (docs/deploy.md): set the new key as SECRET_KEY and the old one in
SECRET_KEY_FALLBACKS on every host, restart, run this command, and remove the old key
once the longest-lived signature it made has expired. The work is
``campaign.cases.keyring.rotate_server_secrets``.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from campaign.cases import keyring
from campaign.core.db import db_session


@click.command("rotate-secret")
@with_appcontext
def rotate_secret_command() -> None:
    """Re-encrypt every TOTP seed under SECRET_KEY (older keys: SECRET_KEY_FALLBACKS)."""
    result = keyring.rotate_server_secrets(db_session())
    click.echo(
        f"TOTP seeds: {result.reencrypted} re-encrypted under SECRET_KEY, "
        f"{result.current} already under it."
    )
    if result.unreadable_invitations:
        click.echo(
            f"{result.unreadable_invitations} invitation link(s) not used yet had a seed no key "
            "opens; they still work and offer a new seed."
        )
    if result.unreadable_members:
        names = ", ".join(result.unreadable_members)
        click.echo(
            f"No key in SECRET_KEY or SECRET_KEY_FALLBACKS opens the TOTP seed of: {names}. "
            "Put the key they were made with back in SECRET_KEY_FALLBACKS and run this "
            "again, or have an admin use 'Reset two-factor' for each on the Users page.",
            err=True,
        )
        raise SystemExit(1)
    click.echo("The older keys are no longer needed for stored data.")
