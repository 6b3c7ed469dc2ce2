"""The deal pages under /deals/: RFQs, quotes (and their comparison), contracts.

Thin: find the object through what the user may see (otherwise 404), call one service, render.
A refused status change renders the reason with 409; bad form input re-renders with 400.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.accounts.models import PROVIDER_KINDS, Organisation, OrganisationKind
from marketplace.catalog.models import TaxonomyNode
from marketplace.catalog.selectors import fx_rate_latest
from marketplace.compliance.selectors import fact_capabilities
from marketplace.contracting import selectors, services
from marketplace.contracting.forms import (
    FACT_QUESTIONS,
    ChecklistForm,
    InviteForm,
    LineFormSet,
    MessageForm,
    MilestoneFormSet,
    QuoteForm,
    ReasonForm,
    RfqForm,
)
from marketplace.contracting.models import (
    ChecklistItem,
    Milestone,
    QuoteStatus,
    RfqAttachment,
    RfqInvitation,
)
from marketplace.contracting.services.screening import current_revision
from marketplace.pages import form_errors_add, refusal_page, run_service


def _provider_orgs(user):
    return selectors.organisations_of(user=user).filter(kind__in=PROVIDER_KINDS)


@login_required
def dashboard(request):
    mine = selectors.organisations_of(user=request.user)
    rfqs = (
        selectors.rfqs_for_user(user=request.user)
        .select_related("buyer")
        .prefetch_related("quotes", "invitations")
        .order_by("-created_at")
    )
    buyer_ids = set(mine.values_list("pk", flat=True))
    rfqs = [(rfq, selectors.rfq_next_action(rfq=rfq, organisation_ids=buyer_ids)) for rfq in rfqs]
    return render(
        request,
        "contracting/dashboard.html",
        {
            "buying": [(rfq, next) for rfq, next in rfqs if rfq.buyer_id in buyer_ids],
            "selling": [(rfq, next) for rfq, next in rfqs if rfq.buyer_id not in buyer_ids],
            "contracts": selectors.contracts_with_next_action(user=request.user),
            "can_buy": mine.filter(
                kind__in=(OrganisationKind.BUYER, OrganisationKind.PLATFORM)
            ).exists(),
        },
    )


# Form fields handed to the services as they are, under the same names.
RFQ_FORM_VALUES = (
    "title", "scope", "summary", "desired_start", "deadline", "budget_min_amount",
    "budget_max_amount", "budget_currency", "is_nda_required", "nda_terms", "visibility",
)  # fmt: skip
QUOTE_FORM_VALUES = (
    "valid_until", "turnaround_days", "assumptions", "exclusions", "provider_is_ciio",
)  # fmt: skip


@login_required
def rfq_create(request):
    buyers = selectors.organisations_of(user=request.user).filter(
        kind__in=(OrganisationKind.BUYER, OrganisationKind.PLATFORM)
    )
    if not buyers.exists():
        messages.info(request, _("Set up your company as a buyer organisation to request quotes."))
        return redirect("accounts:organisation_create")
    initial = {}
    if request.method == "GET":
        initial["providers"] = list(
            Organisation.objects.filter(
                slug__in=request.GET.getlist("provider"), kind__in=PROVIDER_KINDS
            )
        )
        initial["capabilities"] = list(
            TaxonomyNode.objects.filter(code__in=request.GET.getlist("capability"))
        )
    form = RfqForm(request.POST or None, request.FILES or None, buyers=buyers, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            values = {name: data[name] for name in (*RFQ_FORM_VALUES, *RfqForm.FACT_FIELDS)}
            open_now = request.POST.get("action") == "open"
            try:
                with transaction.atomic():  # the request and its documents, or nothing
                    created = services.rfq_create_and_send(
                        buyer=data["buyer"],
                        by=request.user,
                        providers=list(data["providers"]),
                        open_now=open_now,
                        keep_blocked_as_draft=True,
                        capability_codes=[node.code for node in data["capabilities"]],
                        therapeutic_area_code=_code(data["therapeutic_area"]),
                        modality_code=_code(data["modality"]),
                        **values,
                    )
                    for upload in data["attachments"]:
                        _attach(created.rfq, request.user, upload)
            except (ValidationError, services.InvalidTransition) as error:
                if isinstance(error, services.InvalidTransition):
                    error = ValidationError(error.message)
                form_errors_add(form, error)
            else:
                # A request its screening blocks is kept as a draft; the buyer is told why and
                # what would unblock it (the request page shows the findings).
                if created.blocked is not None:
                    messages.error(
                        request,
                        _("Saved as a draft, not sent to providers. %s") % created.blocked.message,
                    )
                elif open_now:
                    messages.success(request, _("Your request is sent."))
                else:
                    messages.success(request, _("Your request is saved as a draft."))
                return redirect("deals:rfq", pk=created.rfq.pk)
        status = 400
    applies_to = fact_capabilities()
    return render(
        request,
        "contracting/rfq_form.html",
        {
            "form": form,
            # Each question with the capabilities it matters for ("" for any): the page hides
            # a question the chosen capabilities make moot.
            "fact_fields": [
                (form[name], " ".join(applies_to.get(name) or ())) for name in RfqForm.FACT_FIELDS
            ],
        },
        status=status,
    )


def _code(node) -> str | None:
    return node.code if node is not None else None


def _attach(rfq, user, upload) -> None:
    """Attach a document sent with the request form; its refusal names the file, on the form."""
    try:
        services.rfq_attachment_add(rfq=rfq, by=user, upload=upload)
    except ValidationError as error:
        raise ValidationError(
            {"attachments": [f"{upload.name}: {message}" for message in error.messages]}
        ) from error


def _rfq_context(request, rfq) -> dict:
    is_buyer = selectors.is_buyer_member(user=request.user, rfq=rfq)
    providers = list(_provider_orgs(request.user))
    visible_providers = [p for p in providers if selectors.provider_may_see(rfq=rfq, provider=p)]
    redacted = not selectors.may_read_full_rfq(user=request.user, rfq=rfq)
    quotes = selectors.quotes_for_user(user=request.user).filter(rfq=rfq)
    screening = rfq.screenings.filter(quote__isnull=True).first()
    return {
        "rfq": rfq,
        "is_buyer": is_buyer,
        "redacted": redacted,
        "acting_provider": visible_providers[0] if visible_providers else None,
        "quotes": quotes,
        "screening": screening,
        "unblock_hint": services.unblock_hint(screening=screening)
        if screening is not None and screening.is_blocked
        else "",
        "facts": [
            (FACT_QUESTIONS.get(name, name), getattr(rfq, name))
            for name in RfqForm.FACT_FIELDS
            if name in FACT_QUESTIONS
        ],
        "attachments": rfq.attachments.all() if not redacted else [],
        "threads": selectors.thread_providers(user=request.user, rfq=rfq) if not redacted else [],
        "invitations": RfqInvitation.objects.filter(rfq=rfq).select_related("provider")
        if is_buyer
        else [],
        "invite_form": InviteForm(rfq=rfq) if is_buyer else None,
    }


@login_required
def rfq_detail(request, pk: int):
    rfq = get_object_or_404(selectors.rfqs_for_user(user=request.user), pk=pk)
    return render(request, "contracting/rfq_detail.html", _rfq_context(request, rfq))


@login_required
@require_POST
def rfq_action(request, pk: int, action: str):
    rfq = get_object_or_404(selectors.rfqs_for_user(user=request.user), pk=pk)
    back = f"/deals/rfqs/{rfq.pk}/"
    reason = ReasonForm(request.POST).data.get("reason", "")[:2000]
    actions = {
        "open": lambda: services.rfq_open(rfq=rfq, by=request.user),
        "close": lambda: services.rfq_close(rfq=rfq, by=request.user, reason=reason),
        "cancel": lambda: services.rfq_cancel(rfq=rfq, by=request.user, reason=reason),
        "invite": lambda: services.rfq_invite(
            rfq=rfq,
            providers=list(
                Organisation.objects.filter(
                    slug__in=request.POST.getlist("providers"), kind__in=PROVIDER_KINDS
                )
            ),
            by=request.user,
        ),
        "accept-nda": lambda: services.rfq_nda_accept(
            rfq=rfq, provider=_acting_provider(request, rfq), by=request.user
        ),
    }
    if action not in actions:
        raise Http404
    _result, refusal = run_service(request, actions[action], back)
    return refusal or redirect(back)


def _acting_provider(request, rfq) -> Organisation:
    for provider in _provider_orgs(request.user):
        if selectors.provider_may_see(rfq=rfq, provider=provider):
            return provider
    raise PermissionDenied(_("This request is not open to your organisation."))


def _revision_initial(revision) -> tuple[dict, list, list]:
    if revision is None:
        return {}, [], []
    return (
        {
            "valid_until": revision.valid_until,
            "turnaround_days": revision.turnaround_days,
            "assumptions": revision.assumptions,
            "exclusions": revision.exclusions,
            "work_zone": revision.work_zone,
            "provider_is_ciio": revision.provider_is_ciio,
        },
        [
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price_amount,
                "vat_basis": line.vat_basis,
                "vat_rate": line.vat_rate,
                "capability": line.capability,
            }
            for line in revision.lines.all()
        ],
        [
            {
                "name": milestone.name,
                "share": milestone.share,
                "amount": None if milestone.share is not None else milestone.amount,
                "due_date": milestone.due_date,
                "trigger": milestone.trigger,
            }
            for milestone in revision.milestones.all()
        ],
    )


@login_required
def quote_form(request, pk: int):
    rfq = get_object_or_404(selectors.rfqs_for_user(user=request.user), pk=pk)
    provider = _acting_provider(request, rfq)
    if not selectors.nda_accepted(rfq=rfq, provider=provider):
        return refusal_page(
            request, _("Accept the request's NDA before quoting."), f"/deals/rfqs/{pk}/"
        )
    quote = rfq.quotes.filter(provider=provider).first()
    revision = quote.revisions.order_by("-number").first() if quote else None
    initial, lines, milestones = _revision_initial(revision)
    form = QuoteForm(request.POST or None, initial=initial)
    line_forms = LineFormSet(request.POST or None, initial=lines, prefix="lines")
    milestone_forms = MilestoneFormSet(request.POST or None, initial=milestones, prefix="ms")
    status = 200
    if request.method == "POST":
        valid = form.is_valid() & line_forms.is_valid() & milestone_forms.is_valid()
        if valid:
            data = form.cleaned_data
            # Which form each line and milestone the service is given comes from (blank extra
            # forms are left out), so that its errors show on that form's fields.
            given = {
                "lines": (line_forms, [i for i, d in enumerate(line_forms.cleaned_data) if d]),
                "milestones": (
                    milestone_forms,
                    [i for i, d in enumerate(milestone_forms.cleaned_data) if d],
                ),
            }
            try:
                quote = services.quote_write(
                    rfq=rfq,
                    provider=provider,
                    by=request.user,
                    lines=[
                        {**line, "capability_code": line["capability"].code}
                        if line.get("capability")
                        else line
                        for line in line_forms.cleaned_data
                        if line
                    ],
                    milestones=[m for m in milestone_forms.cleaned_data if m],
                    submit=request.POST.get("action") == "submit",
                    work_zone_code=data["work_zone"].code if data["work_zone"] else None,
                    **{name: data[name] for name in QUOTE_FORM_VALUES},
                )
            except services.InvalidTransition as error:
                return refusal_page(request, error.message, f"/deals/rfqs/{pk}/")
            except ValidationError as error:
                form_errors_add(form, error, formsets=given)
            else:
                messages.success(
                    request,
                    _("Your quote is sent to the buyer.")
                    if request.POST.get("action") == "submit"
                    else _("Your draft is saved."),
                )
                return redirect("deals:quote", pk=quote.pk)
        status = 400
    return render(
        request,
        "contracting/quote_form.html",
        {
            "rfq": rfq,
            "provider": provider,
            "form": form,
            "line_forms": line_forms,
            "milestone_forms": milestone_forms,
            "revision": revision,
            # The running total shows the buyer's currency too, at today's rate (an estimate).
            "buyer_rate": fx_rate_latest(base="CNY", quote=rfq.budget_currency)
            if rfq.budget_currency != "CNY"
            else None,
        },
        status=status,
    )


@login_required
def quote_compare(request, pk: int):
    """The buyer's side-by-side view of the quotes on one request."""
    rfq = get_object_or_404(selectors.rfqs_for_user(user=request.user), pk=pk)
    if not selectors.is_buyer_member(user=request.user, rfq=rfq):
        raise Http404
    from cms.selectors import provider_standards

    quotes = [
        (quote, current_revision(quote))
        for quote in selectors.quotes_for_user(user=request.user)
        .filter(rfq=rfq)
        .select_related("screening")
        .order_by("pk")
    ]
    standards = provider_standards(organisation_ids=[quote.provider_id for quote, _r in quotes])
    return render(
        request,
        "contracting/quote_compare.html",
        {
            "rfq": rfq,
            "columns": [
                {
                    "quote": quote,
                    "revision": revision,
                    "screening": getattr(quote, "screening", None),
                    "standards": standards.get(quote.provider_id, []),
                    "is_acceptable": quote.status in (QuoteStatus.SUBMITTED, QuoteStatus.REVISED),
                }
                for quote, revision in quotes
            ],
        },
    )


