"""Browser pages of the registry (台账); being split by subject."""

from .households import *  # noqa: F403
from .households import DETAIL_ACTIONS, register_detail_action  # noqa: F401
