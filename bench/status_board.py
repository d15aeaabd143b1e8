"""The status board of a round with 200 entities and 5,000 inputs, on SQLite.

    python bench/status_board.py [--entities 200] [--inputs 25] [--repeat 20]

Builds a temporary SQLite database through the migrations and the domain services' tables:
`--entities` member entities, one round asking them all, `--inputs` inputs from 80 % of them,
nil returns from 10 %, the rest silent. Then times what `/consult status` does after its ack:
`board()` (the aggregate queries) and `render_board()` (Block Kit), median of `--repeat` runs
in one session each, after one warm-up. Goal: under 100 ms. Exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from bot.rounds.render import render_board  # noqa: E402
from bot.rounds.service import describe  # noqa: E402
from bot.rounds.status import board  # noqa: E402
from storage.db import make_engine, session_scope  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (Document, DocumentVersion, Entity, Input, NilReturn, Process, ProcessEntity,  # noqa: E402
                            Round, RoundEntity, Section)

GOAL_MS = 100.0
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def build(url: str, entities: int, inputs: int) -> int:
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        process = Process(handle="bench", kind="consultation", title="Bench consultation", timezone="Europe/Zurich")
        s.add(process)
        s.flush()
        document = Document(process_id=process.id, slug="guidance", title="Interim guidance")
        s.add(document)
        s.flush()
        version = DocumentVersion(document_id=document.id, number=1, source_name="x.md", source_sha256="0" * 64,
                                  imported_by="bench")
        s.add(version)
        s.flush()
        sections = [Section(version_id=version.id, position=i, number=f"{i // 4 + 1}.{i % 4 + 1}",
                            heading=f"Heading {i}", text="…", identity=f"s{i}") for i in range(20)]
        s.add_all(sections)
        round_ = Round(process_id=process.id, number=1, version_id=version.id, deadline=NOW + timedelta(days=3),
                       timezone="Europe/Zurich", opened_by="bench", opened_at=NOW - timedelta(days=10))
        s.add(round_)
        s.flush()
        for n in range(entities):
            entity = Entity(code=f"E{n:03d}", name=f"Entity {n}", duty_station="Geneva", timezone="Europe/Zurich")
            s.add(entity)
            s.flush()
            s.add(ProcessEntity(process_id=process.id, entity_id=entity.id))
            s.add(RoundEntity(round_id=round_.id, entity_id=entity.id))
            if n % 10 < 8:
                s.add_all([Input(round_id=round_.id, entity_id=entity.id, ref=f"R1-E{n:03d}-{i + 1}",
                                 section_id=sections[i % 20].id if i % 5 else None, kind="substantive",
                                 comment="A comment on the interim guidance.", late=i == 0 and n % 7 == 0,
                                 submitted_by="bench", created_at=NOW, updated_at=NOW) for i in range(inputs)])
            elif n % 10 == 8:
                s.add(NilReturn(round_id=round_.id, entity_id=entity.id, by="bench", at=NOW))
        round_id = round_.id
    engine.dispose()
    return round_id


def measure(url: str, round_id: int, repeat: int) -> list[float]:
    engine = make_engine(url)
    samples = []
    for i in range(repeat + 1):
        start = time.perf_counter()
        with Session(engine) as s:
            round_ = s.get(Round, round_id)
            status = board(s, round_, NOW)
            render_board(describe(s, round_), status, None)
        if i:  # the first run warms caches
            samples.append((time.perf_counter() - start) * 1000)
    engine.dispose()
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=200)
    parser.add_argument("--inputs", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        round_id = build(url, args.entities, args.inputs)
        samples = measure(url, round_id, args.repeat)
    median, worst = statistics.median(samples), max(samples)
    print("| entities | inputs | runs | median ms | max ms | goal ms |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {args.entities} | {args.entities * 8 // 10 * args.inputs} | {len(samples)} | {median:.1f} | "
          f"{worst:.1f} | {GOAL_MS:.0f} |")
    met = worst < GOAL_MS
    print(f"- goal (every run under {GOAL_MS:.0f} ms): {'met' if met else 'missed'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
