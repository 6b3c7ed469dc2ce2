"""The same verification sent twice at once (a double-clicked form) is recorded once: the row lock
on the certification orders the two, and the second finds the first. On PostgreSQL, with every
write committed, as in production."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cms.models import CertificationVerification
from cms.services import certification_verify, platform_moderator_add
from tests.factories import UserFactory, certified_provider_page, provider_party


@pytest.mark.postgresql
def test_the_same_verification_sent_twice_at_once_is_recorded_once(committed_db):
    provider = provider_party()
    page = certified_provider_page(
        provider.organisation,
        {
            "standard": "GLP",
            "reference": "GLP-7",
            "valid_until": timezone.localdate() + timedelta(days=90),
        },
    )
    certification = page.certifications.get()
    staff = UserFactory()
    platform_moderator_add(user=staff)
    recorded, barrier = [], threading.Barrier(2)

    def send() -> None:
        barrier.wait()
        try:
            verification = certification_verify(
                certification=certification,
                by=staff,
                outcome="confirmed",
                source="NMPA GLP register",
            )
            recorded.append(verification.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(recorded) == 2 and len(set(recorded)) == 1
    assert CertificationVerification.objects.count() == 1
