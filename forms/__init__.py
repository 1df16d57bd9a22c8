"""Questionnaires as plain data, and the WTForms forms built from them. No Flask, no
database (tests/test_layers.py).

- schema: the `appraisal-questionnaire/1` definition — validate, normalise, load,
  content_hash; problems named by path (problems).
- specs: the loaded questionnaire as frozen dataclasses.
- registry and field_types: one class per question type.
- builder: a fresh WTForms form class per questionnaire and language; the answers of a
  submission, display conditions enforced.
- interchange: JSON and XLSForm import and export.
- standard: the standard questionnaires; canonical: canonical JSON and hashes.
"""
