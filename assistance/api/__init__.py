"""REST for help (三(八)): every queryset from ``assistance.selectors``, every write from
``assistance.services``; another scope's object answers 404."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
