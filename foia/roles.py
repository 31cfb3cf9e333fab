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
