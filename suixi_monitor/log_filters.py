"""Client errors are the client's: logged as warnings, without a traceback."""

import logging


class ClientErrorFilter(logging.Filter):
    """Django logs a refused request (``SuspiciousOperation``: a host not in ``ALLOWED_HOSTS``,
    a malformed cookie, too large a body read outside ``RequestInputMiddleware``) on the
    ``django.security.*`` loggers at ERROR, with the traceback. It is the client's error, not
    the server's: keep the line, as a warning, and drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("django.security.") and record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True
