"""REST API for the deal: /api/v1/rfqs/, /quotes/, /contracts/, /milestones/, /screening.

Thin: parse, find the object through what the user may see (anything else is a 404), call one
service, shape the answer. Errors: 400 by field, 403, 404, 409 for a refused status change.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.models import PROVIDER_KINDS, Organisation, OrganisationKind
from marketplace.api.schema import CONFLICT
from marketplace.columns import column_range
from marketplace.compliance.screening import DealFacts
from marketplace.compliance.selectors import rules_version
from marketplace.compliance.services import screen_deal
from marketplace.contracting import selectors, services
from marketplace.contracting.models import (
    CatalogueItem,
    Contract,
    Quote,
    QuoteRevision,
    Rfq,
    VatBasis,
    Visibility,
)
from marketplace.contracting.services.screening import RFQ_FACTS, RFQ_PARTY_FACTS
from marketplace.money import Currency

AMOUNT = {"max_digits": 14, "decimal_places": 2}


# --- Shapes -------------------------------------------------------------------------------


class PartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    country = serializers.CharField()


class FindingSerializer(serializers.Serializer):
    rule = serializers.CharField()
    title_en = serializers.CharField()
    title_zh = serializers.CharField(allow_blank=True)
    severity = serializers.ChoiceField(["blocked", "needs_approval", "needs_filing", "info"])
    status = serializers.ChoiceField(["applies", "to_confirm"])
    flow = serializers.CharField()
    action_en = serializers.CharField()
    action_zh = serializers.CharField(allow_blank=True)
    authority = serializers.CharField()
    source = serializers.CharField()
    confidence = serializers.ChoiceField(["checked", "unchecked"])
    unknown_facts = serializers.ListField(child=serializers.CharField())
    effective_from = serializers.DateField(allow_null=True, required=False)
    effective_until = serializers.DateField(allow_null=True, required=False)
    rule_version = serializers.CharField(required=False, allow_blank=True)


class ScreeningSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    is_blocked = serializers.BooleanField()
    facts_to_confirm = serializers.ListField(child=serializers.CharField())
    findings = FindingSerializer(many=True)
    screened_at = serializers.DateTimeField()
    rules_version = serializers.CharField()


class FactsSerializer(serializers.Serializer):
    """The deal facts compliance asks the buyer about; empty means not stated yet."""

    hgr_materials_leave_china = serializers.BooleanField(allow_null=True, required=False)
    buyer_collects_hgr = serializers.BooleanField(
        allow_null=True, required=False,
        help_text="The buyer itself collects, stores or holds the samples in China.",
    )  # fmt: skip
    hgr_information_abroad = serializers.BooleanField(allow_null=True, required=False)
    hgr_joint_research = serializers.BooleanField(allow_null=True, required=False)
    registration_trial_at_institution = serializers.BooleanField(allow_null=True, required=False)
    personal_info_subjects_ytd = serializers.IntegerField(
        min_value=0,
        max_value=column_range(Rfq, "personal_info_subjects_ytd")[1],
        allow_null=True,
        required=False,
    )
    sensitive_personal_info_subjects_ytd = serializers.IntegerField(
        min_value=0,
        max_value=column_range(Rfq, "sensitive_personal_info_subjects_ytd")[1],
        allow_null=True,
        required=False,
    )
    important_data = serializers.BooleanField(allow_null=True, required=False)
    technology_transfer = serializers.BooleanField(allow_null=True, required=False)
    technology_catalogue_item = serializers.ChoiceField(
        CatalogueItem.choices, allow_blank=True, required=False
    )
    foreign_staff_on_site = serializers.BooleanField(allow_null=True, required=False)
    ai_generated_prescriptions = serializers.BooleanField(allow_null=True, required=False)


class ScreenedSerializer(serializers.ModelSerializer):
    """A deal object shown with the screening stored for it (``screening_of`` says which)."""

    screening = serializers.SerializerMethodField()

    def screening_of(self, instance):
        raise NotImplementedError

    @extend_schema_field(ScreeningSerializer(allow_null=True))
    def get_screening(self, instance) -> dict | None:
        screening = self.screening_of(instance)
        return ScreeningSerializer(screening).data if screening else None


class RfqSerializer(ScreenedSerializer):
    buyer = PartySerializer()
    capabilities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    therapeutic_area = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    modality = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    scope = serializers.SerializerMethodField(help_text="null until the provider accepts the NDA")
    facts = serializers.SerializerMethodField()
    is_redacted = serializers.SerializerMethodField()

    class Meta:
        model = Rfq
        fields = [
            "id", "status", "title", "summary", "scope", "is_redacted", "buyer", "capabilities",
            "therapeutic_area", "modality", "desired_start", "deadline", "budget_min_amount",
            "budget_max_amount", "budget_currency", "is_nda_required", "nda_terms", "visibility",
            "facts", "screening", "created_at", "opened_at",
        ]  # fmt: skip

    def _redacted(self, rfq: Rfq) -> bool:
        return self.context["redacted"](rfq)

    def get_is_redacted(self, rfq: Rfq) -> bool:
        return self._redacted(rfq)

    def get_scope(self, rfq: Rfq) -> str | None:
        return None if self._redacted(rfq) else rfq.scope

    @extend_schema_field(FactsSerializer(allow_null=True))
    def get_facts(self, rfq: Rfq) -> dict | None:
        if self._redacted(rfq):
            return None
        names = (*RFQ_FACTS, *RFQ_PARTY_FACTS, "technology_catalogue_item")
        return {name: getattr(rfq, name) for name in names}

    def screening_of(self, rfq: Rfq):
        if self._redacted(rfq):
            return None
        return next((s for s in rfq.screenings.all() if s.quote_id is None), None)


class RfqCreateSerializer(FactsSerializer):
    buyer = serializers.SlugField(
        required=False, help_text="the buyer organisation's slug; needed if you belong to several"
    )
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    scope = serializers.CharField()
    capability_codes = serializers.ListField(
        child=serializers.CharField(max_length=120), min_length=1, max_length=20
    )
    therapeutic_area_code = serializers.CharField(required=False, allow_null=True)
    modality_code = serializers.CharField(required=False, allow_null=True)
    desired_start = serializers.DateField(required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    budget_min_amount = serializers.DecimalField(**AMOUNT, required=False, allow_null=True)
    budget_max_amount = serializers.DecimalField(**AMOUNT, required=False, allow_null=True)
    budget_currency = serializers.ChoiceField(Currency.choices, default="CNY")
    is_nda_required = serializers.BooleanField(default=False)
    nda_terms = serializers.CharField(required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(Visibility.choices, default=Visibility.INVITED)
    invite = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        default=list,
        help_text="slugs of provider organisations to invite",
    )
    open = serializers.BooleanField(default=False, help_text="send it at once")


class RfqUpdateSerializer(FactsSerializer):
    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    scope = serializers.CharField(required=False)
    capability_codes = serializers.ListField(
        child=serializers.CharField(max_length=120), min_length=1, max_length=20, required=False
    )
    desired_start = serializers.DateField(required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    budget_min_amount = serializers.DecimalField(**AMOUNT, required=False, allow_null=True)
    budget_max_amount = serializers.DecimalField(**AMOUNT, required=False, allow_null=True)
    budget_currency = serializers.ChoiceField(Currency.choices, required=False)
    is_nda_required = serializers.BooleanField(required=False)
    nda_terms = serializers.CharField(required=False, allow_blank=True)
    visibility = serializers.ChoiceField(Visibility.choices, required=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class InviteSerializer(serializers.Serializer):
    providers = serializers.ListField(child=serializers.SlugField(), min_length=1, max_length=50)


class ActingProviderSerializer(serializers.Serializer):
    provider = serializers.SlugField(
        required=False, help_text="your provider organisation's slug, if you belong to several"
    )


class LineSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit_price = serializers.DecimalField(**AMOUNT, help_text="CNY")
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=4, help_text="0.06 for 6 %")
    vat_basis = serializers.ChoiceField(VatBasis.choices)
    capability_code = serializers.CharField(required=False, allow_null=True, max_length=120)


class MilestoneInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    share = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, help_text="percent"
    )
    amount = serializers.DecimalField(**AMOUNT, required=False, allow_null=True, help_text="CNY")
    due_date = serializers.DateField(required=False, allow_null=True)
    trigger = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class QuoteDraftSerializer(ActingProviderSerializer):
    lines = LineSerializer(many=True)
    milestones = MilestoneInSerializer(many=True)
    valid_until = serializers.DateField()
    turnaround_days = serializers.IntegerField(
        min_value=1,
        max_value=column_range(QuoteRevision, "turnaround_days")[1],
        required=False,
        allow_null=True,
    )
    assumptions = serializers.CharField(required=False, allow_blank=True, default="")
    exclusions = serializers.CharField(required=False, allow_blank=True, default="")
    work_zone_code = serializers.CharField(required=False, allow_null=True, max_length=40)
    provider_is_ciio = serializers.BooleanField(required=False, allow_null=True, default=None)
    submit = serializers.BooleanField(default=False, help_text="submit the revision at once")


class LineOutSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit_price_amount = serializers.DecimalField(**AMOUNT)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    vat_basis = serializers.CharField()
    capability = serializers.CharField(source="capability.code", allow_null=True, default=None)
    net_amount = serializers.DecimalField(**AMOUNT)
    vat_amount = serializers.DecimalField(**AMOUNT)


class MilestoneOutSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    name = serializers.CharField()
    share = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    amount = serializers.DecimalField(**AMOUNT)
    due_date = serializers.DateField(allow_null=True)
    trigger = serializers.CharField(allow_blank=True)


class RevisionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    is_submitted = serializers.BooleanField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    valid_until = serializers.DateField()
    turnaround_days = serializers.IntegerField(allow_null=True)
    assumptions = serializers.CharField(allow_blank=True)
    exclusions = serializers.CharField(allow_blank=True)
    currency = serializers.CharField()
    net_amount = serializers.DecimalField(**AMOUNT)
    vat_amount = serializers.DecimalField(**AMOUNT)
    total_amount = serializers.DecimalField(**AMOUNT)
    buyer_currency = serializers.CharField(allow_blank=True)
    fx_rate = serializers.DecimalField(max_digits=20, decimal_places=10, allow_null=True)
    fx_source = serializers.CharField(allow_blank=True)
    fx_as_of = serializers.DateTimeField(allow_null=True)
    total_buyer_amount = serializers.DecimalField(**AMOUNT, allow_null=True)
    lines = LineOutSerializer(many=True)
    milestones = MilestoneOutSerializer(many=True)


class RevisionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    total_amount = serializers.DecimalField(**AMOUNT)


class QuoteSerializer(ScreenedSerializer):
    provider = PartySerializer()
    current = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta:
        model = Quote
        fields = [
            "id", "rfq", "provider", "status", "current", "history", "screening",
            "created_at", "updated_at",
        ]  # fmt: skip

    def _revisions(self, quote: Quote) -> list:
        """The buyer sees submitted revisions only; the provider its draft too."""
        viewer_is_provider = self.context["is_provider_of"](quote)
        return selectors.quote_revisions_for(quote=quote, viewer_is_provider=viewer_is_provider)

    @extend_schema_field(RevisionSerializer(allow_null=True))
    def get_current(self, quote: Quote) -> dict | None:
        revisions = self._revisions(quote)
        return RevisionSerializer(revisions[-1]).data if revisions else None

    @extend_schema_field(RevisionSummarySerializer(many=True))
    def get_history(self, quote: Quote) -> list:
        return RevisionSummarySerializer(self._revisions(quote), many=True).data

    def screening_of(self, quote: Quote):
        return getattr(quote, "screening", None)


class ContractMilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    name = serializers.CharField()
    amount = serializers.DecimalField(**AMOUNT)
    currency = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    trigger = serializers.CharField(allow_blank=True)
    status = serializers.CharField()


class ChecklistItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.CharField()
    severity = serializers.CharField()
    title_en = serializers.CharField()
    title_zh = serializers.CharField(allow_blank=True)
    action_en = serializers.CharField()
    action_zh = serializers.CharField(allow_blank=True)
    authority = serializers.CharField()
    reference = serializers.CharField(allow_blank=True)
    completed_on = serializers.DateField(allow_null=True)


class ContractSerializer(serializers.ModelSerializer):
    buyer = PartySerializer()
    provider = PartySerializer()
    milestones = ContractMilestoneSerializer(many=True)
    checklist = ChecklistItemSerializer(many=True)
    is_cleared_for_payment = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id", "status", "rfq", "quote", "buyer", "provider", "terms_version", "total_amount",
            "currency", "buyer_signed_at", "provider_signed_at", "milestones", "checklist",
            "is_cleared_for_payment", "snapshot", "created_at",
        ]  # fmt: skip

    def get_is_cleared_for_payment(self, contract: Contract) -> bool:
        return services.contract_is_cleared_for_payment(contract=contract)


class ChecklistCompleteSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100)
    completed_on = serializers.DateField()


class TerminateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ScreenRequestSerializer(FactsSerializer):
    buyer_collects_hgr = None  # a fact of a deal's parties: state foreign_party itself here
    direction = serializers.ChoiceField(["outbound", "inbound"])
    provider_zone = serializers.CharField(required=False, allow_null=True, max_length=40)
    partner_country = serializers.RegexField(r"^[A-Z]{2}$", required=False, allow_null=True)
    capability_codes = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, allow_null=True
    )
    foreign_party = serializers.BooleanField(required=False, allow_null=True)
    provider_is_ciio = serializers.BooleanField(required=False, allow_null=True)
    single_payment_usd_equivalent = serializers.DecimalField(
        **AMOUNT, min_value=0, required=False, allow_null=True
    )


class ScreenResultSerializer(ScreeningSerializer):
    """A screening of stated facts: as a deal's stored one (when, and against which rules)."""


