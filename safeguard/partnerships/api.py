"""API for the partnerships module: the same selectors, services and rules as the web pages.

Reads go through ``selectors`` (so another partnership's record is a 404); writes go through
``services`` (so the API enforces exactly the rules the web forms do). Related records are named by
id (``parent_id``, ``agency_id`` ...) and must be records the token's user can see.

Updates are PATCH requests carrying ``version``: the version the client last read. If someone has
saved the record since, nothing is written and the answer is 409 with the current version.
"""

import datetime as dt
from typing import Annotated, ClassVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import AfterValidator, ConfigDict, StringConstraints, field_validator

from safeguard.api.errors import READ_ERRORS, WRITE_ERRORS, ErrorOut

from . import selectors, services
from .choices import GroupKind, MeetingFrequency, MembershipRole, Sector

# Ids are kept within the range every database and JSON client handles exactly.
MAX_ID = 2**53 - 1
MAX_VERSION = 2**31 - 1
MAX_SMALL = 32767  # PositiveSmallIntegerField


def _storable_text(value: str) -> str:
    """Text the database can store: no NUL characters, valid UTF-8."""
    if "\x00" in value:
        raise ValueError("Remove the NUL character (\\u0000): text cannot contain it.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Send text as valid UTF-8: this value contains an unpaired surrogate.") from None
    return value


def _text(max_length: int | None = None):
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_storable_text)]


Text40 = _text(40)
Text100 = _text(100)
Text200 = _text(200)
Text254 = _text(254)
Text300 = _text(300)
LongText = _text(20000)
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[
    int, Field(ge=1, le=MAX_VERSION, description="The version you read. A stale version is refused with 409.")
]
SmallNumber = Annotated[int, Field(ge=0, le=MAX_SMALL)]


def _path_id(description: str):
    return Path(..., ge=1, le=MAX_ID, description=description)


def _filter_id(description: str):
    return Query(None, ge=1, le=MAX_ID, description=description)


def _filter(description: str):
    return Query(None, description=description)


SECTOR_FILTER = _filter("Only agencies in this sector.")
KIND_FILTER = _filter("Only boards, or only sub-groups.")


class Pagination(LimitOffsetPagination):
    """``limit`` (1 to 200, default 50) and ``offset``; the answer has ``items`` and ``count``."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200, description="How many records to return, from 1 to 200.")
        offset: int = Field(0, ge=0, le=MAX_ID, description="How many records to skip.")

    def __init__(self, **kwargs):
        super().__init__(max_limit=200, **kwargs)


def _document_nulls(schema: dict, model) -> None:
    """In the OpenAPI schema, offer ``null`` only for the fields that accept it."""
    for name, prop in schema.get("properties", {}).items():
        options = prop.get("anyOf")
        if name in model.nullable_fields or not options:
            continue
        rest = [option for option in options if option != {"type": "null"}]
        if len(rest) == 1:
            del prop["anyOf"]
            prop.update(rest[0])


class PatchSchema(Schema):
    """A partial update: send only the fields to change, with ``version``.

    A field left out keeps its value. ``null`` is allowed only where the field can be empty
    (``nullable_fields``); elsewhere it is refused rather than silently ignored.
    """

    model_config = ConfigDict(json_schema_extra=_document_nulls)
    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_allowed(cls, value, info):
        if value is None and info.field_name not in cls.nullable_fields:
            raise ValueError("This field cannot be null: leave it out to keep the current value.")
        return value


# Service field names -> API field names, so a service's error names the field the client sent.
_API_FIELD = {
    "partnership": "partnership_id",
    "parent": "parent_id",
    "agency": "agency_id",
    "reports_to": "reports_to_id",
    "representing": "representing_id",
    "group": "group_id",
    "person": "person_id",
    "shared_with": "shared_with_ids",
}

# API reference fields -> (service field, selector, what to call it in a message).
_REFERENCES = {
    "parent_id": ("parent", selectors.agency_get, "agency"),
    "agency_id": ("agency", selectors.agency_get, "agency"),
    "representing_id": ("representing", selectors.agency_get, "agency"),
    "reports_to_id": ("reports_to", selectors.group_get, "group"),
    "group_id": ("group", selectors.group_get, "group"),
    "person_id": ("person", selectors.person_get, "person"),
    "partnership_id": ("partnership", selectors.partnership_get, "partnership"),
}


def _get(selector, user, pk):
    """One record through its selector; a record the user cannot see is a 404."""
    try:
        return selector(user=user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


def _service_data(payload: Schema, user, *, partial: bool) -> dict:
    """The payload as service keyword arguments: referenced ids become records the user can see."""
    raw = payload.dict(exclude_unset=partial, exclude={"version"})
    data, errors = {}, {}
    for key, value in raw.items():
        if key == "shared_with_ids":
            data["shared_with"] = _shared_with(value, errors)
        elif key in _REFERENCES:
            name, selector, label = _REFERENCES[key]
            if value is None:
                data[name] = None
                continue
            try:
                data[name] = selector(user=user, pk=value)
            except ObjectDoesNotExist:
                errors[key] = f"There is no {label} with id {value} that you can see. Check the id."
        else:
            data[key] = value
    if errors:
        raise ValidationError(errors)
    return data


def _shared_with(ids: list[int], errors: dict) -> list:
    partnerships = list(selectors.public_partnerships().filter(pk__in=ids))
    missing = sorted(set(ids) - {p.pk for p in partnerships})
    if missing:
        errors["shared_with_ids"] = f"There is no active partnership with id {', '.join(map(str, missing))}."
    return partnerships


def _call(service, **kwargs):
    """Call a service, renaming the fields in its validation errors to the API's field names."""
    try:
        return service(**kwargs)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {_API_FIELD.get(field, field): errors for field, errors in exc.error_dict.items()}
        ) from None


