"""Encrypting small secrets at rest (the TOTP secret, an SSO client secret) with Fernet.

The key comes from RIECYCLE_ENCRYPTION_KEY when it is set, else it is derived from the app's
SECRET_KEY. RIECYCLE_ENCRYPTION_KEY may hold several keys separated by commas: the first one
encrypts, every one decrypts, so a key can be rotated without losing what was stored. A key that
is not a Fernet key (32 url-safe base64 bytes) is stretched into one with SHA-256.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

__all__ = ["InvalidToken", "decrypt", "encrypt"]


def _fernet_key(material: str) -> bytes:
    try:
        if len(base64.urlsafe_b64decode(material.encode())) == 32:
            return material.encode()
    except (ValueError, TypeError):
        pass
    digest = hashlib.sha256(b"riecycle-encryption:" + material.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _cipher() -> MultiFernet:
    configured = current_app.config.get("ENCRYPTION_KEY") or ""
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    if not keys:
        keys = [str(current_app.config["SECRET_KEY"])]
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def encrypt(text: str) -> str:
    """The text encrypted (and authenticated) as a url-safe token."""
    return _cipher().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The text of a token made by encrypt(); raises InvalidToken when it was not (or the key changed)."""
    return _cipher().decrypt(token.encode()).decode()