# --- Helpers ------------------------------------------------------------------------------


def _organisation(request: Request, slug: str | None, kinds) -> Organisation:
    """The user's organisation of one of ``kinds`` (by slug when they belong to several)."""
    mine = selectors.organisations_of(user=request.user).filter(kind__in=kinds)
    if slug:
        organisation = mine.filter(slug=slug).first()
        if organisation is None:
            raise PermissionDenied(_("You are not a member of %s.") % slug)
        return organisation
    organisations = list(mine[:2])
    if not organisations:
        raise PermissionDenied(_("You need to belong to an organisation of the right kind."))
    if len(organisations) > 1:
        raise PermissionDenied(_("You belong to several organisations: say which one."))
    return organisations[0]


def _redactor(request: Request):
    """Whether the user sees an RFQ redacted: whoever may not read it in full (one selector)."""
    may_read = selectors.full_rfq_reader(user=request.user)
    return lambda rfq: not may_read(rfq)


def _provider_check(request: Request):
    mine = set(selectors.organisations_of(user=request.user).values_list("pk", flat=True))
    return lambda quote: quote.provider_id in mine


def _rfq(request: Request, pk: int) -> Rfq:
    return get_object_or_404(selectors.rfqs_for_user(user=request.user), pk=pk)


def _rfq_answer(request: Request, rfq: Rfq, status_code: int = 200) -> Response:
    rfq = selectors.rfqs_for_user(user=request.user).prefetch_related("screenings").get(pk=rfq.pk)
    data = RfqSerializer(rfq, context={"redacted": _redactor(request)}).data
    return Response(data, status=status_code)


