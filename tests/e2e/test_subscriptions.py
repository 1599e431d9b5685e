"""Subscriptions to procedures updates, end to end, without JavaScript: subscribe on the public site,
confirm from the e-mail (read from the session's SMTP sink), get the e-mail when a release goes live
(published by the worker-backed app), follow its links and unsubscribe. axe runs on every page."""

import re
import subprocess
import uuid

import pytest
from playwright.sync_api import expect

from .conftest import REPO, VENV_BIN

pytestmark = pytest.mark.e2e


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_practitioner_subscribes_confirms_gets_the_go_live_email_and_unsubscribes(visitor, app, smtp_sink):
    address = f"e2e.practitioner.{uuid.uuid4().hex[:8]}@example.org"
    tab = visitor(javascript=False)
    page = tab.page
    h1 = page.get_by_role("heading", level=1)

    tab.goto("/northdale/updates/")
    expect(h1).to_have_text("Get e-mails when the procedures change")
    page.get_by_label("E-mail address").fill("not an address")
    tab.submit("Subscribe")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an e-mail address in the correct format")
    expect(page.get_by_label("E-mail address")).to_have_value("not an address")  # what was typed is kept

    page.get_by_label("E-mail address").fill(address)
    page.get_by_label("Multi-agency Child Protection Procedures").check()
    tab.submit("Subscribe")
    expect(h1).to_have_text("Check your e-mail")
    assert address not in page.url

    confirmation = smtp_sink.wait_for(lambda m: address in m["To"] and m["Subject"].startswith("Confirm"))
    confirm_url = re.search(r"https?://\S+/confirm/\S+", _text(confirmation)).group(0)
    assert "@" not in confirm_url
    tab.goto(_path(confirm_url))
    expect(h1).to_have_text("Confirm your subscription")
    tab.submit("Confirm subscription")
    expect(h1).to_have_text("You are subscribed")
    tab.follow(page.get_by_test_id("manage-link"))
    expect(h1).to_have_text("Manage your subscription")
    expect(page.get_by_label("Multi-agency Child Protection Procedures")).to_be_checked()

    # A release goes live: published in its own process; the task worker sends the e-mails.
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "publish_demo_update"],
        cwd=REPO,
        env=app.env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    release = smtp_sink.wait_for(lambda m: address in m["To"] and "update is live" in m["Subject"], timeout=60)
    assert re.fullmatch(r"Northdale procedures: .+ update is live", release["Subject"])
    assert release["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/one-click/" in release["List-Unsubscribe"]
    text = _text(release)
    assert "Updated chapters" in text and "What changed:" in text
    chapter_url = re.search(r"https?://\S+/procedures/child-protection-procedures/[a-z0-9-]+/", text).group(0)
    tab.goto(_path(chapter_url))
    expect(page.get_by_test_id("chapter-body")).to_contain_text("Updated contact details")

    tab.goto(_path(re.search(r"Unsubscribe: (\S+)", text).group(1)))
    expect(h1).to_have_text("Unsubscribe from Northdale procedures updates?")
    tab.submit("Unsubscribe")
    expect(h1).to_have_text("You have unsubscribed")
    erased = app.query("SELECT COUNT(*) FROM subscriptions_subscriber WHERE email = ?", (address,))
    assert erased == [(0,)]
