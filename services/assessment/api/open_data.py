"""Satu Data Indonesia routes: a finalised cohort's results as CSV, Data Package, DCAT and results.json."""

from __future__ import annotations

from flask import Response, jsonify, url_for

from services.assessment import open_data
from services.assessment.api.common import api, cohorts_tag
from services.assessment.schemas import ResultsOut, YearPath
from shared.web import public, runtime_of

JSON_LD = "application/ld+json"


def _document(description: str, media_type: str = "application/json") -> dict:
    return {"description": description, "content": {media_type: {"schema": {"type": "object"}}}}


def _published(year: int) -> open_data.Publication:
    # Plain values only leave the unit of work, so the formats are built after it has closed.
    with runtime_of().uow() as uow:
        return open_data.publication(uow, year)


def _described_by(year: int) -> str:
    package = url_for(".results_datapackage", year=year)
    return f'<{package}>; rel="describedby"; type="application/json"'


@api.get(
    "/cohorts/<int:year>/results.json",
    tags=[cohorts_tag],
    responses={200: ResultsOut},
    summary="Satu Data Indonesia: the finalised results with their original metadata block (see datapackage.json)",
    security=[],
)
@public
def results_json(path: YearPath) -> Response:
    response = jsonify(open_data.results_document(_published(path.year)))
    response.headers["Link"] = _described_by(path.year)
    return response


@api.get(
    "/cohorts/<int:year>/results.csv",
    tags=[cohorts_tag],
    responses={
        200: {"description": "CSV, one row per applicant", "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
    summary="Satu Data Indonesia: the finalised results as CSV; its Table Schema is in datapackage.json",
    security=[],
)
@public
def results_csv(path: YearPath) -> Response:
    response = Response(open_data.results_csv(_published(path.year)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="menuju-smart-city-{path.year}-hasil.csv"'
    response.headers["Link"] = _described_by(path.year)
    return response


@api.get(
    "/cohorts/<int:year>/datapackage.json",
    tags=[cohorts_tag],
    responses={200: _document("Frictionless Data Package descriptor; its CSV is results.csv beside it")},
    summary="Satu Data Indonesia: the Data Package (licence, publisher, WIB dates, Table Schema), in Indonesian",
    security=[],
)
@public
def results_datapackage(path: YearPath) -> Response:
    return jsonify(open_data.data_package(_published(path.year)))


@api.get(
    "/cohorts/<int:year>/dcat.json",
    tags=[cohorts_tag],
    responses={200: _document("DCAT-AP dataset as JSON-LD", JSON_LD)},
    summary="Satu Data Indonesia: DCAT dataset metadata for a CKAN portal to harvest, in Indonesian",
    security=[],
)
@public
def results_dcat(path: YearPath) -> Response:
    published = _published(path.year)

    def absolute(endpoint: str) -> str:
        return url_for(endpoint, year=path.year, _external=True)

    response = jsonify(
        open_data.dcat_dataset(
            published,
            dataset_url=absolute(".results_dcat") + "#dataset",
            csv_url=absolute(".results_csv"),
            package_url=absolute(".results_datapackage"),
        )
    )
    response.mimetype = JSON_LD
    return response
