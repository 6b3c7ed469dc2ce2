"""Writes to quotes: drafting revisions, submitting (with the FX snapshot), withdrawing,
declining, expiring, and accepting one (which makes the contract)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import events
from marketplace.accounts.models import Organisation, User
from marketplace.accounts.permissions import require_member
from marketplace.catalog.models import TaxonomyKind, TaxonomyNode, Zone
from marketplace.catalog.selectors import fx_rate_latest
from marketplace.columns import column_error, column_range
from marketplace.contracting.audit import audit, transition
from marketplace.contracting.models import (
    Contract,
    Milestone,
    Quote,
    QuoteLine,
    QuoteMilestone,
    QuoteRevision,
    QuoteStatus,
    Rfq,
    RfqInvitation,
    RfqStatus,
    VatBasis,
)
from marketplace.contracting.services.moves import LIVE, quotes_in_play_decline, rfq_move
from marketplace.contracting.services.notifications import notify
from marketplace.contracting.services.screening import (
    blocked_message,
    blocking_findings,
    checklist_extend,
    current_revision,
    deal_screen,
)
from marketplace.money import SETTLEMENT_CURRENCY, Money, round_amount, split_by_shares
from marketplace.transitions import DealBlocked, InvalidTransition, refusal

TERMS_VERSION = "2026-11"
ACCEPTABLE = (QuoteStatus.SUBMITTED, QuoteStatus.REVISED)
MAX_LINES = 200


@dataclass(frozen=True)
class LineInput:
    description: str
    quantity: Decimal
    unit_price: Decimal  # CNY, at most two decimals
    vat_rate: Decimal  # 0.06 for 6 %
    vat_basis: str  # standard | zero_rated_export | exempt
    capability_code: str | None = None


@dataclass(frozen=True)
class MilestoneInput:
    name: str
    share: Decimal | None = None  # percent of the total; or
    amount: Decimal | None = None  # CNY
    due_date: date | None = None
    trigger: str = ""


def _decimal(value, field: str, errors: dict) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = _("Not a number: %s.") % value
        return None
    if isinstance(value, float) or not number.is_finite():
        errors[field] = _("Not a number: %s.") % value
        return None
    return number


def _largest(model, name: str) -> str:
    """The largest amount ``model``'s column ``name`` holds, as a message shows it."""
    return f"{column_range(model, name)[1]:,}"


