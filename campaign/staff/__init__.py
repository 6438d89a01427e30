"""Staff: login with TOTP, inbox, request view and actions, admin pages (under /staff/)."""

from campaign.staff.blueprint import bp

__all__ = ["bp"]
