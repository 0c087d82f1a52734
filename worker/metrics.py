"""Prometheus metrics of a worker process (docs/operations.md "What to watch").

The SDK serves its own metrics (`temporal_…`: task latencies, slots, polls, failures) from the
runtime's Prometheus endpoint; QIS adds `qis_activity_retries_total`, counted on the same
endpoint through the SDK's meter, so one scrape of a worker shows both.
"""

from typing import Any

from temporalio import activity
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

RETRIES = "qis_activity_retries_total"


class MetricsAddressError(ValueError):
    """The metrics address cannot be served; the message says what to change (in Chinese)."""


def metrics_runtime(address: str) -> Runtime:
    """A Temporal runtime whose metrics are served at `http://{address}/metrics`.

    Clients and workers made with it report there; the endpoint lives as long as the process.
    Port 0 is refused: the SDK does not tell which port it got, so nobody could scrape it.
    """
    if address.rpartition(":")[2] == "0":
        raise MetricsAddressError(
            f"worker 指标地址 {address} 的端口为 0，无法得知实际端口；"
            "同一台机器上的多个 worker 请各设不同端口，或设为空以关闭指标"
        )
    try:
        return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))
    except ValueError as err:
        raise MetricsAddressError(
            f"worker 指标地址 {address} 无法使用（{err}）；请设置 QIS_WORKER_METRICS_ADDRESS "
            "为空闲的 host:port，或设为空以关闭指标"
        ) from err


class _CountRetries(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        if activity.info().attempt > 1:
            # The activity's meter labels it with namespace, task queue and activity type.
            activity.metric_meter().create_counter(
                RETRIES, "Activity attempts beyond the first (a step that keeps failing)"
            ).add(1)
        return await self.next.execute_activity(input)


class RetryCounter(Interceptor):
    """Counts every activity attempt after the first, by activity type.

    A steady rise for one type is a stuck effect: its last error is in the Temporal UI.
    """

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _CountRetries(next)
