"""Accounts, roles and scopes, sessions and the audit trail.

>>> from geo.auth import Scope, audit
>>> scope = Scope.for_user(user, store)          # doctest: +SKIP
>>> households = scope.read(store, "households")  # doctest: +SKIP
"""

from geo.auth import audit
from geo.auth.scope import ACTIONS, ROLES, AccessDenied, Scope, may
from geo.auth.users import User

__all__ = ["ACTIONS", "ROLES", "AccessDenied", "Scope", "User", "audit", "may"]
