"""Paying a milestone (the buyer's pages) and Stripe's webhook (verified, stored once,
answered fast, processed by a Celery task)."""

import json

import stripe
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from marketplace.accounts.permissions import is_platform_staff
from marketplace.contracting.audit import export_audit
from marketplace.contracting.models import Milestone, MilestoneStatus
from marketplace.contracting.selectors import contracts_for_user, organisations_of
from marketplace.contracting.services import contract_payment_block
from marketplace.csv_export import spreadsheet_safe_writer
from marketplace.pages import form_errors_add, refusal_page
from marketplace.transitions import InvalidTransition
from payments.forms import PayoutForm
from payments.ledger import providers_owed
from payments.models import Payment, PaymentStatus, Payout
from payments.services import (
    PaymentError,
    local_test_payment_confirm,
    milestone_payment_start,
    payment_capital_findings,
    payment_client_secret,
    payment_sync,
    payout_record,
    stripe_event_receive,
)
from payments.stripe_client import is_local_test_mode

SIGNATURE_TOLERANCE_SECONDS = 300
# A payment the buyer can pay (again, after a decline) from its page.
PAYABLE = (PaymentStatus.CREATED, PaymentStatus.FAILED)
PAID = (MilestoneStatus.PAID, MilestoneStatus.ACCEPTED)


@csrf_exempt  # Stripe signs its requests instead
@require_POST
def stripe_webhook(request):
    signature = request.headers.get("Stripe-Signature", "")
    try:
        body = request.body.decode("utf-8")
        stripe.WebhookSignature.verify_header(
            body, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, stripe.SignatureVerificationError):
        return HttpResponseBadRequest("Invalid payload or signature.")
    # Signed is not the same as well formed: an event is a JSON object with an id and a type.
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), str) or not payload["id"]:
        return HttpResponseBadRequest("An event is a JSON object with an id.")
    if not isinstance(payload.get("type", ""), str):
        return HttpResponseBadRequest("An event's type is a string.")
    stripe_event_receive(event=payload)
    return HttpResponse(status=200)


def _contract_milestone(request, milestone_pk: int):
    return get_object_or_404(
        Milestone.objects.select_related("contract").filter(
            contract__in=contracts_for_user(user=request.user)
        ),
        pk=milestone_pk,
    )


@login_required
@require_POST
def milestone_pay(request, milestone_pk: int):
    """The buyer starts paying a due milestone, then sees the payment page."""
    milestone = _contract_milestone(request, milestone_pk)
    back = f"/deals/contracts/{milestone.contract_id}/"
    try:
        payment = milestone_payment_start(milestone=milestone, by=request.user)
    except InvalidTransition as error:
        return refusal_page(request, error.message, back, 409)
    except PermissionDenied as error:
        return refusal_page(request, str(error), back, 403)
    except PaymentError as error:
        return refusal_page(request, str(error), back, error.status_code)
    return redirect("payments:payment", payment_pk=payment.pk)


def _payment(request, payment_pk: int) -> Payment:
    """A payment of one of the user's buyer organisations (anyone else: 404)."""
    return get_object_or_404(
        Payment.objects.select_related("milestone__contract__revision").filter(
            milestone__contract__buyer__in=organisations_of(user=request.user)
        ),
        pk=payment_pk,
    )


@login_required
def payment_page(request, payment_pk: int):
    payment = _payment(request, payment_pk)
    milestone = payment.milestone
    is_payable = payment.status in PAYABLE and milestone.status == MilestoneStatus.DUE
    block = contract_payment_block(contract=milestone.contract) if is_payable else None
    stripe_form = None
    if (
        is_payable
        and block is None
        and not is_local_test_mode()
        and settings.STRIPE_PUBLISHABLE_KEY
    ):
        try:
            stripe_form = {
                "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
                "client_secret": payment_client_secret(payment=payment),
                "return_url": request.build_absolute_uri(f"/payments/{payment.pk}/return/"),
            }
        except PaymentError as error:
            return refusal_page(
                request, str(error), f"/deals/contracts/{milestone.contract_id}/", error.status_code
            )
    return render(
        request,
        "payments/payment.html",
        {
            "payment": payment,
            "milestone": milestone,
            "contract": milestone.contract,
            "is_payable": is_payable and block is None,
            "is_milestone_paid": milestone.status
            in (MilestoneStatus.PAID, MilestoneStatus.ACCEPTED),
            "payment_block": block,
            "local_test_mode": is_local_test_mode(),
            "capital_findings": payment_capital_findings(payment=payment),
            "stripe_form": stripe_form,
        },
    )


@login_required
def payment_return(request, payment_pk: int):
    """Where Stripe sends the buyer back: read the PaymentIntent and apply its status."""
    payment = _payment(request, payment_pk)
    try:
        payment_sync(payment=payment)
    except PaymentError as error:
        return refusal_page(request, str(error), f"/payments/{payment.pk}/", error.status_code)
    return redirect("payments:payment", payment_pk=payment.pk)


@login_required
@require_POST
def local_test_pay(request, payment_pk: int):
    """Local test mode only: pay (or fail to pay) with a Stripe test card on the emulator."""
    payment = _payment(request, payment_pk)
    back = f"/payments/{payment.pk}/"
    if not is_local_test_mode():
        raise Http404
    card = "4000000000000341" if request.POST.get("card") == "decline" else "4242424242424242"
    try:
        payment = local_test_payment_confirm(payment=payment, card_number=card)
    except InvalidTransition as error:
        return refusal_page(request, error.message, back, 409)
    except PaymentError as error:
        return refusal_page(request, str(error), back, error.status_code)
    return redirect("payments:payment", payment_pk=payment.pk)


@login_required
def payouts(request):
    """Staff: what each provider is owed, recording bank-transfer payouts, and a CSV export."""
    if not is_platform_staff(user=request.user):
        raise Http404
    recent = Payout.objects.select_related("provider", "recorded_by")[:200]
    if request.GET.get("format") == "csv":
        export_audit(report="payouts", actor=request.user, query=request.GET.urlencode())
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="payouts.csv"'
        response.write("\ufeff")
        writer = spreadsheet_safe_writer(response)
        writer.writerow(["paid_on", "provider", "amount", "currency", "reference", "recorded_by"])
        for payout in recent:
            writer.writerow(
                [payout.paid_on.isoformat(), payout.provider.name, payout.amount,
                 payout.currency, payout.reference, payout.recorded_by.email]
            )  # fmt: skip
        return response

    form = PayoutForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                payout_record(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                return redirect("payments:payouts")
        status = 400
    return render(
        request,
        "payments/payouts.html",
        {
            "owed": providers_owed(),
            "payouts": recent,
            "form": form,
        },
        status=status,
    )