# --- Partnerships -----------------------------------------------------------------------------
router = Router(tags=["Partnerships"])


class PartnershipOut(Schema):
    id: int
    name: str
    slug: str
    short_name: str
    description: str
    local_authority_code: str
    email: str
    phone: str
    address: str
    is_active: bool
    version: int


class PartnershipPatch(PatchSchema):
    version: Version
    name: Text200 | None = None
    slug: Annotated[str, StringConstraints(max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")] | None = Field(
        None, description="Letters, numbers, hyphens and underscores; used in the public site address."
    )
    short_name: Text40 | None = None
    description: LongText | None = None
    local_authority_code: Annotated[str, StringConstraints(pattern=r"^(\d{3})?$")] | None = Field(
        None, description="The three-digit local authority (LEA) code, for example 830, or empty."
    )
    email: Text254 | None = None
    phone: Text40 | None = None
    address: LongText | None = None


@router.get("/", response=list[PartnershipOut], summary="List partnerships")
@paginate(Pagination)
def list_partnerships(request):
    """The partnerships where you hold a role (every partnership for an installation administrator)."""
    return selectors.partnership_list(user=request.user).order_by("name", "pk")


@router.get("/{int:partnership_id}", response={200: PartnershipOut, **READ_ERRORS}, summary="Get a partnership")
def get_partnership(request, partnership_id: int = _path_id("The partnership's id.")):
    return _get(selectors.partnership_get, request.user, partnership_id)


@router.patch("/{int:partnership_id}", response={200: PartnershipOut, **WRITE_ERRORS}, summary="Change a partnership")
def update_partnership(request, payload: PartnershipPatch, partnership_id: int = _path_id("The partnership's id.")):
    """Change the partnership's details. Needs the business manager or business unit officer role."""
    partnership = _get(selectors.partnership_get, request.user, partnership_id)
    data = _service_data(payload, request.user, partial=True)
    return _call(
        services.partnership_update,
        partnership=partnership,
        by=request.user,
        expected_version=payload.version,
        **data,
    )


# --- Agencies ---------------------------------------------------------------------------------
agencies_router = Router(tags=["Agencies"])


class AgencyOut(Schema):
    id: int
    partnership_id: int
    name: str
    sector: Sector
    parent_id: int | None = Field(description="The agency this one is part of, if any.")
    is_statutory_partner: bool
    is_active: bool
    version: int


class AgencyCreate(Schema):
    partnership_id: Id
    name: Text200
    sector: Sector
    parent_id: Id | None = Field(None, description="The agency this one is part of, in the same partnership.")
    is_statutory_partner: bool = False
    is_active: bool = True


class AgencyPatch(PatchSchema):
    nullable_fields = frozenset({"parent_id"})

    version: Version
    name: Text200 | None = None
    sector: Sector | None = None
    parent_id: Id | None = Field(None, description="Send null to make the agency stand alone.")
    is_statutory_partner: bool | None = None
    is_active: bool | None = None


@agencies_router.get("/", response=list[AgencyOut], summary="List agencies")
@paginate(Pagination)
def list_agencies(
    request,
    partnership: int | None = _filter_id("Only this partnership's agencies."),
    sector: Sector | None = SECTOR_FILTER,
):
    qs = selectors.agency_list(user=request.user)
    if partnership is not None:
        qs = qs.filter(partnership_id=partnership)
    if sector is not None:
        qs = qs.filter(sector=sector)
    return qs.order_by("name", "pk")


@agencies_router.get("/{int:agency_id}", response={200: AgencyOut, **READ_ERRORS}, summary="Get an agency")
def get_agency(request, agency_id: int = _path_id("The agency's id.")):
    return _get(selectors.agency_get, request.user, agency_id)


@agencies_router.post("/", response={201: AgencyOut, **WRITE_ERRORS}, summary="Add an agency")
def create_agency(request, payload: AgencyCreate):
    data = _service_data(payload, request.user, partial=False)
    return Status(201, _call(services.agency_create, by=request.user, **data))


@agencies_router.patch("/{int:agency_id}", response={200: AgencyOut, **WRITE_ERRORS}, summary="Change an agency")
def update_agency(request, payload: AgencyPatch, agency_id: int = _path_id("The agency's id.")):
    agency = _get(selectors.agency_get, request.user, agency_id)
    data = _service_data(payload, request.user, partial=True)
    return _call(services.agency_update, agency=agency, by=request.user, expected_version=payload.version, **data)


# --- Groups (boards and sub-groups) -----------------------------------------------------------
groups_router = Router(tags=["Boards and sub-groups"])


class GroupOut(Schema):
    id: int
    partnership_id: int
    kind: GroupKind
    name: str
    terms_of_reference: str
    reports_to_id: int | None = Field(description="The group a sub-group reports to; null for a board.")
    meeting_frequency: MeetingFrequency
    quorum: int
    shared_with_ids: list[int] = Field(description="Other partnerships that run this group jointly.")
    is_active: bool
    version: int

    @staticmethod
    def resolve_shared_with_ids(obj) -> list[int]:
        return [p.pk for p in obj.shared_with.all()]


class GroupCreate(Schema):
    partnership_id: Id
    kind: GroupKind
    name: Text200
    terms_of_reference: LongText = ""
    reports_to_id: Id | None = Field(None, description="Sub-groups only: the board or sub-group it reports to.")
    meeting_frequency: MeetingFrequency = MeetingFrequency.QUARTERLY
    quorum: SmallNumber = 0
    shared_with_ids: list[Id] = Field([], max_length=50, description="Other partnerships that run it jointly.")
    is_active: bool = True


class GroupPatch(PatchSchema):
    nullable_fields = frozenset({"reports_to_id"})

    version: Version
    kind: GroupKind | None = None
    name: Text200 | None = None
    terms_of_reference: LongText | None = None
    reports_to_id: Id | None = None
    meeting_frequency: MeetingFrequency | None = None
    quorum: SmallNumber | None = None
    shared_with_ids: list[Id] | None = Field(None, max_length=50, description="Replaces the whole list.")
    is_active: bool | None = None


@groups_router.get("/", response=list[GroupOut], summary="List boards and sub-groups")
@paginate(Pagination)
def list_groups(
    request,
    partnership: int | None = _filter_id("Only this partnership's groups."),
    kind: GroupKind | None = KIND_FILTER,
):
    qs = selectors.group_list(user=request.user).prefetch_related("shared_with")
    if partnership is not None:
        qs = qs.filter(partnership_id=partnership)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "name", "pk")


