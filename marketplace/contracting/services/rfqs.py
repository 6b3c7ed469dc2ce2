"""Writes to RFQs: create, edit, invite, open, close, cancel, accept an NDA."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import PROVIDER_KINDS, Organisation, OrganisationKind, User
from marketplace.accounts.permissions import require_member
from marketplace.catalog.models import TaxonomyKind, TaxonomyNode
from marketplace.columns import column_error
from marketplace.contracting.audit import audit
from marketplace.contracting.models import (
    CatalogueItem,
    Rfq,
    RfqInvitation,
    RfqStatus,
    Visibility,
)
from marketplace.contracting.services.moves import quotes_in_play_decline, rfq_move
from marketplace.contracting.services.notifications import notify
from marketplace.contracting.services.screening import (
    RFQ_FACTS,
    RFQ_PARTY_FACTS,
    blocked_message,
    blocking_findings,
    deal_screen,
    screenings_refresh,
    unblock_hint,
)
from marketplace.money import MINOR_UNITS
from marketplace.transitions import DealBlocked, InvalidTransition

EDITABLE_FIELDS = (
    "title",
    "summary",
    "scope",
    "desired_start",
    "deadline",
    "budget_min_amount",
    "budget_max_amount",
    "budget_currency",
    "is_nda_required",
    "nda_terms",
    "visibility",
    "technology_catalogue_item",
    *RFQ_FACTS,
    *RFQ_PARTY_FACTS,
)


def _taxonomy(codes, kind: str | None, field: str) -> list[TaxonomyNode]:
    nodes = {node.code: node for node in TaxonomyNode.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in nodes]
    if unknown:
        raise ValidationError({field: _("Unknown code: %s.") % ", ".join(unknown)})
    if kind is not None and any(node.kind != kind for node in nodes.values()):
        raise ValidationError({field: _("Only %s codes can go here.") % kind.replace("_", " ")})
    return [nodes[code] for code in codes]


def _validate(values: dict) -> None:
    errors = {}
    if not (values.get("title") or "").strip():
        errors["title"] = _("Give the request a title.")
    if not (values.get("scope") or "").strip():
        errors["scope"] = _("Describe the scope of work.")
    currency = values.get("budget_currency") or "CNY"
    if currency not in MINOR_UNITS:
        errors["budget_currency"] = _("Unknown currency: %s.") % currency
    low, high = values.get("budget_min_amount"), values.get("budget_max_amount")
    for name, amount in (("budget_min_amount", low), ("budget_max_amount", high)):
        if amount is not None and (not isinstance(amount, Decimal) or amount < 0):
            errors[name] = _("A budget is a positive amount.")
        elif amount is not None and (unfit := column_error(Rfq, name, amount)):
            errors[name] = unfit
    if low is not None and high is not None and "budget_min_amount" not in errors and low > high:
        errors["budget_max_amount"] = _("The budget's upper end is below its lower end.")
    deadline = values.get("deadline")
    if deadline is not None and deadline < timezone.localdate():
        errors["deadline"] = _("The deadline has passed.")
    if values.get("is_nda_required") and not (values.get("nda_terms") or "").strip():
        errors["nda_terms"] = _("An NDA needs its terms, which providers accept.")
    if values.get("visibility", Visibility.INVITED) not in Visibility.values:
        errors["visibility"] = _("Choose invited providers only, or open.")
    item = values.get("technology_catalogue_item") or ""
    if item and item not in CatalogueItem.values:
        errors["technology_catalogue_item"] = _("Choose none, restricted or prohibited.")
    for name in ("personal_info_subjects_ytd", "sensitive_personal_info_subjects_ytd"):
        count = values.get(name)
        if count is not None and (not isinstance(count, int) or count < 0):
            errors[name] = _("A number of people, zero or more.")
        elif count is not None and (unfit := column_error(Rfq, name, count)):
            errors[name] = unfit
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rfq_create(
    *,
    buyer: Organisation,
    by: User,
    title: str,
    scope: str,
    capability_codes: list[str],
    therapeutic_area_code: str | None = None,
    modality_code: str | None = None,
    **values,
) -> Rfq:
    """A draft RFQ of ``buyer``'s, screened at once (unknown facts show as "to confirm")."""
    require_member(user=by, organisation=buyer)
    if buyer.kind not in (OrganisationKind.BUYER, OrganisationKind.PLATFORM):
        raise PermissionDenied(_("Only buyer organisations send requests for quote."))
    unexpected = set(values) - set(EDITABLE_FIELDS)
    if unexpected:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unexpected)})
    values = {"title": title, "scope": scope, **values}
    _validate(values)
    if not capability_codes:
        raise ValidationError({"capability_codes": _("Name at least one capability.")})
    capabilities = _taxonomy(capability_codes, TaxonomyKind.CAPABILITY, "capability_codes")
    area = (
        _taxonomy([therapeutic_area_code], TaxonomyKind.THERAPEUTIC_AREA, "therapeutic_area_code")[
            0
        ]
        if therapeutic_area_code
        else None
    )  # noqa: E501
    modality = (
        _taxonomy([modality_code], TaxonomyKind.MODALITY, "modality_code")[0]
        if modality_code
        else None
    )  # noqa: E501
    rfq = Rfq.objects.create(
        buyer=buyer, created_by=by, therapeutic_area=area, modality=modality, **values
    )
    rfq.capabilities.set(capabilities)
    audit(rfq, action="create", actor=by, to_status=rfq.status)
    deal_screen(rfq=rfq)
    return rfq


