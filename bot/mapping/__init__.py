"""Mapping surveys: who in the UN system does what against a list of targets (issue 18, part 1)."""

FORMATS = ("xlsx", "docx", "csv")  # the export formats
WHAT = ("matrix", "catalogue")  # the exports
