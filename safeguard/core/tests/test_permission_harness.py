"""Every workspace URL, discovered from the URL configuration, checked for the same four rules:

- anonymous visitor: redirected to sign in;
- user of another partnership: 404 on every URL naming an object (its existence is not disclosed);
- role without the view's permission (read-only): 403;
- permitted user (business manager): 200.

A view for one role only (child-level data is for analysts) names the cast member who may open
it in ``harness_user`` (for example ``"analyst"``); the other-partnership check then uses the other
partnership's user of the same role. A view that needs a query string to show anything names one
in ``harness_query``.

A new module's views are covered without extra work: a workspace URL whose object cannot be
built here fails the test ``test_every_workspace_url_is_covered`` until its model is added to
``Cast.factory_objects``.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from safeguard.core.views_generic import WorkspaceMixin


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def workspace_urls():
    found = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith("workspace/"):
            continue
        view_class = getattr(pattern.callback, "view_class", None)
        found.append((route, pattern, view_class))
    return found


WORKSPACE_URLS = workspace_urls()
IDS = [route for route, _, _ in WORKSPACE_URLS]


def _url_for(route, pattern, view_class, objects):
    keys = list(pattern.pattern.converters.keys())
    if not keys:
        return "/" + route
    if keys != ["pk"] or view_class is None or not issubclass(view_class, WorkspaceMixin):
        pytest.fail(f"{route}: the harness only knows WorkspaceMixin views with a <pk> parameter")
    model = view_class.model
    if model not in objects:
        pytest.fail(f"{route}: add {model.__name__} to Cast.factory_objects so the harness can test it")
    return "/" + route.replace("<int:pk>", str(objects[model].pk))


def _with_query(url, view_class):
    return url + getattr(view_class, "harness_query", "")


def _permitted(cast, view_class):
    return getattr(cast, getattr(view_class, "harness_user", "manager"))


def _other_partnership_user(cast, view_class):
    return cast.other_analyst if getattr(view_class, "harness_user", "manager") == "analyst" else cast.other_manager


def test_every_workspace_url_is_covered():
    assert len(WORKSPACE_URLS) >= 20
    for route, _, view_class in WORKSPACE_URLS:
        if "<" in route:
            assert view_class is not None and issubclass(view_class, WorkspaceMixin), route
            assert view_class.model is not None, f"{route} must name its model for the harness"


@pytest.mark.parametrize(("route", "pattern", "view_class"), WORKSPACE_URLS, ids=IDS)
def test_anonymous_is_sent_to_sign_in(client, cast, route, pattern, view_class):
    url = _url_for(route, pattern, view_class, cast.factory_objects())
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("route", "pattern", "view_class"), WORKSPACE_URLS, ids=IDS)
def test_other_partnership_gets_404(client, cast, route, pattern, view_class):
    if "<" not in route:
        pytest.skip("no object in this URL")
    url = _url_for(route, pattern, view_class, cast.factory_objects())
    client.force_login(_other_partnership_user(cast, view_class))
    assert client.get(url).status_code == 404
    if hasattr(view_class, "post"):
        assert client.post(url, {}).status_code == 404


@pytest.mark.parametrize(("route", "pattern", "view_class"), WORKSPACE_URLS, ids=IDS)
def test_role_without_permission_gets_403(client, cast, route, pattern, view_class):
    if view_class is None or not getattr(view_class, "permission_required", None):
        pytest.skip("every workspace role may open this page")
    url = _url_for(route, pattern, view_class, cast.factory_objects())
    client.force_login(cast.read_only)
    assert client.get(url).status_code == 403
    if hasattr(view_class, "post"):
        assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize(("route", "pattern", "view_class"), WORKSPACE_URLS, ids=IDS)
def test_permitted_user_gets_the_page(client, cast, route, pattern, view_class):
    url = _with_query(_url_for(route, pattern, view_class, cast.factory_objects()), view_class)
    client.force_login(_permitted(cast, view_class))
    assert client.get(url).status_code == 200
