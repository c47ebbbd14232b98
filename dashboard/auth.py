"""Optional sign-in for a shared dashboard: users in a TOML file, passwords stored hashed.

```toml
[users.lina]
name = "李娜"                      # shown in the sidebar (optional)
password = "scrypt$16384$8$1$…$…"  # from: uv run python dashboard/auth.py
owners = ["李娜"]                  # optional: this user sees only these owners' customers
```

Hashes are stdlib `hashlib.scrypt` (salted, memory-hard) and compared in constant time; a
plain password in the file is refused, as are unknown keys. Run this file to hash a password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

N, R, P = 2**14, 8, 1
USER_KEYS = {"name", "password", "owners"}


class AuthError(ValueError):
    """The users file cannot be used (named file and user)."""


@dataclass(frozen=True)
class User:
    login: str
    name: str
    password: str  # scrypt$N$r$p$salt$hash (hex)
    owners: tuple[str, ...] | None  # None: every customer


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        found = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found.hex(), digest)


def read_users(path: Path) -> dict[str, User]:
    """The users of a config file; an error names the file and the user."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AuthError(f"{path}: {exc}") from None
    unknown = set(data) - {"users"}
    if unknown:
        raise AuthError(f"{path}: unknown keys {', '.join(sorted(unknown))} (only [users.NAME])")
    users = {}
    for login, entry in data.get("users", {}).items():
        if not isinstance(entry, dict):
            raise AuthError(f"{path}: users.{login} must be a table")
        extra = set(entry) - USER_KEYS
        if extra:
            raise AuthError(f"{path}: users.{login}: unknown keys {', '.join(sorted(extra))}")
        stored = entry.get("password", "")
        if not (
            isinstance(stored, str) and stored.startswith("scrypt$") and stored.count("$") == 5
        ):
            raise AuthError(
                f"{path}: users.{login}: the password must be a scrypt hash "
                "(run `uv run python dashboard/auth.py`), never the password itself"
            )
        owners = entry.get("owners")
        if owners is not None and not (
            isinstance(owners, list) and all(isinstance(o, str) for o in owners)
        ):
            raise AuthError(f"{path}: users.{login}: owners must be a list of names")
        users[login] = User(
            login, str(entry.get("name", login)), stored, tuple(owners) if owners else None
        )
    if not users:
        raise AuthError(f"{path}: no [users.NAME] entry")
    return users


def check(users: dict[str, User], login: str, password: str) -> User | None:
    """The user when the password is right; None otherwise (the same time either way)."""
    user = users.get(login)
    stored = user.password if user else hash_password("", salt=b"\0" * 16)
    ok = verify_password(password, stored)
    return user if (user and ok) else None


if __name__ == "__main__":  # pragma: no cover - a tool for whoever writes the users file
    import getpass

    print(hash_password(getpass.getpass("Password to hash: ")))
