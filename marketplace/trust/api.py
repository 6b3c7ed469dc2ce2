"""REST API for reviews: /api/v1/providers/<slug>/reviews (anyone), /api/v1/reviews (a buyer
with a completed contract), /reviews/<id>/reply (the provider), /reviews/<id>/hide (staff).

Thin: parse, find the object, call one service, shape the answer. Errors: 400 by field, 403, 404,
409 when the contract or review does not allow it (not completed, reviewed already, answered).
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.models import PROVIDER_KINDS, Organisation
from marketplace.api.schema import CONFLICT
from marketplace.contracting.selectors import contracts_for_user
from marketplace.trust import selectors, services
from marketplace.trust.models import ASPECTS, RATING_MAX, RATING_MIN, Review
from marketplace.trust.services import TEXT_MAX


def _rating_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=RATING_MIN, max_value=RATING_MAX, **kwargs)


class ReviewSerializer(serializers.ModelSerializer):
    buyer_country = serializers.CharField(source="buyer.country", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id", "overall", *ASPECTS, "text", "language", "created_at", "buyer_country",
            "reply", "reply_language", "replied_at",
        ]  # fmt: skip
        read_only_fields = fields


class StaffReviewSerializer(ReviewSerializer):
    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "hidden_at", "hidden_reason"]
        read_only_fields = fields


class BucketSerializer(serializers.Serializer):
    rating = serializers.IntegerField()
    count = serializers.IntegerField()
    percent = serializers.IntegerField()


class RatingSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    average = serializers.DecimalField(max_digits=2, decimal_places=1, allow_null=True)
    aspects = serializers.DictField(
        child=serializers.DecimalField(max_digits=2, decimal_places=1, allow_null=True)
    )
    distribution = BucketSerializer(many=True)


class ProviderReviewsSerializer(serializers.Serializer):
    rating = RatingSerializer()
    reviews = ReviewSerializer(many=True)


class ReviewCreateSerializer(serializers.Serializer):
    contract = serializers.IntegerField(help_text="The completed contract reviewed (its id).")
    overall = _rating_field()
    quality = _rating_field()
    timeliness = _rating_field()
    communication = _rating_field()
    value = _rating_field()
    text = serializers.CharField(max_length=TEXT_MAX)


class ReplySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX)


class HideSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=TEXT_MAX)


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ProviderReviewsView(APIView):
    """A provider's rating and latest reviews, as its page shows them (hidden ones left out)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ProviderReviewsSerializer, operation_id="provider_reviews")
    def get(self, request: Request, slug: str) -> Response:
        provider = get_object_or_404(Organisation, slug=slug, kind__in=PROVIDER_KINDS)
        answer = {
            "rating": selectors.provider_rating(provider=provider),
            "reviews": selectors.latest_reviews(provider=provider, limit=50),
        }
        return Response(ProviderReviewsSerializer(answer).data)


class TrackRecordSerializer(serializers.Serializer):
    computed_at = serializers.DateTimeField()
    rfqs_received = serializers.IntegerField()
    rfqs_quoted = serializers.IntegerField()
    quoted_percent = serializers.IntegerField(
        allow_null=True, help_text="null: fewer requests than minimum_history"
    )
    median_response_hours = serializers.DecimalField(
        max_digits=8, decimal_places=1, allow_null=True,
        help_text="from invitation to first quote; null: fewer quotes than minimum_history",
    )  # fmt: skip
    contracts_completed = serializers.IntegerField()
    milestones_dated = serializers.IntegerField()
    on_time_percent = serializers.IntegerField(allow_null=True)
    buyers = serializers.IntegerField()
    repeat_buyer_percent = serializers.IntegerField(allow_null=True)
    minimum_history = serializers.IntegerField()


