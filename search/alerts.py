"""Saved searches and their email alerts: a buyer saves a services search, a graduate a job
search (the parameters the search parser accepts, normalised); each day the owner is emailed the
listings new since the previous alert, each alert with a signed one-click unsubscribe link.

"New" is decided by the watermark ``SavedSearch.alerted_through`` (the listings' ``published_at``
since the previous run, looking back ``INDEXING_LAG`` for listings indexed late) and by
``SavedSearchMatch``, the listings told already, which are never told again.
"""

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.fields import empty

from marketplace.accounts.models import User
from marketplace.notifications.services import message_from_template
from search.models import SavedSearch, SavedSearchMatch
from search.params import JobSearchParams, SearchParams, ServiceSearchParams
from search.queries import JobQuery, ServiceQuery
from search.selectors import saved_search_path, search_page_paths, search_results

logger = logging.getLogger(__name__)

# The parser of each kind of saved search: the search page's and the API's own.
PARSERS: dict[str, type[SearchParams]] = {
    SavedSearch.Kind.SERVICES: ServiceSearchParams,
    SavedSearch.Kind.JOBS: JobSearchParams,
}
MAX_SAVED_SEARCHES = 20
NAME_LENGTH = SavedSearch._meta.get_field("name").max_length
UNSUBSCRIBE_SALT = "search.saved_search.unsubscribe"
# A listing becomes searchable a little after it is published (the on-commit task, or the sweep
# after an outage): each alert also looks this far back past its watermark, leaving out the
# listings it told already, so one indexed late is still told once.
INDEXING_LAG = timedelta(hours=1)
# An alert email names this many listings and counts the rest; it reads at most this many pages
# of results (the search's own page size).
LISTED = 20
PAGES_READ = 5


# Parameters ----------------------------------------------------------------------------------


def _query_dict(params: Mapping) -> QueryDict:
    """Request parameters from a form's ``QueryDict`` or a JSON object (a filter's values a list,
    the other values scalars; ``null`` is no value)."""
    if isinstance(params, QueryDict):
        return params
    query_dict = QueryDict(mutable=True)
    for name, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        query_dict.setlist(
            str(name),
            [str(v).lower() if isinstance(v, bool) else str(v) for v in values if v is not None],
        )
    return query_dict


def _messages(detail) -> list[str]:
    """Every message in a serializer's errors of one field (a list's are keyed by position)."""
    if isinstance(detail, Mapping):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list | tuple):
        return [message for value in detail for message in _messages(value)]
    return [str(detail)]


def search_params_normalised(*, kind: str, params: Mapping) -> dict:
    """The parameters as the kind's search parser accepted them, without defaults or the page:
    ``q``, each filter's values (once each), the kind's other values as text. Searching them again
    is the same search. Bad parameters raise ``ValidationError`` by parameter name."""
    if not isinstance(kind, str) or kind not in PARSERS:
        raise ValidationError({"kind": [_("Choose what to search: services or jobs.")]})
    parser = PARSERS[kind]
    query, errors = parser.parse(_query_dict(params))
    if query is None:
        raise ValidationError({name: _messages(detail) for name, detail in errors.items()})
    normalised: dict = {"q": query.text.strip()}
    for name in parser.filters:
        if values := query.filters.get(name):
            normalised[name] = list(dict.fromkeys(values))  # in order, once each
    fields = parser().fields
    for attribute, name in parser.query_values.items():
        value, default = getattr(query, attribute), fields[name].default
        if value is None or value is False or (default is not empty and value == default):
            continue
        normalised[name] = "true" if value is True else str(value)
    return normalised


def saved_search_query(
    *, saved_search: SavedSearch, published_since: datetime | None = None
) -> ServiceQuery | JobQuery | None:
    """The saved search's query, page 1, only what was published since ``published_since``;
    ``None`` if the parser no longer accepts what was saved."""
    query, errors = PARSERS[saved_search.kind].parse(_query_dict(saved_search.params))
    if query is None:
        logger.warning("Saved search %s no longer parses: %s", saved_search.pk, errors)
        return None
    query.published_since = published_since
    return query


