"""Page objects for the browser journeys. Every navigation goes through ``Site`` so axe-core checks
every page a test sees."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

DEMO_PASSWORD = "demo-password-2026"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "images"


class Site:
    def __init__(self, page: Page, axe) -> None:
        self.page = page
        self.axe = axe

    # --- navigation, each followed by an accessibility check ----------------------------------
    def visit(self, path: str) -> Site:
        self.page.goto(path)
        self.checked()
        return self

    def click(self, name: str, role: str = "link") -> Site:
        self.page.get_by_role(role, name=name, exact=True).first.click()
        self.checked()
        return self

    def submit(self, button: str) -> Site:
        self.page.get_by_role("button", name=button, exact=True).click()
        self.checked()
        return self

    def checked(self) -> None:
        self.page.wait_for_load_state("load")
        self.axe.check(self.page)

    # --- assertions ---------------------------------------------------------------------------
    def heading(self, text: str) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(text)

    def sees(self, text: str) -> None:
        expect(self.page.get_by_text(text, exact=False).first).to_be_visible()

    def screenshot(self, name: str) -> None:
        if os.environ.get("SAFEGUARD_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    # --- journeys' building blocks ------------------------------------------------------------
    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> Site:
        self.visit("/accounts/login/")
        self.page.get_by_label("Work e-mail address").fill(email)
        self.page.get_by_label("Password").fill(password)
        return self.submit("Sign in")

    def sign_out(self) -> Site:
        return self.submit("Sign out")
