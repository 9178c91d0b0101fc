"""The one domain error type of every service.

Services raise ``ApplicationError`` with a Chinese message for the user; the
API maps it to 400 (a rule refused the step) or 409 (the object is in the
wrong state, or another user changed it first), and pages show it as a form
error. Services never raise HTTP errors.
"""


class ApplicationError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """The object is not in a state that allows this step (HTTP 409)."""

    status_code = 409
