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

from pgwire.oracle import ora

ITERATIONS = 4096
SALT_BYTES = 16  # some clients break on other salt lengths
_MECH = scramp.ScramMechanism("SCRAM-SHA-256")
_VERIFIER = re.compile(r"^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$")


def scram_verifier(password: str) -> str:
    """The verifier of a new password; one SASLprep refuses (prohibited characters: control, private
    use, unassigned code points) is ORA-00988, not a verifier no client could match."""
    try:
        salt, stored_key, server_key, iterations = _MECH.make_auth_info(
            password, iteration_count=ITERATIONS, salt=os.urandom(SALT_BYTES)
        )
    except scramp.ScramException as e:
        raise ora(988, f"the password has characters SCRAM's SASLprep forbids ({e})") from None
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


class ScramError(Exception):
    """The client's SCRAM messages were malformed or its proof was wrong."""


class ScramExchange:
    """Server side of one SCRAM-SHA-256 conversation (RFC 5802 / 7677), without channel binding.

    Written here rather than with scramp's server because libpq sends an empty user name in
    client-first (the startup packet carries it), which scramp refuses. An unknown user gets a
    decoy verifier, so the exchange fails at the same step as a wrong password.
    """

    def __init__(self, verifier: str | None) -> None:
        self.known = verifier is not None and is_scram_verifier(verifier)
        if not self.known:
            verifier = scram_verifier(os.urandom(16).hex())
        assert verifier is not None
        self.salt, self.stored_key, self.server_key, self.iterations = parse_verifier(verifier)
        self._bare = ""
        self._server_first = ""
        self._gs2 = ""
        self._nonce = ""

    def first(self, client_first: str) -> str:
        flag, _, rest = client_first.partition(",")
        authzid, _, bare = rest.partition(",")
        if flag not in ("n", "y") or not bare:
            raise ScramError("unsupported SCRAM channel binding or malformed client-first message")
        attrs = dict(a.split("=", 1) for a in bare.split(",") if "=" in a)
        cnonce = attrs.get("r")
        if not cnonce:
            raise ScramError("client-first message has no nonce")
        self._gs2 = f"{flag},{authzid},"
        self._bare = bare
        self._nonce = cnonce + base64.b64encode(os.urandom(18)).decode()
        self._server_first = f"r={self._nonce},s={base64.b64encode(self.salt).decode()},i={self.iterations}"
        return self._server_first

    def final(self, client_final: str) -> str:
        """Server-final message; raises ScramError when the proof is wrong."""
        without_proof, sep, proof_b64 = client_final.rpartition(",p=")
        if not sep:
            raise ScramError("client-final message has no proof")
        attrs = dict(a.split("=", 1) for a in without_proof.split(",") if "=" in a)
        if attrs.get("r") != self._nonce or base64.b64decode(attrs.get("c", "")) != self._gs2.encode():
            raise ScramError("nonce or channel binding mismatch")
        auth_message = f"{self._bare},{self._server_first},{without_proof}".encode()
        signature = hmac.new(self.stored_key, auth_message, "sha256").digest()
        proof = base64.b64decode(proof_b64)
        client_key = bytes(a ^ b for a, b in zip(proof, signature, strict=False))
        if len(proof) != len(signature) or not self.known:
            raise ScramError("invalid proof")
        if not hmac.compare_digest(hashlib.sha256(client_key).digest(), self.stored_key):
            raise ScramError("invalid proof")
        server_sig = hmac.new(self.server_key, auth_message, "sha256").digest()
        return "v=" + base64.b64encode(server_sig).decode()
