"""What every dashboard is made of: metric, RPC and rule names taken from the code that defines them (a rename
breaks `python -m tools.k8s`, not a dashboard), and the few panel shapes the dashboards use."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType

from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.builders import prometheus, stat, timeseries
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models.dashboard import (
    DashboardCursorSync,
    DataSourceRef,
    Threshold,
    ThresholdsMode,
    VariableOption,
)
from prometheus_client.metrics import MetricWrapperBase

from services.runtime.config import SERVICES, Settings
from tools.observability import rules

DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
RATE = "$__rate_interval"  # Grafana's window: at least four scrape intervals, whatever the zoom

# -- names from the code that exports them -----------------------------------------------------------------


def counter(metric: MetricWrapperBase) -> str:
    """A Counter's sample name (prometheus_client drops `_total` from the family name and adds it back)."""
    return _family(metric) + "_total"


def gauge(metric: MetricWrapperBase) -> str:
    return _family(metric)


def buckets(metric: MetricWrapperBase) -> str:
    return _family(metric) + "_bucket"


def _family(metric: MetricWrapperBase) -> str:
    return next(iter(metric.describe())).name


@dataclass(frozen=True)
class Rpc:
    service: str  # the grpc_service label: the contract's full service name
    method: str

    @property
    def selector(self) -> str:
        return f'grpc_service="{self.service}",grpc_method="{self.method}"'


def rpc(module: ModuleType, service: str, method: str) -> Rpc:
    """An RPC looked up in its generated descriptor: a renamed service or method fails here (KeyError)."""
    descriptor = module.DESCRIPTOR.services_by_name[service]
    return Rpc(descriptor.full_name, descriptor.methods_by_name[method].name)


def recorded(settings: Settings, name: str) -> str:
    """A recording rule's name, checked against the rules generator: a renamed rule fails the build."""
    groups = rules.rule_groups(settings.mesh.namespace)
    records = {rule["record"] for group in groups for rule in group["rules"] if "record" in rule}
    if name not in records:
        raise KeyError(f"{name} is not a recording rule of tools/observability/rules.py ({', '.join(sorted(records))})")
    return name


def alert_names(settings: Settings) -> list[str]:
    return rules.alert_names(settings.mesh.namespace)


# -- building blocks ------------------------------------------------------------------------------------------


def query(expr: str, legend: str = "") -> prometheus.Dataquery:
    target = prometheus.Dataquery().expr(expr).datasource(DATASOURCE)
    return target.legend_format(legend) if legend else target


def thresholds(*steps: tuple[float | None, str]) -> dash.ThresholdsConfig:
    """Colour steps; the first one's value is None (from minus infinity)."""
    return dash.ThresholdsConfig().mode(ThresholdsMode.ABSOLUTE).steps([Threshold(v, c) for v, c in steps])


def graph(
    title: str,
    description: str,
    unit: str,
    targets: Iterable[prometheus.Dataquery],
    *,
    limit: float | None = None,
    stacked: bool = False,
    width: int = 8,
) -> timeseries.Panel:
    """A time series; `limit` draws the line the matching alert fires on."""
    panel = (
        timeseries.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .min(0)
        .span(width)
        .height(8)
        .fill_opacity(10)
        .targets(list(targets))
        .legend(
            common_builders.VizLegendOptions()
            .display_mode(common.LegendDisplayMode.LIST)
            .placement(common.LegendPlacement.BOTTOM)
            .show_legend(True)
        )
    )
    if stacked:
        panel = panel.stacking(common_builders.StackingConfig().mode(common.StackingMode.NORMAL))
    if limit is not None:
        panel = panel.thresholds(thresholds((None, "green"), (limit, "red"))).thresholds_style(
            common_builders.GraphThresholdsStyleConfig().mode(common.GraphTresholdsStyleMode.LINE)
        )
    return panel


def single(title: str, description: str, unit: str, expr: str, limit: tuple[float, str, str]) -> stat.Panel:
    """One number per series; `limit` = (value, colour below, colour from it on)."""
    value, below, above = limit
    return (
        stat.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .span(6)
        .height(5)
        .decimals(3)
        .with_target(query(expr, "{{job}}"))
        .thresholds(thresholds((None, below), (value, above)))
    )


def datasource_variable() -> dash.DatasourceVariable:
    return dash.DatasourceVariable("datasource").label("Prometheus").type("prometheus")


def job_variable() -> dash.CustomVariable:
    """The services (the `job` label their ServiceMonitors give), all selected by default."""
    return (
        dash.CustomVariable("job")
        .label("service")
        .values(",".join(SERVICES))
        .multi(True)
        .include_all(True)
        .current(VariableOption(text="All", value="$__all", selected=True))
    )


def base(uid: str, title: str, description: str) -> dash.Dashboard:
    return (
        dash.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["fintech"])
        .time("now-6h", "now")
        .refresh("30s")
        .tooltip(DashboardCursorSync.CROSSHAIR)
        .readonly()
        .with_variable(datasource_variable())
    )
