"""The search pages: /search/ for services and the job board (served at the job index page's
URL, see ``search.wagtail_hooks``); the same parser and read path as the API, rendered with a
facet sidebar."""

from django.shortcuts import render
from django.utils.safestring import mark_safe

from cms.models import Degree, Delivery, JobLevel, TCMDelivery, WorkPermitSponsorship
from marketplace.catalog.cities import city_name_zh
from marketplace.catalog.models import Language, Standard, TaxonomyNode, Zone
from marketplace.language import reads_chinese
from search.params import job_query, service_query
from search.selectors import search_results

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


def search_page(request):
    query, errors = service_query(request.GET)
    if query is None:
        return render(request, "search/search.html", {"errors": errors, "query": ""}, status=400)
    result = search_results(query=query)
    languages = ("zh", "en") if reads_chinese() else ("en", "zh")
    for hit in result["results"]:
        hit["shown_title"] = _in_language(hit, "title", languages) or hit["title"]
        hit["shown_description"] = _in_language(hit, "description", languages)
    labels = _labels()
    return render(
        request,
        "search/search.html",
        {
            **_result_context(request, query, result, SIDEBAR_FACETS, labels),
            "zone_names": labels,
        },
    )


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
    return {
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
    for choices in (JobLevel, Degree, WorkPermitSponsorship, Language):
        labels.update({value: str(label) for value, label in choices.choices})
    return labels


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