def _quote(request: Request, pk: int) -> Quote:
    return get_object_or_404(selectors.quotes_for_user(user=request.user), pk=pk)


def _quote_answer(request: Request, quote: Quote, status_code: int = 200) -> Response:
    quote = selectors.quotes_for_user(user=request.user).get(pk=quote.pk)
    context = {"is_provider_of": _provider_check(request)}
    return Response(QuoteSerializer(quote, context=context).data, status=status_code)


def _contract(request: Request, pk: int) -> Contract:
    return get_object_or_404(selectors.contracts_for_user(user=request.user), pk=pk)


def _contract_answer(request: Request, contract: Contract, status_code: int = 200) -> Response:
    contract = selectors.contracts_for_user(user=request.user).get(pk=contract.pk)
    return Response(ContractSerializer(contract).data, status=status_code)


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _providers_by_slug(slugs: list[str], field: str) -> list[Organisation]:
    providers = list(Organisation.objects.filter(slug__in=slugs))
    missing = set(slugs) - {provider.slug for provider in providers}
    if missing:
        raise ValidationError({field: [_("Unknown provider: %s.") % ", ".join(sorted(missing))]})
    return providers


class DealView(APIView):
    """For signed-in members of an organisation."""

    permission_classes = [IsAuthenticated]


# --- RFQs ---------------------------------------------------------------------------------


