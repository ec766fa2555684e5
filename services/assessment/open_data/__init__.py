"""A finalised cohort's results as Satu Data Indonesia open data: a Frictionless Data Package, DCAT metadata.

Reads only (docs/decisions/0005): ``publication`` loads a finalised cohort once; the other functions turn it
into the CSV, ``datapackage.json``, ``dcat.json`` and the original ``results.json``.
"""

from services.assessment.open_data.crosswalk import bps_codes
from services.assessment.open_data.dcat import dcat_dataset
from services.assessment.open_data.package import CSV_NAME, data_package
from services.assessment.open_data.publication import Publication, publication
from services.assessment.open_data.results import cohort_results, results_csv, results_document

__all__ = [
    "CSV_NAME",
    "Publication",
    "bps_codes",
    "cohort_results",
    "data_package",
    "dcat_dataset",
    "publication",
    "results_csv",
    "results_document",
]
