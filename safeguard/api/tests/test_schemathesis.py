"""Property-based test of the whole API from its OpenAPI document (schemathesis).

Every operation gets generated requests, valid and invalid, sent with a write token of a business
manager. Path ids are pointed at real records of the manager's partnership so updates reach the
services. The only promise checked is the one a client relies on most: no request, however odd,
makes the server fail (status 500 or more).
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from safeguard.api.api import api
from safeguard.api.models import TokenScope
from safeguard.api.services import api_token_create
from safeguard.core.testing import AgencyFactory, ContactFactory, GroupFactory, MembershipFactory, PersonFactory

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
APP = get_wsgi_application()


@pytest.fixture(autouse=True)
def keep_the_test_connection_open():
    """Calling the WSGI app directly fires request_started/finished, whose close_old_connections
    would close the test's PostgreSQL connection mid-transaction. Django's test client disconnects
    it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_setup(cast):
    """A write token for the manager, and one real record of each kind behind the path ids."""
    _, secret = api_token_create(user=cast.manager, name="Schemathesis", scope=TokenScope.WRITE)
    group = GroupFactory(partnership=cast.partnership)
    person = PersonFactory(partnership=cast.partnership)
    ids = {
        "partnership_id": cast.partnership.pk,
        "agency_id": AgencyFactory(partnership=cast.partnership).pk,
        "group_id": group.pk,
        "person_id": person.pk,
        "membership_id": MembershipFactory(group=group, person=person).pk,
        "contact_id": ContactFactory(partnership=cast.partnership).pk,
    }
    return {"Authorization": f"Bearer {secret}"}, ids


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_generated_request_causes_a_server_error(case, api_setup):
    headers, ids = api_setup
    for name, value in list((case.path_parameters or {}).items()):
        if name in ids and isinstance(value, int) and value > 0 and value % 2 == 0:
            case.path_parameters[name] = ids[name]
    response = case.call(app=APP, headers=headers)
    assert response.status_code < 500, f"{response.status_code} from {case.method} {case.formatted_path}"
