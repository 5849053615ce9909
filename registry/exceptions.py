from django.core.exceptions import ValidationError


class TransitionError(ValidationError):
    """A state change that the rules do not allow; the message says which step is missing.
    The API answers it with 400."""