def _lines(lines: list[LineInput]) -> tuple[list[dict], dict]:
    errors: dict[str, str] = {}
    if not lines:
        errors["lines"] = _("A quote needs at least one line.")
    if len(lines) > MAX_LINES:
        errors["lines"] = _("A quote has at most %d lines.") % MAX_LINES
    codes = {line.capability_code for line in lines if line.capability_code}
    nodes = {n.code: n for n in TaxonomyNode.objects.filter(code__in=codes)}
    rows = []
    for index, line in enumerate(lines):
        key = f"lines[{index}]"
        if not (line.description or "").strip():
            errors[f"{key}.description"] = _("Describe the line.")
        quantity = _decimal(line.quantity, f"{key}.quantity", errors)
        price = _decimal(line.unit_price, f"{key}.unit_price", errors)
        rate = _decimal(line.vat_rate, f"{key}.vat_rate", errors)
        if quantity is not None:
            if quantity <= 0:
                errors[f"{key}.quantity"] = _("The quantity must be more than zero.")
            elif (unfit := column_error(QuoteLine, "quantity", quantity)) is not None:
                errors[f"{key}.quantity"] = unfit
        if price is not None:
            if price < 0:
                errors[f"{key}.unit_price"] = _("A price cannot be negative.")
            elif price > column_range(QuoteLine, "unit_price_amount")[1]:
                errors[f"{key}.unit_price"] = column_error(QuoteLine, "unit_price_amount", price)
            elif price != round_amount(price, SETTLEMENT_CURRENCY):
                errors[f"{key}.unit_price"] = _("A CNY price has at most two decimals (fen).")
        if line.vat_basis not in VatBasis.values:
            errors[f"{key}.vat_basis"] = _("Choose standard, zero_rated_export or exempt.")
        elif rate is not None:
            if not Decimal(0) <= rate < 1:
                errors[f"{key}.vat_rate"] = _("A VAT rate is a fraction: 0.06 for 6 %.")
            elif line.vat_basis == VatBasis.STANDARD and rate == 0:
                errors[f"{key}.vat_rate"] = _("A standard-rated line needs a VAT rate above 0.")
            elif line.vat_basis != VatBasis.STANDARD and rate != 0:
                errors[f"{key}.vat_rate"] = _("A zero-rated or exempt line has a VAT rate of 0.")
            elif (unfit := column_error(QuoteLine, "vat_rate", rate)) is not None:
                errors[f"{key}.vat_rate"] = unfit
        node = nodes.get(line.capability_code) if line.capability_code else None
        if line.capability_code and (node is None or node.kind != TaxonomyKind.CAPABILITY):
            errors[f"{key}.capability_code"] = _("Unknown capability: %s.") % line.capability_code
        refused = {f"{key}.quantity", f"{key}.unit_price", f"{key}.vat_rate"} & set(errors)
        if rate is None or refused:
            continue
        net = round_amount(quantity * price, SETTLEMENT_CURRENCY)
        if column_error(QuoteLine, "net_amount", net) is not None:
            errors[f"{key}.unit_price"] = _(
                "Quantity × unit price comes to CNY %(amount)s; a line can be at most CNY "
                "%(largest)s."
            ) % {"amount": f"{net:,}", "largest": _largest(QuoteLine, "net_amount")}
            continue
        rows.append(
            {
                "position": index + 1,
                "description": line.description.strip(),
                "quantity": quantity,
                "unit_price_amount": price,
                "vat_rate": rate,
                "vat_basis": line.vat_basis,
                "capability": node,
                "net_amount": net,
                "vat_amount": round_amount(net * rate, SETTLEMENT_CURRENCY),
            }
        )
    return rows, errors


def _milestones(milestones: list[MilestoneInput], total: Decimal) -> tuple[list[dict], dict]:
    """Milestones by share (percent, summing to 100) or by amount (summing to the total exactly).

    Shares become amounts rounded to the fen, the last one taking the remainder.
    """
    errors: dict[str, str] = {}
    if not milestones:
        return [], {"milestones": _("A quote needs at least one milestone.")}
    by_share = [m.share is not None for m in milestones]
    by_amount = [m.amount is not None for m in milestones]
    if not all(a != b for a, b in zip(by_share, by_amount, strict=True)) or (
        any(by_share) and any(by_amount)
    ):
        return [], {"milestones": _("Give every milestone a share, or every one an amount.")}
    for index, milestone in enumerate(milestones):
        if not (milestone.name or "").strip():
            errors[f"milestones[{index}].name"] = _("Name the milestone.")
        if milestone.due_date is None and not (milestone.trigger or "").strip():
            errors[f"milestones[{index}].due_date"] = _("Give a due date or a trigger.")
    column = "share" if all(by_share) else "amount"
    values = [
        _decimal(getattr(m, column), f"milestones[{i}].{column}", errors)
        for i, m in enumerate(milestones)
    ]
    if errors:
        return [], errors
    largest = column_range(QuoteMilestone, column)[1]
    for index, value in enumerate(values):
        key = f"milestones[{index}].{column}"
        if value <= 0:
            errors[key] = _("A milestone must be more than zero.")
        elif value > largest:
            errors[key] = column_error(QuoteMilestone, column, value)
        elif column == "share" and (unfit := column_error(QuoteMilestone, column, value)):
            errors[key] = unfit
        elif column == "amount" and value != round_amount(value, SETTLEMENT_CURRENCY):
            errors[key] = _("A CNY amount has at most two decimals (fen).")
    if errors:
        return [], errors
    if all(by_share):
        if sum(values) != 100:
            return [], {
                "milestones": _("Milestone shares add up to %s %%, not 100 %%.") % sum(values)
            }
        amounts = [m.amount for m in split_by_shares(Money(total, SETTLEMENT_CURRENCY), values)]
        if any(amount <= 0 for amount in amounts):
            return [], {
                "milestones": _(
                    "A share of CNY %s comes to less than a fen: give fewer milestones or larger "
                    "shares."
                )
                % f"{total:,}"
            }
    else:
        if sum(values) != total:
            return [], {
                "milestones": _("Milestones add up to CNY %(sum)s, not the total CNY %(total)s.")
                % {"sum": sum(values), "total": total}
            }
        amounts = values
    return [
        {
            "position": index + 1,
            "name": milestone.name.strip(),
            "share": milestone.share,
            "amount": amount,
            "due_date": milestone.due_date,
            "trigger": (milestone.trigger or "").strip(),
        }
        for index, (milestone, amount) in enumerate(zip(milestones, amounts, strict=True))
    ], {}


