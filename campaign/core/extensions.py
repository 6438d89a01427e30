"""Module-level extension objects, initialised in ``create_app``.

The rate limiter is made per app in ``campaign.core.ratelimit.init_app`` (see there why).
"""

from __future__ import annotations

from flask_babel import Babel

babel = Babel()
