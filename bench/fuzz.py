"""The long protocol fuzz run (issue 13): tests/fuzz's mutations and checks, random seeds, for
minutes, shrinking every failure to a minimal case and reporting each distinct finding once.

    .venv/bin/python bench/fuzz.py [--minutes 10] [--seed N] [--only post|pre] [--round 300]
                                   [--out bench/out/fuzz.md]

Each round draws a seed and runs up to --round examples after login and before login. A case
fails on (a) a dead server, (b) a healthy session that no longer answers right, (c) memory over
the bound, (d) a reply that is not valid protocol, and on an internal error (XX000 or a traceback
in the server log) whose signature was not seen before. Hypothesis shrinks the failure; the report
gives the minimal case, the bytes sent and the server's answer. The signature then counts as
known, so later rounds look for other bugs. A dead server is restarted. The short, derandomized
run of the same code is tests/fuzz/test_protocol_fuzz.py (`make test`).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from tests.fuzz import harness, mutate, recording, wire  # noqa: E402
from tests.server import start_server  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--seed", type=int, default=None, help="first round's seed (default: random)")
    ap.add_argument("--only", choices=("post", "pre"), default=None)
    ap.add_argument("--round", type=int, default=300, help="examples per round and kind")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "fuzz.md")
    args = ap.parse_args()

    recs = recording.load_all()
    tmp = Path(tempfile.mkdtemp(prefix="duckcdb-fuzz-"))
    deadline = time.monotonic() + args.minutes * 60
    rng = random.Random(args.seed)
    state: dict[str, object] = {}
    reports: list[str] = []
    restarts = 0
    cases = {"post": 0, "pre": 0}

    def boot() -> harness.Target:
        srv = start_server(tmp / f"data{restarts}", config=harness.CONFIG)
        t = harness.Target.prepare(srv, recs)
        print(f"server pid {srv.proc.pid} on port {srv.port}, baseline {t.base}", flush=True)
        return t

    target = boot()
    known: set[str] = set()
    common = dict(
        database=None,
        deadline=None,
        derandomize=False,
        report_multiple_bugs=False,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )

    def post(case: mutate.PostLoginCase) -> None:
        if time.monotonic() > deadline:
            return
        t = state["target"]
        assert isinstance(t, harness.Target)
        pieces = case.pieces(t.by_name, recs)
        out = t.run_post_login(pieces, case.parts)
        cases["post"] += 1
        t.check(out, case, intact=mutate.framing_intact(pieces), strict=True)

    def pre(case: mutate.StartupCase) -> None:
        if time.monotonic() > deadline:
            return
        t = state["target"]
        assert isinstance(t, harness.Target)
        out = t.run_startup(case.data(), case.parts)
        cases["pre"] += 1
        t.check(out, case, strict=True)

    kinds = [("post", post, mutate.post_login_cases(recs)), ("pre", pre, mutate.startup_cases(recs))]
    if args.only:
        kinds = [k for k in kinds if k[0] == args.only]
    rounds = 0
    while time.monotonic() < deadline:
        s = rng.randrange(2**32) if rounds or args.seed is None else args.seed
        rounds += 1
        for name, fn, strategy in kinds:
            if time.monotonic() >= deadline:
                break
            state["target"] = target
            target.known = known
            test = seed(s)(settings(max_examples=args.round, **common)(given(case=strategy)(fn)))
            print(f"round {rounds} {name} seed {s}", flush=True)
            try:
                test()
            except Exception as e:  # a shrunk failure: report it, mark its signatures known
                text = "".join(traceback.format_exception_only(e)).strip()
                sigs = [ln.split("signature: ", 1)[1] for ln in text.splitlines() if "signature: " in ln]
                known.update(sigs)
                if not sigs:
                    known.add(text.splitlines()[0][:200])
                report = f"### {name}, seed {s}\n\n```\n{text[:6000]}\n```\n"
                reports.append(report)
                print(report, flush=True)
            if not wire.alive(target.srv.proc.pid):
                reports.append(
                    f"server died (exit {target.srv.proc.poll()}); log tail:\n```\n"
                    f"{target.srv.log_text()[-3000:]}\n```\n"
                )
                restarts += 1
                target = boot()
    target.srv.stop()
    summary = (
        f"# Protocol fuzz: {args.minutes} min, {rounds} rounds, {cases['post']} cases after login, "
        f"{cases['pre']} before login, {restarts} server restarts\n\n"
        f"Memory: baseline {target.base}, peak {target.peak}\n\n"
        f"{len(reports)} finding(s)\n\n" + "\n".join(reports)
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(summary)
    print(summary.split("\n\n", 3)[0:3], f"report: {args.out}", sep="\n")
    return 1 if reports else 0


if __name__ == "__main__":
    sys.exit(main())
