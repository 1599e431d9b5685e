"""Roles a user can hold in a partnership, and what each role may do.

A user holds roles per partnership (``partnerships.RoleAssignment``); a person can hold different
roles in several partnerships. Permissions are *capabilities* granted by roles; the ``rules``
predicates in each app ask for a capability in the object's partnership. Grep for a capability
name (e.g. ``"partnerships.manage"``) to find every place that relies on it.
"""

from django.db import models


class Role(models.TextChoices):
    BUSINESS_MANAGER = "business_manager", "Business manager"
    BUSINESS_UNIT_OFFICER = "business_unit_officer", "Business unit officer"
    BOARD_MEMBER = "board_member", "Board member"
    AGENCY_DATA_LEAD = "agency_data_lead", "Agency data lead"
    ANALYST = "analyst", "Performance analyst"
    QA_OFFICER = "qa_officer", "Quality assurance officer"
    CDOP_COORDINATOR = "cdop_coordinator", "Child death review coordinator"
    TRAINING_COORDINATOR = "training_coordinator", "Training coordinator"
    READ_ONLY = "read_only", "Read only"


class Capability(models.TextChoices):
    VIEW_WORKSPACE = "workspace.view", "See the partnership's workspace"
    MANAGE_PARTNERSHIP = "partnerships.manage", "Edit the partnership, agencies, boards, people and contacts"
    MANAGE_ROLES = "partnerships.manage_roles", "Give and remove users' roles"
    VIEW_AUDIT = "audit.view", "Read the audit log"
    USE_API = "api.use", "Use the API with a personal access token"
    EDIT_PROCEDURES = "procedures.edit", "Write chapters and amendment releases of the procedures manual"
    REVIEW_PROCEDURES = "procedures.review", "Preview and review chapters and releases before they go live"
    MANAGE_DOCUMENTS = "documents.manage", "Add, update and retire documents in the library"
    MANAGE_SUBSCRIPTIONS = "subscriptions.manage", "See and manage practitioners subscribed to updates"
    VIEW_INDICATORS = "indicators.view", "Read the child protection process review and indicators"
    IMPORT_EXTRACTS = "extracts.import", "Import statutory extracts (CIN census, Annex A), populations and benchmarks"
    VIEW_CHILD_DATA = "extracts.view_child_data", "See child-level records from statutory extracts (every read audited)"
    MANAGE_RETURNS = "returns.manage", "Define the data set, open return periods, reopen and chase agencies' returns"
    SUBMIT_RETURNS = "returns.submit", "Fill in and submit the returns of the agency the user is data lead for"


_ALL_STAFF = {Capability.VIEW_WORKSPACE, Capability.USE_API, Capability.VIEW_INDICATORS}
_BUSINESS_UNIT = {
    Capability.MANAGE_PARTNERSHIP,
    Capability.EDIT_PROCEDURES,
    Capability.REVIEW_PROCEDURES,
    Capability.MANAGE_DOCUMENTS,
    Capability.MANAGE_SUBSCRIPTIONS,
    Capability.MANAGE_RETURNS,
}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.BUSINESS_MANAGER: frozenset(_ALL_STAFF | _BUSINESS_UNIT | {Capability.MANAGE_ROLES, Capability.VIEW_AUDIT}),
    Role.BUSINESS_UNIT_OFFICER: frozenset(_ALL_STAFF | _BUSINESS_UNIT),
    Role.BOARD_MEMBER: frozenset(_ALL_STAFF | {Capability.REVIEW_PROCEDURES}),
    Role.AGENCY_DATA_LEAD: frozenset(_ALL_STAFF | {Capability.SUBMIT_RETURNS}),
    # Child-level data from statutory extracts is for the analyst role only (issue 5).
    Role.ANALYST: frozenset(
        _ALL_STAFF | {Capability.IMPORT_EXTRACTS, Capability.VIEW_CHILD_DATA, Capability.MANAGE_RETURNS}
    ),
    Role.QA_OFFICER: frozenset(_ALL_STAFF | {Capability.REVIEW_PROCEDURES, Capability.MANAGE_DOCUMENTS}),
    Role.CDOP_COORDINATOR: frozenset(_ALL_STAFF),
    Role.TRAINING_COORDINATOR: frozenset(_ALL_STAFF | {Capability.MANAGE_DOCUMENTS}),
    Role.READ_ONLY: frozenset({Capability.VIEW_WORKSPACE, Capability.VIEW_INDICATORS}),
}


def capabilities_for(roles: set[str]) -> frozenset[str]:
    caps: set[str] = set()
    for role in roles:
        caps |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(caps)
