"""Pages from Jinja2 templates (autoescaped), with money and dates in the user's locale.

Money is rounded HALF_UP to the currency's minor unit (as invoice lines are) and then
printed by babel in the locale the browser asks for (Accept-Language).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, get_currency_precision
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from affbill_gateway.domain.keys import Access, may
from affbill_gateway.entrypoints.web.session import set_session_cookie

WEB = Path(__file__).resolve().parents[2] / "web"
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"
env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                  trim_blocks=True, lstrip_blocks=True)
TABS = (("adtracker", "Adtracker"), ("generator", "Advertisers"),
        ("affiliates", "Affiliates"), ("drafts", "Drafts"), ("jobs", "Jobs"),
        ("invoices", "Invoices"), ("customers", "Customers"), ("periods", "Periods"))


def user_locale(request: Request, default: str) -> Locale:
    """The first locale of Accept-Language that babel knows, else `default`."""
    header = request.headers.get("accept-language", "")
    tags = []
    for part in header.split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            tags.append((float(q or 1), tag.strip().replace("-", "_")))
        except ValueError:
            continue
    for _, tag in sorted(tags, key=lambda t: -t[0]):
        if tag and tag != "*":
            try:
                return Locale.parse(tag)
            except (ValueError, UnknownLocaleError):
                continue
    return Locale.parse(default)


def money(amount: Any, currency: str | None, locale: Locale) -> str:
    """`amount` rounded HALF_UP to the currency's minor unit, in the locale's format."""
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    if not currency:
        return format_decimal(value, locale=locale)
    digits = get_currency_precision(currency)
    value = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return format_currency(value, currency, locale=locale)


def when(value: Any, locale: Locale) -> str:
    """An ISO date or timestamp in the locale's medium format ('' for none)."""
    if not value:
        return ""
    text = str(value)
    try:
        if len(text) == 10:
            return format_date(dt.date.fromisoformat(text), "medium", locale=locale)
        return format_datetime(dt.datetime.fromisoformat(text), "medium", locale=locale)
    except ValueError:
        return text


def page(request: Request, template: str, http_status: int = 200, **context: Any
         ) -> Response:
    """A whole page (or, for an htmx request of a `_fragment` template, the fragment)."""
    user = getattr(request.state, "ui_user", None)
    locale = user_locale(request, request.app.state.ui_locale)
    flash = unquote(request.cookies.get("affbill_flash", ""))
    html = env.get_template(template).render(
        request=request, user=user, tabs=TABS, flash=flash.lstrip("!"),
        flash_error=flash.startswith("!"),
        can_act=bool(user and may(user.role, Access.ACT)),
        is_admin=bool(user and may(user.role, Access.ADMIN)),
        money=lambda a, c: money(a, c, locale), when=lambda v: when(v, locale),
        csrf=user.csrf_token if user else "", **context)
    response = HTMLResponse(html, http_status)
    if flash:
        response.delete_cookie("affbill_flash", path="/ui")
    return finish(request, response)


def finish(request: Request, response: Response) -> Response:
    """The response, with the cookie of a session single sign-on just opened."""
    if opened := getattr(request.state, "new_session", None):
        set_session_cookie(response, request.app.state.settings, opened)
    return response


def see_other(request: Request, url: str) -> Response:
    """Post/redirect/get: 303 to `url` (htmx follows it as a whole page too)."""
    return finish(request, RedirectResponse(url, 303))
