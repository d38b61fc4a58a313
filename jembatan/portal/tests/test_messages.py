"""Messages between a mission and the consular directorate: one thread per (case,
mission), attachments checked by content, unread markers, alerts to the other side,
scope (Japan never sees Australia's thread or its files) and the case-page section."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jembatan.accounts.models import Alert
from jembatan.audit.events import AuditAction
from jembatan.audit.models import AuditEvent
from jembatan.core.exceptions import ApplicationError, NotFound
from jembatan.portal.models import Message, MessageAttachment, MessageThread
from jembatan.portal.selectors import threads_with_unread
from jembatan.portal.services import messages as svc

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _thread(portal, notification=None):
    notification = notification or portal.notify()
    return svc.thread_open(actor=portal.au, notification=notification)


def test_mission_writes_with_an_attachment_and_the_desk_is_alerted(portal, login):
    n = portal.notify()
    client = login(portal.au)
    response = client.post(f"/portal/notifications/{n.pk}/messages")
    thread = MessageThread.objects.get()
    assert response["Location"] == f"/portal/messages/{thread.pk}/"
    assert (thread.case_id, thread.mission_id) == (n.case_id, portal.embassy_aus.pk)
    response = client.post(
        f"/portal/messages/{thread.pk}/",
        {
            "body": "Please confirm the detainee has access to medication.",
            "attachments": [SimpleUploadedFile("letter.pdf", PDF, "application/pdf")],
        },
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.side == "mission"
    assert message.sender == portal.au
    attachment = message.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert len(attachment.sha256) == 64
    alert = Alert.objects.get(recipient=portal.desk)
    assert alert.url == f"/portal/desk/messages/{thread.pk}/"
    assert not Alert.objects.filter(recipient=portal.jp).exists()
    assert AuditEvent.objects.filter(action=AuditAction.MESSAGE_SENT, object_id=str(message.pk)).exists()
    # opening the same notification's thread again gives the same thread
    client.post(f"/portal/notifications/{n.pk}/messages")
    assert MessageThread.objects.count() == 1


def test_unread_markers_on_both_sides(portal, login):
    thread = _thread(portal)
    svc.message_send(actor=portal.au, thread=thread, body="First")
    svc.message_send(actor=portal.au, thread=thread, body="Second")
    assert threads_with_unread(actor=portal.desk).get(pk=thread.pk).unread == 2
    assert threads_with_unread(actor=portal.au).get(pk=thread.pk).unread == 0
    desk = login(portal.desk)
    listing = desk.get("/portal/desk/messages/")
    assert [t.unread for t in listing.context["threads"]] == [2]
    desk.get(f"/portal/desk/messages/{thread.pk}/")
    assert threads_with_unread(actor=portal.desk).get(pk=thread.pk).unread == 0
    assert list(desk.get("/portal/desk/messages/", {"unread": "1"}).context["threads"]) == []
    desk.post(f"/portal/desk/messages/{thread.pk}/", {"body": "We will check with the Rudenim."})
    assert threads_with_unread(actor=portal.au).get(pk=thread.pk).unread == 1
    assert Alert.objects.filter(recipient=portal.au, url=f"/portal/messages/{thread.pk}/").exists()
    page = login(portal.au).get("/portal/messages/")
    assert page.context["unread_messages"] == 1


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([SimpleUploadedFile("photo.pdf", PNG, "application/pdf")], "not what its name says"),
        ([SimpleUploadedFile("script.exe", b"MZ\x90\x00" * 10, "application/octet-stream")], "must be a PDF, JPG or PNG"),
        ([SimpleUploadedFile("empty.pdf", b"", "application/pdf")], "is empty"),
        ([SimpleUploadedFile(f"f{i}.pdf", PDF, "application/pdf") for i in range(6)], "at most 5 files"),
    ],
)
def test_attachments_are_checked_by_content(portal, login, files, message):
    thread = _thread(portal)
    response = login(portal.au).post(
        f"/portal/messages/{thread.pk}/", {"body": "See attached", "attachments": files}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Message.objects.exists()
    assert not MessageAttachment.objects.exists()


def test_other_mission_sees_nothing_of_the_thread_or_its_files(portal, login):
    thread = _thread(portal)
    message = svc.message_send(
        actor=portal.au, thread=thread, body="Private", attachments=[SimpleUploadedFile("a.pdf", PDF, "application/pdf")]
    )
    attachment = message.attachments.get()
    jp = login(portal.jp)
    assert jp.get(f"/portal/messages/{thread.pk}/").status_code == 404
    assert jp.post(f"/portal/messages/{thread.pk}/", {"body": "x"}).status_code == 404
    assert jp.get(f"/portal/attachments/{attachment.pk}/").status_code == 404
    assert list(jp.get("/portal/messages/").context["threads"]) == []
    with pytest.raises(NotFound):
        svc.message_send(actor=portal.jp, thread=thread, body="x")
    au = login(portal.au)
    response = au.get(f"/portal/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    desk = login(portal.desk)
    assert desk.get(f"/portal/attachments/{attachment.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.MESSAGE_ATTACHMENT_READ, object_id=str(attachment.pk)).count() == 2


def test_desk_opens_a_thread_from_the_case_page_only_with_a_notified_mission(portal, login):
    n = portal.notify()
    desk = login(portal.desk)
    page = desk.get(f"/cases/{n.case_id}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="portal-messages"' in body
    assert f"/portal/desk/cases/{n.case_id}/missions/{portal.embassy_aus.pk}/thread" in body
    response = desk.post(f"/portal/desk/cases/{n.case_id}/missions/{portal.embassy_aus.pk}/thread")
    thread = MessageThread.objects.get()
    assert response["Location"] == f"/portal/desk/messages/{thread.pk}/"
    with pytest.raises(ApplicationError):
        svc.thread_open(actor=portal.desk, case=n.case, mission=portal.embassy_jpn)
    assert MessageThread.objects.count() == 1
    # a mission officer never gets the desk pages
    assert login(portal.au).get("/portal/desk/messages/").status_code == 403


def test_messages_cannot_be_empty(portal):
    thread = _thread(portal)
    with pytest.raises(ApplicationError) as exc:
        svc.message_send(actor=portal.au, thread=thread, body="   ")
    assert exc.value.field == "body"
