"""Module-level extension objects, initialised in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter

from campaign.ratelimit import network_key

babel = Babel()
limiter = Limiter(key_func=network_key)
