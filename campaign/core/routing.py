"""URL rules whose URL builders are made once per process, not once per app.

When a rule is added to an app, Werkzeug writes two small Python functions for it (building
its URL with and without extra query arguments) as an AST and compiles them: about nine
tenths of ``create_app``'s time (61 rules, about 35 ms of 40 on the 2-core machine), paid
again by every app the test suite builds. Those functions depend only on the rule's text,
its parsed parts and its defaults (they reach the app's converters through ``self`` when
called), so two apps with the same rule can share them: this ``Rule`` keeps the first one
made for each such key and binds it to every later rule, exactly as Werkzeug binds its own.

Rules whose defaults fill one of their own variables (Werkzeug folds the converted default
into the code) or whose defaults cannot be a key are compiled as Werkzeug always does.
``tests/test_routing.py`` checks that every rule of the app builds the same URLs either way,
and that the Werkzeug method overridden here still has the signature relied on.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import Flask
from werkzeug.routing import Rule as WerkzeugRule

Builder = Callable[..., tuple[str, str]]

_BUILDERS: dict[Hashable, Builder] = {}


class Rule(WerkzeugRule):
    """Werkzeug's rule, its compiled URL builders shared between apps of this process."""

    def _builder_key(self, append_unknown: bool) -> Hashable | None:
        defaults = self.defaults or {}
        if any(is_dynamic and data in defaults for is_dynamic, data in self._trace):
            return None
        try:
            key = (self.rule, tuple(self._trace), append_unknown, tuple(sorted(defaults.items())))
            hash(key)
        except TypeError:
            return None
        return key

    def _compile_builder(self, append_unknown: bool = True) -> Builder:
        key = self._builder_key(append_unknown)
        if key is None:
            return super()._compile_builder(append_unknown)
        builder = _BUILDERS.get(key)
        if builder is None:
            builder = _BUILDERS[key] = super()._compile_builder(append_unknown)
        return builder


def shared_builders() -> int:
    """How many builders this process keeps (for tests)."""
    return len(_BUILDERS)


def init_app(app: Flask) -> None:
    """Make the app's rules of this kind (call before the blueprints are registered)."""
    app.url_rule_class = Rule
