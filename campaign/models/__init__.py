"""Typed SQLAlchemy 2.0 models, one module per aggregate."""

from campaign.models.audit import AuditEvent
from campaign.models.base import Base
from campaign.models.content import (
    ContentItem,
    ContentLanguage,
    ContentRevision,
    ContentVersion,
    Helpline,
    HelplineStatus,
)
from campaign.models.help_request import HelpRequest, RequestMessage, RequestStatus
from campaign.models.installation import InstallationSecret
from campaign.models.note import InternalNote
from campaign.models.outbox import OutboxMail
from campaign.models.saved_reply import SavedReply
from campaign.models.staff import Invitation, Role, StaffSession, StaffUser, TeamMembership
from campaign.models.team import RoutingRule, Team
from campaign.models.throttle import LoginThrottle
from campaign.models.view_once import OneTimeView

__all__ = [
    "AuditEvent",
    "Base",
    "ContentItem",
    "ContentLanguage",
    "ContentRevision",
    "ContentVersion",
    "HelpRequest",
    "Helpline",
    "HelplineStatus",
    "InstallationSecret",
    "InternalNote",
    "Invitation",
    "LoginThrottle",
    "OneTimeView",
    "OutboxMail",
    "RequestMessage",
    "RequestStatus",
    "Role",
    "RoutingRule",
    "SavedReply",
    "StaffSession",
    "StaffUser",
    "Team",
    "TeamMembership",
]