class RfqListView(DealView):
    """Your organisations' requests for quote, and those open to your provider organisations."""

    @extend_schema(responses=RfqSerializer(many=True))
    def get(self, request: Request) -> Response:
        rfqs = selectors.rfqs_for_user(user=request.user).prefetch_related("screenings")
        context = {"redacted": _redactor(request)}
        return Response(RfqSerializer(rfqs, many=True, context=context).data)

    @extend_schema(request=RfqCreateSerializer, responses={201: RfqSerializer, 409: CONFLICT})
    def post(self, request: Request) -> Response:
        data = _valid(RfqCreateSerializer, request)
        buyer_kinds = (OrganisationKind.BUYER, OrganisationKind.PLATFORM)
        buyer = _organisation(request, data.pop("buyer", None), buyer_kinds)
        providers = _providers_by_slug(data.pop("invite"), "invite")
        open_now = data.pop("open")
        # A blocked request is refused whole (409), nothing written: no draft is kept here.
        created = services.rfq_create_and_send(
            buyer=buyer, by=request.user, providers=providers, open_now=open_now, **data
        )
        return _rfq_answer(request, created.rfq, status.HTTP_201_CREATED)


class RfqDetailView(DealView):
    """One request: providers see its summary only until they accept its NDA."""

    @extend_schema(responses=RfqSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _rfq_answer(request, _rfq(request, pk))

    @extend_schema(request=RfqUpdateSerializer, responses={200: RfqSerializer, 409: CONFLICT})
    def patch(self, request: Request, pk: int) -> Response:
        rfq = _rfq(request, pk)
        data = _valid(RfqUpdateSerializer, request)
        rfq = services.rfq_update(rfq=rfq, by=request.user, **data)
        return _rfq_answer(request, rfq)


# Per kind of deal object: how the user's own is found, and how it is answered.
KINDS = {
    "rfq": (_rfq, RfqSerializer, _rfq_answer),
    "quote": (_quote, QuoteSerializer, _quote_answer),
    "contract": (_contract, ContractSerializer, _contract_answer),
}


def _action_view(kind: str, name: str, service, serializer=None, doc=""):
    """A POST endpoint that finds the object the user may see and calls one service on it."""
    lookup, answer_serializer, answer = KINDS[kind]

    class ActionView(DealView):
        @extend_schema(
            request=serializer,
            responses={200: answer_serializer, 409: CONFLICT},
            operation_id=f"{kind}s_{name}",
            description=doc,
        )
        def post(self, request: Request, pk: int) -> Response:
            subject = lookup(request, pk)
            data = _valid(serializer, request) if serializer else {}
            service(**{kind: subject}, by=request.user, **data)
            return answer(request, subject)

    ActionView.__name__ = ActionView.__qualname__ = f"{kind.title()}{name.title()}View"
    return ActionView


# The action endpoints, in the order they are named below (signing a contract is
# marketplace.agreements': it signs the documents, after the signer proves it is them):
# (kind, action, service, request body, what it does).
ACTIONS = (
    ("rfq", "open", services.rfq_open, None,
     "Send the request to the invited providers (or all matching verified ones)."),
    ("rfq", "close", services.rfq_close, ReasonSerializer,
     "Stop taking quotes; quotes still in play are declined."),
    ("rfq", "cancel", services.rfq_cancel, ReasonSerializer, "Withdraw the request."),
    ("quote", "submit", services.quote_submit, None,
     "Send the draft revision to the buyer (the FX rate is snapshotted)."),
    ("quote", "withdraw", services.quote_withdraw, ReasonSerializer,
     "The provider withdraws its quote."),
    ("quote", "decline", services.quote_decline, ReasonSerializer, "The buyer declines the quote."),
    ("contract", "complete", services.contract_complete, None,
     "The buyer closes it once every milestone is accepted."),
    ("contract", "terminate", services.contract_terminate, TerminateSerializer,
     "End it early, saying why."),
)  # fmt: skip
(
    RfqOpenView, RfqCloseView, RfqCancelView,
    QuoteSubmitView, QuoteWithdrawView, QuoteDeclineView,
    ContractCompleteView, ContractTerminateView,
) = (_action_view(*action) for action in ACTIONS)  # fmt: skip


class RfqInviteView(DealView):
    @extend_schema(request=InviteSerializer, responses={200: RfqSerializer, 409: CONFLICT})
    def post(self, request: Request, pk: int) -> Response:
        """Invite provider organisations (by slug)."""
        rfq = _rfq(request, pk)
        providers = _providers_by_slug(_valid(InviteSerializer, request)["providers"], "providers")
        services.rfq_invite(rfq=rfq, providers=providers, by=request.user)
        return _rfq_answer(request, rfq)


class RfqNdaAcceptView(DealView):
    @extend_schema(request=ActingProviderSerializer, responses={200: RfqSerializer, 409: CONFLICT})
    def post(self, request: Request, pk: int) -> Response:
        """Accept the request's NDA for your provider organisation: its scope is then shown."""
        rfq = _rfq(request, pk)
        slug = _valid(ActingProviderSerializer, request).get("provider")
        provider = _organisation(request, slug, PROVIDER_KINDS)
        services.rfq_nda_accept(rfq=rfq, provider=provider, by=request.user)
        return _rfq_answer(request, rfq)


class RfqQuotesView(DealView):
    """Quotes on one request: every submitted one for the buyer, its own for a provider."""

    @extend_schema(responses=QuoteSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        rfq = _rfq(request, pk)
        quotes = selectors.quotes_for_user(user=request.user).filter(rfq=rfq)
        context = {"is_provider_of": _provider_check(request)}
        return Response(QuoteSerializer(quotes, many=True, context=context).data)

    @extend_schema(request=QuoteDraftSerializer, responses={201: QuoteSerializer, 409: CONFLICT})
    def post(self, request: Request, pk: int) -> Response:
        """Write your draft (a new revision after a submitted one); ``submit`` sends it."""
        rfq = _rfq(request, pk)
        data = _valid(QuoteDraftSerializer, request)
        provider = _organisation(request, data.pop("provider", None), PROVIDER_KINDS)
        quote = services.quote_write(rfq=rfq, provider=provider, by=request.user, **data)
        return _quote_answer(request, quote, status.HTTP_201_CREATED)


class QuoteDetailView(DealView):
    @extend_schema(responses=QuoteSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One quote with its current revision, its history and its compliance findings."""
        return _quote_answer(request, _quote(request, pk))


class QuoteAcceptView(DealView):
    @extend_schema(request=None, responses={201: ContractSerializer, 409: CONFLICT})
    def post(self, request: Request, pk: int) -> Response:
        """Accept the quote: the deal is screened; a blocking finding refuses it (409)."""
        contract = services.quote_accept(quote=_quote(request, pk), by=request.user)
        return _contract_answer(request, contract, status.HTTP_201_CREATED)


class ContractListView(DealView):
    @extend_schema(responses=ContractSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Contracts your organisations are party to."""
        contracts = selectors.contracts_for_user(user=request.user)
        return Response(ContractSerializer(contracts, many=True).data)


class ContractDetailView(DealView):
    @extend_schema(responses=ContractSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One contract: the accepted quote as signed, milestones, compliance checklist."""
        return _contract_answer(request, _contract(request, pk))


class ChecklistCompleteView(DealView):
    @extend_schema(
        request=ChecklistCompleteSerializer, responses={200: ContractSerializer, 409: CONFLICT}
    )
    def post(self, request: Request, pk: int, item_pk: int) -> Response:
        """Record the approval or filing a finding asked for: reference number and date."""
        contract = _contract(request, pk)
        item = get_object_or_404(contract.checklist.all(), pk=item_pk)
        data = _valid(ChecklistCompleteSerializer, request)
        services.checklist_item_complete(item=item, by=request.user, **data)
        return _contract_answer(request, contract)


class MilestoneActionView(DealView):
    """The provider calls a milestone due; the buyer accepts a paid one's work."""

    actions = {"due": services.milestone_mark_due, "accept": services.milestone_accept}

    @extend_schema(
        request=None,
        responses={200: ContractSerializer, 409: CONFLICT},
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH),
            OpenApiParameter("milestone_pk", int, OpenApiParameter.PATH),
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(actions)),
        ],
    )
    def post(self, request: Request, pk: int, milestone_pk: int, action: str) -> Response:
        contract = _contract(request, pk)
        milestone = get_object_or_404(contract.milestones.all(), pk=milestone_pk)
        self.actions[action](milestone=milestone, by=request.user)
        return _contract_answer(request, contract)


class ScreenView(DealView):
    @extend_schema(request=ScreenRequestSerializer, responses=ScreenResultSerializer)
    def post(self, request: Request) -> Response:
        """Screen a planned deal's facts against the rules in force today (nothing is saved)."""
        data = _valid(ScreenRequestSerializer, request)
        if data.get("capability_codes") is not None:
            data["capability_codes"] = tuple(data["capability_codes"])
        if data.get("technology_catalogue_item") == "":
            data["technology_catalogue_item"] = None
        result = screen_deal(facts=DealFacts(**data))
        return Response(
            {
                "screened_at": timezone.now(),
                "rules_version": rules_version(),
                "outcome": result.outcome,
                "is_blocked": result.is_blocked,
                "facts_to_confirm": result.facts_to_confirm,
                "findings": [finding.as_dict() for finding in result.findings],
            }
        )