@login_required
def quote_detail(request, pk: int):
    quote = get_object_or_404(selectors.quotes_for_user(user=request.user), pk=pk)
    is_provider = _provider_orgs(request.user).filter(pk=quote.provider_id).exists()
    revisions = selectors.quote_revisions_for(quote=quote, viewer_is_provider=is_provider)
    return render(
        request,
        "contracting/quote_detail.html",
        {
            "quote": quote,
            "rfq": quote.rfq,
            "is_provider": is_provider,
            "is_buyer": selectors.is_buyer_member(user=request.user, rfq=quote.rfq),
            "revision": revisions[-1] if revisions else None,
            "revisions": revisions,
            "screening": getattr(quote, "screening", None),
            "contract": getattr(quote, "contract", None),
        },
    )


@login_required
@require_POST
def quote_action(request, pk: int, action: str):
    quote = get_object_or_404(selectors.quotes_for_user(user=request.user), pk=pk)
    back = f"/deals/quotes/{quote.pk}/"
    reason = request.POST.get("reason", "")[:2000]
    actions = {
        "submit": lambda: services.quote_submit(quote=quote, by=request.user),
        "withdraw": lambda: services.quote_withdraw(quote=quote, by=request.user, reason=reason),
        "decline": lambda: services.quote_decline(quote=quote, by=request.user, reason=reason),
        "accept": lambda: services.quote_accept(quote=quote, by=request.user),
    }
    if action not in actions:
        raise Http404
    result, refusal = run_service(request, actions[action], back)
    if refusal:
        return refusal
    if action == "accept":
        messages.success(request, _("Quote accepted: the contract is ready for signatures."))
        return redirect("deals:contract", pk=result.pk)
    return redirect(back)


