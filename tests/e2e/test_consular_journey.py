"""The whole consular journey end to end (issues #4 and #5), in Debian's Chromium against a
live server, with the real task worker (`manage.py run_worker` in a subprocess on the same
test database) and a real SMTP server (aiosmtpd) receiving the notification e-mail:

1. an immigration officer records a detention of an Australian whose passport MRZ is pasted
   into the intake page, with the consular-rights answer "requested";
2. the worker's engine decides to notify the Australian embassy;
3. the consular officer sees it in the inbox with its deadline, opens it, dispatches it; the
   PDF has both languages; the e-mail with the PDF reaches the SMTP server;
4. the embassy officer signs in with a TOTP code, finds it in the portal inbox, confirms
   receipt and requests a visit;
5. the detention centre schedules the visit and records it;
6. the consular officer's KPI page counts the notification, its acknowledgement and the visit.

Each step is screenshotted into test-artifacts/ and checked with axe (WCAG 2.x A/AA).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import time
from collections.abc import Callable

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.utils import timezone

from jembatan.accounts.models import Agency
from jembatan.accounts.roles import Role
from jembatan.accounts.tests.factories import TEST_PASSWORD, AgencyFactory, OrgUnitFactory, UserFactory
from jembatan.cases.models import Case, CaseEvent
from jembatan.core.tests.browser import axe_violations, screenshot
from jembatan.notifications.models import AccessRequest, ConsularVisit, Notification, NotificationDecision
from jembatan.notifications.tests.factories import MissionContactFactory, mission_agency
from jembatan.notifications.tests.smtp import smtp_server_fixture, start_smtp_worker_fixture  # noqa: F401 - fixtures
from jembatan.people import mrz
from jembatan.reference.models import LegalBasis
from jembatan.reference.tests.factories import CountryFactory, DetentionCentreFactory, ForeignMissionFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WITA = dt.timezone(dt.timedelta(hours=8))
EMBASSY_MAIL = "consular.jakarta@australia.example"
WALKER_MRZ = "\n".join(
    mrz.compose_td3(
        issuing_state="AUS",
        surname="WALKER",
        given_names="JAMES",
        document_number="PA1234567",
        nationality="AUS",
        birth_date=dt.date(1985, 3, 14),
        sex="M",
        expiry_date=dt.date(2031, 1, 31),
    )
)


def wait_for(predicate: Callable[[], object], *, timeout: float, what: str, log: object = None) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    tail = log.read_text()[-3000:] if log is not None and log.exists() else ""  # type: ignore[attr-defined]
    pytest.fail(f"timed out after {timeout} s waiting for {what}\n{tail}")


def current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def step(page, name: str) -> None:
    """Screenshot the step, and no axe violation on the page."""
    screenshot(page, f"journey-{name}")
    assert axe_violations(page) == [], name


def sign_in(page, base: str, username: str, *, totp_secret: str = "") -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form [type=submit]").last.click()
    if totp_secret:
        page.locator("input[name=code]").wait_for()
        step(page, "04a-embassy-totp")
        page.locator("input[name=code]").first.fill(current_code(totp_secret))
        page.get_by_role("button", name="Lanjutkan").click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/(portal/)?$"))


def fill_date(page, prefix: str, moment: dt.datetime, time_field: str) -> None:
    page.locator(f"#{prefix}").fill(str(moment.day))
    page.locator(f"#{prefix}_month").fill(str(moment.month))
    page.locator(f"#{prefix}_year").fill(str(moment.year))
    page.locator(f"#{time_field}").fill(moment.strftime("%H.%M"))


def paste(page, selector: str, text: str) -> None:
    """Paste `text` into the box as an officer would (clipboard + Ctrl+V); where the headless
    browser has no clipboard, set the value and fire the same `paste` event."""
    box = page.locator(selector)
    box.click()
    try:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.evaluate("text => navigator.clipboard.writeText(text)", text)
        page.keyboard.press("Control+V")
    except Exception:  # noqa: BLE001, S110 - fallback below
        pass
    if not box.input_value().strip():
        page.evaluate(
            "([sel, text]) => { const b = document.querySelector(sel); b.value = text; b.dispatchEvent(new Event('paste')); }",
            [selector, text],
        )


@pytest.fixture
def journey_world(db):
    aus = CountryFactory(code="AUS", name_en="Australia", name_id="Australia")
    CountryFactory(code="IDN", name_en="Indonesia", name_id="Indonesia")
    embassy = ForeignMissionFactory(
        country=aus, sending_entity="Australia", name_en="Embassy of Australia", name_id="Kedutaan Besar Australia"
    )
    MissionContactFactory(mission=embassy, label="Consular section", email=EMBASSY_MAIL)
    centre = DetentionCentreFactory(code="RDN-DPS", name_id="Rudenim Denpasar", name_en="Denpasar IDC", time_zone="Asia/Makassar")
    LegalBasis.objects.create(
        law="UU 6/2011",
        article="83",
        paragraph="(1)",
        kind="detention",
        summary_en="Grounds of detention",
        summary_id="Alasan pendetensian",
        valid_from=dt.date(2011, 5, 5),
    )
    imm = AgencyFactory(code="j-imigrasi", kind=Agency.Kind.IMMIGRATION, name_id="Kanwil Imigrasi Bali", name_en="Bali Immigration")
    office = OrgUnitFactory(agency=imm, code="j-kanim-dps", name_id="Kanim Denpasar", name_en="Denpasar Office", time_zone="Asia/Makassar")
    rudenim = OrgUnitFactory(
        agency=imm, code="j-rudenim-dps", name_id="Rudenim Denpasar", name_en="Denpasar IDC", time_zone="Asia/Makassar"
    )
    kemlu = AgencyFactory(code="j-kemlu", kind=Agency.Kind.FOREIGN_MINISTRY, name_id="Kemlu", name_en="MFA")
    UserFactory(username="petugas.imigrasi", full_name="Budi Santoso", roles=[Role.IMMIGRATION_OFFICER.value], agency=imm, unit=office)
    UserFactory(username="petugas.rudenim", full_name="Wayan Sudarma", roles=[Role.IMMIGRATION_OFFICER.value], agency=imm, unit=rudenim)
    UserFactory(username="konsuler", full_name="Siti Rahma", roles=[Role.CONSULAR_OFFICER.value], agency=kemlu)
    consul = UserFactory(
        username="au.konsul", full_name="Jane Consul", roles=[Role.MISSION_OFFICER.value], agency=mission_agency(embassy), with_totp=True
    )
    return {"embassy": embassy, "centre": centre, "consul": consul}


def test_detention_to_visit_counted_in_the_kpis(browser, browser_context_args, live_server, journey_world, smtp_server, start_smtp_worker):
    base = live_server.url

    def new_page():
        return browser.new_context(**browser_context_args).new_page()

    # 1. The immigration officer records the detention, the person from a pasted MRZ.
    officer = new_page()
    sign_in(officer, base, "petugas.imigrasi")
    officer.goto(f"{base}/cases/")
    officer.get_by_role("link", name="Catat penahanan baru").first.click()
    officer.get_by_role("link", name="Cari atau catat orangnya").click()
    officer.wait_for_url(re.compile(r".*/people/new/\?next=.*"))
    step(officer, "01a-intake")
    paste(officer, "#id_mrz", WALKER_MRZ)
    officer.locator("#mrz-status").wait_for()  # the page read the MRZ on paste
    assert officer.locator("#id_surname").input_value() == "WALKER"
    assert officer.locator("#id_given_names").input_value() == "JAMES"
    step(officer, "01b-intake-mrz-read")
    officer.get_by_role("button", name="Simpan", exact=True).click()
    officer.wait_for_url(re.compile(r".*/cases/new/\?kind=detention&person=[0-9a-f-]{36}$"))
    assert "WALKER JAMES" in officer.locator("main").inner_text()
    detained = timezone.localtime(timezone.now() - dt.timedelta(hours=2), WITA)
    fill_date(officer, "id_occurred_date", detained, "id_occurred_time")
    officer.locator("#id_detention_centre").select_option(label="Rudenim Denpasar (WITA)")
    officer.get_by_label("(a) Tidak memiliki izin tinggal yang sah atau izin tinggal telah habis").check()
    officer.locator("#id_legal_basis").select_option(index=1)
    officer.locator("#id_summary").fill("Izin tinggal habis 70 hari; ditemukan saat operasi Tim PORA.")
    fill_date(officer, "id_rights_informed_date", detained, "id_rights_informed_time")
    officer.locator("#id_rights_language").select_option("en")
    officer.locator("#id_rights_answer").check()  # asks for the embassy to be notified
    step(officer, "01c-detention-form")
    officer.get_by_role("button", name="Catat kasus").click()
    officer.wait_for_url(re.compile(r".*/cases/[0-9a-f-]{36}/(#.*)?$"))
    case = Case.objects.get()
    assert case.person.documents.get().number == "PA1234567"
    assert case.rights_advice.get().answer == "requested"
    step(officer, "01d-case-recorded")

    # 2. The worker's engine decides (periodic assessment), e-mailing through the test SMTP server.
    worker, log = start_smtp_worker("journey-worker", smtp_server.port)
    notification = wait_for(lambda: Notification.objects.filter(case=case).first(), timeout=60, what="the engine to decide", log=log)
    assert isinstance(notification, Notification)
    decision = notification.decision
    assert NotificationDecision.objects.filter(case=case, outcome="notify").count() == 1
    assert (decision.outcome, decision.reason) == ("notify", "requested")
    assert notification.mission == journey_world["embassy"]
    assert notification.status == "to_check"
    assert notification.due_at == case.occurred_at + dt.timedelta(hours=decision.policy.deadline_hours if decision.policy else 72)
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.NOTIFICATION_DECIDED).exists()

    # 3. The consular officer: inbox with the deadline, the notification, dispatch.
    desk = new_page()
    sign_in(desk, base, "konsuler")
    desk.get_by_role("link", name="Notifikasi kekonsuleran").first.click()
    desk.wait_for_url(re.compile(r".*/notifications/$"))
    row = desk.locator("tr", has_text=notification.reference)
    due = notification.due_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert row.locator(f'time[datetime="{due}"]').count() == 1, "the deadline is shown in the inbox"
    step(desk, "03a-desk-inbox")
    desk.get_by_role("link", name=notification.reference, exact=True).click()
    desk.wait_for_url(re.compile(rf".*/notifications/{notification.pk}/$"))
    assert "WALKER JAMES" in desk.locator("main").inner_text()
    step(desk, "03b-desk-notification")
    desk.get_by_role("link", name="Periksa dan kirim").first.click()
    desk.wait_for_url(re.compile(r".*/dispatch/$"))
    assert EMBASSY_MAIL in desk.locator("main").inner_text()
    step(desk, "03c-desk-review")
    desk.get_by_role("button", name="Kirim notifikasi").click()
    desk.wait_for_url(re.compile(rf".*/notifications/{notification.pk}/$"))
    assert f"Notifikasi terkirim: {notification.reference}." in desk.locator(".alert-success").inner_text()
    step(desk, "03d-desk-dispatched")
    notification.refresh_from_db()
    assert notification.status == "dispatched"
    assert notification.document

    pdf = desk.request.get(f"{base}/notifications/{notification.pk}/document.pdf")
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.body(), capture_output=True, check=True).stdout.decode()
    assert notification.reference in text
    assert "WALKER" in text
    assert "Data orang yang bersangkutan" in text, "the notice is in Indonesian"
    assert "The person concerned" in text, "and in English"

    mails = wait_for(lambda: smtp_server.collector.to(EMBASSY_MAIL), timeout=60, what="the e-mail to the embassy", log=log)
    assert len(mails) == 1  # type: ignore[arg-type]
    mail = mails[0]  # type: ignore[index]
    assert notification.reference in mail["Subject"]
    attachments = [(p.get_filename(), p.get_content()) for p in mail.iter_attachments()]
    assert [name for name, _c in attachments] == [f"{notification.reference}.pdf"]
    assert attachments[0][1].startswith(b"%PDF")

    # 4. The embassy officer: TOTP sign-in, portal inbox, confirm receipt, request a visit.
    consul = new_page()
    sign_in(consul, base, "au.konsul", totp_secret=journey_world["consul"].totp_secret)
    consul.goto(f"{base}/portal/")
    assert notification.reference in consul.locator("main").inner_text()
    step(consul, "04b-portal-inbox")
    consul.locator(f'a.jb-notification-link[data-reference="{notification.reference}"]').click()
    consul.wait_for_url(re.compile(rf".*/portal/notifications/{notification.pk}/$"))
    step(consul, "04c-portal-notification")
    consul.locator("#confirm-receipt").click()
    consul.locator("#ack-done").wait_for()
    step(consul, "04d-portal-acknowledged")
    consul.locator("#request-access").click()
    consul.wait_for_url(re.compile(rf".*/portal/notifications/{notification.pk}/access/$"))
    tomorrow = timezone.localtime(timezone.now() + dt.timedelta(days=1), dt.timezone(dt.timedelta(hours=7)))
    consul.locator("#id_time_1").fill(tomorrow.strftime("%Y-%m-%dT10:00"))
    consul.locator("#id_officers").fill("Jane Consul, diplomatic card KD-2026-00017")
    step(consul, "04e-portal-access-form")
    consul.locator("#send-access-request").click()
    consul.wait_for_load_state()
    request = wait_for(lambda: AccessRequest.objects.filter(case=case).first(), timeout=10, what="the access request")
    assert isinstance(request, AccessRequest)
    step(consul, "04f-portal-access-sent")
    notification.refresh_from_db()
    assert notification.status == "acknowledged"
    assert notification.acknowledgement_channel == "portal"

    # 5. The detention centre schedules the visit, then records it.
    centre = new_page()
    sign_in(centre, base, "petugas.rudenim")
    centre.goto(f"{base}/notifications/access/")
    step(centre, "05a-centre-access-list")
    centre.get_by_role("link", name=case.reference).first.click()
    centre.wait_for_url(re.compile(rf".*/notifications/access/{request.pk}/$"))
    fill_date(centre, "id_scheduled_date", tomorrow.astimezone(WITA).replace(hour=11, minute=0), "id_scheduled_time")
    step(centre, "05b-centre-access-detail")
    centre.locator("form[action$='/schedule/'] [type=submit]").click()
    centre.wait_for_url(re.compile(rf".*/notifications/access/{request.pk}/$"))
    request.refresh_from_db()
    assert request.status == "scheduled"
    step(centre, "05c-centre-scheduled")
    visited = timezone.localtime(timezone.now() + dt.timedelta(minutes=2), WITA)
    fill_date(centre, "id_visit_date", visited, "id_visit_time")
    centre.locator("#id_duration_minutes").fill("45")
    centre.locator("#id_outcome").fill("Visit held; the detainee is well and has a lawyer.")
    centre.locator("form[action$='/visit/'] [type=submit]").click()
    centre.wait_for_url(re.compile(rf".*/notifications/access/{request.pk}/$"))
    visit = ConsularVisit.objects.get(case=case)
    assert visit.access_request == request
    assert visit.mission == journey_world["embassy"]
    step(centre, "05d-centre-visit-recorded")

    # 6. The KPI page counts the notification, its acknowledgement and the visit.
    desk.goto(f"{base}/notifications/performance/")
    assert desk.locator('[data-kpi="notifications"]').inner_text() == "1"
    assert desk.locator('[data-kpi="dispatched"]').inner_text() == "1"
    assert desk.locator('[data-kpi="acknowledged"]').inner_text() == "1"
    assert desk.locator('[data-kpi="d2d-median"]').inner_text() not in ("", "—")
    assert desk.locator('[data-kpi="ack-median"]').inner_text() not in ("", "—")
    assert desk.locator('[data-kpi="visit-median"]').inner_text() not in ("", "—")
    step(desk, "06-kpi")

    # The worker sent exactly one e-mail and is still healthy.
    assert worker.poll() is None, log.read_text()[-3000:]
    assert len(smtp_server.collector.to(EMBASSY_MAIL)) == 1
