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


def object_code(kind: str, obj, window: int | None = None) -> str:
    """The rotating code of any object with a ``signin_secret`` (a meeting, a volunteer activity):
    ``kind`` is part of the mac, so one kind's code never fits another kind's object."""
    window = current_window() if window is None else window
    return f"{obj.pk}-{window}-{_mac(f'{kind}:{obj.pk}:{obj.signin_secret}:{window}')}"


def check_object_code(kind: str, obj, parsed: "Parsed", now: float | None = None, *, noun: str = "活动") -> None:
    if parsed.pk != obj.pk:
        raise CodeError(f"该二维码不属于本次{noun}，请扫描本次{noun}屏幕上的二维码。")
    expected = _mac(f"{kind}:{obj.pk}:{obj.signin_secret}:{parsed.window}")
    if not hmac.compare_digest(expected, parsed.mac):
        raise CodeError(f"二维码无效，请扫描{noun}屏幕上的签到二维码。")
    if not _fresh(parsed.window, now):
        raise CodeError("二维码已过期，请扫描屏幕上最新的二维码。")


def meeting_code(meeting, window: int | None = None) -> str:
    return object_code("meeting", meeting, window)


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
    check_object_code("meeting", meeting, parsed, now, noun="会议")


def check_member_code(parsed: Parsed, now: float | None = None) -> None:
    if not hmac.compare_digest(_mac(f"member:{parsed.pk}:{parsed.window}"), parsed.mac):
        raise CodeError("党员签到码无效。")
    if not _fresh(parsed.window, now):
        raise CodeError("党员签到码已过期，请党员刷新手机上的签到码。")


def qr_svg(text: str) -> str:
    """The QR code of ``text`` as inline SVG markup (no XML declaration), drawn on the server."""
    return segno.make(text, error="m").svg_inline(scale=6, border=2, dark="#111827", light="#ffffff", omitsize=True)
