"""Module-level extension objects, initialised in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel

babel = Babel()
