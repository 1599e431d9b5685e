import pytest

from safeguard.workdays.models import CalendarDay
from safeguard.workdays.services import calendar_refresh


@pytest.fixture(autouse=True)
def calendar_table(db):
    """The migration fills the table; a transactional test elsewhere may have flushed it."""
    if not CalendarDay.objects.exists():
        calendar_refresh()
