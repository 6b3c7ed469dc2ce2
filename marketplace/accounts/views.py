from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.accounts import selectors, services
from marketplace.accounts.forms import InvitationForm, OrganisationForm, OwnershipForm
from marketplace.accounts.models import Invitation, Membership, Role
from marketplace.pages import form_errors_add, refusal_page


@login_required
def dashboard(request):
    return render(
        request,
        "accounts/dashboard.html",
        {
            "memberships": selectors.memberships_of(user=request.user),
            "invitations": selectors.open_invitations_for(user=request.user),
            "candidate": selectors.candidate_facts(user=request.user),
        },
    )


@login_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = services.organisation_create(
                name=data["name"],
                name_zh=data["name_zh"],
                kind=data["kind"],
                country=data["country"],
                zone_code=data["zone"].code if data["zone"] else None,
                city=data["city"],
                website=data["website"],
                owner=request.user,
                is_foreign_invested=data["is_foreign_invested"],
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is set up. Invite your colleagues.") % {"name": organisation.name},
            )
            return redirect("accounts:organisation", slug=organisation.slug)
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def organisation_detail(request, slug: str):
    membership = selectors.membership_for(user=request.user, slug=slug)
    organisation = membership.organisation
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        if membership.role != Role.OWNER:
            raise PermissionDenied
        if form.is_valid():
            try:
                invitation = services.invitation_create(
                    organisation=organisation,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    invited_by=request.user,
                )
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
                )
                return redirect("accounts:organisation", slug=slug)
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "membership": membership,
            "members": selectors.organisation_members(organisation=organisation),
            "invitations": selectors.waiting_invitations(organisation=organisation),
            "roles": Role.choices,
            "form": form,
            "is_owner": membership.role == Role.OWNER,
            "ownership_form": OwnershipForm(
                initial={"is_foreign_invested": organisation.is_foreign_invested}
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def organisation_ownership(request, slug: str):
    """An owner states whether the organisation is foreign-invested (for the HGR rules)."""
    membership = selectors.membership_for(user=request.user, slug=slug)
    if membership.role != Role.OWNER:
        raise PermissionDenied
    form = OwnershipForm(request.POST)
    if not form.is_valid():
        errors = " ".join(form.errors.get("is_foreign_invested", []))
        return refusal_page(request, errors, f"/account/organisations/{slug}/", 400)
    services.organisation_update(
        organisation=membership.organisation,
        is_foreign_invested=form.cleaned_data["is_foreign_invested"],
    )
    messages.success(request, _("Saved."))
    return redirect("accounts:organisation", slug=slug)


def _membership_change(request, slug: str, membership_id: int, change) -> Membership | None:
    """Call the service ``change`` on a membership of organisation ``slug`` (404 unless the user
    is a member there) and return it; a refusal is shown as an error message and None returned."""
    selectors.membership_for(user=request.user, slug=slug)
    target = get_object_or_404(Membership, pk=membership_id, organisation__slug=slug)
    try:
        change(membership=target, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    return target


@login_required
@require_POST
def membership_remove(request, slug: str, membership_id: int):
    """An owner removes a member, or a member removes themself (leaves)."""
    target = _membership_change(request, slug, membership_id, services.membership_remove)
    if target is None:
        return redirect("accounts:organisation", slug=slug)
    if target.user_id == request.user.pk:
        messages.success(request, _("You have left %(name)s.") % {"name": target.organisation.name})
        return redirect("accounts:dashboard")
    messages.success(request, _("%(email)s was removed.") % {"email": target.user.email})
    return redirect("accounts:organisation", slug=slug)


@login_required
@require_POST
def membership_role_change(request, slug: str, membership_id: int):
    """An owner changes a member's role."""
    change = partial(services.membership_role_change, role=request.POST.get("role", ""))
    target = _membership_change(request, slug, membership_id, change)
    if target is not None:
        messages.success(request, _("%(email)s's role was changed.") % {"email": target.user.email})
    return redirect("accounts:organisation", slug=slug)


@login_required
def invitation_accept(request, token: str):
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), token=token)
    if request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Welcome to %(name)s.") % {"name": membership.organisation.name}
            )
            return redirect("accounts:organisation", slug=membership.organisation.slug)
    return render(
        request,
        "accounts/invitation.html",
        {
            "invitation": invitation,
            "is_for_me": invitation.email.lower() == request.user.email.lower(),
        },
    )
