"""JSON search API: ``/api/v1/search/services``, ``/jobs``, ``/providers``. Thin: parse, search,
shape; the database answers when Elasticsearch cannot. And a user's own saved searches:
``/api/v1/saved-searches`` (list, save) and ``/api/v1/saved-searches/{id}`` (alerts on or off,
delete); another user's is a 404."""

import logging
from functools import partial

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from elasticsearch import ApiError, NotFoundError, TransportError
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.catalog.selectors import capabilities_matching
from marketplace.language import reads_chinese
from search import alerts
from search.models import SavedSearch
from search.params import JobSearchParams, ProviderSearchParams, SearchParams, ServiceSearchParams
from search.queries import suggest_listings
from search.selectors import (
    saved_search_path,
    saved_searches_of,
    search_page_paths,
    search_results,
)

logger = logging.getLogger(__name__)


class FacetBucket(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField()


class SearchAnswer(serializers.Serializer):
    """The envelope of every search answer (``search.queries.answer``); subclasses add results."""

    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    facets = serializers.DictField(child=FacetBucket(many=True))
    took_ms = serializers.IntegerField()
    degraded = serializers.BooleanField()
    did_you_mean = serializers.CharField(
        allow_null=True, help_text="the query with misspelt words corrected, if any were"
    )


class SearchView(APIView):
    """Parse the parameters (``params``, a ``search.params.SearchParams``), answer from the one
    read path per kind (``search.selectors.search_results``: Elasticsearch, else the database).

    A kind's view names its parameters and its ``hit``; its schema follows from them: the
    parameters, and ``<Kind>SearchResult`` (the envelope with the hits) or a 400."""

    lag_tolerant = True  # search tolerates a little lag: it may read the replica
    permission_classes = [AllowAny]
    params: type[SearchParams]
    hit: type[serializers.Serializer]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        result = type(
            cls.hit.__name__.removesuffix("Hit") + "SearchResult",
            (SearchAnswer,),
            {"results": cls.hit(many=True), "__module__": __name__},
        )
        extend_schema_view(
            get=extend_schema(parameters=[cls.params], responses={200: result, 400: None})
        )(cls)

    def get(self, request: Request) -> Response:
        query, errors = self.params.parse(request.query_params)
        if query is None:
            return Response(errors, status=400)
        return Response(search_results(query=query))


class SuggestParams(serializers.Serializer):
    q = serializers.CharField(max_length=100, help_text="what the buyer has typed so far")


class SuggestedCapability(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    url = serializers.CharField(help_text="the search page filtered on this capability")


class SuggestedListing(serializers.Serializer):
    title = serializers.CharField()
    provider = serializers.CharField()
    url = serializers.CharField()


class Suggestions(serializers.Serializer):
    capabilities = SuggestedCapability(many=True)
    listings = SuggestedListing(many=True)
    degraded = serializers.BooleanField(help_text="listings could not be suggested just now")


@extend_schema_view(
    get=extend_schema(parameters=[SuggestParams], responses={200: Suggestions, 400: None})
)
class SuggestView(APIView):
    """Suggestions as the buyer types: matching capabilities, then matching listings."""

    lag_tolerant = True

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        params = SuggestParams(data=request.query_params)
        if not params.is_valid():
            return Response(params.errors, status=400)
        text = params.validated_data["q"]
        chinese = reads_chinese()
        search_url = reverse("search")
        capabilities = [
            {
                "code": node.code,
                "label": node.label_zh if chinese else node.label_en,
                "url": f"{search_url}?{urlencode({'capability': node.code})}",
            }
            for node in capabilities_matching(text=text)
        ]
        try:
            listings, degraded = suggest_listings(text), False
        except (TransportError, ApiError, NotFoundError):
            logger.warning("Elasticsearch unavailable; suggesting capabilities only")
            listings, degraded = [], True
        return Response({"capabilities": capabilities, "listings": listings, "degraded": degraded})


def _words() -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField())


# The fields more than one kind of hit shows, by name.
TOO_LITTLE_HISTORY = "null: too little history on the platform to say"
SHARED_HIT_FIELDS = {
    "id": serializers.IntegerField,
    "external_id": partial(serializers.CharField, allow_null=True),
    "title": serializers.CharField,
    "title_en": partial(serializers.CharField, allow_blank=True),
    "title_zh": partial(serializers.CharField, allow_blank=True),
    "provider": serializers.CharField,
    "url": serializers.CharField,
    "zone": partial(serializers.CharField, allow_null=True),
    "city": partial(serializers.CharField, allow_blank=True),
    "is_verified": serializers.BooleanField,
    "rating_average": partial(serializers.FloatField, allow_null=True),
    "rating_count": serializers.IntegerField,
    "concern_flagged": serializers.BooleanField,
    "contracts_completed": serializers.IntegerField,
    "median_response_hours": partial(
        serializers.FloatField, allow_null=True, help_text=TOO_LITTLE_HISTORY
    ),
    **{
        name: partial(serializers.IntegerField, allow_null=True, help_text=TOO_LITTLE_HISTORY)
        for name in ("quoted_percent", "on_time_percent", "repeat_buyer_percent")
    },
    "capabilities": _words,
    "standards": _words,
}


# One result of a search. ``shown`` names its fields in the order the schema lists them; a field
# the kind does not declare itself is the shared one of that name. (A comment, not a docstring:
# drf-spectacular would describe every kind's hit with it.)
class Hit(serializers.Serializer):
    shown = ""

    def get_fields(self) -> dict:
        own = super().get_fields()
        return {
            name: own[name] if name in own else SHARED_HIT_FIELDS[name]()
            for name in self.shown.split()
        }


class ServiceHit(Hit):
    shown = (
        "id external_id kind title title_en title_zh provider provider_url url zone city"
        " is_verified rating_average rating_count concern_flagged contracts_completed"
        " median_response_hours quoted_percent on_time_percent repeat_buyer_percent price_from"
        " price_currency turnaround_days"
        " capabilities standards highlight"
    )
    kind = serializers.ChoiceField(["service", "tcm"])
    provider_url = serializers.CharField()
    price_from = serializers.CharField(allow_null=True, help_text="a decimal amount, as text")
    price_currency = serializers.CharField()
    turnaround_days = serializers.IntegerField(allow_null=True)
    highlight = serializers.DictField(child=serializers.CharField())


class ServiceSearchView(SearchView):
    """Search service listings (CRO and TCM) by capability, in English or Chinese."""

    params, hit = ServiceSearchParams, ServiceHit


class JobHit(Hit):
    shown = (
        "id external_id title title_en title_zh provider provider_zh url city level degree"
        " work_permit_sponsorship salary_min salary_max salary_currency closes_on"
    )
    provider_zh = serializers.CharField(allow_blank=True)
    city = serializers.CharField()
    level = serializers.CharField()
    degree = serializers.CharField()
    work_permit_sponsorship = serializers.CharField()
    salary_min = serializers.CharField(allow_null=True)
    salary_max = serializers.CharField(allow_null=True)
    salary_currency = serializers.CharField()
    closes_on = serializers.CharField(allow_null=True)


class JobSearchView(SearchView):
    """Search open job postings: graduate and intern roles first."""

    params, hit = JobSearchParams, JobHit


class ProviderHit(Hit):
    shown = (
        "id title title_en title_zh url kind zone city is_verified rating_average rating_count"
        " concern_flagged contracts_completed median_response_hours quoted_percent on_time_percent"
        " repeat_buyer_percent standards capabilities"
    )
    kind = serializers.CharField(allow_null=True)


class ProviderSearchView(SearchView):
    """Search providers by name, summary or what their listings cover; verified ones first."""

    params, hit = ProviderSearchParams, ProviderHit


# A component of its own: an enum would be named after the field, "kind", which the service
# hits' kind (service | tcm) names already.
@extend_schema_field(
    {"type": "string", "enum": SavedSearch.Kind.values, "description": "services or jobs"},
    component_name="SavedSearchKind",
)
class SavedSearchKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=SavedSearch.Kind.choices, **kwargs)


