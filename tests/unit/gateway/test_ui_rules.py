"""The web UI's rules: argon2 password hashes, session ids kept only as digests, CSRF tokens
compared per session, usernames, and money in the user's locale rounded to the currency."""

from __future__ import annotations

import datetime as dt

import pytest
from babel import Locale

from affbill_gateway.domain import users as rules
from affbill_gateway.entrypoints.web.render import money


def test_a_password_is_kept_as_an_argon2id_hash_that_only_it_matches() -> None:
    stored = rules.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert rules.password_matches(stored, "correct horse battery")
    assert not rules.password_matches(stored, "correct horse battery ")
    assert not rules.password_matches(stored, "")
    assert not rules.needs_rehash(stored)


def test_the_same_password_hashes_differently_each_time() -> None:
    assert rules.hash_password("same password!") != rules.hash_password("same password!")


@pytest.mark.parametrize("password, reason", [("short", "at least 10"),
                                              ("x" * 1001, "at most 1000")])
def test_a_password_too_short_or_too_long_is_refused_with_the_reason(password: str,
                                                                     reason: str) -> None:
    with pytest.raises(rules.PasswordRefused, match=reason):
        rules.hash_password(password)


def test_a_user_without_a_password_hash_never_signs_in_by_password() -> None:
    assert not rules.password_matches(None, "anything at all")
    assert not rules.password_matches("not a hash", "anything at all")
    assert not rules.password_matches(rules.hash_password("a long password"), "y" * 2000)


def test_a_session_id_is_random_and_stored_only_as_its_digest() -> None:
    first, second = rules.new_session_id(), rules.new_session_id()
    assert first != second and len(first) >= 43  # 256 bits, url-safe
    digest = rules.session_digest(first)
    assert len(digest) == 64 and first not in digest
    assert digest == rules.session_digest(first) != rules.session_digest(second)


@pytest.mark.parametrize("expected, given, ok", [
    ("token-a", "token-a", True), ("token-a", "token-b", False), ("token-a", "", False),
    ("token-a", None, False), (None, "token-a", False), ("", "", False)])
def test_a_post_passes_only_with_its_sessions_csrf_token(expected: str | None,
                                                         given: str | None, ok: bool) -> None:
    assert rules.csrf_ok(expected, given) is ok


def test_every_session_gets_its_own_csrf_token() -> None:
    assert len({rules.new_csrf_token() for _ in range(50)}) == 50


def test_a_session_expires_after_its_lifetime() -> None:
    now = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
    assert rules.expires(now, 3600) == dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)


@pytest.mark.parametrize("name", ["anna", "anna.smith@network.example", "a1_b-c+d"])
def test_usernames_of_letters_digits_and_mail_signs_are_taken(name: str) -> None:
    assert rules.check_username(name) == name


@pytest.mark.parametrize("name", ["", " anna", "anna smith", "-anna", "a" * 101, "änna"])
def test_other_usernames_are_refused_naming_the_field(name: str) -> None:
    with pytest.raises(ValueError, match="username"):
        rules.check_username(name)


@pytest.mark.parametrize("amount, currency, locale, shown", [
    ("1234.565", "EUR", "de_DE", "1.234,57\xa0€"),  # HALF_UP, not banker's rounding
    ("1234.5", "USD", "en_US", "$1,234.50"),
    ("1234.5", "JPY", "ja_JP", "￥1,235"),  # no minor unit
    ("-10", "EUR", "en_GB", "-€10.00"),
    ("0.1255", "KWD", "en_US", "KWD0.126"),  # three decimals
])
def test_money_is_rounded_to_the_currency_and_shown_in_the_locale(
        amount: str, currency: str, locale: str, shown: str) -> None:
    assert money(amount, currency, Locale.parse(locale)) == shown


def test_missing_money_shows_nothing() -> None:
    assert money(None, "EUR", Locale.parse("en_US")) == ""
