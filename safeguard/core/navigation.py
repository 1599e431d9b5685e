"""Service navigation for the public site and the workspace.

A new module adds its entry here (see docs/adding-a-module.md).
"""

from django.urls import reverse

from .access import has_capability
from .roles import Capability


def _items(request, entries):
    """Navigation items; the current one is the longest matching entry, so /workspace/partnerships/
    agencies/ marks "Agencies" and not also "Partnerships"."""
    path = request.path
    matches = [href for _, href, exact in entries if (path == href if exact else path.startswith(href))]
    current = max(matches, key=len, default=None)
    return [{"text": text, "href": href, "current": href == current} for text, href, _ in entries]


def public_navigation(request, partnership):
    slug = partnership.slug
    return _items(
        request,
        [
            ("Home", reverse("public:partnership_home", args=[slug]), True),
            ("Procedures", reverse("procedures:manuals", args=[slug]), False),
            ("Documents", reverse("public_documents:library", args=[slug]), False),
            ("Get updates by e-mail", reverse("subscriptions:subscribe", args=[slug]), False),
            ("Contact the business unit", reverse("public:contacts", args=[slug]), False),
        ],
    )


def workspace_navigation(request):
    entries = [
        ("Home", reverse("workspace:home"), True),
        ("Partnerships", reverse("partnerships:partnership_list"), False),
        ("Agencies", reverse("partnerships:agency_list"), False),
        ("Boards and sub-groups", reverse("partnerships:group_list"), False),
        ("People", reverse("partnerships:person_list"), False),
    ]
    if has_capability(request.user, None, Capability.REVIEW_PROCEDURES):
        entries.append(("Procedures", reverse("procedures_workspace:manual_list"), False))
        entries.append(("Update e-mails", reverse("subscriptions_workspace:overview"), False))
    entries.append(("Documents", reverse("documents:document_list"), False))
    entries.append(("Working days", reverse("workdays:calculator"), False))
    if has_capability(request.user, None, Capability.VIEW_INDICATORS):
        entries.append(("Child protection review", reverse("cp_review:review"), False))
        entries.append(("Indicators", reverse("indicators:index"), False))
        entries.append(("Statutory extracts", reverse("extracts:extract_list"), False))
    if has_capability(request.user, None, Capability.VIEW_INDICATORS):
        entries.append(("Data set", reverse("dataset:dashboard"), False))
    if any(has_capability(request.user, None, c) for c in (Capability.SUBMIT_RETURNS, Capability.MANAGE_RETURNS)):
        entries.append(("Returns", reverse("returns:return_list"), False))
    if has_capability(request.user, None, Capability.VIEW_AUDIT):
        entries.append(("Audit log", reverse("audit:log"), False))
    return _items(request, entries)
