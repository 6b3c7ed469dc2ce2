"""Writing reviews: only a buyer with a completed contract, once per contract; the provider's one
answer; platform staff hiding one with a recorded reason. Each tells the integrations that the
provider's rating changed (search re-indexes its listings, its pages render afresh)."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import events
from marketplace.accounts.models import User
from marketplace.accounts.permissions import is_platform_staff, require_member
from marketplace.contracting.audit import audit
from marketplace.contracting.models import Contract, ContractStatus
from marketplace.transitions import InvalidTransition
from marketplace.trust.models import ASPECTS, RATING_MAX, RATING_MIN, Review

TEXT_MAX = 5000
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def language_of(text: str) -> str:
    """The language a review is written in, as its page marks it: Chinese if it has Chinese."""
    return Review.Language.CHINESE if _CJK.search(text) else Review.Language.ENGLISH


def _clean_text(text: str, field: str, *, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: [what]})
    if len(text) > TEXT_MAX:
        raise ValidationError({field: [_("Keep it under %(max)d characters.") % {"max": TEXT_MAX}]})
    return text


def _clean_ratings(ratings: dict) -> dict[str, int]:
    errors, clean = {}, {}
    for name in ("overall", *ASPECTS):
        value = ratings.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                value = int(str(value).strip())
            except (TypeError, ValueError):
                errors[name] = [_("Give a whole number from 1 to 5.")]
                continue
        if not RATING_MIN <= value <= RATING_MAX:
            errors[name] = [_("A rating is from 1 to 5.")]
            continue
        clean[name] = value
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def review_create(*, contract: Contract, by: User, text: str, **ratings) -> Review:
    """The buyer reviews the provider of a completed contract (once); the rating is on 1-5."""
    clean = _clean_ratings(ratings)
    text = _clean_text(text, "text", what=_("Say how the work went."))
    contract = Contract.objects.select_for_update(no_key=True).get(pk=contract.pk)
    require_member(
        user=by,
        organisation=contract.buyer,
        message=_("Only the buyer's owners and editors can review this contract."),
    )
    if contract.status != ContractStatus.COMPLETED:
        raise InvalidTransition(_("A contract can be reviewed once it is completed."))
    if Review.objects.filter(contract=contract).exists():
        raise InvalidTransition(_("This contract has been reviewed already."))
    try:
        with transaction.atomic():
            review = Review.objects.create(
                contract=contract,
                buyer=contract.buyer,
                provider=contract.provider,
                author=by,
                text=text,
                language=language_of(text),
                **clean,
            )
    except IntegrityError:  # the same review sent twice at once: the second finds the first
        raise InvalidTransition(_("This contract has been reviewed already.")) from None
    audit(review, action="review", actor=by)
    events.publish(events.REVIEWS_CHANGED, organisation_id=contract.provider_id)
    return review


def _locked(review: Review) -> Review:
    return Review.objects.select_for_update().get(pk=review.pk)


@transaction.atomic
def review_reply(*, review: Review, by: User, text: str) -> Review:
    """The provider answers a review once, publicly."""
    review = _locked(review)
    require_member(
        user=by,
        organisation=review.provider,
        message=_("Only the reviewed provider's owners and editors can answer this review."),
    )
    if review.reply:
        raise InvalidTransition(_("This review has been answered already."))
    review.reply = _clean_text(text, "text", what=_("Write your answer."))
    review.reply_language = language_of(review.reply)
    review.replied_by, review.replied_at = by, timezone.now()
    review.save(update_fields=["reply", "reply_language", "replied_by", "replied_at"])
    audit(review, action="reply", actor=by)
    events.publish(events.REVIEWS_CHANGED, organisation_id=review.provider_id)
    return review


@transaction.atomic
def review_hide(*, review: Review, by: User, reason: str) -> Review:
    """Platform staff take a review off the pages (and out of the rating), saying why."""
    if not is_platform_staff(user=by):
        raise PermissionDenied(_("Only platform staff can hide a review."))
    review = _locked(review)
    reason = _clean_text(reason, "reason", what=_("Say why the review is hidden."))
    if review.is_hidden:
        raise InvalidTransition(_("This review is hidden already."))
    review.hidden_reason, review.hidden_by, review.hidden_at = reason, by, timezone.now()
    review.save(update_fields=["hidden_reason", "hidden_by", "hidden_at"])
    audit(review, action="hide", actor=by, reason=reason)
    events.publish(events.REVIEWS_CHANGED, organisation_id=review.provider_id)
    return review


def track_records_refresh() -> int:
    """Recompute every provider organisation's track record from its deals; return how many
    changed (the pages that show them are told when any did)."""
    from marketplace.accounts.models import PROVIDER_KINDS, Organisation
    from marketplace.trust.models import TrackRecord
    from marketplace.trust.track_record import figures_of

    now = timezone.now()
    before = {record.provider_id: record for record in TrackRecord.objects.all()}
    changed: list[int] = []
    for provider_id in Organisation.objects.filter(kind__in=PROVIDER_KINDS).values_list(
        "pk", flat=True
    ):
        figures = figures_of(provider_id)
        old = before.get(provider_id)
        if old is not None and all(getattr(old, name) == value for name, value in figures.items()):
            continue
        TrackRecord.objects.update_or_create(
            provider_id=provider_id, defaults={**figures, "computed_at": now}
        )
        changed.append(provider_id)
    TrackRecord.objects.update(computed_at=now)  # every figure is current as of this run
    if changed:
        events.publish(events.TRACK_RECORDS_CHANGED, organisation_ids=changed)
    return len(changed)


# --- The company-of-concern screen ------------------------------------------------------------


@transaction.atomic
def concern_matches_refresh(*, flagged_before: set[int] | None = None) -> set[int]:
    """Match every provider organisation's names (English and Chinese) against every listed
    company; return the organisations whose flag changed (their pages and search documents are
    told). ``flagged_before``: who was flagged before a list was edited or withdrawn (whose
    matches went with its entries)."""
    from marketplace.accounts.models import PROVIDER_KINDS, Organisation
    from marketplace.trust.concern import normalised
    from marketplace.trust.models import ConcernEntry, ConcernMatch

    listed: dict[str, list[ConcernEntry]] = {}
    for entry in ConcernEntry.objects.all():
        for name in entry.names():
            if key := normalised(name):
                listed.setdefault(key, []).append(entry)
    wanted: set[tuple[int, int, str]] = set()
    for organisation in Organisation.objects.filter(kind__in=PROVIDER_KINDS).only(
        "pk", "name", "name_zh"
    ):
        for name in (organisation.name, organisation.name_zh):
            for entry in listed.get(normalised(name), []) if name else []:
                wanted.add((organisation.pk, entry.pk, name))
    current = {(match.provider_id, match.entry_id): match for match in ConcernMatch.objects.all()}
    wanted_pairs = {(provider, entry) for provider, entry, _name in wanted}
    gone = [match.pk for pair, match in current.items() if pair not in wanted_pairs]
    ConcernMatch.objects.filter(pk__in=gone).delete()
    ConcernMatch.objects.bulk_create(
        [
            ConcernMatch(provider_id=provider, entry_id=entry, matched_name=name)
            for provider, entry, name in wanted
            if (provider, entry) not in current
        ],
        ignore_conflicts=True,
    )
    if flagged_before is None:
        flagged_before = {provider for provider, _entry in current}
    flagged_now = {provider for provider, _entry in wanted_pairs}
    changed = flagged_before ^ flagged_now
    for organisation_id in changed:
        events.publish(events.CONCERN_FLAG_CHANGED, organisation_id=organisation_id)
    return changed


def _flagged() -> set[int]:
    from marketplace.trust.models import ConcernMatch

    return set(ConcernMatch.objects.values_list("provider_id", flat=True))


def _require_staff_for_lists(user: User) -> None:
    if not is_platform_staff(user=user):
        raise PermissionDenied(_("Only platform staff can edit company-of-concern lists."))


@transaction.atomic
def concern_list_save(*, by: User, entries: list[dict], concern_list=None, **values):
    """Create or replace a list (its facts and every entry), then screen the providers again."""
    from marketplace.trust.models import ConcernEntry, ConcernList

    _require_staff_for_lists(by)
    if not entries:
        raise ValidationError({"entries": [_("A list names at least one company.")]})
    if concern_list is None:
        concern_list = ConcernList(**values)
    else:
        for name, value in values.items():
            setattr(concern_list, name, value)
    concern_list.full_clean()
    flagged_before = _flagged()
    concern_list.save()
    concern_list.entries.all().delete()
    ConcernEntry.objects.bulk_create(
        [ConcernEntry(concern_list=concern_list, **entry) for entry in entries]
    )
    audit(concern_list, action="concern_list_save", actor=by)
    concern_matches_refresh(flagged_before=flagged_before)
    return concern_list


@transaction.atomic
def concern_list_delete(*, concern_list, by: User) -> None:
    """Withdraw a list (platform staff): the providers it flagged are screened again."""
    _require_staff_for_lists(by)
    flagged_before = _flagged()
    audit(concern_list, action="concern_list_delete", actor=by)
    concern_list.delete()
    concern_matches_refresh(flagged_before=flagged_before)