@login_required
def contract_detail(request, pk: int):
    contract = get_object_or_404(selectors.contracts_for_user(user=request.user), pk=pk)
    mine = set(selectors.organisations_of(user=request.user).values_list("pk", flat=True))
    side = "buyer" if contract.buyer_id in mine else "provider"
    return render(
        request,
        "contracting/contract_detail.html",
        {
            "contract": contract,
            "snapshot": contract.snapshot,
            "side": side,
            "has_signed": getattr(contract, f"{side}_signed_at") is not None,
            "is_cleared_for_payment": services.contract_is_cleared_for_payment(contract=contract),
            "payment_block": services.contract_payment_block(contract=contract),
            "may_complete": side == "buyer"
            and contract.status == "active"
            and services.contract_work_is_accepted(contract=contract),
            "checklist_form": ChecklistForm(),
        },
    )


@login_required
@require_POST
def contract_action(request, pk: int, action: str):
    contract = get_object_or_404(selectors.contracts_for_user(user=request.user), pk=pk)
    back = f"/deals/contracts/{contract.pk}/"
    actions = {
        "complete": lambda: services.contract_complete(contract=contract, by=request.user),
        "terminate": lambda: services.contract_terminate(
            contract=contract, by=request.user, reason=request.POST.get("reason", "")[:2000]
        ),
    }
    if action not in actions:
        raise Http404
    _result, refusal = run_service(request, actions[action], back)
    return refusal or redirect(back)


