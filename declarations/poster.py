"""The QR code of a village's poster, drawn by segno as inline SVG (no image file, no CDN)."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str) -> SafeString:
    """The code for ``url`` at error level M (a poster on a village wall gets dirty), scalable."""
    code = segno.make(url, error="m", micro=False)
    # segno writes the SVG itself: only the URL's characters become path data, never markup.
    return mark_safe(code.svg_inline(scale=4, border=4, omitsize=True, title="扫码申报"))  # noqa: S308