def _total_errors(total: Decimal) -> dict[str, str]:
    """A quote's total (VAT included) is more than zero and fits its column; its net and VAT,
    each at most the total, then fit theirs."""
    if total <= 0:
        return {"lines": _("A quote's total must be more than zero: price at least one line.")}
    if column_error(QuoteRevision, "total_amount", total) is not None:
        return {
            "lines": _(
                "The lines come to CNY %(amount)s with VAT; a quote can be at most CNY %(largest)s."
            )
            % {"amount": f"{total:,}", "largest": _largest(QuoteRevision, "total_amount")}
        }
    return {}


def _buyer_total_check(amount: Decimal, currency: str) -> None:
    """The total in the buyer's currency fits its column too (a weak currency multiplies it)."""
    if column_error(QuoteRevision, "total_buyer_amount", amount) is not None:
        message = _(
            "In %(currency)s the total comes to %(amount)s, more than a quote can show (at most "
            "%(largest)s): lower the total."
        )
        largest = _largest(QuoteRevision, "total_buyer_amount")
        raise ValidationError(
            {"lines": message % {"currency": currency, "amount": f"{amount:,}", "largest": largest}}
        )


def _locked_quote(quote: Quote) -> Quote:
    return (
        Quote.objects.select_for_update().select_related("rfq__buyer", "provider").get(pk=quote.pk)
    )


@transaction.atomic
def quote_save_draft(
    *,
    rfq: Rfq,
    provider: Organisation,
    by: User,
    lines: list[LineInput],
    milestones: list[MilestoneInput],
    valid_until: date,
    turnaround_days: int | None = None,
    assumptions: str = "",
    exclusions: str = "",
    work_zone_code: str | None = None,
    provider_is_ciio: bool | None = None,
) -> Quote:
    """Write the provider's draft revision (a new one after a submitted one): lines, VAT,
    milestones summing exactly to the total. Nothing is written if anything is wrong."""
    from marketplace.contracting.selectors import nda_accepted, provider_may_see

    require_member(user=by, organisation=provider)
    if not provider_may_see(rfq=rfq, provider=provider):
        raise PermissionDenied(_("This request is not open to your organisation."))
    rfq = Rfq.objects.select_for_update().get(pk=rfq.pk)
    if rfq.status != RfqStatus.OPEN:
        raise InvalidTransition(_("This request is not open for quotes."))
    if not nda_accepted(rfq=rfq, provider=provider):
        raise InvalidTransition(_("Accept the request's NDA before quoting."))
    rows, errors = _lines(lines)
    net = sum((row["net_amount"] for row in rows), Decimal("0.00"))
    vat = sum((row["vat_amount"] for row in rows), Decimal("0.00"))
    if not errors:
        errors = _total_errors(net + vat)
    planned, milestone_errors = _milestones(milestones, net + vat) if not errors else ([], {})
    errors |= milestone_errors
    if valid_until < timezone.localdate():
        errors["valid_until"] = _("The validity date has passed.")
    if turnaround_days is not None:
        if not isinstance(turnaround_days, int) or turnaround_days <= 0:
            errors["turnaround_days"] = _("Turnaround is a number of days, one or more.")
        elif (unfit := column_error(QuoteRevision, "turnaround_days", turnaround_days)) is not None:
            errors["turnaround_days"] = unfit
    zone = None
    if work_zone_code:
        zone = Zone.objects.filter(code=work_zone_code).first()
        if zone is None:
            errors["work_zone_code"] = _("Unknown zone: %s.") % work_zone_code
    if errors:
        raise ValidationError(errors)

    RfqInvitation.objects.get_or_create(
        rfq=rfq, provider=provider, defaults={"source": RfqInvitation.Source.OPEN_CALL}
    )
    quote, created = Quote.objects.get_or_create(
        rfq=rfq, provider=provider, defaults={"created_by": by}
    )
    quote = _locked_quote(quote)
    if quote.status in (QuoteStatus.WITHDRAWN, QuoteStatus.DECLINED, QuoteStatus.ACCEPTED):
        raise InvalidTransition(
            _("This quote is %s: it can no longer be changed.") % quote.get_status_display().lower()
        )
    last = quote.revisions.order_by("-number").first()
    if last is not None and not last.is_submitted:
        revision = last
        revision.lines.all().delete()
        revision.milestones.all().delete()
    else:
        revision = QuoteRevision(quote=quote, number=(last.number + 1) if last else 1)
    revision.valid_until = valid_until
    revision.turnaround_days = turnaround_days
    revision.assumptions = assumptions
    revision.exclusions = exclusions
    revision.work_zone = zone
    revision.provider_is_ciio = provider_is_ciio
    revision.net_amount, revision.vat_amount, revision.total_amount = net, vat, net + vat
    revision.save()
    QuoteLine.objects.bulk_create(QuoteLine(revision=revision, **row) for row in rows)
    QuoteMilestone.objects.bulk_create(QuoteMilestone(revision=revision, **row) for row in planned)
    audit(quote, action="save_draft", actor=by, reason=f"v{revision.number}")
    return quote


