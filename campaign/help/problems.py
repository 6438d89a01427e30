"""Error pages of the help forms that still keep what the person typed.

- 429 (limit reached): the hotline, and the typed message shown back to copy (never a
  receipt); the CSRF token is spent, so a Reload of the page an hour later sends nothing.
- 413 (body too large): the form again, with what could be read of the body (its first
  ``MAX_CONTENT_LENGTH`` bytes are parsed, so a message is cut, never lost entirely).
- 400 for unusable (control) characters (``campaign.core.inputs``): the form again with
  the text minus those characters; on the receipt pages, the receipt form with the
  message shown back to copy, as for 413.
"""

from __future__ import annotations

from flask import render_template, request
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from campaign.cases.vocabulary import MESSAGE_MAX
from campaign.core import inputs
from campaign.core.security import private_page
from campaign.help.forms import HelpRequestForm, ReceiptForm

KEPT_MAX = MESSAGE_MAX * 4


def _typed_receipt(data: MultiDict[str, str]) -> str:
    """The receipt to show back: only one she typed (the receipt form), never the thread
    form's hidden one (the page would show her receipt to whoever reloads it)."""
    return data.get("receipt", "")[:64] if request.endpoint == "help.check_post" else ""


def problem_page(code: int) -> Response | None:
    """A help page for 413/429 on the help forms; None for other cases."""
    from campaign.help.routes import render_form, spend_csrf_token

    if request.blueprint != "help" or request.method != "POST":
        return None
    if code == 400 and inputs.rejected():
        return unusable_characters_page()
    if code not in (413, 429):
        return None
    data = inputs.salvage_form(KEPT_MAX)
    endpoint = request.endpoint or ""
    if code == 429:
        # The same body would pass in an hour: a Reload of this page must then fail CSRF
        # (campaign/cases/viewonce.py). No receipt is shown: a Reload within the hour would
        # show it again to whoever holds the phone.
        spend_csrf_token()
        page = render_template(
            "help/limited.html",
            kept_message=data.get("message", "")[:KEPT_MAX],
            endpoint=endpoint,
        )
        response = private_page(page, 429)
        response.headers["Retry-After"] = "3600"
        return response
    if endpoint == "help.submit":
        return render_form(HelpRequestForm(formdata=data), 413, notice="too-large")
    receipt_form = ReceiptForm(formdata=None, receipt=_typed_receipt(data))
    page = render_template(
        "help/check.html",
        form=receipt_form,
        notice="too-large",
        kept=data.get("message", "")[:KEPT_MAX],
    )
    return private_page(page, 413)


def unusable_characters_page() -> Response:
    """The help form (or the receipt form) again, its text without the unusable characters."""
    from campaign.help.routes import render_form

    data = inputs.salvage_usable_form(KEPT_MAX)
    if request.endpoint == "help.submit":
        return render_form(HelpRequestForm(formdata=data), 400, notice="unusable-characters")
    receipt_form = ReceiptForm(formdata=None, receipt=_typed_receipt(data))
    page = render_template(
        "help/check.html",
        form=receipt_form,
        notice="unusable-characters",
        kept=data.get("message", ""),
    )
    return private_page(page, 400)
