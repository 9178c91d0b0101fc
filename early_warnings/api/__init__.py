"""REST for department warnings (三(四)2/3): serializers apart from the viewsets."""

from .serializers import _template_response, error_report_response, router

__all__ = ["_template_response", "error_report_response", "router"]
