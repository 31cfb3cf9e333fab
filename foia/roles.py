"""The newsroom's roles, kept as Django groups."""

from __future__ import annotations

REPORTER = "reporter"
EDITOR = "editor"
RESEARCHER = "researcher"
ADMIN = "admin"

ROLES: dict[str, str] = {
    REPORTER: "Files and manages their own requests.",
    EDITOR: "Sees and manages every request of the newsroom.",
    RESEARCHER: "Reads and searches documents the newsroom may see; files nothing.",
    ADMIN: "Runs the installation.",
}


def names_of(user) -> frozenset[str]:
    """The role names of ``user`` (none when signed out), read from the database
    once per user object: one response asks several times."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_foia_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._foia_role_names = cached
    return cached


def sees_everything(user) -> bool:
    """Superusers, editors and administrators see every request and document."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and (user.is_superuser or names_of(user) & {EDITOR, ADMIN})
    )
