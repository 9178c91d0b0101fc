"""ID numbers never reach a log file whole.

A search by ID number puts it in the query string (``/households/?q=340621…``), which the
access log writes; so does a traceback or a warning naming a URL. ``mask_id_numbers`` keeps the
first six and the last four characters, as the pages mask numbers for roles that may not see
them (households/id_numbers.py): ``340621********123X``. Two places use it: gunicorn's access
log (``MaskingGunicornLogger``, set in gunicorn.conf.py) and Django's own log handlers
(``MaskIdNumbersFilter``, in ``LOGGING``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

# A 15- or 18-character ID number (or 14 to 18 characters of one being typed), standing alone
# (not inside a longer run of digits such as a token); percent-encoded spaces between digit
# groups (``3406 2119…``) are not worth the false matches they would bring.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])([0-9]{6})([0-9]{4,8})([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_id_numbers(text: str) -> str:
    return ID_NUMBER.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


class MaskIdNumbersFilter(logging.Filter):
    """A logging filter for handlers: the message, with its arguments filled in, masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_id_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class MaskingGunicornLogger(GunicornLogger):
    """gunicorn's logger, with every text atom of the access log masked (the request line, the
    path, the query string, the referrer and the headers)."""

    def atoms(self, resp, req, environ, request_time) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: mask_id_numbers(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
