"""CloudWatch extensions: alarms that are evaluated, act and keep history; metric math; dashboards checked.

moto stores alarms and never evaluates them (every alarm stays OK), has no composite alarms,
no alarm history, and answers GetMetricData without percentiles. Here, on moto's stored
metrics and alarms:

- ``series``: the datapoints of each metric (indexed as they are put, by ``PutMetricData`` or by
  another service's own metrics) and the statistics, percentiles included, per period
- ``expressions`` and ``queries``: metric math and ``GetMetricData``
- ``checks``: what ``PutMetricAlarm`` refuses; ``evaluation``: a metric alarm's next state
  (``EvaluationPeriods``, ``DatapointsToAlarm``, every ``ComparisonOperator``, ``TreatMissingData``)
- ``alarms``: state changes, ``DescribeAlarmHistory`` items, SNS actions with AWS's message JSON,
  and EventBridge's "CloudWatch Alarm State Change" events
- ``composite``: ``AlarmRule``; ``evaluator``: the thread that evaluates each alarm as its period ends
- ``dashboards``: ``PutDashboard`` body checks; ``api``: the operations; ``calls``: metrics other
  services publish

Fidelity notes:

> Alarms are evaluated a quarter of a second after each period ends, and once a second after
> they are put (AWS: within about a minute of the period's end; the first evaluation within the
> first period). Percentiles are exact, not estimated. ``ANOMALY_DETECTION_BAND`` is the mean of
> the metric's last two weeks plus or minus k standard deviations, not AWS's trained model.
> Only SNS topic actions run (others are refused at put). Metrics Insights queries, alarm
> suppressors, alarm mute rules and metric streams are not implemented and are refused by name
> where an API takes them. Metric data is kept until the emulator is reset (AWS: 15 months,
> rolled up). Every metric is kept at full resolution: a 10, 20 or 30 s alarm on a metric AWS stores
> per minute (services' own metrics, ``PutMetricData`` without ``StorageResolution: 1``) sees data
> here that AWS would have rolled into one-minute datapoints (there, such an alarm often lapses into
> INSUFFICIENT_DATA). Dashboards are checked for structure, not every property. DeleteAlarms takes
> at most one composite alarm a call and refuses an alarm a composite alarm not deleted with it still
> names ("there is always still a composite alarm that depends on that alarm", DeleteAlarms' API
> reference); both refusals are ValidationErrors whose words are the emulator's (AWS's unverified).
> Delete composite alarms first, one at a time, as teardown does.
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("cloudwatch",)

PATCHES = (
    Patch("CloudWatchResponse", "put_metric_alarm", wrap=".api:put_metric_alarm",
          why="alarms are checked, start in INSUFFICIENT_DATA (an update keeps the state) and are evaluated"),
    Patch("CloudWatchResponse", "put_composite_alarm", value=".api:put_composite_alarm", adds=True,
          why="moto has no PutCompositeAlarm"),
    Patch("CloudWatchResponse", "describe_alarms", value=".api:describe_alarms",
          why="AlarmTypes, ChildrenOf/ParentsOfAlarmName and combined filters; only metric alarms by default"),
    Patch("CloudWatchResponse", "describe_alarm_history", value=".api:describe_alarm_history", adds=True,
          why="moto has no DescribeAlarmHistory"),
    Patch("CloudWatchResponse", "set_alarm_state", value=".api:set_alarm_state",
          why="a state set by hand is recorded in the history and sends the new state's actions"),
    Patch("CloudWatchResponse", "put_dashboard", value=".api:put_dashboard",
          why="the body is checked against the dashboard body structure, as AWS checks it"),
    Patch("CloudWatchBackend", "get_metric_data", value=".api:get_metric_data",
          why="percentiles and metric math over each metric's own datapoints; moto has neither"),
    Patch("CloudWatchResponse", "get_metric_statistics", value=".api:get_metric_statistics",
          why="the metric is the one the dimensions name exactly; ExtendedStatistics; periods from StartTime"),
    Patch("CloudWatchBackend", "delete_alarms", wrap=".api:delete_alarms",
          why="one composite alarm a call, and not an alarm a composite alarm still names (DeleteAlarms)"),
    Patch("CloudWatchBackend", "get_filtered_metrics", value=".api:get_filtered_metrics",
          why="ListMetrics names each metric once; moto repeats a metric without dimensions per datum, in O(n^2)"),
)


def install() -> None:
    import atexit

    from lakelab.emulator import registry
    from lakelab.emulator.services.cloudwatch import evaluator

    registry.on_reset(evaluator.stop)
    atexit.register(evaluator.stop)