def _locked(rfq: Rfq) -> Rfq:
    return Rfq.objects.select_for_update().select_related("buyer").get(pk=rfq.pk)


@transaction.atomic
def rfq_update(*, rfq: Rfq, by: User, capability_codes: list[str] | None = None, **changes) -> Rfq:
    """Edit a draft or open RFQ; the deal and its quotes are screened again."""
    rfq = _locked(rfq)
    require_member(user=by, organisation=rfq.buyer)
    if rfq.status not in (RfqStatus.DRAFT, RfqStatus.OPEN):
        raise InvalidTransition(_("A closed or cancelled request can no longer be edited."))
    unexpected = set(changes) - set(EDITABLE_FIELDS)
    if unexpected:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unexpected)})
    _validate({**{name: getattr(rfq, name) for name in EDITABLE_FIELDS}, **changes})
    for name, value in changes.items():
        setattr(rfq, name, value)
    rfq.save()
    if capability_codes is not None:
        if not capability_codes:
            raise ValidationError({"capability_codes": _("Name at least one capability.")})
        rfq.capabilities.set(
            _taxonomy(capability_codes, TaxonomyKind.CAPABILITY, "capability_codes")
        )
    audit(rfq, action="edit", actor=by, reason=", ".join(sorted(changes)))
    screenings_refresh(rfq_ids=[rfq.pk])
    return rfq


@transaction.atomic
def rfq_invite(*, rfq: Rfq, providers: list[Organisation], by: User) -> list[RfqInvitation]:
    """Invite provider organisations (from search results or a provider page)."""
    rfq = _locked(rfq)
    require_member(user=by, organisation=rfq.buyer)
    if rfq.status not in (RfqStatus.DRAFT, RfqStatus.OPEN):
        raise InvalidTransition(_("Providers can be invited only while the request is open."))
    if not providers:
        raise ValidationError({"providers": _("Choose at least one provider to invite.")})
    not_providers = [org.name for org in providers if org.kind not in PROVIDER_KINDS]
    if not_providers:
        raise ValidationError(
            {"providers": _("Not a provider: %s.") % ", ".join(sorted(not_providers))}
        )
    invitations = []
    for provider in providers:
        invitation, created = RfqInvitation.objects.get_or_create(
            rfq=rfq, provider=provider, defaults={"source": RfqInvitation.Source.INVITED}
        )
        if created:
            audit(rfq, action="invite", actor=by, reason=f"organisation {provider.pk}")
            invitations.append(invitation)
            if rfq.status == RfqStatus.OPEN:
                notify("provider_invited", rfq_id=rfq.pk, provider_id=provider.pk)
    return invitations


