"""Signing in the app: the signer proves it is them again (their password, or a one-time code
emailed to them by django-otp) and types their name; their organisation then signs the framework
agreement (once per pair) and the contract's statement of work, each signature bound to the
SHA-256 of the document's content. The contract is active when both parties have signed; a
change order, in force when both have signed it.

``signer_reauthenticate`` runs before, and outside, the signing transaction: a wrong code counts
towards django-otp's throttle even though nothing is signed."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_email.models import EmailDevice

from marketplace.accounts.models import User
from marketplace.agreements.models import (
    AgreementDocument,
    Signature,
    SigningMethod,
)
from marketplace.agreements.services import change_order_document_issue, contract_documents_issue
from marketplace.contracting.audit import audit
from marketplace.contracting.models import ChangeOrder, ChangeOrderStatus, Contract, ContractStatus
from marketplace.contracting.services import (
    change_order_sign_record,
    contract_lock,
    contract_side,
    contract_sign,
)
from marketplace.transitions import InvalidTransition

NAME_MAX = 200
SIGNING_DEVICE = "signing"


def _device(user: User) -> EmailDevice:
    device, _created = EmailDevice.objects.get_or_create(
        user=user, name=SIGNING_DEVICE, defaults={"email": user.email, "confirmed": True}
    )
    return device


def signing_code_send(*, contract: Contract, by: User) -> str:
    """Email the signer a one-time code (valid for ``OTP_EMAIL_TOKEN_VALIDITY`` seconds; one a
    minute at most); return what happened, for the page to say."""
    contract_side(contract=contract, user=by)
    waiting = contract.status == ContractStatus.PENDING_SIGNATURE or (
        contract.status == ContractStatus.ACTIVE
        and contract.change_orders.filter(status=ChangeOrderStatus.PROPOSED).exists()
    )
    if not waiting:
        raise InvalidTransition(_("Nothing of this contract is waiting for your signature."))
    device = _device(by)
    allowed, _details = device.generate_is_allowed()
    if not allowed:
        raise InvalidTransition(_("A code was sent less than a minute ago: check your email."))
    device.generate_challenge()
    return _("A code is on its way to %(email)s.") % {"email": by.email}


def signer_reauthenticate(*, user: User, password: str = "", code: str = "") -> str:
    """How the signer proved it is them (``SigningMethod``): their password, or the code last
    emailed to them. Refused by field when neither is given or the one given is wrong."""
    password, code = (password or "").strip(), (code or "").strip()
    if password:
        if not user.check_password(password):
            raise ValidationError({"password": [_("That is not your password.")]})
        return SigningMethod.PASSWORD
    if code:
        device = EmailDevice.objects.filter(user=user, name=SIGNING_DEVICE).first()
        if device is None or not device.verify_token(code):
            raise ValidationError(
                {"code": [_("The code is wrong or has expired: ask for a new one.")]}
            )
        return SigningMethod.EMAIL_CODE
    raise ValidationError(
        {"password": [_("Enter your password, or a code we email you, to sign.")]}
    )


def _typed_name(typed_name: str) -> str:
    typed_name = " ".join((typed_name or "").split())
    if not typed_name:
        raise ValidationError({"typed_name": [_("Type your full name to sign.")]})
    if len(typed_name) > NAME_MAX:
        raise ValidationError(
            {"typed_name": [_("Keep it under %(max)d characters.") % {"max": NAME_MAX}]}
        )
    return typed_name


@transaction.atomic
def contract_documents_sign(
    *, contract: Contract, by: User, typed_name: str, method: str, ip_address: str | None = None
) -> list[Signature]:
    """``by``'s organisation signs the pair's framework agreement (unless it has already) and
    the contract's statement of work; with both parties' signatures on both, the contract is
    active. Refused: a second signature of the same statement of work (409), a contract no
    longer waiting for signatures (409), anyone but the parties' owners and editors (403)."""
    side = contract_side(contract=contract, user=by)
    typed_name = _typed_name(typed_name)
    if method not in SigningMethod.values:
        raise ValueError(f"Unknown signing method {method!r}")
    msa, sow = contract_documents_issue(contract=contract)
    contract = Contract.objects.select_for_update(no_key=True).get(pk=contract.pk)
    if contract.status != ContractStatus.PENDING_SIGNATURE:
        raise InvalidTransition(_("This contract is no longer waiting for signatures."))
    organisation_id = getattr(contract, f"{side}_id")
    if sow.signatures.filter(organisation_id=organisation_id).exists():
        raise InvalidTransition(_("Your organisation has already signed this contract."))
    signatures = []
    for document in (msa, sow):
        locked = AgreementDocument.objects.select_for_update().get(pk=document.pk)
        if locked.signatures.filter(organisation_id=organisation_id).exists():
            continue  # the framework agreement, signed at an earlier deal
        signature = Signature.objects.create(
            document=locked,
            organisation_id=organisation_id,
            signer=by,
            typed_name=typed_name,
            method=method,
            ip_address=ip_address,
            document_sha256=locked.content_sha256,
        )
        audit(locked, action="sign", actor=by, reason=f"{side} {locked.content_sha256}")
        signatures.append(signature)
    contract_sign(contract=contract, by=by)
    return signatures


@transaction.atomic
def change_order_sign(
    *, change_order: ChangeOrder, by: User, typed_name: str, method: str,
    ip_address: str | None = None,
) -> Signature:  # fmt: skip
    """``by``'s organisation signs a proposed change order's document (issued now if it was not
    yet); with both parties' signatures the change is in force. Refused: a second signature by
    the same party, a change no longer waiting (409); anyone but the parties' editors (403)."""
    contract = change_order.contract
    side = contract_side(contract=contract, user=by)
    typed_name = _typed_name(typed_name)
    if method not in SigningMethod.values:
        raise ValueError(f"Unknown signing method {method!r}")
    contract_lock(contract_id=contract.pk)  # contract, then change order: as every writer
    change_order.refresh_from_db()
    if change_order.status != ChangeOrderStatus.PROPOSED:
        raise InvalidTransition(_("This change order is no longer waiting for signatures."))
    document = change_order_document_issue(change_order=change_order)
    document = AgreementDocument.objects.select_for_update().get(pk=document.pk)
    organisation_id = getattr(contract, f"{side}_id")
    if document.signatures.filter(organisation_id=organisation_id).exists():
        raise InvalidTransition(_("Your organisation has already signed this change order."))
    signature = Signature.objects.create(
        document=document,
        organisation_id=organisation_id,
        signer=by,
        typed_name=typed_name,
        method=method,
        ip_address=ip_address,
        document_sha256=document.content_sha256,
    )
    audit(document, action="sign", actor=by, reason=f"{side} {document.content_sha256}")
    change_order_sign_record(change_order=change_order, by=by)
    return signature
