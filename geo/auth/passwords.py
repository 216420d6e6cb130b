"""Password rules and hashes.

Hashes are argon2id (argon2-cffi's :class:`~argon2.PasswordHasher`); a hash made with older
parameters is replaced at the next successful login. The policy follows the graded protection
scheme's password rules: at least :data:`MIN_LENGTH` characters from at least three of the four
classes lower case, upper case, digit and symbol, and not the user name.
"""

from __future__ import annotations

import contextlib
import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo._errors import InputError
from geo.i18n import Catalogue

__all__ = [
    "MIN_LENGTH",
    "check_password",
    "hash_password",
    "needs_rehash",
    "password_problems",
    "temporary_password",
    "verify_password",
]

MIN_LENGTH = 10
_HASHER = PasswordHasher()

T = Catalogue(
    {
        "short": (
            "密码至少 {n} 个字符",
            "the password must have at least {n} characters",
        ),
        "classes": (
            "密码须包含小写字母、大写字母、数字、符号中的至少三类（现有 {k} 类）",
            "the password must mix at least three of lower case, upper case, digits and "
            "symbols (it has {k})",
        ),
        "username": (
            "密码不能与用户名相同或包含用户名",
            "the password must not be or contain the user name",
        ),
    }
)


def _classes(password: str) -> int:
    kinds = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(kinds)


def password_problems(password: str, *, username: str = "", lang: str = "en") -> list[str]:
    """Every rule of the password policy that ``password`` breaks (empty when it is fine)."""
    out = []
    if len(password) < MIN_LENGTH:
        out.append(T("short", lang, n=MIN_LENGTH))
    k = _classes(password)
    if k < 3:
        out.append(T("classes", lang, k=k))
    if username and username.lower() in password.lower():
        out.append(T("username", lang))
    return out


def check_password(password: str, *, username: str = "", lang: str = "en") -> None:
    """Raise :class:`InputError` naming every rule ``password`` breaks."""
    problems = password_problems(password, username=username, lang=lang)
    if problems:
        sep = "；" if lang != "en" else "; "
        raise InputError(("weak password: " if lang == "en" else "密码太弱：") + sep.join(problems))


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (False for a missing or broken hash)."""
    if not stored_hash:
        # same work as a real check, so a missing account costs the same time
        with contextlib.suppress(VerificationError):
            _HASHER.verify(_DUMMY_HASH, password)
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether ``stored_hash`` was made with other parameters than today's."""
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def temporary_password(length: int = 14) -> str:
    """A random password that meets the policy (for resets; the user must change it)."""
    alphabet = string.ascii_letters + string.digits + "-_.!@#%+="
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if _classes(pw) >= 4:
            return pw


_DUMMY_HASH = _HASHER.hash(secrets.token_hex(8))
