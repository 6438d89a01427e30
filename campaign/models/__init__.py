"""Typed SQLAlchemy 2.0 models, one module per aggregate."""

from campaign.models.base import Base
from campaign.models.help_request import HelpRequest, RequestMessage, RequestStatus
from campaign.models.installation import InstallationSecret
from campaign.models.team import RoutingRule, Team

__all__ = [
    "Base",
    "HelpRequest",
    "InstallationSecret",
    "RequestMessage",
    "RequestStatus",
    "RoutingRule",
    "Team",
]