@groups_router.get("/{int:group_id}", response={200: GroupOut, **READ_ERRORS}, summary="Get a board or sub-group")
def get_group(request, group_id: int = _path_id("The group's id.")):
    return _get(selectors.group_get, request.user, group_id)


@groups_router.post("/", response={201: GroupOut, **WRITE_ERRORS}, summary="Add a board or sub-group")
def create_group(request, payload: GroupCreate):
    data = _service_data(payload, request.user, partial=False)
    return Status(201, _call(services.group_create, by=request.user, **data))


@groups_router.patch("/{int:group_id}", response={200: GroupOut, **WRITE_ERRORS}, summary="Change a board or sub-group")
def update_group(request, payload: GroupPatch, group_id: int = _path_id("The group's id.")):
    group = _get(selectors.group_get, request.user, group_id)
    data = _service_data(payload, request.user, partial=True)
    return _call(services.group_update, group=group, by=request.user, expected_version=payload.version, **data)


# --- People -----------------------------------------------------------------------------------
people_router = Router(tags=["People"])


class PersonOut(Schema):
    id: int
    partnership_id: int
    given_name: str
    family_name: str
    job_title: str
    agency_id: int | None
    email: str
    phone: str
    is_active: bool
    version: int


class PersonCreate(Schema):
    partnership_id: Id
    given_name: Text100
    family_name: Text100
    job_title: Text200 = ""
    agency_id: Id | None = Field(None, description="The agency they work for, in the same partnership.")
    email: Text254 = ""
    phone: Text40 = ""
    is_active: bool = True