# Saving, deleting, alerts on and off ---------------------------------------------------------


def saved_search_create(*, user: User, kind: str, params: Mapping, name: str = "") -> SavedSearch:
    """Save a search of ``kind`` ("services" or "jobs") for ``user``, its alerts on from now.

    Refused with a ``ValidationError`` (nothing written): parameters the search would refuse (by
    parameter name), a name too long, the same search saved already, more than
    ``MAX_SAVED_SEARCHES``. Without a name, the search's words name it.
    """
    normalised = search_params_normalised(kind=kind, params=params)
    name = " ".join((name or "").split())  # one line: it is the alert email's subject
    if len(name) > NAME_LENGTH:
        raise ValidationError(
            {"name": [_("Use at most %(count)d characters.") % {"count": NAME_LENGTH}]}
        )
    with transaction.atomic():
        # One save at a time per user, so the limit and "saved already" hold under double clicks.
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        mine = SavedSearch.objects.filter(owner=user)
        if mine.count() >= MAX_SAVED_SEARCHES:
            raise ValidationError(
                _(
                    "You have %(count)d saved searches, as many as one can keep. "
                    "Delete one to save another."
                )
                % {"count": MAX_SAVED_SEARCHES},
                code="too_many",
            )
        if mine.filter(kind=kind, params=normalised).exists():
            raise ValidationError(_("You have saved this search already."), code="duplicate")
        now = timezone.now()
        return SavedSearch.objects.create(
            owner=user,
            kind=kind,
            name=name or normalised["q"][:NAME_LENGTH],
            params=normalised,
            created_at=now,
            alerted_through=now,
        )


def saved_search_delete(*, saved_search: SavedSearch, by: User) -> None:
    """Delete one of ``by``'s saved searches (and the record of what its alerts told)."""
    if saved_search.owner_id != by.pk:
        raise PermissionDenied(_("This saved search is not yours."))
    saved_search.delete()


def saved_search_alerts_set(*, saved_search: SavedSearch, by: User, is_active: bool) -> SavedSearch:
    """Switch the emails of one of ``by``'s saved searches on or off. Switched on again, they
    tell what is published from then on (less the ``INDEXING_LAG`` every alert looks back), not
    all that came while they were off."""
    if saved_search.owner_id != by.pk:
        raise PermissionDenied(_("This saved search is not yours."))
    if saved_search.is_active != is_active:
        saved_search.is_active = is_active
        fields = ["is_active"]
        if is_active:
            saved_search.alerted_through = timezone.now()
            fields.append("alerted_through")
        saved_search.save(update_fields=fields)
    return saved_search


def unsubscribe_token(*, saved_search_id: int) -> str:
    """The signed token of a saved search's one-click unsubscribe link (no expiry: the link in
    any alert keeps working)."""
    return signing.dumps(saved_search_id, salt=UNSUBSCRIBE_SALT)


def saved_search_id_from_token(*, token: str) -> int:
    """The saved search an unsubscribe token names; a bad or altered signature is refused."""
    try:
        saved_search_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        saved_search_id = None
    if not isinstance(saved_search_id, int) or isinstance(saved_search_id, bool):
        raise ValidationError(
            _(
                "This unsubscribe link is not valid: it may have been cut short or changed. "
                "Use the link in the latest alert email, or sign in and manage your saved "
                "searches."
            ),
            code="bad_signature",
        )
    return saved_search_id


def saved_search_unsubscribe(*, token: str) -> SavedSearch | None:
    """Switch off the alerts of the saved search the signed ``token`` names, signed in or not
    (``None``: it was deleted since). A bad signature raises ``ValidationError``, nothing
    written. Unsubscribing again changes nothing."""
    saved_search_id = saved_search_id_from_token(token=token)
    with transaction.atomic():
        saved_search = SavedSearch.objects.select_for_update().filter(pk=saved_search_id).first()
        if saved_search is not None and saved_search.is_active:
            saved_search.is_active = False
            saved_search.save(update_fields=["is_active"])
    return saved_search


# The alerts ----------------------------------------------------------------------------------


