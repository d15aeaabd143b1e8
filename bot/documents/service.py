"""Documents of a process: import a version, list its sections, compare two versions."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, select

from bot import audit
from bot.documents.compare import SectionChange, assign_identities, compare
from bot.documents.naming import check_slug, clean_title, match_section, slugify, source_name, title_from_name
from bot.documents.parse import ParsedDocument, parse_file
from bot.errors import Conflict, Invalid, NotFound
from bot.processes.service import get_process, require_active
from bot.roles.service import require_manager
from storage.models import Document, DocumentVersion, Person, Process, Section


@dataclass(frozen=True)
class ImportResult:
    document: Document
    version: DocumentVersion
    sections: list[Section]
    created: bool  # a new document (this is its version 1)
    previous: DocumentVersion | None = None
    changes: list[SectionChange] = field(default_factory=list)  # against `previous`


def new_identity() -> str:
    return uuid.uuid4().hex[:12]


def _process(session: Session, process: Process | str) -> Process:
    return get_process(session, process) if isinstance(process, str) else process


def documents_of(session: Session, process: Process | str) -> list[Document]:
    process = _process(session, process)
    return list(session.exec(select(Document).where(Document.process_id == process.id).order_by(Document.slug)))


def get_document(session: Session, process: Process | str, slug: str | None = None) -> Document:
    """By slug; without one, the process's only document."""
    process = _process(session, process)
    documents = documents_of(session, process)
    slugs = ", ".join(d.slug for d in documents) or "—"
    if slug is None:
        if len(documents) == 1:
            return documents[0]
        if not documents:
            raise NotFound("documents.none_yet", process=process.handle)
        raise Invalid("documents.which_document", field="slug", process=process.handle, slugs=slugs)
    for document in documents:
        if document.slug == slug.strip().lower():
            return document
    raise NotFound("documents.unknown_document", slug=slug[:70], process=process.handle, slugs=slugs)


def versions_of(session: Session, document: Document) -> list[DocumentVersion]:
    return list(session.exec(select(DocumentVersion).where(DocumentVersion.document_id == document.id)
                             .order_by(DocumentVersion.number)))


def get_version(session: Session, document: Document, number: int) -> DocumentVersion:
    versions = versions_of(session, document)
    for version in versions:
        if version.number == number:
            return version
    latest = versions[-1].number if versions else 0
    raise NotFound("documents.unknown_version", number=number, slug=document.slug, latest=latest)


def latest_version(session: Session, process: Process | str, slug: str | None = None) -> DocumentVersion:
    versions = versions_of(session, get_document(session, process, slug))
    if not versions:
        raise NotFound("documents.none_yet", process=_process(session, process).handle)
    return versions[-1]


def sections_of(session: Session, version_id: int) -> list[Section]:
    return list(session.exec(select(Section).where(Section.version_id == version_id).order_by(Section.position)))


def find_section(session: Session, version_id: int, number_or_text: str) -> Section:
    """"3.2", "para 14", "§3.2", "section 3.2" or heading words; NotFound names the closest."""
    return match_section(sections_of(session, version_id), number_or_text)


def _version(session: Session, version_id: int) -> DocumentVersion:
    version = session.get(DocumentVersion, version_id)
    if version is None:
        raise NotFound("documents.unknown_version_id", version_id=version_id)
    return version


def diff_versions(session: Session, old_version_id: int, new_version_id: int) -> list[SectionChange]:
    old, new = _version(session, old_version_id), _version(session, new_version_id)
    if old.document_id != new.document_id:
        raise Invalid("documents.diff_other_document")
    return compare(sections_of(session, old.id), sections_of(session, new.id))


def _find_document(session: Session, process: Process, slug: str) -> Document | None:
    return session.exec(select(Document).where(Document.process_id == process.id, Document.slug == slug)).first()


def _refuse_duplicate(session: Session, document: Document | None, digest: str) -> None:
    if document is None:
        return
    same = session.exec(select(DocumentVersion.number).where(DocumentVersion.document_id == document.id,
                                                             DocumentVersion.source_sha256 == digest)).first()
    if same is not None:
        raise Conflict("documents.already_imported", version=same, slug=document.slug)


def import_version(session: Session, actor: Person, process_handle: str, name: str, data: bytes,
                   title: str | None = None, slug: str | None = None) -> ImportResult:
    """Parse, then write the document (if new), the version, its sections and the audit
    entries in the caller's transaction. Every refusal comes before the first write."""
    process = get_process(session, process_handle)
    require_manager(session, actor, process)
    require_active(process)
    parsed = parse_file(name, data)
    title = clean_title(title or parsed.title or title_from_name(name))
    slug = check_slug(slug) if slug else slugify(title)
    document = _find_document(session, process, slug)
    digest = hashlib.sha256(data).hexdigest()
    _refuse_duplicate(session, document, digest)
    created = document is None
    if document is None:
        document = Document(process_id=process.id, slug=slug, title=title)
        session.add(document)
        session.flush()
        audit.record(session, actor.slack_user_id, "document.create", document)
    previous = versions_of(session, document)[-1] if not created else None
    version = DocumentVersion(document_id=document.id, number=(previous.number + 1) if previous else 1,
                              source_name=source_name(name), source_sha256=digest,
                              imported_by=actor.slack_user_id)
    session.add(version)
    session.flush()
    old_sections = sections_of(session, previous.id) if previous else []
    sections = _add_sections(session, version, parsed, old_sections)
    audit.record(session, actor.slack_user_id, "document.import", version,
                 after={**audit.snapshot(version), "slug": document.slug, "sections": len(sections)})
    changes = compare(old_sections, sections) if previous else []
    return ImportResult(document, version, sections, created, previous, changes)


def _add_sections(session: Session, version: DocumentVersion, parsed: ParsedDocument,
                  old_sections: list[Section]) -> list[Section]:
    identities = assign_identities(old_sections, parsed.sections, new_identity)
    sections = [Section(version_id=version.id, position=i, number=s.number, heading=s.heading, text=s.text,
                        identity=identity)
                for i, (s, identity) in enumerate(zip(parsed.sections, identities))]
    session.add_all(sections)
    session.flush()
    return sections
