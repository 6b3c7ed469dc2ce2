"""The outbox: work asked for while the broker is down is recorded, never dropped, and sent when
the broker is back."""

import pytest

from marketplace.jobs.services import application_create
from marketplace.ops.models import PendingTask
from marketplace.ops.services import outbox_drain
from tests.factories import buyer_party, provider_party, rfq_for
from tests.jobs.test_applications import candidate, posting_with_employer

pytestmark = pytest.mark.django_db


def test_a_deal_goes_on_while_the_broker_is_down_and_its_emails_follow(
    broker_unreachable, django_capture_on_commit_callbacks, mailoutbox
):
    buyer, provider = buyer_party(), provider_party()

    with django_capture_on_commit_callbacks(execute=True):
        rfq = rfq_for(buyer, invite=[provider])

    assert rfq.status == "open"
    waiting = list(PendingTask.objects.all())
    assert [task.task for task in waiting] == [
        "marketplace.contracting.tasks.notification_send_task"
    ] * len(waiting) and waiting
    assert all(task.attempts == 1 and "Error" in task.last_error for task in waiting)
    assert outbox_drain() == {"sent": 0, "waiting": len(waiting)}  # still down: nothing lost
    assert mailoutbox == []


def test_the_sweep_sends_what_waited_once_the_broker_is_back(
    broker_unreachable, django_capture_on_commit_callbacks, mailoutbox
):
    posting, employer_user = posting_with_employer()
    graduate = candidate()
    with django_capture_on_commit_callbacks(execute=True):
        application_create(posting=posting, candidate=graduate, cover_note="Hello")
    assert PendingTask.objects.count() == 1 and mailoutbox == []

    broker_unreachable()  # the broker is back
    assert outbox_drain() == {"sent": 1, "waiting": 0}

    assert employer_user.email in mailoutbox[-1].to
    assert outbox_drain() == {"sent": 0, "waiting": 0}  # sent once
