"""The search pages: /search/ for services and the job board (served at the job index page's
URL, see ``search.wagtail_hooks``); the same parser and read path as the API, rendered with a
facet sidebar."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from cms.models import Degree, Delivery, JobLevel, TCMDelivery, WorkPermitSponsorship
from marketplace.accounts.selectors import buyer_currency
from marketplace.catalog.cities import city_name_zh
from marketplace.catalog.models import LANGUAGE_NAMES, Standard, TaxonomyNode, Tier, Zone
from marketplace.catalog.selectors import price_estimator
from marketplace.db_routing import lag_tolerant
from marketplace.language import reads_chinese
from search import alerts
from search.params import job_query, service_query
from search.selectors import (
    saved_search_by_id,
    saved_search_path,
    saved_searches_of,
    search_page_paths,
    search_results,
)

SIDEBAR_FACETS = ["capability", "zone", "standard", "delivery", "species", "modality"]


def _labels() -> dict[str, str]:
    """Display names of taxonomy codes, zones, standards and delivery modes in the reader's
    language (two queries)."""
    chinese = reads_chinese()
    labels = {
        node.code: (node.label_zh if chinese else node.label_en)
        for node in TaxonomyNode.objects.only("code", "label_en", "label_zh")
    }
    labels.update(
        {zone.code: (zone.name_zh if chinese else zone.name) for zone in Zone.objects.all()}
    )
    for choices in (Standard, Delivery, TCMDelivery):
        labels.update({value: str(label) for value, label in choices.choices})
    return labels


def _shown(facet: str, code: str) -> bool:
    """Capabilities down to the second level (the tree is long); no bare taxonomy roots."""
    if facet in ("capability", "discipline"):
        return code.count(".") <= 1
    if facet in ("species", "modality"):
        return "." in code
    return True


@lag_tolerant
def search_page(request):
    query, errors = service_query(request.GET)
    if query is None:
        return render(request, "search/search.html", {"errors": errors, "query": ""}, status=400)
    result = search_results(query=query)
    languages = ("zh", "en") if reads_chinese() else ("en", "zh")
    for hit in result["results"]:
        hit["shown_title"] = _in_language(hit, "title", languages) or hit["title"]
        hit["shown_description"] = _in_language(hit, "description", languages)
        _provider_in_language(hit)
    labels = _labels()
    capabilities = query.filters.get("capability", [])
    # A signed-in buyer reads prices in their own currency too, at today's rate (an estimate).
    estimate = price_estimator(currency=buyer_currency(user=request.user))
    if estimate is not None:
        for hit in result["results"]:
            hit["price_estimate"] = estimate(hit.get("price_from"))
    return render(
        request,
        "search/search.html",
        {
            **_result_context(request, query, result, SIDEBAR_FACETS, labels),
            "zone_names": labels,
            "estimate_currency": estimate and estimate.currency,
            # TCM "Internet plus" services have their own landing: this search, introduced.
            "is_tcm": bool(capabilities)
            and all(code == "tcm" or code.startswith("tcm.") for code in capabilities),
        },
    )


def _provider_in_language(hit: dict) -> None:
    """The hit's provider and city named in the reader's language where there is a name in it."""
    chinese = reads_chinese()
    hit["shown_provider"] = (hit.get("provider_zh") if chinese else None) or hit["provider"]
    city = hit.get("city") or ""
    hit["shown_city"] = city_name_zh(city) if chinese and city else city


def _in_language(hit: dict, field: str, languages: tuple[str, str]) -> str:
    """The field in the first of ``languages`` that has it, with the search words marked."""
    for language in languages:
        if marked := hit["highlight"].get(f"{field}_{language}"):
            return mark_safe(marked)  # noqa: S308 - Elasticsearch escaped it (encoder "html")
        if plain := hit.get(f"{field}_{language}"):
            return plain
    return ""


def _result_context(request, query, result: dict, facet_names, labels: dict) -> dict:
    """What both search pages show around the hits: labelled facets and the pages."""
    facets = [
        {
            "name": name,
            "buckets": [
                {
                    **bucket,
                    "label": labels.get(bucket["value"], bucket["value"]),
                    "selected": bucket["value"] in query.filters.get(name, []),
                }
                for bucket in result["facets"].get(name, [])
                if _shown(name, bucket["value"])
            ][:15],
        }
        for name in facet_names
    ]
    page_count = max(1, -(-result["count"] // result["page_size"]))
    # What "Save this search" saves: the search's parameters, whichever page is shown.
    saved_params = request.GET.copy()
    saved_params.pop("page", None)
    return {
        "saved_search_params": saved_params.urlencode(),
        "query": query,
        "result": result,
        "facets": [facet for facet in facets if facet["buckets"]],
        "page_count": page_count,
        "previous_page": query.page - 1 if query.page > 1 else None,
        "next_page": query.page + 1 if query.page < page_count else None,
        "querystring": request.GET.copy(),
    }


JOB_FACETS = ["level", "city", "discipline", "degree", "language", "sponsorship", "zone"]
# Graduate and intern roles are what the board is for: their buckets come first.
LEVELS_FIRST = [JobLevel.GRADUATE, JobLevel.INTERN]


def _job_labels() -> dict[str, str]:
    """Display names of the job facets' values in the reader's language."""
    labels = _labels()
    for choices in (JobLevel, Degree, WorkPermitSponsorship):
        labels.update({value: str(label) for value, label in choices.choices})
    labels.update({code: str(name) for code, name in LANGUAGE_NAMES.items()})
    return labels


@lag_tolerant
def job_search_page(request, *, index_page=None):
    """The job board: open postings by words and filters; closed ones are never listed."""
    query, errors = job_query(request.GET)
    context = {"page": index_page, "errors": errors}
    if query is None:
        return render(request, "search/jobs.html", {**context, "query": ""}, status=400)
    result = search_results(query=query)
    chinese = reads_chinese()
    labels = _job_labels()
    for hit in result["results"]:
        hit["local_title"] = (hit["title_zh"] if chinese else hit["title_en"]) or hit["title"]
        hit["local_provider"] = (hit["provider_zh"] if chinese else "") or hit["provider"]
    if chinese:
        labels.update({bucket["value"]: city_name_zh(bucket["value"])
                       for bucket in result["facets"].get("city", [])})  # fmt: skip
    levels = result["facets"].get("level", [])
    levels.sort(key=lambda b: LEVELS_FIRST.index(b["value"]) if b["value"] in LEVELS_FIRST else 9)
    return render(
        request,
        "search/jobs.html",
        {
            **context,
            **_result_context(request, query, result, JOB_FACETS, labels),
            "labels": labels,
            "intro": _intro(index_page, chinese),
        },
    )


def _intro(index_page, chinese: bool) -> str:
    if index_page is None:
        return ""
    return (index_page.intro_zh if chinese else index_page.intro) or index_page.intro


# Saved searches ------------------------------------------------------------------------------

# A saved search's parameters in words (a parameter's name never reaches a page).
PARAMETER_NAMES = {
    "q": gettext_lazy("Words"),
    "capability": gettext_lazy("Capabilities"),
    "therapeutic_area": gettext_lazy("Therapeutic areas"),
    "modality": gettext_lazy("Modalities"),
    "species": gettext_lazy("Species"),
    "standard": gettext_lazy("Standards"),
    "zone": gettext_lazy("Zone"),
    "tier": gettext_lazy("Tier"),
    "city": gettext_lazy("City"),
    "delivery": gettext_lazy("Delivery"),
    "price_max": gettext_lazy("Price up to (CNY)"),
    "turnaround_max": gettext_lazy("Turnaround up to (days)"),
    "verified": gettext_lazy("Verified providers only"),
    "rating_min": gettext_lazy("Buyers' rating at least"),
    "exclude_flagged": gettext_lazy("Leave out companies of concern"),
    "sort": gettext_lazy("Sort"),
    "level": gettext_lazy("Level"),
    "degree": gettext_lazy("Degree"),
    "discipline": gettext_lazy("Discipline"),
    "language": gettext_lazy("Languages"),
    "sponsorship": gettext_lazy("Work permit"),
    "salary_at_least": gettext_lazy("Salary at least (CNY a month)"),
    "kind": gettext_lazy("Services or jobs"),
    "name": gettext_lazy("Name"),
}
SORT_NAMES = {
    "relevance": gettext_lazy("relevance"),
    "price": gettext_lazy("price"),
    "turnaround": gettext_lazy("turnaround"),
    "rating": gettext_lazy("rating"),
}


def _in_words(params: dict, labels: dict[str, str], chinese: bool) -> list[str]:
    """Each of a saved search's parameters as a phrase in the reader's language."""
    phrases = []
    for name, value in params.items():
        label = PARAMETER_NAMES.get(name, name)
        if name == "q":
            if value:
                phrases.append(_("Words: “%(words)s”") % {"words": value})
        elif value == "true":
            phrases.append(str(label))
        elif isinstance(value, list):
            shown = [
                city_name_zh(code) if name == "city" and chinese else labels.get(code, code)
                for code in value
            ]
            phrases.append(_("%(name)s: %(values)s") % {"name": label, "values": ", ".join(shown)})
        else:
            shown = SORT_NAMES.get(value, value) if name == "sort" else value
            phrases.append(_("%(name)s: %(values)s") % {"name": label, "values": shown})
    return phrases or [_("Every new listing")]


def _error_messages(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return error.messages
    return [
        _("%(name)s: %(values)s") % {"name": PARAMETER_NAMES.get(name, name), "values": message}
        for name, messages_of_field in error.message_dict.items()
        for message in messages_of_field
    ]


@login_required
@require_http_methods(["GET", "POST"])
def saved_searches_page(request):
    """The user's saved searches; a POST saves one (the search pages' "Save this search" form:
    ``kind``, ``params`` as a query string, ``name``). Refused: 400 with the reasons."""
    errors = []
    if request.method == "POST":
        try:
            alerts.saved_search_create(
                user=request.user,
                kind=request.POST.get("kind", ""),
                params=QueryDict(request.POST.get("params", "")),
                name=request.POST.get("name", ""),
            )
        except ValidationError as error:
            errors = _error_messages(error)
        else:
            messages.success(request, _("Search saved. New matches will come by email daily."))
            return redirect("saved_searches")
    pages = search_page_paths()
    labels = _job_labels()
    labels.update({value: str(label) for value, label in Tier.choices})
    chinese = reads_chinese()
    rows = [
        {
            "saved_search": saved_search,
            "path": saved_search_path(saved_search, pages=pages),
            "in_words": _in_words(saved_search.params, labels, chinese),
        }
        for saved_search in saved_searches_of(user=request.user)
    ]
    return render(
        request,
        "search/saved_searches.html",
        {"rows": rows, "errors": errors, "limit": alerts.MAX_SAVED_SEARCHES, "pages": pages},
        status=400 if errors else 200,
    )


@login_required
@require_POST
def saved_search_delete(request, pk: int):
    saved_search = get_object_or_404(saved_searches_of(user=request.user), pk=pk)
    alerts.saved_search_delete(saved_search=saved_search, by=request.user)
    messages.success(request, _("Saved search deleted."))
    return redirect("saved_searches")


@login_required
@require_POST
def saved_search_alerts(request, pk: int):
    """Switch a saved search's email alerts on (``is_active=true``) or off."""
    saved_search = get_object_or_404(saved_searches_of(user=request.user), pk=pk)
    is_active = request.POST.get("is_active") == "true"
    alerts.saved_search_alerts_set(saved_search=saved_search, by=request.user, is_active=is_active)
    messages.success(request, _("Email alerts on.") if is_active else _("Email alerts off."))
    return redirect("saved_searches")


# A mail client's one-click unsubscribe (RFC 8058) posts without a session or a CSRF token: the
# signed token in the address is what proves the request came from the alert email.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def saved_search_unsubscribe(request, token: str):
    """GET: ask to confirm; POST: switch the alerts off. Signed in or not; a bad signature is a
    400 page, nothing written."""
    try:
        saved_search_id = alerts.saved_search_id_from_token(token=token)
    except ValidationError as error:
        return render(request, "search/unsubscribe.html", {"error": error.messages[0]}, status=400)
    if request.method == "POST":
        saved_search = alerts.saved_search_unsubscribe(token=token)
        done = True
    else:
        saved_search, done = saved_search_by_id(saved_search_id=saved_search_id), False
    return render(
        request,
        "search/unsubscribe.html",
        {"saved_search": saved_search, "done": done, "token": token},
    )
