"""Timing: the cases that are compared with each other are sampled in alternation.

The machine may be shared and noisy. Each group (e.g. one case on the small and on the big
database) is sampled member after member, sample by sample, and every group is visited again in
each of several rounds, so a burst of noise lands on both sides of a ratio instead of on one.
Each case reports the median of all its samples, taken after warm-up.
"""

import gc
import statistics
import time
from dataclasses import dataclass, field

from django.db import connection


@dataclass
class Case:
    key: str
    fn: object
    samples: list[float] = field(default_factory=list)
    cpu_samples: list[float] = field(default_factory=list)
    queries: int | None = None
    statements: list = field(default_factory=list)
    result: object = None

    def count_queries(self) -> None:
        """Run once, recording the SQL statements it sends (independent of DEBUG)."""
        statements = []

        def counting(execute, sql, params, many, context):
            statements.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counting):
            self.result = self.fn()
        self.queries = len(statements)
        self.statements = statements

    def sample(self) -> None:
        c0, t0 = time.process_time(), time.perf_counter()
        self.fn()
        self.samples.append(time.perf_counter() - t0)
        self.cpu_samples.append(time.process_time() - c0)

    def summary(self) -> dict:
        ordered = sorted(self.samples)
        return {
            "median_ms": round(statistics.median(ordered) * 1000, 3),
            "p10_ms": round(ordered[len(ordered) // 10] * 1000, 3),
            "p90_ms": round(ordered[len(ordered) * 9 // 10] * 1000, 3),
            # CPU time of this process (Django, ORM, serialisation; not the database server's):
            # on a busy machine the wall time also includes waiting for a CPU.
            "cpu_median_ms": round(statistics.median(self.cpu_samples) * 1000, 3),
            "reps": len(ordered),
            "queries": self.queries,
            "result": self.result if isinstance(self.result, int | str) else None,
        }


def measure_groups(groups, switch, *, rounds: int, warmup: int = 2, min_reps: int = 5, min_seconds: float = 0.25):
    """Sample every group in every round; ``groups`` are lists of (context, Case), ``switch(context)``
    selects the database a case runs on."""
    for round_no in range(rounds):
        for group in groups:
            members = group if round_no % 2 == 0 else group[::-1]
            for context, case in members:
                switch(context)
                for _ in range(warmup):
                    case.fn()
            gc.collect()
            taken = 0
            started = time.perf_counter()
            while taken < min_reps or time.perf_counter() - started < min_seconds:
                for context, case in members:
                    switch(context)
                    case.sample()
                taken += 1


def emit(result, json_path: str | None) -> int:
    """A benchmark's result as JSON: printed, and written to ``json_path`` when given."""
    import json
    from pathlib import Path

    text = json.dumps(result, ensure_ascii=False, indent=1)
    if json_path:
        Path(json_path).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0
