"""REST API for certifications: /api/v1/providers/<slug>/certifications (anyone, as the provider's
page shows them) and /api/v1/certifications/<id>/verifications (the verifications recorded: read by
platform staff and the provider, written by platform staff).

Thin: parse, find the object, call one service or selector, shape the answer. Errors: 400 by field,
403, 404, 409 when the certification does not allow it (expired).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cms import selectors, services
from cms.models import Certification, CertificationVerification, ProviderPage, VerificationOutcome
from marketplace.accounts.permissions import is_member, is_platform_staff
from marketplace.api.schema import CONFLICT


class VerificationSerializer(serializers.ModelSerializer):
    """A verification as the public sees it: the outcome, the source and when."""

    class Meta:
        model = CertificationVerification
        fields = ["id", "outcome", "source", "source_url", "verified_at"]
        read_only_fields = fields


class VerificationRecordSerializer(VerificationSerializer):
    """A verification as platform staff and the provider see it: the facts verified, the note,
    and (for staff) who verified."""

    verified_by = serializers.SerializerMethodField()

    class Meta(VerificationSerializer.Meta):
        fields = [
            *VerificationSerializer.Meta.fields, "standard", "reference", "valid_until", "note",
            "verified_by",
        ]  # fmt: skip
        read_only_fields = fields

    def get_verified_by(self, verification) -> str | None:
        """The staff member's email, shown to platform staff only."""
        return verification.verified_by.email if self.context.get("staff") else None


class CertificationSerializer(serializers.ModelSerializer):
    standard_label = serializers.CharField(source="get_standard_display", read_only=True)
    document_url = serializers.SerializerMethodField()
    is_expired = serializers.BooleanField(read_only=True)
    is_checked = serializers.BooleanField(
        read_only=True, help_text="confirmed with its issuer by platform staff, and not expired"
    )
    verification = VerificationSerializer(
        read_only=True,
        allow_null=True,
        help_text="the latest verification of the facts stated now; null: declared only",
    )

    class Meta:
        model = Certification
        fields = [
            "id", "standard", "standard_label", "issuer", "reference", "valid_until", "scope",
            "document_url", "is_expired", "is_checked", "verification",
        ]  # fmt: skip
        read_only_fields = fields

    def get_document_url(self, certification) -> str | None:
        if certification.document is None:
            return None
        return self.context["request"].build_absolute_uri(certification.document.url)


class VerificationCreateSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=VerificationOutcome.choices)
    source = serializers.CharField(
        max_length=services.SOURCE_MAX,
        allow_blank=True,  # the service says what to give
        help_text="the registry or issuer consulted",
    )
    source_url = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=services.NOTE_MAX,
        help_text="required when not confirmed: what did not match",
    )


class ProviderCertificationsView(APIView):
    """A provider's certifications as its page shows them: declared facts, the certificate, and
    whether platform staff verified them with the issuer."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=CertificationSerializer(many=True), operation_id="provider_certifications"
    )
    def get(self, request: Request, slug: str) -> Response:
        provider = get_object_or_404(
            ProviderPage.objects.live().select_related("organisation"), organisation__slug=slug
        )
        certifications = selectors.certifications_shown(provider=provider)
        serializer = CertificationSerializer(
            certifications, many=True, context={"request": request}
        )
        return Response(serializer.data)


class CertificationVerificationsView(APIView):
    permission_classes = [IsAuthenticated]

    def _certification(self, pk: int) -> Certification:
        return get_object_or_404(Certification.objects.select_related("page"), pk=pk)

    @extend_schema(
        responses=VerificationRecordSerializer(many=True),
        operation_id="certification_verifications",
    )
    def get(self, request: Request, pk: int) -> Response:
        """Every verification recorded of a certification (platform staff; the provider's
        members)."""
        certification = self._certification(pk)
        staff = is_platform_staff(user=request.user)
        organisation_id = certification.page.organisation_id
        is_own = organisation_id is not None and is_member(
            user=request.user, organisation_id=organisation_id, acting=False
        )
        if not (staff or is_own):
            raise PermissionDenied(
                _("Only platform staff and the provider's members can read its verifications.")
            )
        verifications = selectors.certification_verifications(certification=certification)
        serializer = VerificationRecordSerializer(
            verifications, many=True, context={"staff": staff}
        )
        return Response(serializer.data)

    @extend_schema(
        request=VerificationCreateSerializer,
        responses={201: VerificationRecordSerializer, 409: CONFLICT},
        operation_id="certification_verifications_create",
    )
    def post(self, request: Request, pk: int) -> Response:
        """Record checking the certification with its issuer (platform staff): confirmed, it shows
        as checked for as long as its facts stay the same and it has not expired."""
        certification = self._certification(pk)
        serializer = VerificationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        verification = services.certification_verify(
            certification=certification, by=request.user, **serializer.validated_data
        )
        answer = VerificationRecordSerializer(verification, context={"staff": True})
        return Response(answer.data, status=status.HTTP_201_CREATED)
