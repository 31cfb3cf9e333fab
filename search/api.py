"""``GET /api/search/``: the search facade as JSON."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

import search
from search import services
from search.forms import filters_from, positive_int
from search.query import is_id


class HitSerializer(serializers.Serializer):
    document_id = serializers.IntegerField()
    page = serializers.IntegerField(help_text="Page number, from 1.")
    score = serializers.FloatField()
    snippet = serializers.CharField(
        help_text="HTML-escaped text around the matches, each in <mark>."
    )


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="Pass it as the filter's parameter.")
    label = serializers.CharField()
    count = serializers.IntegerField()


class DocumentHitSerializer(serializers.Serializer):
    document_id = serializers.IntegerField()
    title = serializers.CharField()
    request_id = serializers.IntegerField(allow_null=True)
    request_title = serializers.CharField()
    agency = serializers.CharField()
    pages = serializers.ListField(child=serializers.IntegerField())


class SearchResponseSerializer(serializers.Serializer):
    total = serializers.IntegerField(
        help_text="Matching pages you may see; rounded when total_exact is false."
    )
    total_exact = serializers.BooleanField(
        help_text="false: total and facet counts are estimated from a sample of "
        "the matching pages (very many matched); hits are exact."
    )
    page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    took_ms = serializers.FloatField()
    hits = HitSerializer(many=True, help_text="This page's hits in rank order.")
    documents = DocumentHitSerializer(
        many=True, help_text="The hits grouped by document."
    )
    facets = serializers.DictField(
        child=FacetValueSerializer(many=True),
        help_text="agency, request, year, exemption, source: counts of matching "
        "pages for each value (estimates when total_exact is false).",
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


def _filter_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, OpenApiTypes.STR, OpenApiParameter.QUERY, description=description
    )


class SearchView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="search",
        summary="Search released pages",
        description=(
            "Pages the caller may see that match `q`, in the search language of "
            'the search page (words, "phrases", AND/OR/NOT, `-`, `prefix*`, '
            "`fuzzy~`, and filters such as `agency:ICE`). Filters may also be "
            "given as parameters; repeat one for alternatives. A query that "
            "cannot be read is answered 400 with a readable `detail`."
        ),
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True
            ),
            _filter_parameter("agency", "Agency id, abbreviation or slug."),
            _filter_parameter("request", "Request id."),
            _filter_parameter("document", "Search within this document (id)."),
            _filter_parameter("exemption", "b1 .. b9, b7a .. b7f."),
            _filter_parameter("year", "Year received, e.g. 2021."),
            _filter_parameter("from", "Received on or after, YYYY-MM-DD."),
            _filter_parameter("to", "Received on or before, YYYY-MM-DD."),
            _filter_parameter("source", "ocr, text or none."),
            _filter_parameter("tag", "A request tag."),
            _filter_parameter("jurisdiction", "US, US-CA, ..."),
            OpenApiParameter(
                "sort",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=["relevance", "date"],
            ),
            OpenApiParameter("page", OpenApiTypes.INT, OpenApiParameter.QUERY),
            OpenApiParameter(
                "per_page",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                description="1-100",
            ),
        ],
        responses={200: SearchResponseSerializer, 400: ErrorSerializer},
    )
    def get(self, request):
        params = request.query_params
        query = params.get("q", "")
        filters = filters_from(params)
        document = params.get("document")
        if document is not None and not is_id(document):
            return Response({"detail": "document must be a document id."}, status=400)
        if not query.strip() and not filters and document is None:
            return Response(
                {"detail": "Give a query in q, e.g. ?q=detention agency:ICE."},
                status=400,
            )
        result = search.search(
            query,
            user=request.user,
            filters=filters,
            sort=params.get("sort", "relevance"),
            page=positive_int(params.get("page"), 1),
            per_page=positive_int(params.get("per_page"), 20, maximum=100),
            document_id=int(document) if document is not None else None,
        )
        services.search_record(
            user=request.user,
            query=query,
            filters={
                **filters,
                "sort": params.get("sort", ""),
                "page": params.get("page", ""),
            },
            result=result,
            http_request=request,
            document_id=int(document) if document is not None else None,
        )
        if result.error:
            return Response({"detail": result.error}, status=400)
        body = result.as_json()
        body.update(
            {
                "page": result.page,
                "per_page": result.per_page,
                "num_pages": result.num_pages,
                "took_ms": round(result.took_ms, 1),
                "documents": [document.as_json() for document in result.documents],
            }
        )
        return Response(body)
