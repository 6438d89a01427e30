"""The two private tools: "Is this abuse?" and the safety plan builder. They store nothing.

``/<lang>/home-without-abuse/is-this-abuse`` and ``/<lang>/home-without-abuse/safety-plan``:
a GET shows the form; the form is sent by POST and the answer to that POST is the result
page. The answers exist only in that request and in the page sent back:

- never in a URL: the forms use ``method="post"`` and the views read only the body
  (``request.form``), never the query string, and answer without a redirect;
- never in the database: the views touch no table (the content snapshot and the help lines
  are read as for any page);
- never in a log: nothing here logs, and the access log line of a POST holds only its path;
- never in the browser's cache or cookies: every page here is ``private_page`` (``no-store``),
  sets no cookie and is not in the page cache (``core/pagecache.py``), and the forms carry
  ``autocomplete="off"``. A result page is answered with 203, not 200: Chromium keeps even
  ``no-store`` pages in its back/forward cache, but only pages whose status is exactly 200
  (as the help layer's pages shown once: campaign/cases/viewonce.py). A POST stays in the
  tab's history, so a Back can offer to send it again; the result pages say so and ask to
  close the tab, and the quick exit replaces the page's history entry.

**No CSRF token, on purpose.** Flask-WTF's CSRF protection keeps its token in the session
cookie, and a cookie is a trace on a shared phone that these pages must not leave. CSRF
protects state-changing requests; these POSTs change nothing on the server, so a forged one
can do no harm there. What a forged cross-site POST could still do is show one of our pages
with words another site chose (the plan's free text, always escaped). So a POST that the
browser marks as cross-site (``Sec-Fetch-Site: cross-site``, sent by current browsers, never
altered by proxies) gets the empty form instead of a result. Older browsers without the
header are served as usual: the trade-off is a harmless page, against a cookie on her phone.

``private_page`` (no-store) and the salvage of a body too large to read are core's, shared
with the help forms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from flask import Flask, g, render_template, request
from flask.blueprints import BlueprintSetupState
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms.form import BaseForm

from campaign.core import inputs
from campaign.core.errors import register_problem_page
from campaign.core.security import private_page
from campaign.public.routes import MATERIALS, bp
from campaign.public.toolforms import (
    BAG,
    DOCUMENTS,
    KINDS,
    QUESTIONS,
    TEXT_MAX,
    chosen_labels,
    pattern_of,
    plan_is_empty,
    safety_plan_form,
    self_check_form,
)

SELF_CHECK = f"/<lang>/{MATERIALS}/is-this-abuse"
SAFETY_PLAN = f"/<lang>/{MATERIALS}/safety-plan"
RESULT_STATUS = 203  # kept out of the back/forward cache (module docstring)
KEPT_MAX = TEXT_MAX * 4  # what a too-large or unusable body keeps of one field

SELF_CHECK_FORM = "public/tools/self_check.html"
SAFETY_PLAN_FORM = "public/tools/safety_plan.html"


def cross_site() -> bool:
    return request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site"


def answers() -> MultiDict[str, str]:
    """The POST's body only: a query string is never read, so never shown back."""
    return MultiDict(request.form)


def _self_check_page(form: BaseForm, status: int = 200, notice: str | None = None) -> Response:
    page = render_template(SELF_CHECK_FORM, form=form, questions=QUESTIONS, notice=notice)
    return private_page(page, status)


def _safety_plan_page(form: BaseForm, status: int = 200, notice: str | None = None) -> Response:
    page = render_template(
        SAFETY_PLAN_FORM, form=form, text_max=TEXT_MAX, notice=notice, bag=BAG, documents=DOCUMENTS
    )
    return private_page(page, status)


@bp.get(SELF_CHECK)
def self_check() -> Response:
    return _self_check_page(self_check_form())


@bp.post(SELF_CHECK)
def self_check_answer() -> Response:
    if cross_site():
        return _self_check_page(self_check_form(), 400, notice="cross-site")
    form = self_check_form(answers())
    if not form.validate():
        return _self_check_page(form, 400)
    pattern = pattern_of(form)
    if not pattern.answered:
        return _self_check_page(form, notice="no-answers")
    g.alternate_endpoint = "public.self_check"
    page = render_template("public/tools/self_check_answer.html", pattern=pattern, kinds=KINDS)
    return private_page(page, RESULT_STATUS)


@bp.get(SAFETY_PLAN)
def safety_plan() -> Response:
    return _safety_plan_page(safety_plan_form())


@bp.post(SAFETY_PLAN)
def safety_plan_result() -> Response:
    if cross_site():
        return _safety_plan_page(safety_plan_form(), 400, notice="cross-site")
    form = safety_plan_form(answers())
    if not form.validate():
        return _safety_plan_page(form, 400)
    if request.form.get("change"):  # "Change the plan" on the result page: the form, filled
        return _safety_plan_page(form, RESULT_STATUS)
    if plan_is_empty(form):
        return _safety_plan_page(form, notice="empty")
    g.alternate_endpoint = "public.safety_plan"
    page = render_template(
        "public/tools/safety_plan_result.html",
        form=form,
        bag=chosen_labels(form, "bag"),
        documents=chosen_labels(form, "documents"),
    )
    return private_page(page, RESULT_STATUS)


# Errors raised before the view runs (a body over MAX_CONTENT_LENGTH: 413; control
# characters: core/inputs.py's 400) still show the form with what she wrote.

FORMS: dict[str, tuple[Callable[[MultiDict[str, str]], BaseForm], Callable[..., Response]]] = {
    "public.self_check_answer": (self_check_form, _self_check_page),
    "public.safety_plan_result": (safety_plan_form, _safety_plan_page),
}


def problem_page(code: int) -> Response | None:
    """The tool's form again, keeping the text, for a 413 or for unusable characters."""
    tool = FORMS.get(request.endpoint or "")
    if tool is None or request.method != "POST":
        return None
    if code == 400 and inputs.rejected():
        notice = "unusable-characters"
    elif code == 413:
        notice = "too-large"
    else:
        return None
    make_form, show = tool
    kept = inputs.salvage_usable_form(KEPT_MAX)
    form = make_form(kept)
    form.validate()  # a field too long says so beside it
    return show(form, code, notice=notice)


@bp.record_once
def _register_problem_page(state: BlueprintSetupState) -> None:
    register_problem_page(cast(Flask, state.app), problem_page)
