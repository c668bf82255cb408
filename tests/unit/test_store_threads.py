"""The catalog's one connection is shared by the event loop and the API's worker threads: statements
from both at once must all finish (a SQLite trace callback into Python deadlocked them: the step
holding the connection's mutex waited for the GIL that a thread binding parameters held while it
waited for that mutex)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from catalog.store import CatalogStore, counted_statements

HAMMER = textwrap.dedent(
    """
    import sys, threading, time
    from catalog.store import CatalogStore

    store = CatalogStore(sys.argv[1])
    done = [0, 0]
    stop = time.monotonic() + 3.0

    def hammer(slot):
        while time.monotonic() < stop:
            # a statement that steps a while and one that binds parameters, as the loop and the
            # API's threads run them
            store.db.execute("SELECT count(*) FROM users u, users v WHERE u.con_id >= ?", (slot,)).fetchall()
            store.db.execute("SELECT name FROM users WHERE con_id = ?", (slot,)).fetchall()
            done[slot] += 1

    threads = [threading.Thread(target=hammer, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(done[0], done[1])
    """
)


def test_statements_from_two_threads_at_once_all_finish(tmp_path: Path) -> None:
    # in a child process: a deadlock holds the GIL, so only a timeout from outside can see it
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", HAMMER, str(tmp_path / "c.sqlite3")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    rounds = [int(n) for n in out.stdout.split()]
    assert len(rounds) == 2 and all(rounds), out.stdout


def test_a_tasks_catalog_statements_are_counted_pragmas_aside(tmp_path: Path) -> None:
    store = CatalogStore(str(tmp_path / "c.sqlite3"))
    store.db.execute("CREATE TEMP TABLE scratch (x INT)")
    with counted_statements() as tally:
        store.db.execute("SELECT 1").fetchall()
        store.db.execute("PRAGMA data_version").fetchall()
        store.db.executemany("INSERT INTO scratch VALUES (?)", [(1,), (2,)])
        store.change_stamp()
    assert tally == [2]
