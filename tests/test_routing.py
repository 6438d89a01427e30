"""URL builders shared between apps (``campaign.core.routing``) build what Werkzeug's own do."""

from __future__ import annotations

import inspect
import re
from types import MethodType
from typing import Any, cast

from flask import Flask
from werkzeug.routing import Map
from werkzeug.routing import Rule as WerkzeugRule

from campaign import create_app
from campaign.core import routing
from tests.conftest import TEST_CONFIG

# A value for each kind of variable the app's rules have, tried in turn until one matches
# the converter; awkward ones on purpose (quoting, non-ASCII, a path with slashes).
CANDIDATES = ("42", "be", "a b/ü-c", "x")
EXTRA = {"next": "/be/help/?a=1&b=2", "ё": "ü"}  # query arguments the rule does not name


def sample_values(rule: WerkzeugRule) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, converter in rule._converters.items():
        for candidate in CANDIDATES:
            if re.fullmatch(converter.regex, candidate):
                values[name] = converter.to_python(candidate)
                break
        else:
            raise AssertionError(f"no sample value for {name} in {rule.rule}")
    return values


def test_every_rule_builds_the_same_urls_as_werkzeugs_own(read_only_app: Flask) -> None:
    rules = list(read_only_app.url_map.iter_rules())
    assert rules and all(isinstance(r, routing.Rule) for r in rules if r.endpoint != "static")
    plain = Map(
        [
            WerkzeugRule(r.rule, endpoint=r.endpoint, defaults=r.defaults, methods=r.methods)
            for r in rules
        ],
        converters=read_only_app.url_map.converters,
    )
    ours = read_only_app.url_map.bind("campaign.example")
    theirs = plain.bind("campaign.example")
    for rule in rules:
        values = sample_values(rule)
        method = sorted(rule.methods or {"GET"})[0]
        for extra in ({}, EXTRA):
            asked = {**values, **extra}
            built = ours.build(rule.endpoint, asked, method=method)
            assert built == theirs.build(rule.endpoint, asked, method=method), rule.rule
            full = ours.build(rule.endpoint, asked, method=method, force_external=True)
            assert full == theirs.build(rule.endpoint, asked, method=method, force_external=True)


def test_a_second_app_reuses_the_first_apps_builders(read_only_app: Flask) -> None:
    """The builders are the same function objects (compiled once), bound to each rule."""
    kept = routing.shared_builders()
    other = create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite://"})
    assert routing.shared_builders() == kept
    first = {r.rule: r for r in read_only_app.url_map.iter_rules()}
    for rule in other.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        twin = first[rule.rule]
        ours, theirs = cast(MethodType, rule._build), cast(MethodType, twin._build)
        assert ours.__func__ is theirs.__func__, rule.rule
        assert ours.__self__ is rule


def test_werkzeugs_builder_method_is_still_the_one_overridden() -> None:
    """A Werkzeug upgrade that renames or reshapes it must fail here, not in a page."""
    signature = inspect.signature(WerkzeugRule._compile_builder)
    assert list(signature.parameters) == ["self", "append_unknown"]
    assert "_trace" in inspect.getsource(WerkzeugRule._compile_builder)
