"""Domain rules: plain functions that validate, mutate and flush, but never commit."""


class ServiceError(ValueError):
    """A rule was broken; the message is shown to the user as is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
