"""The demo site for the local ``make run``: the site skeleton and ~30 fictional providers."""

import json
from pathlib import Path

from django.db import transaction

from cms.importer import ImportReport, providers_import
from cms.services import site_skeleton_ensure
from marketplace.accounts.models import Organisation
from marketplace.accounts.services import organisation_verify
from marketplace.catalog.services import fx_rates_load

DEMO_BUNDLE = Path(__file__).resolve().parent / "fixtures" / "demo-providers.json"
# Two in three demo providers are verified, so the site shows both states.
UNVERIFIED_DEMO_PROVIDERS = {f"demo-p{number:03d}" for number in range(3, 31, 3)}


def load_demo_site(*, progress=None) -> ImportReport:
    """Build the site skeleton, import the demo bundle through the bulk importer and load the
    reference FX rates; idempotent."""
    site_skeleton_ensure()
    report = providers_import(
        bundle=json.loads(DEMO_BUNDLE.read_text(encoding="utf-8")), progress=progress
    )
    with transaction.atomic():
        for organisation in Organisation.objects.filter(external_id__startswith="demo-p").exclude(
            external_id__in=UNVERIFIED_DEMO_PROVIDERS
        ):
            organisation_verify(organisation=organisation)
    fx_rates_load()  # reference rates, so quotes show buyers their own currency
    return report
