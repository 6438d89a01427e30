"""The audit log: one content-free entry per view of content and per action on a request.

The entry names the staff member who acted; ``actor=None`` is an operator's ``flask``
command (or ``label`` says which scheduled job, e.g. "system" for the purge). The writing
itself lives with the model (``campaign.models.audit.record``), so that publishing
(campaign/content) records its actions the same way.
"""

from __future__ import annotations

from campaign.models.audit import OPERATOR, SYSTEM, record

__all__ = ["OPERATOR", "SYSTEM", "record"]