@transaction.atomic
def quote_write(
    *,
    rfq: Rfq,
    provider: Organisation,
    by: User,
    lines: list[Mapping],
    milestones: list[Mapping],
    submit: bool = False,
    **revision,
) -> Quote:
    """The provider's draft written from plain input rows, whatever the door (page or API), and
    sent to the buyer at once when ``submit``; nothing is written if either step is refused.

    A line row names ``description``, ``quantity``, ``unit_price``, ``vat_rate``, ``vat_basis`` and
    maybe ``capability_code``; a milestone row ``name`` and maybe ``share``, ``amount``,
    ``due_date``, ``trigger``. ``revision`` holds the rest of ``quote_save_draft``'s arguments."""
    quote = quote_save_draft(
        rfq=rfq,
        provider=provider,
        by=by,
        lines=[
            LineInput(
                description=row["description"],
                quantity=row["quantity"],
                unit_price=row["unit_price"],
                vat_rate=row["vat_rate"],
                vat_basis=row["vat_basis"],
                capability_code=row.get("capability_code"),
            )
            for row in lines
        ],
        milestones=[
            MilestoneInput(
                name=row["name"],
                share=row.get("share"),
                amount=row.get("amount"),
                due_date=row.get("due_date"),
                trigger=row.get("trigger") or "",
            )
            for row in milestones
        ],
        **revision,
    )
    if submit:
        quote = quote_submit(quote=quote, by=by)
    return quote


