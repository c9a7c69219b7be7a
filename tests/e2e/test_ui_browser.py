"""Issue 19: the billing team's web UI in a real browser (Chromium through Playwright) on
the real stack: the user guide's workflow end to end, roles, CSRF and a stale edit.

Sync (Get Adtracker Data) → Advertisers → Generate Invoices → Process selected → the job
log, live → the invoice list → PDF; then the manual way: entries → Cart into Generator →
the invoice editor (a stale edit refused, a line edited, a discount) → Create → cancel, and
a credit note. A viewer sees no button that changes anything and a forged POST gets 403.
Every page's screenshot goes to $AFFBILL_UI_SCREENSHOTS (default build/ui-screenshots).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.test_gateway_flow import ok, settled_generator, until
from tests.processes import running_stack

playwright_sync = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]
CHROMIUM = os.environ.get("AFFBILL_CHROMIUM", "/usr/bin/chromium")
ADMIN_KEY = "affb_ui-e2e-admin-" + uuid.uuid4().hex
ADMIN, CLERK, VIEWER = "anna", "carl", "vera"
PASSWORD = "demo-password-1"
SIMULATOR = ("--seed", "11", "--advertisers", "5", "--offers-per-advertiser", "2",
             "--affiliates", "6", "--employees", "3", "--rows-per-day", "20")
SHOTS = Path(os.environ.get("AFFBILL_UI_SCREENSHOTS", "build/ui-screenshots"))
WIDE, NARROW = {"width": 1280, "height": 860}, {"width": 390, "height": 844}


@dataclass
class Browser:
    gateway: str
    api: httpx.Client
    chromium: Any

    def signed_in(self, username: str, viewport: dict[str, int] = WIDE) -> Any:
        """A page of a new browser context (its own cookies) signed in as `username`."""
        page = self.chromium.new_context(viewport=viewport, locale="en-US",
                                         base_url=self.gateway).new_page()
        page.goto("/ui/login")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/ui/generator.*"))
        return page


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def flash(page: Any) -> str:
    return page.locator(".flash").first.inner_text()


@pytest.fixture(scope="module")
def browser(database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Browser]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium", pytrace=False)
    env = {"AFFBILL_GATEWAY_UI_BOOTSTRAP_ADMIN_USER": ADMIN,
           "AFFBILL_GATEWAY_UI_BOOTSTRAP_ADMIN_PASSWORD": PASSWORD,
           "AFFBILL_GATEWAY_UI_COOKIE_SECURE": "false"}  # plain http on loopback
    with running_stack(database_url, kafka_bootstrap, tmp_path_factory.mktemp("ui-logs"),
                       ADMIN_KEY, SIMULATOR, extra_env=env) as url, \
            httpx.Client(base_url=url["gateway"] + "/api/v1", timeout=60,
                         headers={"X-API-Key": ADMIN_KEY}) as api, \
            playwright_sync.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox"])
        yield Browser(url["gateway"], api, chromium)
        chromium.close()


@pytest.fixture(scope="module")
def admin(browser: Browser) -> Any:
    return browser.signed_in(ADMIN)


@pytest.fixture(scope="module")
def clerk(browser: Browser, admin: Any) -> Any:
    """The admin makes the accountant and the viewer in the Admin tab; the clerk signs in."""
    admin.goto("/ui/admin")
    for name, role in ((CLERK, "accountant"), (VIEWER, "viewer")):
        form = admin.locator("form[action='/ui/admin/users']")
        form.get_by_label("Username").fill(name)
        form.get_by_label("Display name").fill(name.title())
        form.get_by_label("Role").select_option(role)
        form.get_by_label("Password").fill(PASSWORD)
        form.get_by_role("button", name="Create user").click()
        assert f"User {name} created ({role})" in flash(admin)
    shot(admin, "admin")
    return browser.signed_in(CLERK)


def test_sign_in_page(browser: Browser) -> None:
    page = browser.chromium.new_page(viewport=WIDE)
    page.goto(browser.gateway + "/ui/generator")
    assert "/ui/login" in page.url  # a stranger is sent to sign in
    shot(page, "sign-in")
    page.get_by_label("Username").fill(ADMIN)
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    assert "Wrong username or password" in page.content()
    page.close()


@pytest.fixture(scope="module")
def synced(clerk: Any) -> str:
    """The clerk clicks Get Adtracker Data; the history follows the sync live."""
    clerk.goto("/ui/adtracker")
    clerk.get_by_role("button", name="Get Adtracker Data").click()
    started = flash(clerk)
    history = clerk.locator("#sync-history")
    playwright_sync.expect(history).to_contain_text("succeeded", timeout=300_000)  # no reload
    shot(clerk, "adtracker")
    return started


def test_standard_sync_shows_its_progress_and_history(clerk: Any, synced: str) -> None:
    assert "Standard sync of hasoffers-sim started" in synced
    assert CLERK in clerk.locator("#sync-history tbody tr").first.inner_text()  # who asked
    clerk.locator("#sync-history a").first.click()
    playwright_sync.expect(clerk.locator(".log")).not_to_be_empty()
    shot(clerk, "job-sync")


@pytest.fixture(scope="module")
def advertisers(browser: Browser, clerk: Any, synced: str) -> list[dict[str, Any]]:
    """The advertisers with one currency once billing applied the sync; the clerk declares
    those in the EU without VAT id businesses in their profile (else a run leaves them
    open: 'VAT id missing')."""
    lines = [line for line in settled_generator(browser.api)
             if len(line["totals"]) == 1 and ":advertiser:" in line["customer_id"]]
    assert len(lines) >= 3, lines
    for line in lines:
        if ok(browser.api.get(f"/customers/{line['customer_id']}/profile"))[
                "tax_treatment"] is None:
            clerk.goto(f"/ui/customers/{line['customer_id']}")
            clerk.get_by_label("Buyer kind (EU buyers without VAT id)").select_option("business")
            clerk.get_by_role("button", name="Save profile").click()
            assert flash(clerk) == "Profile saved."
    shot(clerk, "customer-profile")
    return lines


def test_process_selected_runs_and_the_job_log_follows_live(browser: Browser, clerk: Any,
                                                           advertisers: list) -> None:
    chosen = advertisers[:2]
    clerk.goto("/ui/generator")
    shot(clerk, "generator")
    for line in chosen:
        clerk.get_by_label(f"Select {line['name']}").check()
    clerk.get_by_role("button", name="Process selected").click()
    clerk.wait_for_url(re.compile(r".*/ui/jobs/[0-9a-f-]{36}$"))
    assert "processing in the background" in flash(clerk)
    log = clerk.locator(".log")
    for line in chosen:  # the page polls: no reload
        playwright_sync.expect(log).to_contain_text(f"created for {line['name']}",
                                                    timeout=240_000)
    playwright_sync.expect(clerk.locator("#job-live .badge").first).to_have_text("succeeded")
    assert f"started by {CLERK}" in clerk.locator("#job-live").inner_text()  # attributed
    shot(clerk, "job-run")


def test_the_invoice_list_shows_the_documents_and_their_pdf(browser: Browser,
                                                            clerk: Any) -> None:
    def listed() -> bool:
        clerk.goto("/ui/invoices")
        return clerk.locator("table tbody tr a", has_text=re.compile(".+")).count() >= 2
    until(listed, "two rendered invoices in the list", 300, every_s=2)
    shot(clerk, "invoices")
    with clerk.expect_download() as download:
        clerk.get_by_role("link", name="Download").first.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    clerk.locator("table tbody tr td a").first.click()
    shot(clerk, "invoice")
    pdf = clerk.request.get(clerk.url + "/pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"


def open_editor(page: Any, customer: dict[str, Any]) -> str:
    """Entries of `customer`, every one ticked, Cart into Generator: the draft's id."""
    page.goto("/ui/generator")
    page.get_by_role("row", name=re.compile(re.escape(customer["name"]))).get_by_role(
        "link", name="Entries").click()
    page.get_by_label("Select all entries").check()
    shot(page, "entries")
    page.get_by_role("button", name="Cart into Generator").click()
    page.wait_for_url(re.compile(r".*/ui/drafts/[0-9a-f-]{36}$"))
    return page.url.rsplit("/", 1)[1]