class ProviderTrackRecordView(APIView):
    """A provider's track record on the platform, as its page shows it (recomputed hourly)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=TrackRecordSerializer, operation_id="provider_track_record")
    def get(self, request: Request, slug: str) -> Response:
        provider = get_object_or_404(Organisation, slug=slug, kind__in=PROVIDER_KINDS)
        record = selectors.track_record_of(provider=provider)
        if record is None:
            raise NotFound(_("This provider's track record has not been computed yet."))
        return Response(TrackRecordSerializer(record).data)


class ConcernEntrySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300)
    aliases = serializers.CharField(required=False, allow_blank=True, default="")
    identifiers = serializers.CharField(required=False, allow_blank=True, default="")


class ConcernListInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    source = serializers.CharField(max_length=300)
    url = serializers.URLField(required=False, allow_blank=True, default="")
    published_on = serializers.DateField()
    entries = ConcernEntrySerializer(many=True)


class ConcernListSerializer(ConcernListInSerializer):
    id = serializers.IntegerField()
    flagged_providers = serializers.SerializerMethodField()

    def get_flagged_providers(self, concern_list) -> list[str]:
        return sorted(
            {
                match.provider.slug
                for entry in concern_list.entries.all()
                for match in entry.matches.all()
            }
        )


def _concern_list_saved(request: Request, concern_list, status_code: int) -> Response:
    """Save the list in the request (a new one, or ``concern_list`` replaced); answer it."""
    data = dict(_valid(ConcernListInSerializer, request))
    entries = [dict(entry) for entry in data.pop("entries")]
    saved = services.concern_list_save(
        by=request.user, entries=entries, concern_list=concern_list, **data
    )
    answer = selectors.concern_lists().get(pk=saved.pk)
    return Response(ConcernListSerializer(answer).data, status=status_code)


class ConcernListsView(APIView):
    """The company-of-concern lists and the providers each flags (anyone reads; platform
    staff add)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses=ConcernListSerializer(many=True), operation_id="concern_lists")
    def get(self, request: Request) -> Response:
        return Response(ConcernListSerializer(selectors.concern_lists(), many=True).data)

    @extend_schema(
        request=ConcernListInSerializer,
        responses={201: ConcernListSerializer},
        operation_id="concern_lists_create",
    )
    def post(self, request: Request) -> Response:
        """Add a list (platform staff): the providers are screened against it at once."""
        return _concern_list_saved(request, None, status.HTTP_201_CREATED)


class ConcernListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ConcernListInSerializer,
        responses={200: ConcernListSerializer},
        operation_id="concern_lists_replace",
    )
    def put(self, request: Request, pk: int) -> Response:
        """Replace a list's facts and entries (platform staff); the providers are screened again."""
        concern_list = get_object_or_404(selectors.concern_lists(), pk=pk)
        return _concern_list_saved(request, concern_list, status.HTTP_200_OK)


class ReviewCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ReviewCreateSerializer,
        responses={201: ReviewSerializer, 409: CONFLICT},
        operation_id="reviews_create",
    )
    def post(self, request: Request) -> Response:
        """Review the provider of a completed contract of your organisation's (once)."""
        data = dict(_valid(ReviewCreateSerializer, request))
        contract = contracts_for_user(user=request.user).filter(pk=data.pop("contract")).first()
        if contract is None:  # a field naming an object the caller cannot see: 400, as a slug
            raise ValidationError({"contract": [_("None of your contracts has this id.")]})
        review = services.review_create(contract=contract, by=request.user, **data)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewReplyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ReplySerializer,
        responses={200: ReviewSerializer, 409: CONFLICT},
        operation_id="reviews_reply",
    )
    def post(self, request: Request, pk: int) -> Response:
        """The reviewed provider answers, once and publicly."""
        review = get_object_or_404(selectors.visible_reviews(), pk=pk)
        text = _valid(ReplySerializer, request)["text"]
        review = services.review_reply(review=review, by=request.user, text=text)
        return Response(ReviewSerializer(review).data)


class ReviewHideView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=HideSerializer,
        responses={200: StaffReviewSerializer, 409: CONFLICT},
        operation_id="reviews_hide",
    )
    def post(self, request: Request, pk: int) -> Response:
        """Platform staff hide a review from the pages and the rating, saying why."""
        review = get_object_or_404(Review, pk=pk)
        reason = _valid(HideSerializer, request)["reason"]
        review = services.review_hide(review=review, by=request.user, reason=reason)
        return Response(StaffReviewSerializer(review).data)