class SavedSearchSerializer(serializers.ModelSerializer):
    kind = SavedSearchKindField(read_only=True)
    params = serializers.DictField(
        read_only=True,
        help_text="the search's parameters as the search was saved: `q`, each filter's values "
        "(a list), the kind's other parameters as text",
    )
    search_url = serializers.SerializerMethodField(help_text="the search page with its results")

    class Meta:
        model = SavedSearch
        fields = ["id", "kind", "name", "params", "is_active", "created_at", "alerted_through",
                  "search_url"]  # fmt: skip
        read_only_fields = fields

    def get_search_url(self, saved_search: SavedSearch) -> str:
        return saved_search_path(saved_search, pages=self.context["pages"])


class SavedSearchCreateSerializer(serializers.Serializer):
    kind = SavedSearchKindField()
    name = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="without one, the search's words"
    )
    params = serializers.DictField(
        required=False,
        default=dict,
        help_text="the parameters of /api/v1/search/services or /api/v1/search/jobs (by kind): "
        "`q` and the filters (a filter's values as a list); refused ones are 400 by name",
    )


class SavedSearchUpdateSerializer(serializers.Serializer):
    is_active = serializers.BooleanField(help_text="email alerts on or off")


def _shown(saved_searches, many: bool = False) -> dict | list:
    return SavedSearchSerializer(
        saved_searches, many=many, context={"pages": search_page_paths()}
    ).data


class SavedSearchesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SavedSearchSerializer(many=True), operation_id="saved_searches")
    def get(self, request: Request) -> Response:
        """Your saved searches, newest first."""
        return Response(_shown(saved_searches_of(user=request.user), many=True))

    @extend_schema(
        request=SavedSearchCreateSerializer,
        responses={201: SavedSearchSerializer},
        operation_id="saved_searches_create",
    )
    def post(self, request: Request) -> Response:
        """Save a services or jobs search: each day, the listings new since the day before come
        by email. At most 20 per user; the same search once."""
        serializer = SavedSearchCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved_search = alerts.saved_search_create(user=request.user, **serializer.validated_data)
        return Response(_shown(saved_search), status=201)


class SavedSearchView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SavedSearchUpdateSerializer,
        responses=SavedSearchSerializer,
        operation_id="saved_search_update",
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Switch one of your saved searches' email alerts on or off."""
        saved_search = get_object_or_404(saved_searches_of(user=request.user), pk=pk)
        serializer = SavedSearchUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved_search = alerts.saved_search_alerts_set(
            saved_search=saved_search, by=request.user, **serializer.validated_data
        )
        return Response(_shown(saved_search))

    @extend_schema(request=None, responses={204: None}, operation_id="saved_search_delete")
    def delete(self, request: Request, pk: int) -> Response:
        """Delete one of your saved searches (its alerts stop)."""
        saved_search = get_object_or_404(saved_searches_of(user=request.user), pk=pk)
        alerts.saved_search_delete(saved_search=saved_search, by=request.user)
        return Response(status=204)
