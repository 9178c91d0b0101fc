"""``/api/declarations/`` (一码申报): the public submission and status, and the villages' list
with ``accept`` and ``decline``."""

from rest_framework.routers import SimpleRouter

from .declarations import DeclarationViewSet

router = SimpleRouter()
router.register("declarations", DeclarationViewSet, basename="declaration")

__all__ = ["DeclarationViewSet", "router"]
