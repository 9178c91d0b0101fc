"""``/api/notifications/``: every user's own in-app messages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organization.models import Notification
from organization.services import notification_mark_read

from .params import bool_param
from .serializers import NotificationSerializer, ReadSerializer


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """站内通知: a user's own messages; ``?unread=1`` for the unread ones."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        qs = Notification.objects.filter(recipient=self.request.user)
        if bool_param(self.request, "unread"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(
        request=ReadSerializer,
        responses=inline_serializer(
            "NotificationsMarked",
            {"marked": serializers.IntegerField(help_text="本次标为已读的通知条数")},
        ),
    )
    @action(detail=False, methods=["post"])
    def read(self, request):
        """Mark ``ids`` (or all) as read; returns how many changed."""
        serializer = ReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = notification_mark_read(actor=request.user, ids=serializer.validated_data.get("ids"))
        return Response({"marked": count})
