from django.db import models


class Sector(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    POLICE = "police", "Police"
    HEALTH = "health", "Health (ICB and NHS trusts)"
    EDUCATION = "education", "Education (schools and colleges)"
    PROBATION = "probation", "Probation and youth justice"
    VOLUNTARY = "voluntary", "Voluntary and community sector"
    OTHER = "other", "Other"


class GroupKind(models.TextChoices):
    BOARD = "board", "Board"
    SUBGROUP = "subgroup", "Sub-group"


class MeetingFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    BIMONTHLY = "bimonthly", "Every two months"
    QUARTERLY = "quarterly", "Quarterly"
    TWICE_YEARLY = "twice_yearly", "Twice a year"
    AS_NEEDED = "as_needed", "As needed"


class MembershipRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice_chair", "Vice-chair"
    MEMBER = "member", "Member"
    DEPUTY = "deputy", "Named deputy"
    ADVISER = "adviser", "Adviser"
    SECRETARIAT = "secretariat", "Secretariat"
