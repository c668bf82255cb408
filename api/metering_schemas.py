"""Response bodies of the metering, billing and SLA endpoints (api.metering_routes). Money is a
decimal string with two places (never a JSON number: no float ever touches it), as SHOW BILLING
gives it; quantities are decimal strings too."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MONEY = r"^-?[0-9]+\.[0-9]{2}$"
DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
PERIOD = r"^\d{4}-\d{2}(-\d{2}\.\.\d{4}-\d{2}-\d{2})?$"

# the metering store keeps UTC without a zone; RFC 3339 (OpenAPI's date-time) wants one
Utc = Annotated[dt.datetime, AfterValidator(lambda d: d if d.tzinfo else d.replace(tzinfo=dt.UTC))]

Money = Field(pattern=MONEY, description="a decimal string, two places (half-up to the cent)")


class MeteringRecord(BaseModel):
    tenant_name: str = Field(description="the tenant, or the PDB's own name when it has none")
    pdb_name: str
    metric: str
    unit: str
    grain: Literal["INTERVAL", "HOUR", "DAY", "MONTH"]
    period_start: Utc
    period_end: Utc
    value: float


class MeteringRecordPage(BaseModel):
    items: list[MeteringRecord]
    next_cursor: str | None
    total: int


class UsageMetric(BaseModel):
    metric: str
    unit: str
    value: float


class UsagePdbMetric(BaseModel):
    pdb: str
    metric: str
    unit: str
    value: float


class UsagePoint(BaseModel):
    period_start: str
    metric: str
    unit: str
    value: float


class Usage(BaseModel):
    tenant_id: str
    period: str
    period_start: str
    period_end: str
    metrics: list[UsageMetric]
    pdbs: list[UsagePdbMetric]
    storage_average_bytes: float = Field(description="time-weighted over the period")
    grain: str | None = None
    series: list[UsagePoint] | None = None


class UsagePage(BaseModel):
    items: list[Usage]
    next_cursor: str | None
    total: int


class BaseSegment(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    service_tier: str
    from_: str = Field(alias="from")
    to: str
    fraction_of_month: str = Field(pattern=DECIMAL)
    amount: str = Money
    change: str | None = Field(
        default=None, description="what began the segment: SET SERVICE TIER, AUTO SCALE UP/DOWN"
    )


class LineItem(BaseModel):
    pdb: str | None
    metric: str
    quantity: str = Field(pattern=DECIMAL)
    unit_price: str = Field(pattern=DECIMAL)
    amount: str = Money
    note: str | None = None


class CreditViolation(BaseModel):
    type: str
    severity: str
    description: str
    start_time: str
    end_time: str | None


class BillingSla(BaseModel):
    uptime_percent: float | None
    credit_percent: str = Field(pattern=DECIMAL)
    violations: list[CreditViolation]


class Adjustment(BaseModel):
    period: str
    amount: str = Money
    reason: str


class UsageBreakdown(BaseModel):
    cpu_time_cost: str = Money
    io_operations_cost: str = Money
    storage_cost: str = Money
    network_cost: str = Money
    connection_time_cost: str = Money


class BillingReport(BaseModel):
    tenant_id: str
    period: str
    period_start: str
    period_end: str
    service_tier: str | None
    base_cost: str = Money
    base_breakdown: list[BaseSegment]
    usage_breakdown: UsageBreakdown
    usage_cost: str = Money
    sla: BillingSla
    sla_credit: str = Money
    adjustments: list[Adjustment]
    adjustments_total: str = Money
    total_cost: str = Money
    currency: str
    line_items: list[LineItem]
    rounding: str


class BillingReportPage(BaseModel):
    items: list[BillingReport]
    next_cursor: str | None
    total: int


class InvoiceSummary(BaseModel):
    tenant_id: str
    period: str
    status: Literal["OPEN", "CLOSED"]
    service_tier: str | None
    base_cost: str = Money
    usage_cost: str = Money
    sla_credit: str = Money
    adjustments_total: str = Money
    total_cost: str = Money
    currency: str


class InvoicePage(BaseModel):
    items: list[InvoiceSummary]
    next_cursor: str | None
    total: int


class Invoice(InvoiceSummary):
    report: BillingReport


class PeriodClosed(BaseModel):
    period: str
    invoices: int
    total_cost: str = Field(pattern=MONEY, description="the sum of the period's invoices")


class SlaTarget(BaseModel):
    uptime_percent: float
    max_response_time_ms: float
    p95_response_time_ms: float
    p99_response_time_ms: float
    max_error_rate_percent: float


class SlaCurrent(BaseModel):
    uptime_percent: float
    minutes_judged: int
    avg_response_time_ms: float | None
    p50_response_time_ms: float | None
    p95_response_time_ms: float | None
    p99_response_time_ms: float | None
    statements: int
    server_errors: int
    error_rate_percent: float


class SlaOpenViolation(BaseModel):
    type: str
    severity: Literal["Critical", "High", "Medium", "Low"]
    description: str
    start_time: str


class SlaReport(BaseModel):
    tenant_id: str
    service_tier: str
    sla_target: SlaTarget
    current_metrics: SlaCurrent
    compliant: bool
    violations: list[SlaOpenViolation]


class SlaReportPage(BaseModel):
    items: list[SlaReport]
    next_cursor: str | None
    total: int


class SlaViolation(BaseModel):
    violation_id: int
    tenant_id: str
    pdb_name: str | None
    violation_type: Literal["Uptime", "ResponseTime", "ErrorRate"]
    severity: Literal["Critical", "High", "Medium", "Low"]
    description: str
    remediation: str
    measured: float | None
    target: float | None
    start_time: Utc
    end_time: Utc | None


class SlaViolationPage(BaseModel):
    items: list[SlaViolation]
    next_cursor: str | None
    total: int
