"""REST API for a reader's own saved jobs: /api/v1/saved-jobs (list, newest saved first) and
/api/v1/saved-jobs/<posting id> (PUT saves it, again changes nothing; DELETE takes it out).
Only published postings can be saved and are listed."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cms.models import JobPostingPage
from marketplace.jobs import selectors, services
from marketplace.jobs.models import SavedJob


class SavedJobSerializer(serializers.ModelSerializer):
    posting = serializers.IntegerField(source="posting_id", read_only=True)
    title = serializers.CharField(source="posting.title", read_only=True)
    title_zh = serializers.CharField(source="posting.title_zh", read_only=True)
    url = serializers.CharField(source="posting.url", read_only=True)
    city = serializers.CharField(source="posting.city", read_only=True)
    closes_on = serializers.DateField(source="posting.closes_on", read_only=True)
    is_open = serializers.BooleanField(source="posting.is_open", read_only=True)
    saved_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = SavedJob
        fields = ["posting", "title", "title_zh", "url", "city", "closes_on", "is_open", "saved_at"]
        read_only_fields = fields


class SavedJobsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SavedJobSerializer(many=True), operation_id="saved_jobs")
    def get(self, request: Request) -> Response:
        """Your saved jobs that are still published, newest saved first."""
        return Response(
            SavedJobSerializer(selectors.saved_jobs_of(user=request.user), many=True).data
        )


class SavedJobView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses={200: SavedJobSerializer, 201: SavedJobSerializer},
        operation_id="saved_job_put",
    )  # fmt: skip
    def put(self, request: Request, posting_id: int) -> Response:
        """Save a published posting (201); saving it again changes nothing (200)."""
        posting = get_object_or_404(JobPostingPage.objects.live(), pk=posting_id)
        saved, created = services.job_save(user=request.user, posting=posting)
        return Response(SavedJobSerializer(saved).data, status=201 if created else 200)

    @extend_schema(request=None, responses={204: None}, operation_id="saved_job_delete")
    def delete(self, request: Request, posting_id: int) -> Response:
        """Take a posting out of your saved jobs (204, also when it was not there)."""
        services.job_unsave(user=request.user, posting_id=posting_id)
        return Response(status=204)
