"""Search from the command line, as a given user sees it."""

from __future__ import annotations

import html
import json
import re

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

import search
from search import services

_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


class Command(BaseCommand):
    help = (
        "Print the pages matching QUERY in rank order, as --user sees them "
        "(every page without --user). --json prints "
        '{"total", "total_exact", "hits": [{"document_id", "page", "score", '
        '"snippet"}], "facets"}; total_exact false: total and facet counts are '
        "estimated from a sample of the matching pages; hits are exact."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "query", help="The query, e.g. '\"use of force\" agency:ICE'"
        )
        parser.add_argument("--json", action="store_true", dest="as_json")
        parser.add_argument("--user", help="Search as this user (username).")
        parser.add_argument("--page", type=int, default=1)
        parser.add_argument("--per-page", type=int, default=20)
        parser.add_argument(
            "--sort", choices=("relevance", "date"), default="relevance"
        )

    def handle(self, *args, query, as_json, user, page, per_page, sort, **options):
        if user:
            try:
                as_user = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(
                    f"No user is called {user!r}.", returncode=2
                ) from None
        else:
            as_user = search.SERVER
        if not query.strip():
            raise CommandError("Give a query to search for.", returncode=2)
        result = search.search(
            query, user=as_user, sort=sort, page=page, per_page=per_page
        )
        services.search_record(
            user=None,
            query=query,
            filters={"page": page, "sort": sort},
            result=result,
            detail=f"search command as {user or 'the server'}",
            via="cli",
        )
        if result.error:
            raise CommandError(result.error, returncode=2)
        if as_json:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        self._print(result, user or "the server (every page)")

    def _print(self, result, who: str) -> None:
        plural = "" if result.total == 1 else "s"
        about = "" if result.total_exact else "about "
        self.stdout.write(
            f"{about}{result.total:,} page{plural} match, as {who} sees them "
            f"({result.took_ms:.0f} ms)."
        )
        titles = {doc.document_id: doc for doc in result.documents}
        for rank, hit in enumerate(result.hits, start=result.first_index):
            document = titles.get(hit.document_id)
            title = document.title if document else ""
            self.stdout.write(
                f"{rank:>4}. document {hit.document_id} page {hit.number}  "
                f"{title}  (score {hit.score:.3f})"
            )
            self.stdout.write(f"      {self._plain(hit.snippet)}")
        if result.has_next:
            self.stdout.write(f"More: --page {result.page + 1}")

    def _plain(self, snippet: str) -> str:
        if self.stdout.isatty():
            marked = _MARK.sub(lambda m: f"\x1b[1;7m{m.group(1)}\x1b[0m", snippet)
        else:
            marked = _MARK.sub(lambda m: f"[{m.group(1)}]", snippet)
        return html.unescape(_TAG.sub("", marked))
