"""Page objects: one class per screen, built on ``AxePage`` so every page they reach is axe-checked.

A page object's constructor checks that the browser is really on that screen (its <h1>), so a
journey fails where it went wrong rather than at a later missing element.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, expect

from .axe import AxePage

DEMO_PASSWORD = "demo-password-2026"
NORTHDALE = "Northdale Safeguarding Children Partnership"
EASTMOOR = "Eastmoor and Westbrook Safeguarding Children Partnership"


class Screen:
    heading: str | re.Pattern = ""

    def __init__(self, tab: AxePage) -> None:
        self.tab = tab
        self.page = tab.page
        if self.heading:
            expect(self.h1).to_have_text(self.heading)

    @property
    def h1(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    @property
    def demo_banner(self) -> Locator:
        return self.page.get_by_test_id("demo-banner")

    @property
    def main(self) -> Locator:
        return self.page.get_by_role("main")

    def nav_link(self, name: str) -> Locator:
        return self.page.get_by_role("navigation", name="Menu").get_by_role("link", name=name, exact=True)

    def success_banner(self) -> Locator:
        return self.page.get_by_test_id("message").filter(has=self.page.get_by_role("heading", name="Success"))


# --- Public site ----------------------------------------------------------------------------------
class PublicIndex(Screen):
    heading = "Safeguarding children partnerships"

    @classmethod
    def open(cls, tab: AxePage) -> PublicIndex:
        tab.goto("/")
        return cls(tab)

    @property
    def partnerships(self) -> Locator:
        return self.page.get_by_test_id("partnership-list").get_by_role("link")

    def choose(self, name: str) -> PartnershipHome:
        self.tab.follow(name)
        return PartnershipHome(self.tab, name)


class PartnershipHome(Screen):
    def __init__(self, tab: AxePage, name: str) -> None:
        self.heading = name
        super().__init__(tab)

    @classmethod
    def open(cls, tab: AxePage, slug: str, name: str) -> PartnershipHome:
        tab.goto(f"/{slug}/")
        return cls(tab, name)

    @property
    def groups(self) -> Locator:
        return self.page.get_by_test_id("groups")

    def contacts(self) -> ContactsPage:
        self.tab.follow(self.nav_link("Contact the business unit"))
        return ContactsPage(self.tab)


class ContactsPage(Screen):
    heading = "Contact the business unit"

    @property
    def contacts(self) -> Locator:
        return self.page.get_by_test_id("contact")


# --- Signing in and out ---------------------------------------------------------------------------
class SignInPage(Screen):
    heading = "Sign in to the workspace"

    @classmethod
    def open(cls, tab: AxePage) -> SignInPage:
        tab.goto("/accounts/login/")
        return cls(tab)

    def attempt(self, email: str, password: str) -> None:
        self.page.get_by_label("Work e-mail address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.tab.submit("Sign in")

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> WorkspaceHome:
        self.attempt(email, password)
        return WorkspaceHome(self.tab)

    @property
    def error_summary(self) -> Locator:
        return self.page.locator(".govuk-error-summary")


class LockedOutPage(Screen):
    heading = "You cannot sign in for 30 minutes"


# --- Workspace ------------------------------------------------------------------------------------
class WorkspaceScreen(Screen):
    def sign_out(self) -> PublicIndex:
        self.tab.submit(self.page.get_by_role("banner").get_by_role("button", name="Sign out"))
        return PublicIndex(self.tab)

    def go_to(self, nav_item: str) -> None:
        self.tab.follow(self.nav_link(nav_item))


class WorkspaceHome(WorkspaceScreen):
    heading = "Workspace"

    @classmethod
    def open(cls, tab: AxePage) -> WorkspaceHome:
        tab.goto("/workspace/")
        return cls(tab)

    @property
    def roles(self) -> Locator:
        return self.page.get_by_test_id("roles")

    def agencies(self) -> AgencyList:
        self.go_to("Agencies")
        return AgencyList(self.tab)

    def groups(self) -> GroupList:
        self.go_to("Boards and sub-groups")
        return GroupList(self.tab)

    def audit_log(self) -> AuditLog:
        self.go_to("Audit log")
        return AuditLog(self.tab)


class ResultsScreen(WorkspaceScreen):
    @property
    def results(self) -> Locator:
        return self.page.get_by_test_id("results")

    @property
    def rows(self) -> Locator:
        return self.results.locator("tbody tr")

    @property
    def caption(self) -> Locator:
        return self.results.locator("caption")

    def filter(self, **fields: str) -> None:
        """Fill the filter panel (``q="text"``, ``sector="Police"``: a select takes its option's label)."""
        form = self.page.get_by_test_id("filter-form")
        for name, value in fields.items():
            control = form.locator(f"[name={name}]")
            if control.evaluate("el => el.tagName") == "SELECT":
                control.select_option(label=value)
            else:
                control.fill(value)
        self.tab.submit(form.get_by_role("button", name="Apply filters"))


class AgencyList(ResultsScreen):
    heading = "Agencies"

    @classmethod
    def open(cls, tab: AxePage) -> AgencyList:
        tab.goto("/workspace/partnerships/agencies/")
        return cls(tab)

    def open_agency(self, name: str) -> AgencyDetail:
        self.tab.follow(self.results.get_by_role("link", name=name, exact=True))
        return AgencyDetail(self.tab, name)


class AgencyDetail(WorkspaceScreen):
    def __init__(self, tab: AxePage, name: str) -> None:
        self.heading = name
        super().__init__(tab)

    @property
    def change_button(self) -> Locator:
        return self.page.get_by_role("button", name="Change agency").or_(
            self.page.get_by_role("link", name="Change agency")
        )

    def change(self) -> AgencyEdit:
        self.tab.follow(self.change_button)
        return AgencyEdit(self.tab)


class AgencyEdit(WorkspaceScreen):
    heading = re.compile(r"^Change ")

    def rename(self, new_name: str) -> AgencyDetail:
        self.page.get_by_label("Name", exact=True).fill(new_name)
        self.tab.submit(self.page.get_by_test_id("edit-form").get_by_role("button", name="Save"))
        return AgencyDetail(self.tab, new_name)


class GroupList(ResultsScreen):
    heading = "Boards and sub-groups"

    def open_group(self, name: str) -> GroupDetail:
        self.tab.follow(self.results.get_by_role("link", name=name, exact=True))
        return GroupDetail(self.tab, name)


class GroupDetail(WorkspaceScreen):
    def __init__(self, tab: AxePage, name: str) -> None:
        self.heading = name
        super().__init__(tab)

    @property
    def current_members(self) -> Locator:
        return self.page.get_by_test_id("current-members")

    @property
    def past_members(self) -> Locator:
        return self.page.get_by_test_id("past-members")

    @staticmethod
    def chairs(table: Locator) -> Locator:
        """Rows of a membership table whose role cell is exactly "Chair"."""
        return table.locator("tbody tr").filter(has=table.page.get_by_role("cell", name="Chair", exact=True))

    @property
    def change_controls(self) -> Locator:
        """Every control that changes the group or a membership (links and buttons)."""
        name = re.compile(r"^(Change|Add a member)")
        return self.main.get_by_role("link", name=name).or_(self.main.get_by_role("button", name=name))


class AuditLog(ResultsScreen):
    heading = "Audit log"


class ForbiddenPage(Screen):
    heading = "You do not have access to this page"


class NotFoundPage(Screen):
    heading = "Page not found"


# --- Statutory extracts, indicators and the child protection process review ----------------------
class ExtractList(ResultsScreen):
    heading = "Statutory extracts"

    @classmethod
    def open(cls, tab: AxePage) -> ExtractList:
        tab.goto("/workspace/extracts/")
        return cls(tab)

    def import_census(self) -> CensusUpload:
        self.tab.follow(self.page.get_by_test_id("upload-extract"))
        return CensusUpload(self.tab)


class CensusUpload(WorkspaceScreen):
    heading = "Import a CIN census file"

    def upload(self, census: str, locality_lookup: str | None = None) -> ExtractReport:
        form = self.page.get_by_test_id("upload-form")
        form.get_by_test_id("census-file").set_input_files(census)
        if locality_lookup is not None:
            form.get_by_test_id("locality-lookup").set_input_files(locality_lookup)
        self.tab.submit(form.get_by_role("button", name="Upload and check"))
        return ExtractReport(self.tab)


class ExtractReport(WorkspaceScreen):
    """An extract's page: its progress while the import runs, then the findings report."""

    heading = re.compile(r"^Children in need census \(XML\)")

    @property
    def progress(self) -> Locator:
        return self.page.get_by_test_id("progress")

    @property
    def outcome(self) -> Locator:
        return self.page.get_by_test_id("outcome")

    @property
    def rule_rows(self) -> Locator:
        return self.page.get_by_test_id("rule-counts").get_by_test_id("rule-row")

    @property
    def finding_rows(self) -> Locator:
        return self.page.get_by_test_id("findings").get_by_test_id("finding-row")

    @property
    def download_csv(self) -> Locator:
        return self.page.get_by_test_id("download-csv")

    @property
    def running(self) -> bool:
        return self.progress.count() > 0 and self.outcome.count() == 0

    def wait_until_finished(self, *, timeout: float = 60, every: float = 0.5) -> ExtractReport:
        """Check the progress again (as a reader would, with the page's own link) until the import ends."""
        import time

        deadline = time.monotonic() + timeout
        while self.running:
            assert time.monotonic() < deadline, f"The import was still running after {timeout}s"
            time.sleep(every)
            self.tab.follow(self.page.get_by_test_id("check-progress"))
        expect(self.outcome).to_be_visible()
        return ExtractReport(self.tab)


class LocalityList(ResultsScreen):
    heading = "Localities"

    @classmethod
    def open(cls, tab: AxePage) -> LocalityList:
        tab.goto("/workspace/indicators/localities/")
        return cls(tab)

    def add(self, name: str, code: str) -> LocalityList:
        self.tab.follow(self.page.get_by_test_id("add-locality"))
        form = LocalityForm(self.tab)
        form.page.get_by_label("Name", exact=True).fill(name)
        form.page.get_by_label("Code", exact=True).fill(code)
        self.tab.submit(form.page.get_by_test_id("edit-form").get_by_role("button", name="Save locality"))
        return LocalityList(self.tab)


class LocalityForm(WorkspaceScreen):
    heading = "Add a locality"


class ReferenceDataUpload(WorkspaceScreen):
    """Importing population estimates or a DfE benchmark table (a CSV file)."""

    heading = re.compile(r"^Import (population estimates|benchmarks from a DfE table)$")

    def upload(self, path: str, button: str) -> None:
        form = self.page.get_by_test_id("upload-form")
        form.get_by_label("CSV file").set_input_files(path)
        self.tab.submit(form.get_by_role("button", name=button))


class PopulationList(ResultsScreen):
    heading = "Population estimates"

    @classmethod
    def open(cls, tab: AxePage) -> PopulationList:
        tab.goto("/workspace/indicators/populations/")
        return cls(tab)

    @property
    def import_report(self) -> Locator:
        return self.page.get_by_test_id("import-report")

    def import_file(self, path: str) -> PopulationList:
        self.tab.follow(self.page.get_by_test_id("upload-population"))
        ReferenceDataUpload(self.tab).upload(path, "Import estimates")
        return PopulationList(self.tab)


class BenchmarkList(ResultsScreen):
    heading = "Benchmarks"

    @classmethod
    def open(cls, tab: AxePage) -> BenchmarkList:
        tab.goto("/workspace/indicators/benchmarks/")
        return cls(tab)

    @property
    def import_report(self) -> Locator:
        return self.page.get_by_test_id("import-report")

    def import_file(self, path: str) -> BenchmarkList:
        self.tab.follow(self.page.get_by_test_id("upload-benchmarks"))
        ReferenceDataUpload(self.tab).upload(path, "Import benchmarks")
        return BenchmarkList(self.tab)


class IndicatorIndex(WorkspaceScreen):
    heading = "Indicators"

    @classmethod
    def open(cls, tab: AxePage) -> IndicatorIndex:
        tab.goto("/workspace/indicators/")
        return cls(tab)

    @property
    def values(self) -> Locator:
        return self.page.get_by_test_id("values")

    def recompute(self) -> IndicatorIndex:
        self.tab.follow(self.page.get_by_role("link", name="Recompute now"))
        form = RecomputePage(self.tab)
        self.tab.submit(form.page.get_by_role("button", name="Recompute the figures"))
        return IndicatorIndex(self.tab)


class RecomputePage(WorkspaceScreen):
    heading = "Recompute the figures"


class ChildProtectionReview(WorkspaceScreen):
    heading = re.compile(r"^Child protection process review")

    @classmethod
    def open(cls, tab: AxePage, query: str = "") -> ChildProtectionReview:
        tab.goto(f"/workspace/child-protection-review/{query}")
        return cls(tab)

    def indicator(self, code: str) -> Locator:
        return self.page.get_by_test_id(f"indicator-{code}")

    def chart(self, chart_id: str) -> Locator:
        return self.page.get_by_test_id(f"chart-{chart_id}")

    def chart_table(self, chart_id: str) -> Locator:
        return self.page.get_by_test_id(f"chart-table-{chart_id}")

    @property
    def drill_through_links(self) -> Locator:
        return self.main.get_by_test_id("drill-through")

    @property
    def suppressed_cells(self) -> Locator:
        """Table cells showing "c" (the words "suppressed" are there for screen readers)."""
        return self.main.locator("td").filter(has_text=re.compile(r"^c \(suppressed\)$"))

    @property
    def unsuppressed_notice(self) -> Locator:
        return self.page.get_by_test_id("unsuppressed-notice")

    def drill_through(self, link: Locator) -> ChildrenCounted:
        self.tab.follow(link)
        return ChildrenCounted(self.tab)


class ChildrenCounted(WorkspaceScreen):
    """The children behind one figure of the review (analysts only)."""

    @property
    def rows(self) -> Locator:
        return self.page.get_by_test_id("members").get_by_test_id("member-row")
