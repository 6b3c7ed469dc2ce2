"""A contract's documents asked for twice at once (the background task and a download) are
issued once: one framework agreement, one MSA and one SOW. On PostgreSQL, every write
committed, as in production."""

import pytest

from marketplace.agreements.models import AgreementDocument, FrameworkAgreement
from marketplace.agreements.services import contract_documents_issue
from tests.concurrency import at_once
from tests.factories import buyer_party, contract_for, fx_rates, provider_party


@pytest.mark.postgresql
def test_documents_issued_twice_at_once_are_issued_once(committed_db):
    fx_rates()
    contract = contract_for(buyer_party(), provider_party())
    AgreementDocument.objects.all().delete()  # as if the task had not run yet
    FrameworkAgreement.objects.all().delete()

    outcomes = at_once(lambda: [d.pk for d in contract_documents_issue(contract=contract)])

    assert len(outcomes) == 2 and outcomes[0] == outcomes[1], outcomes
    assert FrameworkAgreement.objects.count() == 1
    assert sorted(AgreementDocument.objects.values_list("kind", flat=True)) == ["msa", "sow"]
