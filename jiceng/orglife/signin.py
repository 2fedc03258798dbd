"""Rotating sign-in codes: the host's screen shows a meeting code, a member's phone a personal code.

A code is ``<id>-<window>-<mac>``: the window is the current period of ``orglife.qr_rotate_seconds``
seconds, and the mac is an HMAC (the site's secret key) over the id, the window and, for a meeting,
the meeting's own secret, so a code of another meeting, a stale code or an edited one never fits.
The code of the previous window is still accepted: a member who scanned just before the screen
changed is not refused.
"""

import hashlib
import hmac
import time
from dataclasses import dataclass

import segno
from django.conf import settings

from jiceng.core.rules import get_rule

MAC_LENGTH = 16


class CodeError(ValueError):
    """A code that cannot be used; ``str(exc)`` says why in Chinese."""


def rotate_seconds() -> int:
    return get_rule("orglife.qr_rotate_seconds")


def current_window(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // rotate_seconds())


def _mac(message: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()[:MAC_LENGTH]


def meeting_code(meeting, window: int | None = None) -> str:
    window = current_window() if window is None else window
    return f"{meeting.pk}-{window}-{_mac(f'meeting:{meeting.pk}:{meeting.signin_secret}:{window}')}"


def member_code(member, window: int | None = None) -> str:
    window = current_window() if window is None else window
    return f"M{member.pk}-{window}-{_mac(f'member:{member.pk}:{window}')}"


@dataclass(frozen=True)
class Parsed:
    pk: int
    window: int
    mac: str


def parse(code: str, *, personal: bool = False) -> Parsed:
    text = (code or "").strip()
    if personal:
        if not text.startswith("M"):
            raise CodeError("这不是党员签到码。")
        text = text[1:]
    parts = text.split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(parts[0]) > 18:
        raise CodeError("二维码无效，请扫描会议屏幕上的签到二维码。" if not personal else "党员签到码无效。")
    return Parsed(int(parts[0]), int(parts[1]), parts[2])


def _fresh(window: int, now: float | None) -> bool:
    return window in (current_window(now), current_window(now) - 1)


def check_meeting_code(meeting, parsed: Parsed, now: float | None = None) -> None:
    if parsed.pk != meeting.pk:
        raise CodeError("该二维码不属于本次会议，请扫描本次会议屏幕上的二维码。")
    expected = _mac(f"meeting:{meeting.pk}:{meeting.signin_secret}:{parsed.window}")
    if not hmac.compare_digest(expected, parsed.mac):
        raise CodeError("二维码无效，请扫描会议屏幕上的签到二维码。")
    if not _fresh(parsed.window, now):
        raise CodeError("二维码已过期，请扫描屏幕上最新的二维码。")


def check_member_code(parsed: Parsed, now: float | None = None) -> None:
    if not hmac.compare_digest(_mac(f"member:{parsed.pk}:{parsed.window}"), parsed.mac):
        raise CodeError("党员签到码无效。")
    if not _fresh(parsed.window, now):
        raise CodeError("党员签到码已过期，请党员刷新手机上的签到码。")


def qr_svg(text: str) -> str:
    """The QR code of ``text`` as inline SVG markup (no XML declaration), drawn on the server."""
    return segno.make(text, error="m").svg_inline(scale=6, border=2, dark="#111827", light="#ffffff", omitsize=True)