@login_required
@require_POST
def checklist_complete(request, pk: int, item_pk: int):
    contract = get_object_or_404(selectors.contracts_for_user(user=request.user), pk=pk)
    item = get_object_or_404(ChecklistItem.objects.filter(contract=contract), pk=item_pk)
    back = f"/deals/contracts/{contract.pk}/"
    form = ChecklistForm(request.POST)
    if not form.is_valid():
        errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return refusal_page(request, errors, back, status=400)
    _result, refusal = run_service(
        request,
        lambda: services.checklist_item_complete(item=item, by=request.user, **form.cleaned_data),
        back,
    )
    return refusal or redirect(back)


@login_required
@require_POST
def milestone_action(request, pk: int, milestone_pk: int, action: str):
    contract = get_object_or_404(selectors.contracts_for_user(user=request.user), pk=pk)
    milestone = get_object_or_404(Milestone.objects.filter(contract=contract), pk=milestone_pk)
    back = f"/deals/contracts/{contract.pk}/"
    actions = {
        "due": lambda: services.milestone_mark_due(milestone=milestone, by=request.user),
        "accept": lambda: services.milestone_accept(milestone=milestone, by=request.user),
    }
    if action not in actions:
        raise Http404
    _result, refusal = run_service(request, actions[action], back)
    return refusal or redirect(back)


