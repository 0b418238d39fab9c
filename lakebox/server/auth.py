"""Password authentication as PostgreSQL does it: SCRAM-SHA-256 (RFC 5802/7677), MD5, cleartext.

Pure functions and a small SCRAM exchange object; the server drives them with the bytes of
the client's 'p' messages. Credentials are compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

SCRAM_ITERATIONS = 4096
METHODS = ("scram-sha-256", "md5", "password", "trust")


class AuthenticationFailed(Exception):
    pass


@dataclass(frozen=True)
class ScramSecret:
    """What a server keeps of a password (pg_authid's SCRAM-SHA-256$iter:salt$stored:server)."""

    salt: bytes
    iterations: int
    stored_key: bytes
    server_key: bytes

    @classmethod
    def from_password(cls, password: str, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS):
        salt = salt if salt is not None else secrets.token_bytes(16)
        salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        return cls(salt, iterations, hashlib.sha256(client_key).digest(), server_key)


def _attributes(message: str) -> dict[str, str]:
    result = {}
    for part in message.split(","):
        if len(part) < 2 or part[1] != "=":
            raise AuthenticationFailed(f"malformed SCRAM message attribute {part!r}")
        result[part[0]] = part[2:]
    return result


class ScramExchange:
    """One server side of a SCRAM-SHA-256 exchange (no channel binding)."""

    MECHANISM = "SCRAM-SHA-256"

    def __init__(self, secret: ScramSecret, nonce: str | None = None):
        self.secret = secret
        self.server_nonce = nonce or base64.b64encode(secrets.token_bytes(18)).decode("ascii")
        self._client_first_bare = ""
        self._server_first = ""
        self._nonce = ""
        self._gs2 = ""

    def server_first(self, client_first: bytes) -> bytes:
        try:
            text = client_first.decode("utf-8")
        except UnicodeDecodeError:
            raise AuthenticationFailed("malformed SCRAM message: not UTF-8") from None
        if text[:2] == "p=" or text.startswith("p"):
            raise AuthenticationFailed("channel binding is not supported by this server")
        if not (text.startswith("n,") or text.startswith("y,")):
            raise AuthenticationFailed("malformed SCRAM message: bad GS2 header")
        first_comma = text.index(",")
        second = text.find(",", first_comma + 1)
        if second < 0:
            raise AuthenticationFailed("malformed SCRAM message: bad GS2 header")
        self._gs2 = text[:second + 1]
        self._client_first_bare = text[second + 1:]
        attrs = _attributes(self._client_first_bare)
        client_nonce = attrs.get("r")
        if not client_nonce:
            raise AuthenticationFailed("malformed SCRAM message: missing nonce")
        self._nonce = client_nonce + self.server_nonce
        salt = base64.b64encode(self.secret.salt).decode("ascii")
        self._server_first = f"r={self._nonce},s={salt},i={self.secret.iterations}"
        return self._server_first.encode("ascii")

    def server_final(self, client_final: bytes) -> bytes:
        try:
            text = client_final.decode("utf-8")
        except UnicodeDecodeError:
            raise AuthenticationFailed("malformed SCRAM message: not UTF-8") from None
        if ",p=" not in text:
            raise AuthenticationFailed("malformed SCRAM message: missing proof")
        without_proof, proof_b64 = text.rsplit(",p=", 1)
        attrs = _attributes(without_proof)
        if attrs.get("r") != self._nonce:
            raise AuthenticationFailed("SCRAM nonce mismatch")
        if attrs.get("c") != base64.b64encode(self._gs2.encode("utf-8")).decode("ascii"):
            raise AuthenticationFailed("SCRAM channel binding mismatch")
        try:
            proof = base64.b64decode(proof_b64, validate=True)
        except ValueError:
            raise AuthenticationFailed("malformed SCRAM proof") from None
        if len(proof) != 32:
            raise AuthenticationFailed("malformed SCRAM proof")
        auth_message = f"{self._client_first_bare},{self._server_first},{without_proof}".encode("utf-8")
        signature = hmac.new(self.secret.stored_key, auth_message, hashlib.sha256).digest()
        client_key = bytes(a ^ b for a, b in zip(proof, signature))
        if not hmac.compare_digest(hashlib.sha256(client_key).digest(), self.secret.stored_key):
            raise AuthenticationFailed("password")
        server_signature = hmac.new(self.secret.server_key, auth_message, hashlib.sha256).digest()
        return b"v=" + base64.b64encode(server_signature)


def md5_expected(user: str, password: str, salt: bytes) -> str:
    inner = hashlib.md5((password + user).encode("utf-8")).hexdigest()
    return "md5" + hashlib.md5(inner.encode("ascii") + salt).hexdigest()


def check_md5(user: str, password: str, salt: bytes, response: str) -> bool:
    return hmac.compare_digest(md5_expected(user, password, salt).encode(), response.encode("utf-8", "replace"))


def check_cleartext(password: str, response: str) -> bool:
    return hmac.compare_digest(password.encode("utf-8"), response.encode("utf-8", "replace"))


# -- the client side, for tests ------------------------------------------------------------------


def scram_client_proof(password: str, client_first_bare: str, server_first: str, client_final_without_proof: str):
    attrs = _attributes(server_first)
    salt = base64.b64decode(attrs["s"])
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, int(attrs["i"]))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored = hashlib.sha256(client_key).digest()
    auth_message = f"{client_first_bare},{server_first},{client_final_without_proof}".encode()
    signature = hmac.new(stored, auth_message, hashlib.sha256).digest()
    return base64.b64encode(bytes(a ^ b for a, b in zip(client_key, signature))).decode()
