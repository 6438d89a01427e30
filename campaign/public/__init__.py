"""Public reading pages: home, statements, campaign materials, safety, privacy."""

from campaign.public.routes import bp

__all__ = ["bp"]
