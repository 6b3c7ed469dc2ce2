from django.urls import path, re_path

from cms import api as cms
from marketplace.agreements import api as agreements
from marketplace.api.errors import not_found
from marketplace.api.views import SchemaView
from marketplace.billing import api as billing
from marketplace.contracting import api as deals
from marketplace.jobs import api as jobs
from marketplace.notifications import api as notifications
from marketplace.ops.views import HealthView
from marketplace.trust import api as trust
from search.api import (
    JobSearchView,
    ProviderSearchView,
    SavedSearchesView,
    SavedSearchView,
    ServiceSearchView,
    SuggestView,
)

app_name = "api"

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("health/", HealthView.as_view(), name="health"),
    path("search/services", ServiceSearchView.as_view(), name="search-services"),
    path("search/jobs", JobSearchView.as_view(), name="search-jobs"),
    path("search/providers", ProviderSearchView.as_view(), name="search-providers"),
    path("search/suggest", SuggestView.as_view(), name="search-suggest"),
    path("saved-searches", SavedSearchesView.as_view(), name="saved-searches"),
    path("saved-searches/<int:pk>", SavedSearchView.as_view(), name="saved-search"),
    path("saved-jobs", jobs.SavedJobsView.as_view(), name="saved-jobs"),
    path("saved-jobs/<int:posting_id>", jobs.SavedJobView.as_view(), name="saved-job"),
    path("rfqs/", deals.RfqListView.as_view(), name="rfqs"),
    path("rfqs/<int:pk>/", deals.RfqDetailView.as_view(), name="rfq"),
    path("rfqs/<int:pk>/open", deals.RfqOpenView.as_view(), name="rfq-open"),
    path("rfqs/<int:pk>/close", deals.RfqCloseView.as_view(), name="rfq-close"),
    path("rfqs/<int:pk>/cancel", deals.RfqCancelView.as_view(), name="rfq-cancel"),
    path("rfqs/<int:pk>/invite", deals.RfqInviteView.as_view(), name="rfq-invite"),
    path("rfqs/<int:pk>/accept-nda", deals.RfqNdaAcceptView.as_view(), name="rfq-accept-nda"),
    path("rfqs/<int:pk>/quotes/", deals.RfqQuotesView.as_view(), name="rfq-quotes"),
    path("quotes/<int:pk>/", deals.QuoteDetailView.as_view(), name="quote"),
    path("quotes/<int:pk>/submit", deals.QuoteSubmitView.as_view(), name="quote-submit"),
    path("quotes/<int:pk>/withdraw", deals.QuoteWithdrawView.as_view(), name="quote-withdraw"),
    path("quotes/<int:pk>/decline", deals.QuoteDeclineView.as_view(), name="quote-decline"),
    path("quotes/<int:pk>/accept", deals.QuoteAcceptView.as_view(), name="quote-accept"),
    path("contracts/", deals.ContractListView.as_view(), name="contracts"),
    path("contracts/<int:pk>/", deals.ContractDetailView.as_view(), name="contract"),
    path("contracts/<int:pk>/sign", agreements.ContractSignView.as_view(), name="contract-sign"),
    path(
        "contracts/<int:pk>/sign/code",
        agreements.SigningCodeView.as_view(),
        name="contract-signing-code",
    ),
    path(
        "contracts/<int:pk>/billing", billing.ContractBillingView.as_view(), name="contract-billing"
    ),
    path(
        "contracts/<int:pk>/documents",
        agreements.ContractDocumentsView.as_view(),
        name="contract-documents",
    ),
    path(
        "contracts/<int:pk>/change-orders",
        agreements.ContractChangeOrdersView.as_view(),
        name="contract-change-orders",
    ),
    path(
        "contracts/<int:pk>/change-orders/<int:number>/sign",
        agreements.ChangeOrderSignView.as_view(),
        name="change-order-sign",
    ),
    path(
        "contracts/<int:pk>/change-orders/<int:number>/withdraw",
        agreements.ChangeOrderWithdrawView.as_view(),
        name="change-order-withdraw",
    ),
    path(
        "contracts/<int:pk>/complete",
        deals.ContractCompleteView.as_view(),
        name="contract-complete",
    ),
    path(
        "contracts/<int:pk>/terminate",
        deals.ContractTerminateView.as_view(),
        name="contract-terminate",
    ),
    path(
        "contracts/<int:pk>/checklist/<int:item_pk>/complete",
        deals.ChecklistCompleteView.as_view(),
        name="checklist-complete",
    ),
    re_path(
        r"^contracts/(?P<pk>\d+)/milestones/(?P<milestone_pk>\d+)/(?P<action>due|accept)$",
        deals.MilestoneActionView.as_view(),
        name="milestone-action",
    ),
    path("screening", deals.ScreenView.as_view(), name="screening"),
    path("notifications", notifications.NotificationsView.as_view(), name="notifications"),
    path(
        "notifications/read-all",
        notifications.NotificationsReadAllView.as_view(),
        name="notifications-read-all",
    ),
    path(
        "notifications/<int:pk>/read",
        notifications.NotificationReadView.as_view(),
        name="notification-read",
    ),
    path(
        "notification-preferences",
        notifications.PreferencesView.as_view(),
        name="notification-preferences",
    ),
    path(
        "providers/<slug:slug>/reviews",
        trust.ProviderReviewsView.as_view(),
        name="provider-reviews",
    ),
    path(
        "providers/<slug:slug>/track-record",
        trust.ProviderTrackRecordView.as_view(),
        name="provider-track-record",
    ),
    path(
        "providers/<slug:slug>/certifications",
        cms.ProviderCertificationsView.as_view(),
        name="provider-certifications",
    ),
    path(
        "certifications/<int:pk>/verifications",
        cms.CertificationVerificationsView.as_view(),
        name="certification-verifications",
    ),
    path("reviews", trust.ReviewCreateView.as_view(), name="reviews"),
    path("concern-lists", trust.ConcernListsView.as_view(), name="concern-lists"),
    path("concern-lists/<int:pk>", trust.ConcernListView.as_view(), name="concern-list"),
    path("reviews/<int:pk>/reply", trust.ReviewReplyView.as_view(), name="review-reply"),
    path("reviews/<int:pk>/hide", trust.ReviewHideView.as_view(), name="review-hide"),
    # Last: what matched nothing above (a malformed id, a mistyped path) is a JSON 404 too.
    re_path(r"", not_found, name="not-found"),
]
