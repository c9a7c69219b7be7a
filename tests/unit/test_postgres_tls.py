"""libpq's TLS parameters in DATABASE_URL become asyncpg's ssl argument (postgres_tls)."""

from __future__ import annotations

import ssl

import pytest

from affbill_runtime.postgres_tls import engine_url

CA = ssl.get_default_verify_paths().cafile or None


def test_a_url_without_sslmode_is_left_to_asyncpg() -> None:
    assert engine_url("postgresql://u:p@db:5432/affbill") == (
        "postgresql+asyncpg://u:p@db:5432/affbill", {})


@pytest.mark.skipif(CA is None, reason="no system CA file to name as sslrootcert")
def test_verify_full_checks_the_certificate_and_the_host_name() -> None:
    url, args = engine_url(
        f"postgres://u:p%40ss@db:5432/affbill?sslmode=verify-full&sslrootcert={CA}"
        "&application_name=billing")
    assert url == "postgresql+asyncpg://u:p%40ss@db:5432/affbill?application_name=billing"
    context = args["ssl"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


@pytest.mark.skipif(CA is None, reason="no system CA file to name as sslrootcert")
def test_verify_ca_skips_the_name_and_require_checks_nothing() -> None:
    verify_ca = engine_url(f"postgresql://db/affbill?sslmode=verify-ca&sslrootcert={CA}")[1]
    assert verify_ca["ssl"].verify_mode == ssl.CERT_REQUIRED
    assert not verify_ca["ssl"].check_hostname
    require = engine_url("postgresql://db/affbill?sslmode=require")[1]["ssl"]
    assert require.verify_mode == ssl.CERT_NONE
    assert engine_url("postgresql://db/affbill?sslmode=disable")[1] == {"ssl": False}
    assert engine_url("postgresql://db/affbill?sslmode=prefer")[1] == {"ssl": "prefer"}


def test_tls_files_without_sslmode_or_a_misspelt_mode_are_refused() -> None:
    with pytest.raises(ValueError, match="need sslmode"):
        engine_url("postgresql://db/affbill?sslrootcert=/ca.crt")
    with pytest.raises(ValueError, match="sslmode='verify'"):
        engine_url("postgresql://db/affbill?sslmode=verify")
