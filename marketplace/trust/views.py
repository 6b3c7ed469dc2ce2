"""The review forms' endpoints: thin, each calling one service and going back where it came from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.contracting.selectors import contracts_for_user
from marketplace.pages import next_or, refusal_page, run_service
from marketplace.trust import selectors, services
from marketplace.trust.forms import HideForm, ReplyForm, ReviewForm
from marketplace.trust.models import Review


def _invalid(request, form, back: str):
    problems = [str(error) for errors in form.errors.values() for error in errors]
    return refusal_page(request, " ".join(problems), back, status=400)


@login_required
@require_POST
def review_create(request, contract_pk: int):
    contract = get_object_or_404(contracts_for_user(user=request.user), pk=contract_pk)
    back = f"/deals/contracts/{contract.pk}/"
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, back)
    _review, refusal = run_service(
        request,
        lambda: services.review_create(
            contract=contract, by=request.user, text=form.cleaned_data["text"], **form.ratings()
        ),
        back,
    )
    if refusal:
        return refusal
    messages.success(request, _("Thank you: your review is on the provider's page."))
    return redirect(back)


def _on_review(request, reviews, pk: int, form_class, act):
    """A form posted about one review of ``reviews``: validated, then ``act(review, data)``
    (one service), back to the page it came from or to a page saying why not."""
    review = get_object_or_404(reviews, pk=pk)
    back = next_or(request, "/")
    form = form_class(request.POST)
    if not form.is_valid():
        return _invalid(request, form, back)
    _review, refusal = run_service(request, lambda: act(review, form.cleaned_data), back)
    return refusal or redirect(back)


@login_required
@require_POST
def review_reply(request, pk: int):
    return _on_review(
        request, selectors.visible_reviews(), pk, ReplyForm,
        lambda review, data: services.review_reply(
            review=review, by=request.user, text=data["text"]
        ),
    )  # fmt: skip


@login_required
@require_POST
def review_hide(request, pk: int):
    return _on_review(
        request, Review.objects.all(), pk, HideForm,
        lambda review, data: services.review_hide(
            review=review, by=request.user, reason=data["reason"]
        ),
    )  # fmt: skip
