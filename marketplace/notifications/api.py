"""REST API for a user's own notifications and preferences: /api/v1/notifications (newest first;
``?unread=true``), /notifications/<id>/read, /notifications/read-all, and
/notification-preferences. Another user's notification is a 404."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.notifications import selectors, services
from marketplace.notifications.models import Event, Notification


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id", "event", "subject_en", "subject_zh", "body_en", "body_zh", "path",
            "created_at", "read_at", "is_read",
        ]  # fmt: skip
        read_only_fields = fields


class ChannelsSerializer(serializers.Serializer):
    in_app = serializers.BooleanField()
    email = serializers.BooleanField(help_text="an email at once")
    digest = serializers.BooleanField(help_text="in the daily digest instead")


class PreferencesSerializer(serializers.Serializer):
    preferences = serializers.DictField(
        child=ChannelsSerializer(), help_text=f"by event: {', '.join(Event.values)}"
    )


class NotificationsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="only the unread ones")],
        responses=NotificationSerializer(many=True),
        operation_id="notifications",
    )
    def get(self, request: Request) -> Response:
        """Your latest notifications (100), newest first."""
        unread = request.query_params.get("unread", "").lower() in ("1", "true", "yes")
        notifications = selectors.notifications_of(user=request.user, unread_only=unread)
        return Response(NotificationSerializer(notifications, many=True).data)


class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses=NotificationSerializer, operation_id="notifications_read"
    )
    def post(self, request: Request, pk: int) -> Response:
        """Mark one of your notifications read."""
        notification = get_object_or_404(Notification.objects.filter(user=request.user), pk=pk)
        notification = services.notification_read(notification=notification, by=request.user)
        return Response(NotificationSerializer(notification).data)


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class NotificationsReadAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ReadAllSerializer, operation_id="notifications_read_all")
    def post(self, request: Request) -> Response:
        """Mark every unread notification of yours read."""
        return Response({"marked": services.notifications_read_all(by=request.user)})


class PreferencesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PreferencesSerializer, operation_id="notification_preferences")
    def get(self, request: Request) -> Response:
        """How you hear of each event."""
        return Response({"preferences": services.preferences_of(user=request.user)})

    @extend_schema(
        request=PreferencesSerializer,
        responses=PreferencesSerializer,
        operation_id="notification_preferences_set",
    )
    def put(self, request: Request) -> Response:
        """Set how you hear of the events named (the others keep theirs)."""
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preferences = {e: dict(c) for e, c in serializer.validated_data["preferences"].items()}
        services.preferences_set(user=request.user, preferences=preferences)
        return Response({"preferences": services.preferences_of(user=request.user)})
