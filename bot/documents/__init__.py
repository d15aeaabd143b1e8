"""Versioned documents of a process: import a draft (Markdown or DOCX), cut it into
addressable sections, follow each section's identity from version to version, show
what changed."""