class PersonPatch(PatchSchema):
    nullable_fields = frozenset({"agency_id"})

    version: Version
    given_name: Text100 | None = None
    family_name: Text100 | None = None
    job_title: Text200 | None = None
    agency_id: Id | None = None
    email: Text254 | None = None
    phone: Text40 | None = None
    is_active: bool | None = None


@people_router.get("/", response=list[PersonOut], summary="List people")
@paginate(Pagination)
def list_people(
    request,
    partnership: int | None = _filter_id("Only this partnership's people."),
    agency: int | None = _filter_id("Only people who work for this agency."),
):
    qs = selectors.person_list(user=request.user)
    if partnership is not None:
        qs = qs.filter(partnership_id=partnership)
    if agency is not None:
        qs = qs.filter(agency_id=agency)
    return qs.order_by("family_name", "given_name", "pk")


@people_router.get("/{int:person_id}", response={200: PersonOut, **READ_ERRORS}, summary="Get a person")
def get_person(request, person_id: int = _path_id("The person's id.")):
    return _get(selectors.person_get, request.user, person_id)


@people_router.post("/", response={201: PersonOut, **WRITE_ERRORS}, summary="Add a person")
def create_person(request, payload: PersonCreate):
    data = _service_data(payload, request.user, partial=False)
    return Status(201, _call(services.person_create, by=request.user, **data))


@people_router.patch("/{int:person_id}", response={200: PersonOut, **WRITE_ERRORS}, summary="Change a person")
def update_person(request, payload: PersonPatch, person_id: int = _path_id("The person's id.")):
    person = _get(selectors.person_get, request.user, person_id)
    data = _service_data(payload, request.user, partial=True)
    return _call(services.person_update, person=person, by=request.user, expected_version=payload.version, **data)


# --- Memberships ------------------------------------------------------------------------------
memberships_router = Router(tags=["Memberships"])


class MembershipOut(Schema):
    id: int
    group_id: int
    person_id: int
    role: MembershipRole
    representing_id: int | None = Field(description="The agency the person represents, if not their own.")
    start_date: dt.date
    end_date: dt.date | None
    notes: str
    version: int


# Dates from 1900 to 2999: wide enough for any real membership, and safe to do date arithmetic on.
Day = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2999, 12, 31))]


class MembershipCreate(Schema):
    group_id: Id
    person_id: Id
    role: MembershipRole = MembershipRole.MEMBER
    start_date: Day
    end_date: Day | None = None
    representing_id: Id | None = None
    notes: Text300 = ""


class MembershipPatch(PatchSchema):
    nullable_fields = frozenset({"end_date", "representing_id"})

    version: Version
    role: MembershipRole | None = None
    start_date: Day | None = None
    end_date: Day | None = Field(None, description="The last day of the membership; null while it lasts.")
    representing_id: Id | None = None
    notes: Text300 | None = None


@memberships_router.get("/", response=list[MembershipOut], summary="List memberships of boards and sub-groups")
@paginate(Pagination)
def list_memberships(
    request,
    partnership: int | None = _filter_id("Only memberships of this partnership's groups."),
    group: int | None = _filter_id("Only members of this group."),
    person: int | None = _filter_id("Only this person's memberships."),
    current: bool | None = _filter("true: only memberships that run today."),
):
    qs = selectors.membership_list(user=request.user)
    if partnership is not None:
        qs = qs.filter(group__partnership_id=partnership)
    if group is not None:
        qs = qs.filter(group_id=group)
    if person is not None:
        qs = qs.filter(person_id=person)
    if current:
        qs = qs.current(timezone.localdate())
    return qs.order_by("group__name", "-start_date", "pk")


