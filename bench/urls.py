from django.urls import path

from suixi_monitor.urls import urlpatterns as project_urlpatterns

from .views import bare_household_table

urlpatterns = [path("bench/bare/", bare_household_table, name="bench-bare"), *project_urlpatterns]
