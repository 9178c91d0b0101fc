"""Browser forms of the registry; being split by subject."""

from .households import *  # noqa: F403