def saved_search_alerts_send(*, now: datetime | None = None) -> int:
    """Email each owner of an active saved search the listings new since its previous alert,
    then move its watermark to ``now``; return how many emails were sent. Nothing new, no email;
    a listing is told once per saved search, however often this runs."""
    now = now or timezone.now()
    due = SavedSearch.objects.filter(
        is_active=True, owner__is_active=True, alerted_through__lt=now
    ).order_by("pk")
    sent, failure = 0, None
    for saved_search_id in due.values_list("pk", flat=True):
        try:
            sent += _alert(saved_search_id=saved_search_id, now=now)
        except OSError as error:  # the mail server refused: one address must not stop the rest
            logger.exception("Saved search %s: the alert could not be sent", saved_search_id)
            failure = error
        except Exception:  # one saved search's fault (bad data) must not stop everyone's alerts
            logger.exception("Saved search %s: the alert failed", saved_search_id)
    if failure is not None:
        raise failure  # for the task's retry, which sends what failed and nothing twice
    return sent


def _alert(*, saved_search_id: int, now: datetime) -> int:
    """One saved search's alert, in one transaction with its row locked: the listings told and
    the watermark are written with the email sent (an email that fails leaves both as they
    were, for the retry)."""
    with transaction.atomic():
        saved_search = (
            SavedSearch.objects.select_for_update(of=("self",))
            .select_related("owner")
            .filter(pk=saved_search_id, is_active=True, alerted_through__lt=now)
            .first()
        )
        if saved_search is None:  # switched off, deleted, or alerted by a concurrent run
            return 0
        since = max(saved_search.alerted_through - INDEXING_LAG, saved_search.created_at)
        query = saved_search_query(saved_search=saved_search, published_since=since)
        new = _new_matches(saved_search, query) if query is not None else []
        saved_search.alerted_through = now
        saved_search.save(update_fields=["alerted_through"])
        if not new or not saved_search.owner.email:
            return 0
        SavedSearchMatch.objects.bulk_create(
            [SavedSearchMatch(saved_search=saved_search, page_id=hit["id"], told_at=now)
             for hit in new],
            ignore_conflicts=True,
        )  # fmt: skip
        return _alert_email(saved_search, new).send()


def _new_matches(saved_search: SavedSearch, query: ServiceQuery | JobQuery) -> list[dict]:
    """The results of ``query`` (up to ``PAGES_READ`` pages) the saved search has not told."""
    hits: dict[int, dict] = {}
    for page in range(1, PAGES_READ + 1):
        query.page = page
        answer = search_results(query=query)
        hits.update({hit["id"]: hit for hit in answer["results"] if hit["id"] not in hits})
        if page * answer["page_size"] >= answer["count"]:
            break
    told = set(
        SavedSearchMatch.objects.filter(
            saved_search=saved_search, page_id__in=list(hits)
        ).values_list("page_id", flat=True)
    )
    return [hit for page_id, hit in hits.items() if page_id not in told]


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL.rstrip("/") + url


def _alert_email(saved_search: SavedSearch, new: list[dict]) -> EmailMessage:
    """The alert in English and Chinese: the new listings with their links, the search's page,
    the saved searches' page and the one-click unsubscribe link (also in the RFC 8058 headers)."""
    token = unsubscribe_token(saved_search_id=saved_search.pk)
    unsubscribe_url = _absolute(reverse("saved_search_unsubscribe", args=[token]))
    listings = [{**hit, "link": _absolute(hit["url"])} for hit in new[:LISTED]]
    context = {
        "kind": saved_search.kind,
        "label": saved_search.name or saved_search.params.get("q", ""),
        "count": len(new),
        "listings": listings,
        "more": len(new) - len(listings),
        "search_url": _absolute(saved_search_path(saved_search, pages=search_page_paths())),
        "unsubscribe_url": unsubscribe_url,
    }
    # The saved searches' page with its anchor: ``message_from_template`` leaves out the lines
    # holding the page's address, and the unsubscribe link's address begins with it.
    path = reverse("saved_searches") + "#saved-searches"
    message = message_from_template("search/email/saved_search_alert.txt", context, path=path)
    return EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[saved_search.owner.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
