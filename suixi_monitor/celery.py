import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suixi_monitor.settings")

app = Celery("suixi_monitor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The project package is not an installed app, so its own tasks are named here.
app.conf.include = ["suixi_monitor.tasks"]
