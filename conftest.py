"""Root test configuration: the named cast of users every module's tests use."""

import pytest

from safeguard.core.testing import Cast, build_cast


@pytest.fixture
def cast(db) -> Cast:
    """Two partnerships and their users: a business manager, a business unit officer, a board member,
    an agency data lead, a read-only user, a user of the other partnership, and anonymous."""
    return build_cast()
