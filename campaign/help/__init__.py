"""Help: hotline and emergency numbers, the anonymous help request, follow-up by receipt."""

from campaign.help.routes import bp

__all__ = ["bp"]
