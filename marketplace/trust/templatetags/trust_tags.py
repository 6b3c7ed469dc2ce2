"""Reviews on the pages that show them: a provider's rating and latest reviews, the review of a
contract (with its form while the buyer may write it, and the provider's answer form)."""

from django import template

from marketplace.accounts.permissions import is_platform_staff
from marketplace.language import country_name
from marketplace.trust import selectors
from marketplace.trust.forms import HideForm, ReplyForm, ReviewForm
from marketplace.trust.models import Review

register = template.Library()


@register.inclusion_tag("trust/provider_reviews.html", takes_context=True)
def provider_reviews(context, organisation):
    request = context["request"]
    if organisation is None:
        return {"rating": None}
    return {
        "rating": selectors.provider_rating(provider=organisation),
        "reviews": selectors.latest_reviews(provider=organisation),
        "may_hide": is_platform_staff(user=request.user),
        "hide_form": HideForm(),
        "here": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("trust/concern_flags.html")
def provider_concern_flags(organisation):
    return {"flags": selectors.concern_flags_of(provider=organisation) if organisation else []}


@register.inclusion_tag("trust/track_record.html")
def provider_track_record(organisation):
    record = selectors.track_record_of(provider=organisation) if organisation else None
    return {"record": record}


@register.inclusion_tag("trust/contract_review.html", takes_context=True)
def contract_review(context, contract):
    request = context["request"]
    review = Review.objects.filter(contract=contract).select_related("buyer").first()
    return {
        "contract": contract,
        "review": review,
        "review_form": ReviewForm()
        if selectors.may_review(user=request.user, contract=contract)
        else None,
        "reply_form": ReplyForm()
        if review and not review.is_hidden and selectors.may_reply(user=request.user, review=review)
        else None,
        "here": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("trust/stars.html")
def stars(rating, count=None):
    """Five stars filled to ``rating`` (rounded to the nearest whole), with the figure."""
    filled = int(round(float(rating))) if rating is not None else 0
    return {"rating": rating, "count": count, "filled": "★" * filled, "empty": "☆" * (5 - filled)}


@register.filter
def country(code: str) -> str:
    return country_name(code)
