"""Signed events: what billing signs, documents can verify from the bytes it receives; an
unsigned, re-signed or changed event is refused with the reason "signature"."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from affbill_contracts import Envelope, InvoiceIssued, decode, encode
from affbill_contracts.signing import SignatureRejected, canonical, sign, verify
from tests.unit.documents.samples import invoice

SECRET = "s3cret"


def event() -> Envelope[InvoiceIssued]:
    return Envelope.wrap(InvoiceIssued(document=invoice(2, number="INV-2026-Ł0001"),
                                       issued_by="Łukasz"))


def test_a_signed_event_verifies_from_its_bytes() -> None:
    raw = encode(sign(event(), SECRET))
    verify(raw, SECRET)
    assert decode(raw).signature is not None


def test_key_order_and_whitespace_do_not_matter() -> None:
    message = json.loads(encode(sign(event(), SECRET)))
    verify(json.dumps(dict(reversed(list(message.items()))), indent=2), SECRET)


@pytest.mark.parametrize("raw", [
    encode(event()),  # unsigned
    encode(sign(event(), "another secret")),  # signed by someone else
    encode(sign(event(), SECRET)).replace(b"\\u0141ukasz", b"Eve").replace(
        "Łukasz".encode(), b"Eve"),  # changed after signing
    b"[]", b"{not json",
])
def test_anything_else_is_refused_for_its_signature(raw: bytes) -> None:
    with pytest.raises(SignatureRejected, match="^signature: "):
        verify(raw, SECRET)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), JSON_VALUES, max_size=6))
def test_the_canonical_bytes_are_the_standard_librarys(message: dict[str, object]) -> None:
    """orjson writes them for speed; events signed before (by json.dumps) still verify."""
    unsigned = {k: v for k, v in message.items() if k != "signature"}
    assert canonical(message) == json.dumps(unsigned, sort_keys=True, separators=(",", ":"),
                                            ensure_ascii=False).encode()


def test_a_message_orjson_cannot_write_is_written_by_the_standard_library() -> None:
    assert canonical({"n": 2**70, "signature": "x"}) == b'{"n":1180591620717411303424}'
