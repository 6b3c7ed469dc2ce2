"""The same save sent several times at once (double clicks, retried requests) is kept once: the
unique constraint orders them and the later ones find the first. On PostgreSQL, with every write
committed, as in production."""

import pytest

from marketplace.jobs.models import SavedJob
from marketplace.jobs.services import job_save
from tests.concurrency import at_once
from tests.factories import UserFactory
from tests.jobs.test_applications import posting_with_employer


@pytest.mark.postgresql
def test_the_same_save_sent_twice_at_once_is_kept_once(committed_db):
    posting, _employer = posting_with_employer()
    reader = UserFactory(email_verified=True)

    outcomes = at_once(lambda: job_save(user=reader, posting=posting)[0].pk, times=4)

    assert SavedJob.objects.filter(user=reader, posting=posting).count() == 1
    assert set(outcomes) == {SavedJob.objects.get(user=reader).pk}
