"""The comment matrix's file formats: a constant the command line's parser reads without loading the writers."""

FORMATS = ("xlsx", "docx", "csv", "md")
