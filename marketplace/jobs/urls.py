from django.urls import path

from marketplace.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.applications, name="applications"),
    path("profile/", views.profile, name="profile"),
    path("saved/", views.saved_jobs, name="saved"),
    path("saved/<int:posting_pk>/", views.saved_job_set, name="saved_set"),
    path("apply/<int:posting_pk>/", views.apply, name="apply"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/cv/", views.cv, name="cv"),
]