@memberships_router.get(
    "/{int:membership_id}", response={200: MembershipOut, **READ_ERRORS}, summary="Get a membership"
)
def get_membership(request, membership_id: int = _path_id("The membership's id.")):
    return _get(selectors.membership_get, request.user, membership_id)


@memberships_router.post("/", response={201: MembershipOut, **WRITE_ERRORS}, summary="Add someone to a group")
def create_membership(request, payload: MembershipCreate):
    """Adding a chair ends the current chair's membership the day before, so the history is kept."""
    data = _service_data(payload, request.user, partial=False)
    return Status(201, _call(services.membership_add, by=request.user, **data))


@memberships_router.patch(
    "/{int:membership_id}", response={200: MembershipOut, **WRITE_ERRORS}, summary="Change or end a membership"
)
def update_membership(request, payload: MembershipPatch, membership_id: int = _path_id("The membership's id.")):
    """Send ``end_date`` to end a membership: it stays in the group's history."""
    membership = _get(selectors.membership_get, request.user, membership_id)
    data = _service_data(payload, request.user, partial=True)
    return _call(
        services.membership_update, membership=membership, by=request.user, expected_version=payload.version, **data
    )


# --- Contacts ---------------------------------------------------------------------------------
contacts_router = Router(tags=["Contacts"])


class ContactOut(Schema):
    id: int
    partnership_id: int
    title: str
    name: str
    email: str
    phone: str
    description: str
    position: int
    version: int


class ContactCreate(Schema):
    partnership_id: Id
    title: Text200 = Field(description="What to contact them about, for example 'Training'.")
    name: Text200 = ""
    email: Text254 = ""
    phone: Text40 = ""
    description: LongText = ""
    position: SmallNumber = Field(0, description="Lower numbers are listed first on the public site.")


class ContactPatch(PatchSchema):
    version: Version
    title: Text200 | None = None
    name: Text200 | None = None
    email: Text254 | None = None
    phone: Text40 | None = None
    description: LongText | None = None
    position: SmallNumber | None = None


@contacts_router.get("/", response=list[ContactOut], summary="List business-unit contacts")
@paginate(Pagination)
def list_contacts(request, partnership: int | None = _filter_id("Only this partnership's contacts.")):
    qs = selectors.contact_list(user=request.user)
    if partnership is not None:
        qs = qs.filter(partnership_id=partnership)
    return qs.order_by("partnership_id", "position", "title", "pk")


@contacts_router.get("/{int:contact_id}", response={200: ContactOut, **READ_ERRORS}, summary="Get a contact")
def get_contact(request, contact_id: int = _path_id("The contact's id.")):
    return _get(selectors.contact_get, request.user, contact_id)


@contacts_router.post("/", response={201: ContactOut, **WRITE_ERRORS}, summary="Add a contact")
def create_contact(request, payload: ContactCreate):
    data = _service_data(payload, request.user, partial=False)
    return Status(201, _call(services.contact_create, by=request.user, **data))


@contacts_router.patch("/{int:contact_id}", response={200: ContactOut, **WRITE_ERRORS}, summary="Change a contact")
def update_contact(request, payload: ContactPatch, contact_id: int = _path_id("The contact's id.")):
    contact = _get(selectors.contact_get, request.user, contact_id)
    data = _service_data(payload, request.user, partial=True)
    return _call(services.contact_update, contact=contact, by=request.user, expected_version=payload.version, **data)


@contacts_router.delete(
    "/{int:contact_id}", response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}, summary="Delete a contact"
)
def delete_contact(request, contact_id: int = _path_id("The contact's id.")):
    """The contact disappears from the public site at once."""
    contact = _get(selectors.contact_get, request.user, contact_id)
    services.contact_delete(contact=contact, by=request.user)
    return Status(204, None)


#: (URL prefix, router) pairs for ``safeguard.api.api`` to mount.
ROUTERS = [
    ("/partnerships/", router),
    ("/agencies/", agencies_router),
    ("/groups/", groups_router),
    ("/people/", people_router),
    ("/memberships/", memberships_router),
    ("/contacts/", contacts_router),
]
