"""REST API for a contract's documents and their signing: /api/v1/contracts/<id>/documents,
/sign and /sign/code (its two parties; 404 for anyone else). Each document names its PDF's
address and the SHA-256 of what it says; each signature, the SHA-256 it signed."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.agreements import selectors
from marketplace.agreements.models import AgreementDocument, Signature
from marketplace.agreements.signing import (
    contract_documents_sign,
    signer_reauthenticate,
    signing_code_send,
)
from marketplace.api.schema import CONFLICT
from marketplace.contracting.selectors import contracts_for_user


class DocumentSerializer(serializers.ModelSerializer):
    reference = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    terms_version = serializers.CharField(source="template.version", read_only=True)

    class Meta:
        model = AgreementDocument
        fields = [
            "id", "kind", "reference", "version", "terms_version", "content_sha256",
            "file_sha256", "created_at", "pdf_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_reference(self, document) -> str:
        return document.content["reference"]

    def get_pdf_url(self, document) -> str:
        path = reverse("agreements:document", args=[self.context["contract"].pk, document.kind])
        return self.context["request"].build_absolute_uri(path)


class ContractDocumentsView(APIView):
    """The documents issued for a contract: its pair's framework agreement and its statement of
    work (a download issues any not issued yet)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=DocumentSerializer(many=True), operation_id="contract_documents")
    def get(self, request: Request, pk: int) -> Response:
        contract = get_object_or_404(contracts_for_user(user=request.user), pk=pk)
        documents = selectors.contract_documents(contract=contract).select_related("template")
        context = {"request": request, "contract": contract}
        return Response(DocumentSerializer(documents, many=True, context=context).data)


class SignatureSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.slug", read_only=True)
    signer = serializers.CharField(source="signer.email", read_only=True)
    document = serializers.CharField(source="document.kind", read_only=True)

    class Meta:
        model = Signature
        fields = [
            "document", "organisation", "signer", "typed_name", "method", "ip_address",
            "document_sha256", "signed_at",
        ]  # fmt: skip
        read_only_fields = fields


class SignSerializer(serializers.Serializer):
    typed_name = serializers.CharField(
        max_length=200, allow_blank=True, help_text="the signer's full name, as typed"
    )
    password = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="the signer's password, or:"
    )
    code = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="the code last emailed by POST …/sign/code",
    )  # fmt: skip


class SignedSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="the contract's status after signing")
    signatures = SignatureSerializer(many=True, help_text="every signature of its documents")


class ContractSignView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SignSerializer,
        responses={200: SignedSerializer, 409: CONFLICT},
        operation_id="contracts_sign",
    )
    def post(self, request: Request, pk: int) -> Response:
        """Sign the pair's framework agreement (once) and the contract's statement of work for
        your organisation, proving it is you with your password or an emailed code; with both
        parties' signatures the contract is active."""
        contract = get_object_or_404(contracts_for_user(user=request.user), pk=pk)
        serializer = SignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        method = signer_reauthenticate(
            user=request.user, password=data["password"], code=data["code"]
        )
        contract_documents_sign(
            contract=contract, by=request.user, typed_name=data["typed_name"], method=method,
            ip_address=request.META.get("REMOTE_ADDR") or None,
        )  # fmt: skip
        contract.refresh_from_db()
        answer = {
            "status": contract.status,
            "signatures": selectors.contract_signatures(contract=contract),
        }
        return Response(SignedSerializer(answer).data)


class SigningCodeSerializer(serializers.Serializer):
    detail = serializers.CharField()


class SigningCodeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={202: SigningCodeSerializer, 409: CONFLICT},
        operation_id="contracts_signing_code",
    )
    def post(self, request: Request, pk: int) -> Response:
        """Email yourself a one-time code to sign the contract with (valid 10 minutes; one a
        minute at most)."""
        contract = get_object_or_404(contracts_for_user(user=request.user), pk=pk)
        said = signing_code_send(contract=contract, by=request.user)
        return Response({"detail": said}, status=status.HTTP_202_ACCEPTED)
