"""REST API for a contract's documents and their signing: /api/v1/contracts/<id>/documents,
/sign and /sign/code, and its change orders (/change-orders, …/<number>/sign, …/withdraw): its
two parties only (404 for anyone else). Each document names its PDF's
address and the SHA-256 of what it says; each signature, the SHA-256 it signed."""

from functools import partial

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.agreements import selectors
from marketplace.agreements.models import AgreementDocument, Signature
from marketplace.agreements.signing import (
    change_order_sign,
    contract_documents_sign,
    signer_reauthenticate,
    signing_code_send,
)
from marketplace.api.schema import CONFLICT
from marketplace.contracting.models import ChangeOrder
from marketplace.contracting.selectors import contracts_for_user
from marketplace.contracting.services import (
    MilestoneInput,
    change_order_propose,
    change_order_withdraw,
)


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
        contract_id = self.context["contract"].pk
        if document.change_order_id:
            args = [contract_id, document.version]  # a change order's number
            path = reverse("agreements:change_order_document", args=args)
        else:
            path = reverse("agreements:document", args=[contract_id, document.kind])
        return self.context["request"].build_absolute_uri(path)


class ContractDocumentsView(APIView):
    """The documents issued for a contract: its pair's framework agreement, its statement of
    work (a download issues any not issued yet) and its change orders' documents."""

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


def _sign(request: Request, sign) -> None:
    """Sign from a posted body (``SignSerializer``): the signer proves it is them, then
    ``sign(by=, typed_name=, method=, ip_address=)`` runs; refusals raise, as the API answers."""
    serializer = SignSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    method = signer_reauthenticate(user=request.user, password=data["password"], code=data["code"])
    sign(
        by=request.user, typed_name=data["typed_name"], method=method,
        ip_address=request.META.get("REMOTE_ADDR") or None,
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
        _sign(request, partial(contract_documents_sign, contract=contract))
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


class ChangeOrderSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    currency = serializers.CharField(source="contract.currency", read_only=True)
    before = serializers.JSONField(read_only=True, help_text="scope, total, milestones, facts")
    after = serializers.JSONField(read_only=True, help_text="scope, total, milestones, facts")
    screening = serializers.SerializerMethodField()
    document = serializers.SerializerMethodField()

    class Meta:
        model = ChangeOrder
        fields = [
            "reference", "number", "status", "proposed_side", "reason", "currency",
            "total_before", "total_after", "before", "after", "screening", "buyer_signed_at",
            "provider_signed_at", "closed_reason", "created_at", "decided_at", "document",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(
        {"type": "object", "properties": {"outcome": {"type": "string"},
         "rules_version": {"type": "string"}, "new_checklist": {"type": "array",
         "items": {"type": "string"}}}}
    )  # fmt: skip
    def get_screening(self, change) -> dict:
        return {key: change.screening[key] for key in ("outcome", "rules_version", "new_checklist")}

    @extend_schema_field(DocumentSerializer(allow_null=True))
    def get_document(self, change) -> dict | None:
        document = getattr(change, "document", None)
        if document is None:
            return None
        context = {**self.context, "contract": change.contract}
        return DocumentSerializer(document, context=context).data


class ChangeMilestoneSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="CNY")
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    trigger = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ChangeProposalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, allow_blank=True)
    scope = serializers.CharField(
        max_length=20000, required=False, allow_null=True, default=None,
        help_text="the new scope of work; left out: unchanged",
    )  # fmt: skip
    milestones = ChangeMilestoneSerializer(
        many=True, required=False, allow_null=True, default=None,
        help_text="the milestones in place of those not yet due; left out: unchanged",
    )  # fmt: skip
    facts = serializers.DictField(
        required=False, default=dict,
        help_text="deal facts restated, by name (as on the RFQ): true/false, counts, catalogue",
    )  # fmt: skip


class ContractChangeOrdersView(APIView):
    """A contract's change orders (its two parties; 404 for anyone else)."""

    permission_classes = [IsAuthenticated]

    def _contract(self, request, pk):
        return get_object_or_404(contracts_for_user(user=request.user), pk=pk)

    @extend_schema(
        responses=ChangeOrderSerializer(many=True), operation_id="contract_change_orders"
    )
    def get(self, request: Request, pk: int) -> Response:
        contract = self._contract(request, pk)
        changes = selectors.contract_changes(contract=contract)
        return Response(
            ChangeOrderSerializer(changes, many=True, context={"request": request}).data
        )

    @extend_schema(
        request=ChangeProposalSerializer,
        responses={201: ChangeOrderSerializer, 409: CONFLICT},
        operation_id="contract_change_orders_propose",
    )
    def post(self, request: Request, pk: int) -> Response:
        """Propose a change to an active contract: scope, the milestones not yet due (and so the
        total), deal facts. Screened at once; in force when both parties have signed it."""
        contract = self._contract(request, pk)
        serializer = ChangeProposalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        milestones = data["milestones"]
        change = change_order_propose(
            contract=contract, by=request.user, reason=data["reason"], scope=data["scope"],
            milestones=None if milestones is None else [MilestoneInput(**m) for m in milestones],
            facts=data["facts"],
        )  # fmt: skip
        return Response(
            ChangeOrderSerializer(change, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def _change(request, pk: int, number: int) -> ChangeOrder:
    contract = get_object_or_404(contracts_for_user(user=request.user), pk=pk)
    return get_object_or_404(contract.change_orders, number=number)


class ChangeOrderSignView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SignSerializer,
        responses={200: ChangeOrderSerializer, 409: CONFLICT},
        operation_id="contract_change_orders_sign",
    )
    def post(self, request: Request, pk: int, number: int) -> Response:
        """Sign a proposed change for your organisation (password or emailed code, and your
        name); with both parties' signatures it is in force."""
        change = _change(request, pk, number)
        _sign(request, partial(change_order_sign, change_order=change))
        change = next(c for c in selectors.contract_changes(contract=change.contract)
                      if c.number == number)  # fmt: skip
        return Response(ChangeOrderSerializer(change, context={"request": request}).data)


class ChangeOrderWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="",
        help_text="why (required to decline a change the other party proposed)",
    )  # fmt: skip


class ChangeOrderWithdrawView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ChangeOrderWithdrawSerializer,
        responses={200: ChangeOrderSerializer, 409: CONFLICT},
        operation_id="contract_change_orders_withdraw",
    )
    def post(self, request: Request, pk: int, number: int) -> Response:
        """Withdraw the change you proposed, or decline the other party's (saying why)."""
        change = _change(request, pk, number)
        serializer = ChangeOrderWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = change_order_withdraw(
            change_order=change, by=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(ChangeOrderSerializer(change, context={"request": request}).data)
