"""Work asked for several times in one transaction, covering every change before it runs, is
recorded and sent once."""

import pytest
from django.db import transaction

from marketplace.ops.models import PendingTask
from marketplace.ops.services import task_enqueue, task_enqueue_once

pytestmark = pytest.mark.django_db

TASK = "marketplace.ops.tasks.ping_task"


def test_the_same_task_asked_for_twice_in_one_transaction_is_recorded_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            first = task_enqueue_once(TASK)
            second = task_enqueue_once(TASK)
            task_enqueue_once(TASK, "other")

    assert first.pk == second.pk
    assert len(callbacks) == 2
    assert PendingTask.objects.count() == 2


def test_plain_enqueueing_records_each_request(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        task_enqueue(TASK)
        task_enqueue(TASK)

    assert len(callbacks) == 2


def test_a_task_already_handed_over_is_asked_for_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as first:
        task_enqueue_once(TASK)
    with django_capture_on_commit_callbacks(execute=True) as second:
        task_enqueue_once(TASK)

    assert (len(first), len(second)) == (1, 1)
    assert PendingTask.objects.count() == 0  # both sent
