"""The demo site for the local ``make run``: the site skeleton and ~30 fictional providers."""

import json
from pathlib import Path

from django.db import transaction

from cms.importer import ImportReport, providers_import
from cms.services import site_skeleton_ensure
from marketplace.accounts.models import Organisation, VerificationStatus
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


def load_demo_verifications(*, by) -> int:
    """Platform staff (``by``) have verified, with the issuer, the unexpired certifications of
    every other verified demo provider, so the site shows checked and declared certifications
    side by side; idempotent. Returns how many were verified now."""
    from cms.models import Certification
    from cms.services import certification_verify

    verified = 0
    certifications = Certification.objects.filter(
        page__organisation__external_id__startswith="demo-p",
        page__organisation__verification_status=VerificationStatus.VERIFIED,
    ).select_related("page__organisation")
    for certification in certifications.order_by("pk"):
        number = int(certification.page.organisation.external_id.removeprefix("demo-p"))
        if number % 2 or certification.is_expired or certification.verification is not None:
            continue
        certification_verify(
            certification=certification, by=by, outcome="confirmed",
            source=f"{certification.issuer or certification.get_standard_display()} register",
        )  # fmt: skip
        verified += 1
    return verified


# The demo deals' answers to the cross-border questions, every one stated: nothing sensitive
# crosses the border (the tests' deals answer the same).
DEMO_DEAL_FACTS = {
    "hgr_materials_leave_china": False,
    "buyer_collects_hgr": False,
    "hgr_information_abroad": False,
    "hgr_joint_research": False,
    "registration_trial_at_institution": False,
    "personal_info_subjects_ytd": 0,
    "sensitive_personal_info_subjects_ytd": 0,
    "important_data": False,
    "technology_transfer": False,
    "technology_catalogue_item": "none",
    "foreign_staff_on_site": False,
    "ai_generated_prescriptions": False,
}
DEMO_BUYER = ("buyer@example.com", "buyer")  # the local demo's documented logins, DEBUG only
DEMO_CRO = ("cro@example.com", "cro")
DEMO_GRADUATE = ("graduate@example.com", "graduate")


def load_demo_deal() -> dict[str, str]:
    """A buyer (Helix Therapeutics, US) with an open request for quote to a demo CRO, which
    has answered it; each with a login. Idempotent. Returns the logins."""
    from datetime import timedelta
    from decimal import Decimal

    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from marketplace.accounts.models import OrganisationKind, Role
    from marketplace.accounts.services import membership_add, organisation_create
    from marketplace.contracting import services as deals
    from marketplace.contracting.models import Rfq

    user_model = get_user_model()
    users = {}
    for email, password in (DEMO_BUYER, DEMO_CRO, DEMO_GRADUATE):
        user = user_model.objects.filter(email=email).first()
        if user is None:
            user = user_model.objects.create_user(email=email, password=password)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        users[email] = user
    buyer_user, cro_user = users[DEMO_BUYER[0]], users[DEMO_CRO[0]]
    cro = Organisation.objects.get(external_id="demo-p002")
    # Through the service every member joins by, so the CRO login edits its provider's pages in
    # the admin like any owner (and a demo loaded before gets that access back).
    membership_add(organisation=cro, user=cro_user, role=Role.OWNER)
    buyer = Organisation.objects.filter(slug="helix-therapeutics").first() or organisation_create(
        name="Helix Therapeutics", kind=OrganisationKind.BUYER, country="US", owner=buyer_user
    )
    if not Rfq.objects.filter(buyer=buyer).exists():
        with transaction.atomic():
            rfq = deals.rfq_create(
                buyer=buyer, by=buyer_user, title="Metabolic stability panel for 12 compounds",
                summary="In vitro ADME for a small-molecule lead series.",
                scope="Liver microsomal stability (human, rat) and CYP inhibition for 12 "
                "compounds; report with intrinsic clearance.",
                capability_codes=["dmpk.in_vitro_adme"], budget_currency="USD",
                budget_max_amount=Decimal("15000.00"), **DEMO_DEAL_FACTS,
            )  # fmt: skip
            deals.rfq_invite(rfq=rfq, providers=[cro], by=buyer_user)
            deals.rfq_open(rfq=rfq, by=buyer_user)
            quote = deals.quote_save_draft(
                rfq=rfq, provider=cro, by=cro_user,
                lines=[
                    deals.LineInput("Microsomal stability, 12 compounds × 2 species",
                                    Decimal(24), Decimal("1800.00"), Decimal(0),
                                    "zero_rated_export", "dmpk.in_vitro_adme"),
                    deals.LineInput("CYP inhibition panel (5 isoforms)", Decimal(12),
                                    Decimal("2200.00"), Decimal("0.06"), "standard"),
                ],
                milestones=[
                    deals.MilestoneInput("Kick-off", share=Decimal(30), trigger="Contract signed"),
                    deals.MilestoneInput("Final report", share=Decimal(70),
                                         trigger="Report delivered"),
                ],
                valid_until=timezone.localdate() + timedelta(days=60), turnaround_days=15,
                provider_is_ciio=False,
            )  # fmt: skip
            deals.quote_submit(quote=quote, by=cro_user)
    _demo_reviewed_deal(buyer=buyer, buyer_user=buyer_user, cro=cro, cro_user=cro_user)
    # What the hourly task computes in production (the local site runs no scheduler).
    from marketplace.trust.services import track_records_refresh

    track_records_refresh()
    _demo_candidate(users[DEMO_GRADUATE[0]])
    return dict((DEMO_BUYER, DEMO_CRO, DEMO_GRADUATE))


