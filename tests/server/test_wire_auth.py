"""SCRAM-SHA-256 against RFC 7677's test vector, MD5 and cleartext checks."""

from __future__ import annotations

import base64

import pytest

from lakebox.server import auth


def test_scram_sha_256_rfc7677_exchange():
    secret = auth.ScramSecret.from_password("pencil", salt=base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ=="))
    exchange = auth.ScramExchange(secret, nonce="%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")
    first = exchange.server_first(b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
    assert first == b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
    final = exchange.server_final(b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                  b"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
    assert final == b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="


def test_scram_rejects_a_wrong_proof_and_a_wrong_nonce():
    secret = auth.ScramSecret.from_password("pencil", salt=base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ=="))
    exchange = auth.ScramExchange(secret, nonce="abc")
    exchange.server_first(b"n,,n=,r=xyz")
    bad = auth.scram_client_proof("wrong", "n=,r=xyz", "r=xyzabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "c=biws,r=xyzabc")
    with pytest.raises(auth.AuthenticationFailed):
        exchange.server_final(f"c=biws,r=xyzabc,p={bad}".encode())
    exchange = auth.ScramExchange(secret, nonce="abc")
    exchange.server_first(b"n,,n=,r=xyz")
    with pytest.raises(auth.AuthenticationFailed, match="nonce"):
        exchange.server_final(b"c=biws,r=other,p=AAAA")


@pytest.mark.parametrize("client_first", [b"p=tls-server-end-point,,n=,r=x", b"q,,n=,r=x", b"n,,n=", b"\xff"])
def test_scram_rejects_malformed_or_channel_bound_first_messages(client_first):
    exchange = auth.ScramExchange(auth.ScramSecret.from_password("pw"))
    with pytest.raises(auth.AuthenticationFailed):
        exchange.server_first(client_first)


def test_scram_round_trip_with_the_test_client():
    secret = auth.ScramSecret.from_password("pw")
    exchange = auth.ScramExchange(secret)
    server_first = exchange.server_first(b"n,,n=,r=clientnonce").decode()
    nonce = server_first.split(",")[0][2:]
    proof = auth.scram_client_proof("pw", "n=,r=clientnonce", server_first, f"c=biws,r={nonce}")
    assert exchange.server_final(f"c=biws,r={nonce},p={proof}".encode()).startswith(b"v=")


def test_md5_matches_libpq_formula():
    # libpq: "md5" + md5(md5(password + user) + salt)
    assert auth.md5_expected("postgres", "secret", b"\x01\x02\x03\x04") == "md5" + __import__("hashlib").md5(
        __import__("hashlib").md5(b"secretpostgres").hexdigest().encode() + b"\x01\x02\x03\x04").hexdigest()
    assert auth.check_md5("u", "pw", b"salt", auth.md5_expected("u", "pw", b"salt"))
    assert not auth.check_md5("u", "pw", b"salt", auth.md5_expected("u", "other", b"salt"))


def test_cleartext_check():
    assert auth.check_cleartext("pw", "pw")
    assert not auth.check_cleartext("pw", "pw ")
