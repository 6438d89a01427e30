"""The staff area in each member's language: chosen on the account page (audited, in effect
on the very next page), copied from the invitation, else Accept-Language, else the default;
pages, a form error, a flash and the 403 / 404 pages in that language; URLs without one.

(The notification mail in the recipient's language: tests/maintenance/test_notifications.py.)
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from campaign.cases import accounts
from campaign.core.db import db_session
from campaign.models import AuditEvent, Invitation, StaffUser
from tests.staff.staffclient import accept_invitation, login, make_member, post_form

# What each language's pages must say (from the catalogues, as a member reads them).
WORDS = {
    "be": {
        "saved": "Захавана. Цяпер раздзел для супрацоўнікаў паказваецца на выбранай мове.",
        "account": "<h1>Мой уліковы запіс</h1>",
        "inbox_nav": ">Уваходныя</a>",
        "publishing": "<h1>Публікацыі</h1>",
        "published": ">апублікавана</span>",
        "required": "Запоўніце гэтае поле.",
        "not_found": "<h1>Не знойдзена</h1>",
        "forbidden": "<h1>Няма доступу</h1>",
        "log_out": ">Выйсці</button>",
    },
    "ru": {
        "saved": "Сохранено. Теперь раздел для сотрудников показывается на выбранном языке.",
        "account": "<h1>Моя учётная запись</h1>",
        "inbox_nav": ">Входящие</a>",
        "publishing": "<h1>Публикации</h1>",
        "published": ">опубликовано</span>",
        "required": "Заполните это поле.",
        "not_found": "<h1>Не найдено</h1>",
        "forbidden": "<h1>Нет доступа</h1>",
        "log_out": ">Выйти</button>",
    },
}


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == status, (url, html[:2000])
    return html


def choose_language(client: FlaskClient, lang: str) -> str:
    """Pick the language on the account page as a member would; the page it leads to."""
    sent = post_form(client, "/staff/account", "/staff/account", {"lg-language": lang}, "lg")
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/staff/account")
    return page(client, "/staff/account")


@pytest.mark.parametrize("lang", ["be", "ru"])
def test_a_member_works_in_the_language_saved_on_their_account(
    db_app: Flask, team_key: str, lang: str
) -> None:
    words = WORDS[lang]
    admin = make_member(db_app, f"admin-{lang}@example.org", "admin")
    client = db_app.test_client()
    assert login(db_app, client, admin).status_code == 302
    assert '<html lang="en">' in page(client, "/staff/account")  # the test default first

    # Saved on the account page: the very next page, and its flash, are in that language.
    account = choose_language(client, lang)
    assert f'<html lang="{lang}">' in account
    for key in ("saved", "account", "inbox_nav", "log_out"):
        assert words[key] in account, key
    with db_app.app_context():
        user = db_session().get(StaffUser, admin.id)
        assert user is not None and user.language == lang
        audited = db_session().scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "language-changed")
        )
        assert list(audited) == [lang]

    # The inbox and the publishing list (with its state words), at language-free URLs.
    assert f'<html lang="{lang}">' in page(client, "/staff/")
    publishing = page(client, "/staff/publishing/")
    assert words["publishing"] in publishing and words["published"] in publishing

    # A form error: the password form sent empty.
    refused = post_form(
        client, "/staff/account", "/staff/account", {"pw-current": "", "pw-new": ""}, "pw"
    ).get_data(as_text=True)
    assert words["required"] in refused

    # 404 (an address that does not exist) and 403 (a caseworker on an admin page).
    assert words["not_found"] in page(client, "/staff/publishing/statements/none/en", 404)
    caseworker = make_member(db_app, f"worker-{lang}@example.org")
    with db_app.app_context():
        worker = db_session().get(StaffUser, caseworker.id)
        assert worker is not None
        accounts.set_language(db_session(), worker, lang)
    other = db_app.test_client()
    assert login(db_app, other, caseworker).status_code == 302
    assert words["forbidden"] in page(other, "/staff/admin/users", 403)

    # "As my browser asks": back to Accept-Language (English here), saved as no language.
    other_html = choose_language(client, "")
    assert '<html lang="en">' in other_html and "<h1>My account</h1>" in other_html
    with db_app.app_context():
        user = db_session().get(StaffUser, admin.id)
        assert user is not None and user.language is None


def test_before_login_the_browser_decides_then_the_default(db_app: Flask) -> None:
    client = db_app.test_client()
    russian = client.get(
        "/staff/login", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}
    ).get_data(as_text=True)
    assert '<html lang="ru">' in russian and "<h1>Вход</h1>" in russian
    assert "Код из приложения-аутентификатора" in russian  # a form label
    belarusian = client.get("/staff/login", headers={"Accept-Language": "be"}).get_data(
        as_text=True
    )
    assert '<html lang="be">' in belarusian and "<h1>Уваход</h1>" in belarusian
    # No language the site offers: STAFF_DEFAULT_LANGUAGE, else DEFAULT_LANGUAGE (be).
    db_app.config["STAFF_DEFAULT_LANGUAGE"] = None
    fallback = client.get("/staff/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="be">' in fallback
    # A refused login answers in that language too (no Accept-Language: the default, be).
    refused = post_form(
        client,
        "/staff/login",
        "/staff/login",
        {"email": "nobody@example.org", "password": "x" * 12, "code": "123456"},
    )
    assert refused.status_code == 200
    assert "Электронная пошта, пароль або код няправільныя" in refused.get_data(as_text=True)


def test_the_language_chosen_in_the_invitation_becomes_the_members(
    db_app: Flask, team_key: str
) -> None:
    with db_app.app_context():
        token = accounts.create_invitation(
            db_session(), by=None, email="new@example.org", name="Volha"
        )
        invitation = db_session().scalars(select(Invitation)).one()
        invitation.language = "ru"  # the admin's invite form sets it (admin pages)
        db_session().commit()
    client = db_app.test_client()
    enrolled = accept_invitation(client, token)
    assert enrolled.response.status_code == 302, enrolled.response.get_data(as_text=True)[:2000]
    with db_app.app_context():
        user = (
            db_session()
            .scalars(select(StaffUser).where(StaffUser.email == "new@example.org"))
            .one()
        )
        assert user.language == "ru"