def test_a_stale_edit_is_refused_with_a_clear_message(browser: Browser, admin: Any,
                                                      clerk: Any, advertisers: list) -> None:
    draft_id = open_editor(clerk, advertisers[2])
    admin.goto(f"/ui/drafts/{draft_id}")  # another user saves first
    admin.get_by_label("Description of line 1").fill("Leads, changed by the admin")
    admin.get_by_role("button", name="Save draft").click()
    assert flash(admin) == "Draft saved."
    clerk.get_by_label("Description of line 1").fill("Leads, as the clerk saw them")
    clerk.get_by_role("button", name="Save draft").click()
    message = flash(clerk)
    assert "changed by someone else since you opened it" in message
    assert "Nothing of your edit was saved" in message
    assert clerk.get_by_label("Description of line 1").input_value() == \
        "Leads, changed by the admin"  # the page shows the draft as it is now
    shot(clerk, "editor-conflict")


def test_cart_edit_discount_preview_create_and_cancel(browser: Browser, clerk: Any,
                                                      advertisers: list) -> None:
    customer = advertisers[2]
    draft_id = clerk.url.rsplit("/", 1)[1]
    clerk.goto(f"/ui/drafts/{draft_id}")
    clerk.get_by_label("Description of line 1").fill("Leads October, as agreed")
    clerk.get_by_label("Intro text").fill("Thank you for your business.")
    clerk.get_by_role("button", name="Save draft").click()
    assert flash(clerk) == "Draft saved."
    gross_before = ok(browser.api.get(f"/drafts/{draft_id}"))["totals"]["gross"]
    add = clerk.locator("form[action$='/lines']")
    add.get_by_label("Kind").select_option("discount")
    add.get_by_label("Description").fill("Discount as agreed")
    add.get_by_label(re.compile("Amount")).fill("10.00")
    add.get_by_role("button", name="Add line").click()
    assert flash(clerk) == "Discount line added."
    draft = ok(browser.api.get(f"/drafts/{draft_id}"))
    assert draft["lines"][0]["description"] == "Leads October, as agreed"
    assert draft["lines"][-1]["net_amount"] == "-10.00"
    assert Decimal(draft["totals"]["gross"]) < Decimal(gross_before)
    shot(clerk, "editor")
    preview = clerk.request.get(f"/ui/drafts/{draft_id}/preview")
    assert preview.status == 200 and preview.body().startswith(b"%PDF")
    clerk.set_viewport_size(NARROW)
    shot(clerk, "editor-narrow")
    clerk.set_viewport_size(WIDE)

    clerk.get_by_role("button", name="Create", exact=True).click()
    assert re.search(rf"Invoice \S+ created for {re.escape(customer['name'])}", flash(clerk))
    until(lambda: browser.api.get(f"/invoices/{draft_id}").status_code == 200,
          "the created invoice rendered", 300)
    invoice = ok(browser.api.get(f"/invoices/{draft_id}"))
    assert invoice["gross_total"] == draft["totals"]["gross"]
    clerk.goto(f"/ui/invoices/{draft_id}")
    clerk.once("dialog", lambda dialog: dialog.accept())
    clerk.get_by_role("button", name="Cancel invoice").click()
    assert "Cancelled by document" in flash(clerk)

    def listed_as_cancelled() -> bool:
        clerk.goto(f"/ui/invoices?customer={customer['customer_id']}")
        return "cancellation" in clerk.locator("table").inner_text()
    until(listed_as_cancelled, "the invoice and its cancellation in the list", 300, every_s=2)
    shot(clerk, "invoices-cancelled")


