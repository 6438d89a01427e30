"""Error pages of the help forms that still keep what the person typed.

- 429 (limit reached): the hotline, and the typed message shown back to copy.
- 413 (body too large): the form again, with what could be read of the body (its first
  ``MAX_CONTENT_LENGTH`` bytes are parsed, so a message is cut, never lost entirely).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import current_app, render_template, request
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from campaign.cases.vocabulary import MESSAGE_MAX
from campaign.help.forms import HelpRequestForm, ReceiptForm

KEPT_MAX = MESSAGE_MAX * 4


def salvage_form() -> MultiDict[str, str]:
    """The fields of an urlencoded body, read up to the size limit; never raises."""
    try:
        return MultiDict(request.form)
    except Exception:  # noqa: S110 - too large or unreadable: read what we can below
        pass
    if request.mimetype != "application/x-www-form-urlencoded":
        return MultiDict()
    limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0) or 256 * 1024
    try:
        prefix = request.environ["wsgi.input"].read(limit)
    except Exception:
        return MultiDict()
    pairs = parse_qsl(prefix.decode("latin-1"), encoding="utf-8", errors="replace")
    return MultiDict([(k, v[:KEPT_MAX]) for k, v in pairs])


def problem_page(code: int) -> Response | None:
    """A help page for 413/429 on the help forms; None for other cases."""
    from campaign.help.routes import private_page, render_form

    if request.blueprint != "help" or request.method != "POST" or code not in (413, 429):
        return None
    data = salvage_form()
    endpoint = request.endpoint or ""
    if code == 429:
        page = render_template(
            "help/limited.html",
            kept_message=data.get("message", "")[:KEPT_MAX],
            kept_receipt=data.get("receipt", "") if endpoint != "help.submit" else "",
            endpoint=endpoint,
        )
        response = private_page(page, 429)
        response.headers["Retry-After"] = "3600"
        return response
    if endpoint == "help.submit":
        return render_form(HelpRequestForm(formdata=data), 413, notice="too-large")
    receipt_form = ReceiptForm(formdata=None, receipt=data.get("receipt", "")[:64])
    page = render_template(
        "help/check.html",
        form=receipt_form,
        notice="too-large",
        kept=data.get("message", "")[:KEPT_MAX],
    )
    return private_page(page, 413)