def _demo_candidate(user) -> None:
    """The graduate login's candidate profile (with a one-page CV), one application to a graduate
    posting and two saved postings: the job board as a candidate sees it."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cms.models import JobPostingPage
    from marketplace.jobs.models import CandidateProfile
    from marketplace.jobs.services import application_create, candidate_profile_save, job_save

    if CandidateProfile.objects.filter(user=user).exists():
        return
    candidate_profile_save(
        user=user, full_name="Chen Yu", degree="master", school="China Pharmaceutical University",
        graduation_year=timezone.localdate().year, discipline_codes=["dmpk.in_vitro_adme"],
        languages=["zh", "en"],
        cv=SimpleUploadedFile("chen-yu-cv.pdf", _demo_cv_pdf(), content_type="application/pdf"),
    )  # fmt: skip
    postings = list(JobPostingPage.objects.live().filter(level="graduate").order_by("pk")[:3])
    if postings:
        application_create(
            posting=postings[0], candidate=user,
            cover_note="I finished a master's in pharmaceutical analysis and would like to join "
            "your bioanalysis group.",
        )  # fmt: skip
    for posting in postings[1:]:
        job_save(user=user, posting=posting)


def _demo_cv_pdf() -> bytes:
    """A one-page CV as a real PDF (the upload check reads it)."""
    from weasyprint import HTML

    return HTML(
        string="<h1>Chen Yu</h1><p>M.Sc. Pharmaceutical Analysis. LC-MS/MS bioanalysis; in vitro "
        "ADME (microsomal stability, Caco-2).</p>"
    ).write_pdf()


def _demo_reviewed_deal(*, buyer, buyer_user, cro, cro_user) -> None:
    """An earlier deal between the demo buyer and CRO, done, paid, completed and reviewed (with
    the CRO's answer), so the provider page and the contract page show a verified review."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from marketplace.agreements.models import SigningMethod
    from marketplace.agreements.signing import contract_documents_sign
    from marketplace.contracting import services as deals
    from marketplace.trust.models import Review
    from marketplace.trust.services import review_create, review_reply

    if Review.objects.filter(buyer=buyer, provider=cro).exists():
        return
    with transaction.atomic():
        rfq = deals.rfq_create(
            buyer=buyer, by=buyer_user, title="Plasma protein binding, 8 compounds",
            summary="Equilibrium dialysis in human and rat plasma.",
            scope="Plasma protein binding by equilibrium dialysis for 8 compounds in human and "
            "rat plasma; fraction unbound with recovery.",
            capability_codes=["dmpk.in_vitro_adme"], budget_currency="USD",
            budget_max_amount=Decimal("8000.00"), **DEMO_DEAL_FACTS,
        )  # fmt: skip
        deals.rfq_invite(rfq=rfq, providers=[cro], by=buyer_user)
        deals.rfq_open(rfq=rfq, by=buyer_user)
        quote = deals.quote_save_draft(
            rfq=rfq, provider=cro, by=cro_user,
            lines=[deals.LineInput("Plasma protein binding, 8 compounds × 2 species",
                                   Decimal(16), Decimal("2100.00"), Decimal(0),
                                   "zero_rated_export", "dmpk.in_vitro_adme")],
            milestones=[deals.MilestoneInput("Final report", share=Decimal(100),
                                             trigger="Report delivered")],
            valid_until=timezone.localdate() + timedelta(days=60), turnaround_days=10,
            provider_is_ciio=False,
        )  # fmt: skip
        deals.quote_submit(quote=quote, by=cro_user)
        contract = deals.quote_accept(quote=quote, by=buyer_user)
        for user, name in ((buyer_user, "Dana Whitfield"), (cro_user, "Wei Zhang")):
            contract_documents_sign(
                contract=contract, by=user, typed_name=name, method=SigningMethod.PASSWORD
            )
        for milestone in contract.milestones.all():
            deals.milestone_mark_due(milestone=milestone, by=cro_user)
            deals.milestone_mark_paid(milestone=milestone, reference="demo-bank-transfer")
            deals.milestone_accept(milestone=milestone, by=buyer_user)
        contract = deals.contract_complete(contract=contract, by=buyer_user)
        review = review_create(
            contract=contract, by=buyer_user, overall=5, quality=5, timeliness=4,
            communication=5, value=4,
            text="Clean equilibrium-dialysis data with recovery for every compound; the report "
            "came two days after the agreed date, with the reason explained in advance.",
        )  # fmt: skip
        review_reply(
            review=review, by=cro_user,
            text="感谢反馈。我们已调整透析排期，后续项目按期交付。",
        )  # fmt: skip