def test_a_credit_note_for_part_of_an_invoice(browser: Browser, clerk: Any,
                                              advertisers: list) -> None:
    issued = ok(browser.api.get("/invoices", params={"customer_id": advertisers[0][
        "customer_id"], "status": "issued"}))["items"][0]
    clerk.goto(f"/ui/invoices/{issued['invoice_id']}")
    clerk.get_by_label(re.compile("Credit amount")).fill("1.00")
    clerk.get_by_label("Reason").fill("Goodwill for one lead")
    clerk.get_by_role("button", name="Issue credit note").click()
    assert re.search(r"Credit note \S+ issued", flash(clerk)), flash(clerk)


def test_a_custom_invoice_waits_in_the_drafts_list_for_approval(
        browser: Browser, clerk: Any, advertisers: list) -> None:
    clerk.goto(f"/ui/customers/{advertisers[0]['customer_id']}")
    form = clerk.locator("form[action$='/custom-invoice']")
    form.get_by_label("Description").fill("Setup fee")
    form.get_by_label("Single price").fill("250.00")
    form.get_by_role("button", name="Open in the invoice editor").click()
    clerk.wait_for_url(re.compile(r".*/ui/drafts/[0-9a-f-]{36}$"))
    draft_id = clerk.url.rsplit("/", 1)[1]
    assert clerk.get_by_label("Description of line 1").input_value() == "Setup fee"
    clerk.goto("/ui/drafts")
    shot(clerk, "drafts")
    row = clerk.get_by_role("row", name=re.compile(re.escape(advertisers[0]["name"])))
    if row.get_by_role("button", name="Approve").count():  # when approvals are required
        row.get_by_role("button", name="Approve").click()
        assert flash(clerk) == "Draft approved."
        assert ok(browser.api.get(f"/drafts/{draft_id}"))["approvals"]["count"] == 1


