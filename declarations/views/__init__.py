from .office import (
    declaration_detail,
    declaration_list,
    declaration_stats,
    poster_index,
    poster_print,
)
from .public import declare

__all__ = [
    "declaration_detail",
    "declaration_list",
    "declaration_stats",
    "declare",
    "poster_index",
    "poster_print",
]
