"""The project's settings plus the bare comparison view; used only by the benchmark."""

from suixi_monitor.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
