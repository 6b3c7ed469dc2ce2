"""The search page, /search/: the same query as the API, rendered with a facet sidebar."""

import logging

from django.shortcuts import render
from django.utils.translation import get_language
from elasticsearch import ApiError, NotFoundError, TransportError

from cms.models import Delivery, TCMDelivery
from marketplace.catalog.models import Standard, TaxonomyNode, Zone
from search.api import service_query
from search.fallback import search_services_from_database
from search.queries import search_services

logger = logging.getLogger(__name__)
SIDEBAR_FACETS = ["capability", "zone", "standard", "delivery", "species", "modality"]


def _labels() -> dict[str, str]:
    """Display names of taxonomy codes, zones, standards and delivery modes in the reader's
    language (two queries)."""
    chinese = (get_language() or "en").startswith("zh")
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
    if facet == "capability":
        return code.count(".") <= 1
    if facet in ("species", "modality"):
        return "." in code
    return True


def search_page(request):
    query, errors = service_query(request.GET)
    if query is None:
        return render(request, "search/search.html", {"errors": errors, "query": ""}, status=400)
    try:
        result = search_services(query)
    except (TransportError, ApiError, NotFoundError):
        logger.warning("Elasticsearch unavailable; the search page answers from the database")
        result = search_services_from_database(query)
    labels = _labels()
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
        for name in SIDEBAR_FACETS
    ]
    page_count = max(1, -(-result["count"] // result["page_size"]))
    return render(
        request,
        "search/search.html",
        {
            "query": query,
            "result": result,
            "facets": [facet for facet in facets if facet["buckets"]],
            "zone_names": labels,
            "page_count": page_count,
            "previous_page": query.page - 1 if query.page > 1 else None,
            "next_page": query.page + 1 if query.page < page_count else None,
            "querystring": request.GET.copy(),
        },
    )