def test_the_other_tabs_render(browser: Browser, clerk: Any) -> None:
    for tab, name in (("jobs", "jobs"), ("affiliates", "affiliates"),
                      ("customers", "customers"), ("periods", "periods")):
        clerk.goto(f"/ui/{tab}")
        assert clerk.locator("h1").count() == 1
        shot(clerk, name)
    narrow = clerk.context.browser.new_context(viewport=NARROW, base_url=browser.gateway,
                                               storage_state=clerk.context.storage_state())
    page = narrow.new_page()
    for tab in ("generator", "invoices", "jobs"):
        page.goto(f"/ui/{tab}")
        shot(page, f"{tab}-narrow")
    narrow.close()


def test_a_viewer_sees_no_button_that_changes_anything(browser: Browser,
                                                       advertisers: list) -> None:
    viewer = browser.signed_in(VIEWER)
    viewer.goto("/ui/generator")
    assert viewer.get_by_role("button", name="Process selected").count() == 0
    assert viewer.locator("input[type=checkbox]").count() == 0
    shot(viewer, "generator-viewer")
    viewer.goto("/ui/adtracker")
    assert viewer.get_by_role("button", name="Get Adtracker Data").count() == 0
    viewer.goto("/ui/drafts")
    assert viewer.get_by_role("button", name="Approve").count() == 0
    viewer.goto("/ui/invoices")
    viewer.locator("table tbody tr td a").first.click()
    assert viewer.get_by_role("button", name="Cancel invoice").count() == 0
    assert viewer.goto("/ui/admin").status == 403
    # a forged POST with the viewer's own valid token: refused, nothing starts
    jobs_before = ok(browser.api.get("/jobs"))["total"]
    status = viewer.evaluate("""async (customer) => {
        const headers = document.body.getAttribute('hx-headers');
        const token = headers.match(/"X-CSRF-Token": "([^"]+)"/)[1];
        const form = new URLSearchParams({csrf_token: token, customer_ids: customer});
        return (await fetch('/ui/generator/process', {method: 'POST', body: form})).status;
    }""", advertisers[-1]["customer_id"])
    assert status == 403
    assert ok(browser.api.get("/jobs"))["total"] == jobs_before


def test_a_post_without_the_sessions_csrf_token_is_refused(browser: Browser, clerk: Any,
                                                           advertisers: list) -> None:
    clerk.goto("/ui/generator")
    jobs_before = ok(browser.api.get("/jobs"))["total"]
    statuses = clerk.evaluate("""async (customer) => {
        const send = (token) => fetch('/ui/generator/process', {method: 'POST',
            body: new URLSearchParams({...(token === null ? {} : {csrf_token: token}),
                                       customer_ids: customer})});
        return [(await send(null)).status, (await send('forged')).status];
    }""", advertisers[-1]["customer_id"])
    assert statuses == [403, 403]
    assert ok(browser.api.get("/jobs"))["total"] == jobs_before


def test_the_editor_works_with_javascript_off(browser: Browser, advertisers: list) -> None:
    """Forms post and redirect: signing in, opening a draft and saving it need no script."""
    context = browser.chromium.new_context(viewport=WIDE, base_url=browser.gateway,
                                           java_script_enabled=False)
    page = context.new_page()
    page.goto("/ui/login")
    page.get_by_label("Username").fill(CLERK)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/ui/drafts")
    page.get_by_role("link", name=advertisers[0]["name"]).first.click()
    page.get_by_label("Closing text").fill("Saved without JavaScript.")
    page.get_by_role("button", name="Save draft").click()
    assert flash(page) == "Draft saved."
    assert page.get_by_label("Closing text").input_value() == "Saved without JavaScript."
    context.close()
