"""The same verification sent twice at once (a double-clicked form) is recorded once: the row lock
on the certification orders the two, and the second finds the first. On PostgreSQL, with every
write committed, as in production."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cms.models import CertificationVerification
from cms.services import certification_verify, platform_moderator_add
from tests.concurrency import at_once
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

    recorded = at_once(
        lambda: (
            certification_verify(
                certification=certification,
                by=staff,
                outcome="confirmed",
                source="NMPA GLP register",
            ).pk
        )
    )

    assert len(recorded) == 2 and len(set(recorded)) == 1
    assert CertificationVerification.objects.count() == 1
