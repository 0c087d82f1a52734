"""Benchmark: the district figures (`GET /v1/reports/districts`) at 10,000 projects.

On an embedded PostgreSQL in a temporary directory, migrated: 10,000 projects across the 16
districts (a tenth with open tasks), their names (a third municipal), endings, 40,000 decisions,
a year's data obligations and submissions (with corrections). Then the figures of all districts
and of one district (what a district bureau asks), each timed N times.
Run: `.venv/bin/python -m benchmarks.reports [projects] [runs]`.
"""

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from db import migrate
from db.engine import make_engine, make_session_factory
from db.figures import district_figures
from domain.districts import DISTRICTS
from domain.periods import parse_period
from stack.postgres import embedded_postgres

PROJECTS = 10_000
RUNS = 200
CODES = sorted(DISTRICTS)

FILL = [
    # projects: district by number; every 10th has an open (overdue) district task
    """
    INSERT INTO projects (id, credit_code, unit_name, district, type, focus, display_name, stage,
        level, spec, state_seq, registered_at, tasks)
    SELECT 'p' || n, '91310115MA1H7XK2BM', '单位' || n, (CAST(:codes AS text[]))[1 + n % 16], 'industry',
        '产业' || n, '项目' || n,
        CASE WHEN n % 20 = 0 THEN 'revoked' WHEN n % 3 = 0 THEN 'municipal_named'
             ELSE 'district_named' END,
        CASE WHEN n % 20 = 0 THEN 'none' WHEN n % 3 = 0 THEN 'municipal' ELSE 'district' END,
        '{}'::jsonb, 10, timestamptz '2023-01-01' + n * interval '1 hour',
        CASE WHEN n % 10 = 0 THEN jsonb_build_array(jsonb_build_object(
            'kind', 'district_evaluation', 'role', 'district_bureau',
            'due_at', '2025-06-01T00:00:00Z', 'escalated', true))
        ELSE '[]'::jsonb END
    FROM generate_series(1, CAST(:projects AS int)) n
    """,
    """
    INSERT INTO names (key, project_id, level, name, granted_on, granted_at, granted_by)
    SELECT 'p' || n || '/district', 'p' || n, 'district', '名' || n,
        date '2023-06-01' + (n % 900), timestamptz '2023-06-01' + (n % 900) * interval '1 day',
        'district_bureau'
    FROM generate_series(1, CAST(:projects AS int)) n
    """,
    """
    INSERT INTO names (key, project_id, level, name, granted_on, granted_at, granted_by)
    SELECT 'p' || n || '/municipal', 'p' || n, 'municipal', '市名' || n,
        date '2024-03-01' + (n % 600), timestamptz '2024-03-01' + (n % 600) * interval '1 day',
        'municipal_bureau'
    FROM generate_series(3, CAST(:projects AS int), 3) n
    """,
    """
    INSERT INTO name_endings (name_key, kind, ended_on, ended_at, ended_by, reason)
    SELECT 'p' || n || '/district', 'revoked', date '2025-04-01',
        timestamptz '2025-04-01' + (n % 200) * interval '1 day', 'district_bureau', '违规'
    FROM generate_series(20, CAST(:projects AS int), 20) n
    """,
    """
    INSERT INTO decisions (key, project_id, seq, action, actor_role, actor_label, decided_at,
        stage_before, stage_after, outcome, passed, payload)
    SELECT 'p' || (1 + n % CAST(:projects AS int)) || '/' || n, 'p' || (1 + n % CAST(:projects AS int)), n,
        (ARRAY['evaluate-district', 'review-municipal', 'update-profile', 'submit-data'])[1 + n % 4],
        'district_bureau', '局', timestamptz '2023-01-01' + (n % 1000) * interval '1 day',
        'district_named', 'district_named', '结论', n % 7 <> 0, '{}'::jsonb
    FROM generate_series(1, 4 * CAST(:projects AS int)) n
    """,
    """
    INSERT INTO data_submissions (key, project_id, district, period, seq, smes_served, services,
        improvements, submitted_at, due_at, on_time)
    SELECT 'p' || n || '/' || s, 'p' || n, (CAST(:codes AS text[]))[1 + n % 16], '2025', s,
        n % 50, jsonb_build_object('metrology', n % 9, 'standards', n % 4), '成效',
        timestamptz '2026-01-10' + s * interval '1 day', timestamptz '2026-01-31 16:00+00',
        n % 6 <> 0
    FROM generate_series(1, CAST(:projects AS int)) n, generate_series(20, 21) s
    WHERE n % 5 <> 0 AND (s = 20 OR n % 4 = 0)
    """,
    # where each project stands for the period (as the store keeps it): a fifth missing
    """
    INSERT INTO data_periods (key, project_id, district, period, owed, due_at, first_seq,
        on_time, latest_seq, smes_served, services)
    SELECT 'p' || n || '/2025', 'p' || n, (CAST(:codes AS text[]))[1 + n % 16], '2025', true,
        timestamptz '2026-01-31 16:00+00',
        CASE WHEN n % 5 <> 0 THEN 20 END, CASE WHEN n % 5 <> 0 THEN n % 6 <> 0 END,
        CASE WHEN n % 5 = 0 THEN NULL WHEN n % 4 = 0 THEN 21 ELSE 20 END,
        CASE WHEN n % 5 <> 0 THEN n % 50 ELSE 0 END,
        CASE WHEN n % 5 <> 0 THEN jsonb_build_object('metrology', n % 9, 'standards', n % 4)
             ELSE '{}'::jsonb END
    FROM generate_series(1, CAST(:projects AS int)) n WHERE n % 20 <> 0
    """,
    "ANALYZE",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def main(projects: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with embedded_postgres(Path(tmp)) as url:
            await migrate.upgrade(url)
            engine = make_engine(url)
            sessions = make_session_factory(engine)
            async with sessions.begin() as session:
                for statement in FILL:
                    await session.execute(
                        text(statement),
                        {"codes": CODES, "projects": projects} if ":" in statement else {},
                    )
            period = parse_period("2025")
            assert period is not None
            now = datetime.now(UTC)
            for label, districts in (("all 16 districts", None), ("one district", ["310115"])):
                timings = []
                for _ in range(runs):
                    async with sessions() as session:
                        start = time.perf_counter()
                        rows = await district_figures(session, period, now, districts)
                        timings.append((time.perf_counter() - start) * 1000)
                assert rows
                print(
                    f"figures, {label}, {projects} projects: p50 {statistics.median(timings):.1f} ms, "
                    f"p99 {percentile(timings, 99):.1f} ms ({runs} runs)"
                )
            await engine.dispose()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(args[0] if args else PROJECTS, args[1] if len(args) > 1 else RUNS))
