"""Exports of a round's data to files people circulate and edit.

The comment matrix (`matrix_*`): the writers take a plain `Matrix` (built by the round's
queries) and return the file's bytes or text; `read_responses` takes back an XLSX the
secretariat filled in.
"""

from bot.exports.matrix_docx import write_docx
from bot.exports.matrix_import import MatrixFileErrors, MatrixProblem, read_responses
from bot.exports.matrix_model import Matrix, MatrixRow, ResponseUpdate
from bot.exports.matrix_text import write_csv, write_markdown
from bot.exports.matrix_xlsx import write_xlsx

__all__ = ["Matrix", "MatrixFileErrors", "MatrixProblem", "MatrixRow", "ResponseUpdate", "read_responses",
           "write_csv", "write_docx", "write_markdown", "write_xlsx"]
