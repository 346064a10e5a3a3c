"""Encryption of secrets kept in the database (an organisation's OIDC client secret, ...).

Fernet (AES-128-CBC with HMAC-SHA256) from `cryptography`. The key is RIECYCLE_ENCRYPTION_KEY
(a Fernet key: `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`)
when it is set, else one derived from SECRET_KEY. With a separate key a leaked SECRET_KEY does not
also open the stored secrets; changing the key that is in use makes stored secrets unreadable
(enter them again).
"""

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

__all__ = ["InvalidToken", "decrypt", "encrypt"]


def _fernet() -> Fernet:
    key = current_app.config.get("ENCRYPTION_KEY") or os.environ.get("RIECYCLE_ENCRYPTION_KEY")
    if key:
        return Fernet(key.encode() if isinstance(key, str) else key)
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    derived = hashlib.sha256(b"riecycle-encryption:" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt(text: str) -> str:
    """The text encrypted (and authenticated) as a URL-safe token."""
    return _fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The text of a token made by `encrypt`; raises InvalidToken with another key or a changed token."""
    return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
