"""Public reading pages: home, statements, campaign materials, safety, privacy; and the two
private tools that store nothing (``tools``: "Is this abuse?" and the safety plan)."""

from campaign.public import tools  # noqa: F401  (registers the tools' routes on bp)
from campaign.public.routes import bp

__all__ = ["bp"]
