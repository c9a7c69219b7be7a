"""PostgreSQL over TLS: a DATABASE_URL with ``sslmode=verify-full&sslrootcert=…`` gives
engines (and migrations) encrypted connections to a server whose certificate the CA signed
for the URL's host; a certificate for another name, or from another CA, is refused. The
cluster is one of this test's own (ssl=on, only TLS accepted), with a certificate made here."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from affbill_runtime.db import create_engine
from affbill_runtime.migrations import current_revision, head_revision, upgrade
from tests.private_infra import PrivatePostgres

pytestmark = pytest.mark.integration


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_ca(folder: Path, name: str) -> Path:
    openssl("req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", f"/CN={name}", "-keyout", str(folder / f"{name}.key"),
            "-out", str(folder / f"{name}.crt"))
    return folder / f"{name}.crt"


def server_certificate(folder: Path, ca: str, san: str) -> tuple[Path, Path]:
    key, cert, csr, ext = (folder / "server.key", folder / "server.crt", folder / "server.csr",
                           folder / "server.ext")
    openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=affbill-db",
            "-keyout", str(key), "-out", str(csr))
    ext.write_text(f"subjectAltName={san}\n")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(folder / f"{ca}.crt"),
            "-CAkey", str(folder / f"{ca}.key"), "-CAcreateserial", "-days", "2",
            "-extfile", str(ext), "-out", str(cert))
    return cert, key


@pytest.fixture(scope="module")
def tls_postgres() -> Iterator[tuple[PrivatePostgres, Path]]:
    """A private cluster that accepts only TLS, its certificate for 127.0.0.1 alone."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl to make certificates")
    root = Path(tempfile.mkdtemp(prefix="affbill-pg-tls-"))
    root.chmod(0o755)
    pg = PrivatePostgres(root)
    tls = root / "tls"
    tls.mkdir()
    ca = make_ca(tls, "affbill-test-ca")
    make_ca(tls, "another-ca")
    cert, key = server_certificate(tls, "affbill-test-ca", "IP:127.0.0.1")
    try:
        pg.create()
        for path in (cert, key):
            shutil.copy(path, pg.data / path.name)
            if os.geteuid() == 0:
                shutil.chown(pg.data / path.name, "postgres", "postgres")
        (pg.data / key.name).chmod(0o600)
        with (pg.data / "postgresql.conf").open("a") as conf:
            conf.write("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")
        (pg.data / "pg_hba.conf").write_text(
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\n"
            "hostnossl all all 0.0.0.0/0 reject\n")
        pg.start()
        yield pg, ca
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            pg.stop()
        shutil.rmtree(root, ignore_errors=True)


async def encrypted(url: str) -> bool:
    """Whether a connection of an engine made from ``url`` is encrypted (pg_stat_ssl)."""
    engine = create_engine(url, "public", app="affbill-tls-test")
    try:
        async with engine.connect() as conn:
            return bool((await conn.execute(text(
                "select ssl from pg_stat_ssl where pid = pg_backend_pid()"))).scalar_one())
    finally:
        await engine.dispose()


async def test_verify_full_connects_encrypted_and_migrations_run_over_it(
        tls_postgres: tuple[PrivatePostgres, Path]) -> None:
    pg, ca = tls_postgres
    url = f"{pg.url}?sslmode=verify-full&sslrootcert={ca}"
    assert await encrypted(url)
    await asyncio.to_thread(upgrade, "affbill_jobs", url, "jobs_tls")
    engine = create_engine(url, "jobs_tls")
    try:
        assert await current_revision(engine, "jobs_tls") == head_revision("affbill_jobs")
    finally:
        await engine.dispose()


async def test_the_server_must_be_signed_by_the_ca_and_named_as_the_url_says(
        tls_postgres: tuple[PrivatePostgres, Path]) -> None:
    pg, ca = tls_postgres
    other_ca = ca.with_name("another-ca.crt")
    with pytest.raises(Exception, match="certificate verify failed"):
        await encrypted(f"{pg.url}?sslmode=verify-full&sslrootcert={other_ca}")
    by_name = pg.url.replace("127.0.0.1", "localhost")  # the certificate names 127.0.0.1 only
    with pytest.raises(Exception, match="match|mismatch"):
        await encrypted(f"{by_name}?sslmode=verify-full&sslrootcert={ca}")
    assert await encrypted(f"{by_name}?sslmode=verify-ca&sslrootcert={ca}")  # no name check


async def test_without_tls_the_server_refuses(
        tls_postgres: tuple[PrivatePostgres, Path]) -> None:
    pg, _ = tls_postgres
    with pytest.raises(Exception, match="no encryption|rejects connection|pg_hba"):
        await encrypted(f"{pg.url}?sslmode=disable")


def test_a_misspelt_sslmode_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="sslmode='verify_full'"):
        create_engine("postgresql://u@h/d?sslmode=verify_full", "public")