@transaction.atomic
def rfq_open(*, rfq: Rfq, by: User) -> Rfq:
    """Send the RFQ: invited providers (or every matching verified one) may now quote. Refused
    while its screening blocks the deal, saying what would unblock it."""
    rfq = _locked(rfq)
    require_member(user=by, organisation=rfq.buyer)
    if rfq.visibility == Visibility.INVITED and not rfq.invitations.exists():
        raise InvalidTransition(_("Invite at least one provider, or open the request to all."))
    screening = rfq.screenings.filter(quote__isnull=True).first() or deal_screen(rfq=rfq)
    if screening.is_blocked:
        raise DealBlocked(
            f"{blocked_message(screening=screening)} {unblock_hint(screening=screening)}",
            details={"findings": blocking_findings(screening=screening)},
        )
    rfq.opened_at = timezone.now()
    rfq_move(rfq, "open", by=by, extra_fields=("opened_at",))
    notify("rfq_opened", rfq_id=rfq.pk)
    return rfq


@dataclass(frozen=True)
class RfqCreated:
    """A new request, and why it stayed a draft if its screening blocked sending it."""

    rfq: Rfq
    blocked: DealBlocked | None = None


@transaction.atomic
def rfq_create_and_send(
    *,
    buyer: Organisation,
    by: User,
    providers: list[Organisation] = (),
    open_now: bool = False,
    keep_blocked_as_draft: bool = False,
    **values,
) -> RfqCreated:
    """Create a draft RFQ (``rfq_create``'s ``values``), invite ``providers`` and, when
    ``open_now``, send it. A screening that blocks sending refuses the whole (``DealBlocked``,
    nothing written) or, with ``keep_blocked_as_draft``, keeps the draft and says why."""
    rfq = rfq_create(buyer=buyer, by=by, **values)
    if providers:
        rfq_invite(rfq=rfq, providers=list(providers), by=by)
    if not open_now:
        return RfqCreated(rfq=rfq)
    try:
        with transaction.atomic():
            rfq = rfq_open(rfq=rfq, by=by)
    except DealBlocked as blocked:
        if not keep_blocked_as_draft:
            raise
        return RfqCreated(rfq=rfq, blocked=blocked)
    return RfqCreated(rfq=rfq)


def _end(rfq: Rfq, *, action: str, by: User, reason: str) -> Rfq:
    rfq = _locked(rfq)
    require_member(user=by, organisation=rfq.buyer)
    rfq_move(rfq, action, by=by, reason=reason)
    ended = _("The request was %(action)s.") % {"action": rfq.get_status_display().lower()}
    quotes_in_play_decline(rfq=rfq, by=by, reason=ended)
    return rfq


@transaction.atomic
def rfq_close(*, rfq: Rfq, by: User, reason: str = "") -> Rfq:
    """Stop taking quotes; quotes still in play are declined."""
    return _end(rfq, action="close", by=by, reason=reason)


@transaction.atomic
def rfq_cancel(*, rfq: Rfq, by: User, reason: str = "") -> Rfq:
    """Withdraw the request; quotes still in play are declined."""
    return _end(rfq, action="cancel", by=by, reason=reason)


@transaction.atomic
def rfq_nda_accept(*, rfq: Rfq, provider: Organisation, by: User) -> RfqInvitation:
    """The provider accepts the RFQ's NDA and may see its full scope from now on.

    On an open request this is how a matching provider joins it.
    """
    from marketplace.contracting.selectors import provider_may_see

    require_member(user=by, organisation=provider)
    if not provider_may_see(rfq=rfq, provider=provider):
        raise PermissionDenied(_("This request is not open to your organisation."))
    if rfq.status != RfqStatus.OPEN:
        raise InvalidTransition(_("This request is not open for quotes."))
    invitation, _created = RfqInvitation.objects.select_for_update().get_or_create(
        rfq=rfq, provider=provider, defaults={"source": RfqInvitation.Source.OPEN_CALL}
    )
    if invitation.nda_accepted_at is None:
        invitation.nda_accepted_at = timezone.now()
        invitation.nda_accepted_by = by
        invitation.save(update_fields=["nda_accepted_at", "nda_accepted_by"])
        audit(rfq, action="accept_nda", actor=by, reason=f"organisation {provider.pk}")
    return invitation