@transaction.atomic
def quote_submit(*, quote: Quote, by: User) -> Quote:
    """Send the draft revision to the buyer, with the buyer-currency total at today's rate
    (snapshotted: later rate changes do not touch it); the deal is screened again."""
    quote = _locked_quote(quote)
    require_member(user=by, organisation=quote.provider)
    if quote.rfq.status != RfqStatus.OPEN:
        raise InvalidTransition(_("This request is not open for quotes."))
    draft = quote.revisions.filter(is_submitted=False).order_by("-number").first()
    if draft is None:
        raise InvalidTransition(_("There is no draft revision to submit."))
    if draft.valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("The validity date has passed.")})
    now = timezone.now()
    currency = quote.rfq.budget_currency or SETTLEMENT_CURRENCY
    draft.buyer_currency = currency
    if currency == SETTLEMENT_CURRENCY:
        draft.fx_rate, draft.fx_source, draft.fx_as_of = Decimal(1), "", None
        draft.total_buyer_amount = draft.total_amount
    else:
        rate = fx_rate_latest(base=SETTLEMENT_CURRENCY, quote=currency, at=now)
        if rate is not None:
            draft.fx_rate, draft.fx_source, draft.fx_as_of = rate.rate, rate.source, rate.as_of
            draft.total_buyer_amount = round_amount(draft.total_amount * rate.rate, currency)
            _buyer_total_check(draft.total_buyer_amount, currency)
    usd = fx_rate_latest(base=SETTLEMENT_CURRENCY, quote="USD", at=now)
    draft.usd_rate = usd.rate if usd else None
    draft.is_submitted, draft.submitted_at, draft.submitted_by = True, now, by
    draft.save()
    first = not quote.revisions.filter(is_submitted=True).exclude(pk=draft.pk).exists()
    # The first submitted revision submits the quote; each later one revises it.
    action, to, allowed_from = (
        ("submit", QuoteStatus.SUBMITTED, (QuoteStatus.DRAFT,))
        if first
        else ("revise", QuoteStatus.REVISED, (*ACCEPTABLE, QuoteStatus.EXPIRED))
    )
    transition(
        quote, to=to, allowed_from=allowed_from, action=action, actor=by,
        reason=f"v{draft.number}",
    )  # fmt: skip
    deal_screen(rfq=quote.rfq, quote=quote)
    notify("quote_submitted", quote_id=quote.pk)
    return quote


# How a quote ends short of a contract: action -> (whose member may do it, new status, from).
QUOTE_ENDINGS = {
    "withdraw": ("provider", QuoteStatus.WITHDRAWN, (*LIVE, QuoteStatus.EXPIRED)),
    "decline": ("buyer", QuoteStatus.DECLINED, (*ACCEPTABLE, QuoteStatus.EXPIRED)),
}


@transaction.atomic
def _quote_end(*, quote: Quote, action: str, by: User, reason: str) -> Quote:
    party, to, allowed_from = QUOTE_ENDINGS[action]
    quote = _locked_quote(quote)
    organisation = quote.provider if party == "provider" else quote.rfq.buyer
    require_member(user=by, organisation=organisation)
    transition(quote, to=to, allowed_from=allowed_from, action=action, actor=by, reason=reason)
    return quote


def quote_withdraw(*, quote: Quote, by: User, reason: str = "") -> Quote:
    """The provider withdraws its quote (live or expired), saying why if it likes."""
    return _quote_end(quote=quote, action="withdraw", by=by, reason=reason)


def quote_decline(*, quote: Quote, by: User, reason: str = "") -> Quote:
    """The buyer declines a quote it could accept (or one that expired)."""
    return _quote_end(quote=quote, action="decline", by=by, reason=reason)


