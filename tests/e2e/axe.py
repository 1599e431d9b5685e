"""axe-core on every page a test sees: WCAG 2.0, 2.1 and 2.2 at levels A and AA, zero violations.

``AxePage`` wraps a Playwright page. Its navigation helpers (``goto``, ``follow``, ``submit``) run
axe on the page they land on and fail straight away with a readable list of violations. As a safety
net it counts every document the tab loads: a page that was loaded but never checked (a click made
on ``page.page`` directly, say) is checked on the next helper call, and one still unchecked when the
test ends fails the test, naming its URL.

axe is injected with ``page.evaluate``, which the app's Content-Security-Policy (no inline scripts)
does not apply to. A context with JavaScript disabled cannot evaluate anything, so its pages are
checked in a shadow tab: same URL, same cookies, with every script request blocked, which is the
DOM a visitor without JavaScript gets.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Locator, Page, Response

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary, html: n.html})),
  }));
}"""


def load_axe_source(repo: Path) -> str:
    path = repo / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        raise RuntimeError(f"{path} is missing: run `make install` (npm ci) first.")
    return path.read_text()


class AccessibilityError(AssertionError):
    pass


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    """One block per rule: id, impact, what axe says to fix, then each failing element's selector."""
    lines = [f"axe-core found {len(violations)} accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  [{v['helpUrl']}]")
        for node in v["nodes"]:
            html = re.sub(r"\s+", " ", node["html"])[:160]
            summary = re.sub(r"\s+", " ", node["summary"] or "")
            lines.append(f"    at {node['target']}\n       {html}\n       {summary}")
    return "\n".join(lines)


class AxePage:
    """A browser tab whose every page is checked by axe. ``.page`` is the Playwright page for
    locators and assertions; navigation goes through the helpers here."""

    def __init__(
        self, page: Page, *, axe_source: str, browser: Browser, base_url: str, javascript: bool = True
    ) -> None:
        self.page = page
        self.javascript_enabled = javascript
        self._axe_source = axe_source
        self._browser = browser
        self._base_url = base_url
        self._loads = 0  # documents loaded in this tab
        self._audited = 0  # value of _loads when axe last ran
        self._unaudited: list[str] = []  # URLs of documents replaced before anyone checked them
        self._shadow: Page | None = None
        self._last_url = ""
        self.audited_urls: list[str] = []
        page.on("load", self._on_load)

    # --- bookkeeping ----------------------------------------------------------------------------
    def _on_load(self, page: Page) -> None:
        if page.url == "about:blank":
            return
        if self._loads > self._audited:
            self._unaudited.append(self._last_url)
        self._loads += 1
        self._last_url = page.url

    # --- navigation: every helper ends with an axe check ----------------------------------------
    def goto(self, path: str, *, expect_status: int | None = 200) -> Response:
        """Open ``path``; fail on an unexpected HTTP status (pass ``expect_status=None`` to accept any)."""
        self.audit()
        response = self.page.goto(path)
        assert response is not None, f"No response for {path}"
        if expect_status is not None:
            assert response.status == expect_status, f"GET {path}: expected {expect_status}, got {response.status}"
        self.audit()
        return response

    def follow(self, target: str | Locator) -> None:
        """Click a link (by its accessible name, or a locator) and check the page it opens."""
        locator = self.page.get_by_role("link", name=target, exact=True) if isinstance(target, str) else target
        self._navigate_by(locator.first)

    def submit(self, button: str | Locator) -> None:
        """Press a form's button (by its accessible name, or a locator) and check the resulting page."""
        locator = self.page.get_by_role("button", name=button, exact=True) if isinstance(button, str) else button
        self._navigate_by(locator.first)

    def _navigate_by(self, locator: Locator) -> None:
        self.audit()
        with self.page.expect_navigation(wait_until="load"):
            locator.click()
        self.audit()

    # --- the check ------------------------------------------------------------------------------
    def audit(self) -> None:
        """Run axe on the current page unless it has already been checked; raise on any violation."""
        self.page.wait_for_load_state("load")
        if self._loads == self._audited:
            return
        self._audited = self._loads
        url = self.page.url
        violations = self._run_axe(url)
        self.audited_urls.append(url)
        if violations:
            raise AccessibilityError(format_violations(url, violations))

    def _run_axe(self, url: str) -> list[dict[str, Any]]:
        if self.javascript_enabled:
            target = self.page
        else:
            target = self._shadow_page()
            target.context.clear_cookies()
            target.context.add_cookies(self.page.context.cookies())
            target.goto(url)
        target.evaluate(self._axe_source)
        return target.evaluate(_RUN_AXE, AXE_TAGS)

    def _shadow_page(self) -> Page:
        if self._shadow is None:
            context = self._browser.new_context(base_url=self._base_url, viewport=self.page.viewport_size)
            context.set_default_timeout(10_000)
            # No script the site serves runs, exactly as in the JavaScript-disabled tab.
            context.route(re.compile(r".*\.m?js(\?.*)?$"), lambda route: route.abort())
            self._shadow = context.new_page()
        return self._shadow

    def assert_every_page_audited(self) -> None:
        if self._loads > self._audited and not self.page.is_closed():
            self.audit()
        assert not self._unaudited, "Pages loaded but never checked by axe (navigate with AxePage helpers): " + (
            ", ".join(self._unaudited)
        )
        assert self.audited_urls, "axe did not check any page in this tab"

    def close_helpers(self) -> None:
        if self._shadow is not None:
            self._shadow.context.close()
            self._shadow = None
