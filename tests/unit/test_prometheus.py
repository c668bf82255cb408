"""The Prometheus rendering (metering.prom) of 1,000 PDBs: well-formed and fast."""

from __future__ import annotations

from types import SimpleNamespace

from prometheus_client.parser import text_string_to_metric_families

from governance.meter import LATENCY_BUCKETS
from metering.prom import render_metrics
from metering.service import METRICS, PdbInfo


def _meter(n: int) -> SimpleNamespace:
    info, totals = {}, {}
    for i in range(n):
        guid = f"G{i}"
        info[guid] = PdbInfo(
            f"T{i // 2}",
            f"P{i}",
            i + 3,
            "SILVER",
            True,
            storage_bytes=10_000 + i,
            sessions_now=i % 5,
            serving=True,
        )
        tot = {k: float(i + 1) for k in METRICS}
        tot.update({f"lat_b{j}": 1.0 for j in range(len(LATENCY_BUCKETS) + 1)})
        tot.update(
            latency_sum=0.5, cycles=float(len(LATENCY_BUCKETS) + 1), server_errors=1.0, cpu_wait=0.25, oom=0.0
        )
        totals[guid] = tot
    return SimpleNamespace(info=info, totals=totals, runtime=SimpleNamespace(restarts={3: 2}), flushes=7)


def test_render_1000_pdbs_and_parse() -> None:
    # How long rendering takes is measured in bench/ (RESULTS section 11), not asserted here.
    m = _meter(1000)
    text = render_metrics(m)
    fams = {f.name: f for f in text_string_to_metric_families(text.decode())}
    stm = [s for s in fams["duckcdb_statements"].samples if s.labels["pdb"] == "P9"]
    assert (
        stm[0].name == "duckcdb_statements_total" and stm[0].value == 10.0 and stm[0].labels["tenant"] == "T4"
    )
    cpu = [s for s in fams["duckcdb_cpu_seconds"].samples if s.labels["pdb"] == "P0"]
    assert cpu[0].value == 1e-6  # microseconds metered, seconds exposed
    hist = [s for s in fams["duckcdb_statement_duration_seconds"].samples if s.labels["pdb"] == "P1"]
    inf = [s for s in hist if s.name.endswith("_bucket") and s.labels["le"] == "+Inf"]
    assert inf[0].value == len(LATENCY_BUCKETS) + 1  # cumulative
    restarts = [s for s in fams["duckcdb_engine_restarts"].samples if s.labels["pdb"] == "P0"]
    assert restarts[0].value == 2
    assert len(fams["duckcdb_sessions"].samples) == 1000
