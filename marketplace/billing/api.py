"""REST API for a contract's invoices, receipts and credit notes: /api/v1/contracts/<id>/billing
(its two parties; 404 for anyone else)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.billing import selectors
from marketplace.billing.models import BillingDocument
from marketplace.contracting.selectors import contracts_for_user


class BillingDocumentSerializer(serializers.ModelSerializer):
    milestone = serializers.CharField(source="milestone.name", read_only=True)
    invoice = serializers.CharField(source="invoice.number", read_only=True, allow_null=True)
    buyer_currency = serializers.CharField(source="content.buyer_currency", read_only=True)
    buyer_amount = serializers.CharField(
        source="content.buyer_amount", read_only=True, allow_null=True,
        help_text="at the rate the quote snapshotted, for reference",
    )  # fmt: skip
    vat_lines = serializers.ListField(source="content.vat_lines", read_only=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = BillingDocument
        fields = [
            "id", "kind", "number", "issued_on", "milestone", "invoice", "reference", "currency",
            "gross_amount", "net_amount", "vat_amount", "vat_lines", "buyer_currency",
            "buyer_amount", "content_sha256", "pdf_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_pdf_url(self, document) -> str:
        path = reverse("billing:document", args=[document.contract_id, document.pk])
        return self.context["request"].build_absolute_uri(path)


class ContractBillingView(APIView):
    """The contract's invoices (one per milestone fallen due), receipts and credit notes."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=BillingDocumentSerializer(many=True), operation_id="contract_billing")
    def get(self, request: Request, pk: int) -> Response:
        contract = get_object_or_404(contracts_for_user(user=request.user), pk=pk)
        documents = selectors.contract_billing(contract=contract)
        serializer = BillingDocumentSerializer(documents, many=True, context={"request": request})
        return Response(serializer.data)
