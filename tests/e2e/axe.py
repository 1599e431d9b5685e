"""axe-core on every page: WCAG 2.0, 2.1 and 2.2 at levels A and AA."""

from __future__ import annotations

from pathlib import Path

AXE_SOURCE = (Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js").read_text()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class AxeChecker:
    def __init__(self) -> None:
        self.violations: list[str] = []
        self.pages_checked: list[str] = []

    def check(self, page) -> None:
        # page.evaluate is not subject to the page's Content-Security-Policy.
        page.evaluate(AXE_SOURCE)
        result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
        self.pages_checked.append(page.url)
        for violation in result["violations"]:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
            self.violations.append(
                f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']} at {targets}"
            )

    def assert_clean(self) -> None:
        assert self.pages_checked, "axe did not check any page"
        assert not self.violations, "Accessibility violations:\n" + "\n".join(self.violations)