def quotes_expire(*, today: date | None = None) -> int:
    """Mark submitted quotes whose current revision's validity has passed as expired."""
    today = today or timezone.localdate()
    expired = 0
    candidates = Quote.objects.filter(status__in=ACCEPTABLE).prefetch_related("revisions")
    for quote in candidates:
        revision = current_revision(quote)
        if revision is not None and revision.valid_until < today:
            with transaction.atomic():
                locked = _locked_quote(quote)
                if locked.status in ACCEPTABLE:
                    transition(
                        locked,
                        to=QuoteStatus.EXPIRED,
                        allowed_from=ACCEPTABLE,
                        action="expire",
                        actor=None,
                        reason=_("Valid until %s.") % revision.valid_until,
                    )
                    expired += 1
    return expired


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def _snapshot(quote: Quote, revision: QuoteRevision, screening, by: User) -> dict:
    rfq = quote.rfq
    return {
        "terms_version": TERMS_VERSION,
        "rfq": {"id": rfq.pk, "title": rfq.title, "scope": rfq.scope},
        "buyer": {"id": rfq.buyer.pk, "name": rfq.buyer.name, "country": rfq.buyer.country},
        "provider": {
            "id": quote.provider.pk,
            "name": quote.provider.name,
            "name_zh": quote.provider.name_zh,
            "zone": screening.facts.get("provider_zone"),
        },
        "quote": {
            "id": quote.pk,
            "revision": revision.number,
            "submitted_at": revision.submitted_at.isoformat(),
            "valid_until": revision.valid_until.isoformat(),
            "turnaround_days": revision.turnaround_days,
            "assumptions": revision.assumptions,
            "exclusions": revision.exclusions,
            "currency": revision.currency,
            "net": _money(revision.net_amount),
            "vat": _money(revision.vat_amount),
            "total": _money(revision.total_amount),
            "lines": [
                {
                    "description": line.description,
                    "quantity": str(line.quantity),
                    "unit_price": _money(line.unit_price_amount),
                    "vat_rate": str(line.vat_rate),
                    "vat_basis": line.vat_basis,
                    "capability": line.capability.code if line.capability else None,
                    "net": _money(line.net_amount),
                    "vat": _money(line.vat_amount),
                }
                for line in revision.lines.all()
            ],
            "milestones": [
                {
                    "name": milestone.name,
                    "share": _money(milestone.share),
                    "amount": _money(milestone.amount),
                    "due_date": milestone.due_date.isoformat() if milestone.due_date else None,
                    "trigger": milestone.trigger,
                }
                for milestone in revision.milestones.all()
            ],
            "fx": {
                "buyer_currency": revision.buyer_currency,
                "rate": _money(revision.fx_rate),
                "source": revision.fx_source,
                "as_of": revision.fx_as_of.isoformat() if revision.fx_as_of else None,
                "total_in_buyer_currency": _money(revision.total_buyer_amount),
            },
        },
        "screening": {
            "outcome": screening.outcome,
            "facts": screening.facts,
            "findings": screening.findings,
            "rules_version": screening.rules_version,
            "screened_at": screening.screened_at.isoformat(),
        },
        "accepted": {"by": by.pk, "email": by.email, "at": timezone.now().isoformat()},
    }


@transaction.atomic
def quote_accept(*, quote: Quote, by: User) -> Contract:
    """Accept a valid quote: screen the deal once more (a blocking finding refuses it), make
    the contract with its milestones and compliance checklist, decline the other quotes and
    close the request."""
    quote = _locked_quote(quote)
    require_member(user=by, organisation=quote.rfq.buyer)
    rfq = Rfq.objects.select_for_update().select_related("buyer").get(pk=quote.rfq_id)
    revision = quote.revisions.filter(is_submitted=True).order_by("-number").first()
    if quote.status in ACCEPTABLE and revision.valid_until < timezone.localdate():
        raise InvalidTransition(
            _("This quote expired on %s: ask the provider for a revision.") % revision.valid_until,
            details={"status": QuoteStatus.EXPIRED},
        )
    if quote.status in ACCEPTABLE and rfq.status != RfqStatus.OPEN:
        raise InvalidTransition(_("This request is no longer open."))
    if quote.status not in ACCEPTABLE:
        raise refusal(quote, action="accept", allowed_from=ACCEPTABLE)
    screening = deal_screen(rfq=rfq, quote=quote)
    if screening.is_blocked:
        raise DealBlocked(
            blocked_message(screening=screening),
            details={"findings": blocking_findings(screening=screening)},
        )
    contract = Contract.objects.create(
        quote=quote,
        revision=revision,
        rfq=rfq,
        buyer=rfq.buyer,
        provider=quote.provider,
        terms_version=TERMS_VERSION,
        snapshot=_snapshot(quote, revision, screening, by),
        total_amount=revision.total_amount,
    )
    Milestone.objects.bulk_create(
        Milestone(
            contract=contract,
            position=m.position,
            name=m.name,
            amount=m.amount,
            due_date=m.due_date,
            trigger=m.trigger,
        )
        for m in revision.milestones.all()
    )
    checklist_extend(contract=contract, findings=screening.findings)
    audit(contract, action="create", actor=by, to_status=contract.status)
    transition(quote, to=QuoteStatus.ACCEPTED, allowed_from=ACCEPTABLE, action="accept", actor=by)
    quotes_in_play_decline(rfq=rfq, by=by, reason=_("Another quote was accepted."), keep=quote)
    rfq_move(rfq, "close", by=by, reason=_("Quote %s accepted.") % quote.pk)
    notify("quote_accepted", contract_id=contract.pk)
    events.publish(events.CONTRACT_CREATED, contract_id=contract.pk)
    return contract
