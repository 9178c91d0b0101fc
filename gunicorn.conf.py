"""gunicorn's settings for this project, read from the working directory (the repository's
root, where scripts/run.sh and the README start gunicorn): the access log masks ID numbers."""

logger_class = "suixi_monitor.logs.MaskingGunicornLogger"
