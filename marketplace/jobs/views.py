"""Job board pages: the candidate's profile and applications, applying, the employer's view.

Under /applications/ (the job postings themselves are CMS pages under /jobs/).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cms.models import JobPostingPage
from marketplace.jobs import selectors, services
from marketplace.jobs.forms import ApplyForm, MoveForm, ProfileForm
from marketplace.jobs.models import Application, CandidateProfile
from marketplace.pages import form_errors_add, next_or, refusal_page, run_service


@login_required
def profile(request):
    current = CandidateProfile.objects.filter(user=request.user).first()
    initial = {}
    if current is not None:
        initial = {
            "full_name": current.full_name, "degree": current.degree, "school": current.school,
            "graduation_year": current.graduation_year, "languages": current.languages,
            "disciplines": list(current.disciplines.all()),
        }  # fmt: skip
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.candidate_profile_save(
                    user=request.user,
                    full_name=data["full_name"],
                    degree=data["degree"],
                    school=data["school"],
                    graduation_year=data["graduation_year"],
                    discipline_codes=[node.code for node in data["disciplines"]],
                    languages=data["languages"],
                    cv=data.get("cv") or None,
                )
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(request, _("Your profile is saved."))
                return HttpResponseRedirect(next_or(request, reverse("jobs:applications")))
        status = 400
    return render(request, "jobs/profile.html", {"form": form, "profile": current}, status=status)


@login_required
def apply(request, posting_pk: int):
    posting = get_object_or_404(JobPostingPage.objects.live(), pk=posting_pk)
    back = posting.url
    if not CandidateProfile.objects.filter(user=request.user).exists():
        messages.info(request, _("Fill in your profile and CV first; then apply."))
        return redirect(f"/applications/profile/?next=/applications/apply/{posting.pk}/")
    form = ApplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.application_create(
                    posting=posting,
                    candidate=request.user,
                    cover_note=form.cleaned_data["cover_note"],
                )
            except services.InvalidMove as error:
                return refusal_page(request, error.message, back, 409)
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(request, _("Your application is sent."))
                return redirect("jobs:applications")
        status = 400
    if not posting.is_open:
        return refusal_page(request, _("This posting is closed."), back, 409)
    return render(request, "jobs/apply.html", {"posting": posting, "form": form}, status=status)


@login_required
def saved_jobs(request):
    """The postings the reader saved, with whether each is still open and whether they applied."""
    return render(request, "jobs/saved.html", {"saved": selectors.saved_jobs_of(user=request.user)})


@login_required
@require_POST
def saved_job_set(request, posting_pk: int):
    """Save a posting (action "save") or take it out of the saved jobs (action "remove")."""
    posting = get_object_or_404(JobPostingPage.objects.live(), pk=posting_pk)
    back = next_or(request, posting.url)
    if request.POST.get("action") == "remove":
        services.job_unsave(user=request.user, posting_id=posting.pk)
        messages.success(request, _("Removed from your saved jobs."))
        return redirect(back)
    _saved, refusal = run_service(
        request, lambda: services.job_save(user=request.user, posting=posting), back
    )
    if refusal is not None:
        return refusal
    messages.success(request, _("Saved. Your saved jobs are listed under your account."))
    return redirect(back)


@login_required
def applications(request):
    """The candidate's applications and, for employers, the applications to their postings."""
    return render(
        request,
        "jobs/applications.html",
        {
            "mine": selectors.applications_of(candidate=request.user),
            "received": selectors.applications_for_employer(user=request.user).prefetch_related(
                "events"
            ),
            "moves": services.MOVES,
        },
    )


@login_required
@require_POST
def move(request, pk: int):
    application = get_object_or_404(selectors.applications_for_employer(user=request.user), pk=pk)
    form = MoveForm(request.POST)
    back = "/applications/"
    if not form.is_valid():
        return refusal_page(request, _("Choose where the application goes."), back, 400)
    try:
        services.application_move(
            application=application, to=form.cleaned_data["to"], by=request.user,
            note=form.cleaned_data["note"], share_note=form.cleaned_data["share_note"],
        )  # fmt: skip
    except services.InvalidMove as error:
        return refusal_page(request, error.message, back, 409)
    except PermissionDenied as error:
        return refusal_page(request, str(error), back, 403)
    return redirect(back)


@login_required
@require_POST
def withdraw(request, pk: int):
    application = get_object_or_404(selectors.applications_of(candidate=request.user), pk=pk)
    try:
        services.application_withdraw(application=application, by=request.user)
    except services.InvalidMove as error:
        return refusal_page(request, error.message, "/applications/", 409)
    return redirect("jobs:applications")


@login_required
def cv(request, pk: int):
    """The CV sent with an application: for the candidate and the employer's members only."""
    application = get_object_or_404(Application, pk=pk)
    if not selectors.may_read_application(user=request.user, application=application):
        raise Http404
    return FileResponse(application.cv.open("rb"), as_attachment=True, filename=application.cv_name)
