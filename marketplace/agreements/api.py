"""REST API for a contract's documents: /api/v1/contracts/<id>/documents (its two parties; 404
for anyone else). Each names its PDF's address and the SHA-256 of what it says."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.agreements import selectors
from marketplace.agreements.models import AgreementDocument
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
