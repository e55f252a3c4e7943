"""The report journey in a real browser: a member reports a diary entry from its page; a
moderator logs in to the admin (password, then a code from their authenticator app), opens
the report in the queue and decides "hide"; the entry is then a 404 to the member, and the
moderation log shows the decision (issue 7)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from diary.models import Entry
from sns.models import ModerationLog, Report
from sns.visibility import Level
from tests import factories
from tests.e2e.journeys import log_in
from tests.mfa import authenticator_app, code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Make money fast"


def test_a_member_reports_an_entry_and_a_moderator_hides_it(live_server, page, new_context):
    spammer = factories.member("Sam Spammer", email="sam@example.com")
    factories.member("Rie Reporter", email="rie@example.com")
    moderator = factories.member("Mio Moderator", email="mio@example.com", staff=True)
    secret = authenticator_app(moderator)
    entry = factories.entry(spammer, Level.MEMBERS, title=TITLE,
                            body="Click **here** to earn ¥1,000,000 a day.")
    base = live_server.url

    # The member reports the entry from its page.
    log_in(page, base, "rie@example.com")
    page.goto(f"{base}{entry.get_absolute_url()}")
    expect(page.locator("h1")).to_have_text(TITLE)
    page.get_by_role("link", name="Report", exact=True).click()
    page.wait_for_url(re.compile(r".*/report/\?type=entry&id=\d+$"))
    expect(page.locator(".report-target")).to_contain_text(TITLE)
    page.get_by_label("Spam or advertising").check()
    page.get_by_label("Anything the moderators should know").fill("An advert for a scam.")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url(f"{base}{entry.get_absolute_url()}")
    expect(page.locator(".messages")).to_contain_text("Thank you, the moderators will look at it.")
    report = Report.objects.get()
    assert (report.reason, report.reported, report.target) == ("spam", spammer, entry)

    # The moderator logs in to the admin: the site's login, then the authenticator's code.
    mio = new_context().new_page()
    mio.goto(f"{base}/admin/")
    mio.wait_for_url(re.compile(r".*/accounts/login/.*"))
    mio.locator('input[name="login"]').fill("mio@example.com")
    mio.locator('input[name="password"]').fill(factories.PASSWORD)
    mio.locator('form:has(input[name="password"]) [type="submit"]').click()
    mio.wait_for_url(re.compile(r".*/accounts/2fa/authenticate/.*"))
    mio.locator('input[name="code"]').fill(code(secret))
    mio.locator('form:has(input[name="code"]) [type="submit"]:not([form])').click()
    mio.wait_for_url(f"{base}/admin/")

    # The report queue: the report is open, with the reported member and the reporter.
    mio.get_by_role("link", name="Reports", exact=True).first.click()
    mio.wait_for_url(re.compile(r".*/admin/sns/report/$"))
    row = mio.locator("#result_list tbody tr").first
    expect(row).to_contain_text("Open")
    expect(row).to_contain_text("sam@example.com")
    expect(row).to_contain_text("rie@example.com")
    row.get_by_role("link", name=TITLE).click()
    expect(mio.locator(".report-content")).to_contain_text("earn ¥1,000,000 a day")
    expect(mio.locator(".field-details")).to_contain_text("An advert for a scam.")
    mio.locator('select[name="decision"]').select_option("hide")
    mio.locator('textarea[name="note"]').fill("Scam advertising.")
    mio.locator('input[name="_save"]').click()
    mio.wait_for_url(re.compile(r".*/admin/sns/report/(\?.*)?$"))
    expect(mio.locator(".messagelist")).to_contain_text("Decided: Hide the content.")

    # The entry is gone for the member.
    response = page.goto(f"{base}{entry.get_absolute_url()}")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.get_by_text(TITLE)).to_have_count(0)
    assert Entry.objects.get(pk=entry.pk).hidden_at is not None

    # The moderation log shows the decision, by whom, about whom.
    mio.goto(f"{base}/admin/sns/moderationlog/")
    log_row = mio.locator("#result_list tbody tr").first
    expect(log_row).to_contain_text("Hid content")
    expect(log_row).to_contain_text("Mio Moderator")
    expect(log_row).to_contain_text("sam@example.com")
    expect(log_row).to_contain_text("Scam advertising.")
    assert ModerationLog.objects.get().moderator == moderator
