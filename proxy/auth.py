"""Password verifiers and the server side of SCRAM-SHA-256, MD5 and cleartext authentication.

Only verifiers are stored: PostgreSQL's `SCRAM-SHA-256$iter:salt$StoredKey:ServerKey` text, and,
when MD5 is configured, PostgreSQL's `md5` + md5(password || user).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

import scramp

ITERATIONS = 4096
SALT_BYTES = 16  # some clients break on other salt lengths
_MECH = scramp.ScramMechanism("SCRAM-SHA-256")
_VERIFIER = re.compile(r"^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$")


def scram_verifier(password: str) -> str:
    salt, stored_key, server_key, iterations = _MECH.make_auth_info(
        password, iteration_count=ITERATIONS, salt=os.urandom(SALT_BYTES)
    )
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def is_scram_verifier(text: str) -> bool:
    return _VERIFIER.match(text) is not None


def md5_verifier(password: str, user: str) -> str:
    return "md5" + hashlib.md5((password + user).encode()).hexdigest()


def parse_verifier(verifier: str) -> tuple[bytes, bytes, bytes, int]:
    m = _VERIFIER.match(verifier)
    if m is None:
        raise ValueError("not a SCRAM-SHA-256 verifier")
    it, salt, stored, server = m.groups()
    return base64.b64decode(salt), base64.b64decode(stored), base64.b64decode(server), int(it)


def check_password(verifier: str, password: str) -> bool:
    """Cleartext password against a SCRAM verifier (RFC 5802 key derivation)."""
    salt, stored_key, _, iterations = parse_verifier(verifier)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    return hmac.compare_digest(hashlib.sha256(client_key).digest(), stored_key)


def check_md5(md5_stored: str, salt: bytes, response: str) -> bool:
    expected = "md5" + hashlib.md5(md5_stored[3:].encode() + salt).hexdigest()
    return hmac.compare_digest(expected, response)


class ScramExchange:
    """One SCRAM-SHA-256 conversation. An unknown user gets a decoy verifier so that the exchange
    fails at the same step as a wrong password, and user names cannot be probed."""

    def __init__(self, verifier: str | None) -> None:
        if verifier is None or not is_scram_verifier(verifier):
            verifier = scram_verifier(os.urandom(16).hex())
            self.known = False
        else:
            self.known = True
        info = parse_verifier(verifier)
        self._server = _MECH.make_server(lambda _username: info)

    def first(self, client_first: str) -> str:
        self._server.set_client_first(client_first)
        return self._server.get_server_first()

    def final(self, client_final: str) -> str:
        """Server-final message; raises scramp.ScramException when the proof is wrong."""
        self._server.set_client_final(client_final)
        if not self.known:
            raise scramp.ScramException("unknown user")
        return self._server.get_server_final()
