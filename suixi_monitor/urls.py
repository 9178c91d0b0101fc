from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from assistance.api import router as assistance_router
from declarations.api import router as declarations_router
from early_warnings.api import router as early_warnings_router
from households.api import router as households_router
from identification.api import router as identification_router
from organization.api import router as organization_router
from organization.tokens import TokenLogoutView, TokenObtainView
from reports.api import api_patterns as reports_api_patterns
from reports.api import router as reports_router

# ReDoc's bundle injects its own styles (styled-components) and runs its search in a worker
# made from a blob: this one page may apply inline styles; scripts stay files only (CSP).
api_docs_csp = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})

# One router for the whole API, so that /api/ lists every resource of every app.
api_router = DefaultRouter()
for app_router in (
    organization_router,
    households_router,
    identification_router,
    assistance_router,
    early_warnings_router,
    declarations_router,
    reports_router,
):
    api_router.registry.extend(app_router.registry)

api_patterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("auth/logout/", TokenLogoutView.as_view(), name="api-logout"),
    # The API's description is for signed-in users: the schema answers 401/403 to anyone
    # else, and the two documentation pages send a browser to the sign-in page first.
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="api-schema",
    ),
    # The split view serves its start-up script as a file: no inline script (CSP).
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", permission_classes=[IsAuthenticated]
            )
        ),
        name="api-docs",
    ),
    path(
        "redoc/",
        login_required(
            api_docs_csp(
                SpectacularRedocView.as_view(
                    url_name="api-schema", permission_classes=[IsAuthenticated]
                )
            )
        ),
        name="api-redoc",
    ),
    *reports_api_patterns,
    path("", include(api_router.urls)),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("households/", include("households.urls")),
    path("identification/", include("identification.urls")),
    path("exits/", include("identification.urls_exits")),
    path("assistance/", include("assistance.urls")),
    path("warnings/", include("early_warnings.urls")),
    path("reports/", include("reports.urls")),
    path("declarations/", include("declarations.urls")),
    # 一码申报: the public page a village's QR code opens (no sign-in).
    path("declare/", include("declarations.urls_public")),
    path("", include("organization.urls")),
]