def _private_file(field_file, name: str) -> FileResponse:
    return FileResponse(field_file.open("rb"), as_attachment=True, filename=name)


@login_required
@require_POST
def attachment_add(request, pk: int):
    rfq = get_object_or_404(selectors.rfqs_for_user(user=request.user), pk=pk)
    back = f"/deals/rfqs/{rfq.pk}/"
    upload = request.FILES.get("file")
    if upload is None:
        return refusal_page(request, _("Choose a file to attach."), back, status=400)
    _result, refusal = run_service(
        request, lambda: services.rfq_attachment_add(rfq=rfq, by=request.user, upload=upload), back
    )
    return refusal or redirect(back)


@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    """Served only to who may read the full request (never from a public URL)."""
    rfq = get_object_or_404(selectors.rfqs_for_user(user=request.user), pk=pk)
    if not selectors.may_read_full_rfq(user=request.user, rfq=rfq):
        raise Http404
    attachment = get_object_or_404(RfqAttachment.objects.filter(rfq=rfq), pk=attachment_pk)
    return _private_file(attachment.file, attachment.name)


@login_required
def thread(request, pk: int, provider_slug: str):
    """The messages between the buyer and one provider on this request, and a reply form."""
    rfq = get_object_or_404(selectors.rfqs_for_user(user=request.user), pk=pk)
    provider = get_object_or_404(
        selectors.thread_providers(user=request.user, rfq=rfq), slug=provider_slug
    )
    back = f"/deals/rfqs/{rfq.pk}/messages/{provider.slug}/"
    form = MessageForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.message_post(
                        rfq=rfq,
                        provider=provider,
                        by=request.user,
                        body=form.cleaned_data["body"],
                        upload=form.cleaned_data.get("file"),
                    )
            except services.InvalidTransition as error:
                return refusal_page(request, error.message, back)
            except PermissionDenied as error:
                return refusal_page(request, str(error), back, status=403)
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                return redirect(back)
        status = 400
    return render(
        request,
        "contracting/thread.html",
        {
            "rfq": rfq,
            "provider": provider,
            "messages_in_thread": selectors.thread_messages(rfq=rfq, provider=provider),
            "form": form,
        },
        status=status,
    )


@login_required
def message_file(request, pk: int, provider_slug: str, message_pk: int):
    rfq = get_object_or_404(selectors.rfqs_for_user(user=request.user), pk=pk)
    provider = get_object_or_404(
        selectors.thread_providers(user=request.user, rfq=rfq), slug=provider_slug
    )
    message = get_object_or_404(
        selectors.thread_messages(rfq=rfq, provider=provider).exclude(file=""), pk=message_pk
    )
    return _private_file(message.file, message.file_name)
