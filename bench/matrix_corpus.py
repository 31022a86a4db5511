"""The alignment matrix over the whole shipped corpus, every topic: cold (empty comparison cache) against
warm (every pair cached by content hash), measured in the same run.

    python bench/matrix_corpus.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from comparisons import ComparisonCache

    from registry.domain.access import ADMIN, Principal
    from registry.domain.topics import TOPICS
    from registry.services import comparing, corpus
    from registry.storage.database import make_engine, read_session, write_session
    from registry.storage.migrate import migrate

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        migrate(engine)
        with write_session(engine) as session:
            assert corpus.load(session, Principal(None, "bench", ADMIN), ROOT / "standards").ok
        print("| topic | jurisdictions | pairs | unknown | cold (s) | warm (s) | cold/warm |\n|---|---|---|---|---|---|---|")
        total_cold = total_warm = 0.0
        pairs = 0
        for topic in TOPICS:
            comparing.CACHE = ComparisonCache(max_entries=50_000)
            with read_session(engine) as session:
                start = time.perf_counter()
                data = comparing.matrix(session, topic.slug, as_of=None, format_assertion=True)
                cold = time.perf_counter() - start
                start = time.perf_counter()
                comparing.matrix(session, topic.slug, as_of=None, format_assertion=True)
                warm = time.perf_counter() - start
            unknown = sum(c["relation"] == "unknown" for c in data["cells"])
            total_cold, total_warm, pairs = total_cold + cold, total_warm + warm, pairs + len(data["cells"])
            print(f"| {topic.slug} | {len(data['jurisdictions'])} | {len(data['cells'])} | {unknown} | {cold:.3f} | "
                  f"{warm:.3f} | {cold / warm:.1f} |")
        print(f"| all topics | | {pairs} | | {total_cold:.3f} | {total_warm:.3f} | {total_cold / total_warm:.1f} |")


if __name__ == "__main__":
    main()
