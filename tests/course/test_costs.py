import pytest

from lakelab.course import costs


def test_athena_bills_ten_megabytes_at_least():
    assert costs.athena_query(0) == costs.athena_query(10 * costs.MB)
    assert costs.athena_query(1) == pytest.approx(10 / 1024 / 1024 * 5)


def test_athena_rounds_up_to_the_megabyte_and_charges_five_dollars_a_terabyte():
    assert costs.athena_query(costs.TB) == pytest.approx(5.0)
    assert costs.athena_query(11 * costs.MB + 1) == costs.athena_query(12 * costs.MB)
    assert costs.athena_query(12 * costs.MB) > costs.athena_query(11 * costs.MB)


def test_s3_bill_adds_storage_and_requests():
    lines = costs.s3_lab(stored_bytes=costs.GB, put_requests=1000, get_requests=1000, days=30)
    assert [round(line.usd, 6) for line in lines] == [0.023, 0.005, 0.0004]
    assert costs.table(lines).endswith("$0.03")
    assert costs.table(costs.s3_lab(0, 1, 1)).endswith("under $0.01")


def test_every_price_names_its_source_and_date():
    for key, price in costs.PRICES.items():
        assert price.source and price.as_of[:4].isdigit(), key
    assert "unconfirmed" in costs.sources("sqs_per_million")


def test_lambda_bills_requests_and_gb_seconds_beyond_the_free_tier():
    requests, compute = costs.lambda_invocations(3_000_000, billed_ms=3_000_000 * 200, memory_mb=256)
    assert requests.usd == pytest.approx(2 * 0.20)  # 2M billable requests after the free 1M
    assert compute.usd == 0.0  # 150,000 GB-s is inside the free 400,000
    _, compute = costs.lambda_invocations(1, billed_ms=1_000_000_000, memory_mb=1024, free_gb_seconds_left=0)
    assert compute.usd == pytest.approx(1_000_000 * 0.0000166667)


def test_a_lab_of_lambda_invocations_costs_nothing_inside_the_free_tier():
    lines = costs.lambda_invocations(15, billed_ms=900, memory_mb=256)
    assert [line.usd for line in lines] == [0.0, 0.0]
    assert costs.table(lines).endswith("under $0.01")
    assert "$0.0000166667 per GB-second" in costs.sources("lambda_per_million_requests", "lambda_gb_second_x86")


def test_sources_write_prices_as_pricing_pages_do():
    assert "$5 per TB" in costs.sources("athena_per_tb") and "$0.0004 per" in costs.sources("s3_get_per_1000")


def test_glue_bills_each_g1x_worker_as_one_dpu_for_the_hours_it_runs():
    assert costs.glue_daily(workers=10, hours=8) == pytest.approx(10 * 8 * 0.44)
    assert costs.glue_daily(workers=10, hours=0) == 0.0
    assert costs.minimum_run(2, costs.PRICES["glue_dpu_hour"].usd) == pytest.approx(0.0147, abs=1e-4)


def test_an_always_on_emr_cluster_pays_every_node_and_its_primary_all_day():
    assert costs.emr_node_hour() == pytest.approx(0.192 + 0.048)
    assert costs.emr_cluster_daily(workers=10) == pytest.approx(11 * 24 * 0.24)
    assert costs.emr_node_hour(ec2_discount=0.5) == pytest.approx(0.096 + 0.048), "the EMR uplift is never discounted"


def test_emr_serverless_bills_vcpu_and_memory_hours_of_a_g1x_sized_worker():
    assert costs.emr_serverless_worker_hour() == pytest.approx(4 * 0.052624 + 16 * 0.0057785)
    assert costs.emr_serverless_daily(workers=2, hours=3) == pytest.approx(6 * 0.302952)


def test_the_break_even_is_about_thirteen_hours_a_day_for_a_large_cluster():
    assert costs.break_even_limit() == pytest.approx(24 * 0.24 / 0.44)  # 13.1 h: AWS_FACTS 3b
    assert costs.break_even_hours(10) == pytest.approx(14.4)  # the primary node weighs on small clusters
    assert costs.break_even_hours(2) > costs.break_even_hours(10) > costs.break_even_hours(50) > costs.break_even_limit()
    for workers in (2, 10, 50):
        hours = costs.break_even_hours(workers)
        assert costs.glue_daily(workers, hours) == pytest.approx(costs.emr_cluster_daily(workers))


def test_cheaper_glue_moves_the_break_even_up_and_discounted_ec2_moves_it_down():
    assert costs.break_even_limit("glue6_dpu_hour") == pytest.approx(18.6, abs=0.1)
    assert costs.break_even_limit(ec2_discount=0.5) == pytest.approx(7.85, abs=0.01)  # the folk rule's 8 h


def test_prices_no_source_supports_are_marked_unconfirmed():
    unconfirmed = ("glue6_dpu_hour", "ec2_m5_xlarge_hour", "emr_m5_xlarge_hour", "emr_serverless_vcpu_hour",
                   "emr_serverless_gb_hour")
    assert all(not costs.PRICES[key].confirmed for key in unconfirmed)
    assert costs.PRICES["glue_dpu_hour"].confirmed and costs.PRICES["glue_dpu_hour"].as_of == "2024-11-01"
    assert costs.sources(*unconfirmed).count("(unconfirmed: check the pricing page)") == len(unconfirmed)
    assert "$0.0057785 per GB-hour" in costs.sources("emr_serverless_gb_hour")


def test_an_idle_mwaa_environment_bills_every_hour_it_exists():
    assert costs.mwaa_monthly() == pytest.approx(357.70)  # 0.49 × 730, infracost's us-east-1 figure
    assert costs.mwaa_monthly("mw1.medium") == pytest.approx(540.20)
    assert costs.mwaa_monthly("mw1.small", hours=24) == pytest.approx(11.76)
    assert costs.mwaa_monthly("mw1.micro") == pytest.approx(211.70)


def test_extra_workers_schedulers_and_storage_add_to_the_environment():
    # infracost's golden file: large, 2.5 workers and 3 schedulers on average, 1,000 GB = $1,706.00
    assert costs.mwaa_monthly("mw1.large", extra_workers=2.5, extra_schedulers=3, database_gb=1000) == \
        pytest.approx(722.70 + 401.50 + 481.80 + 100.00)
    assert costs.mwaa_monthly(extra_workers=1) - costs.mwaa_monthly() == pytest.approx(0.055 * 730)
    assert costs.mwaa_monthly(database_gb=10, hours=365) == pytest.approx(0.49 * 365 + 0.50)


def test_mwaa_refuses_what_no_source_prices():
    refused = (("mw1.micro", {"extra_workers": 1}), ("mw1.xlarge", {"extra_schedulers": 1}),
               ("mw1.2xlarge", {"extra_workers": 0.5}), ("mw1.tiny", {}))
    for environment_class, extras in refused:
        with pytest.raises(ValueError):
            costs.mwaa_monthly(environment_class, **extras)
    assert costs.mwaa_monthly("mw1.2xlarge") == pytest.approx(3.96 * 730)


def test_step_functions_bill_transitions_beyond_the_free_four_thousand():
    assert costs.stepfunctions_monthly(10, 400) == 0.0  # exactly the free tier
    assert costs.stepfunctions_monthly(10, 30) == 0.0
    assert costs.stepfunctions_monthly(10, 1400) == pytest.approx(10_000 / 1000 * 0.025)  # $0.25
    assert costs.stepfunctions_monthly(12, 30, free_transitions_left=0) == pytest.approx(0.009)


def test_express_reproduces_aws_pricing_example():
    # 100M executions × 10 s × 64 MB: $100 requests + $60 + $120 + 12,361.11 GB-h × $0.01642 = $482.97
    assert costs.express_monthly(100_000_000, 10) == pytest.approx(482.97, abs=0.01)


def test_express_rounds_duration_to_100_ms_and_memory_to_64_mb():
    assert costs.express_monthly(1_000_000, 0.25) == costs.express_monthly(1_000_000, 0.3)
    assert costs.express_monthly(1_000_000, 0.3) == pytest.approx(1.00 + 1e6 * 0.3 / 16 / 3600 * 0.06)
    assert costs.express_monthly(1000, 1, memory_mb=65) == costs.express_monthly(1000, 1, memory_mb=128)
    assert costs.express_monthly(0, 1) == 0.0


def test_step_functions_match_an_idle_small_environment_near_1_4_million_runs():
    assert costs.orchestration_break_even(10) == pytest.approx(1_431_200)  # (357.70 / 0.025 × 1000 + 4000) / 10
    for transitions, environment_class in ((10, "mw1.small"), (40, "mw1.large")):
        runs = costs.orchestration_break_even(transitions, environment_class)
        assert costs.stepfunctions_monthly(transitions, runs) == pytest.approx(costs.mwaa_monthly(environment_class))


def test_orchestration_prices_name_their_sources():
    unconfirmed = ("mwaa_micro_hour", "mwaa_xlarge_hour", "mwaa_2xlarge_hour")
    assert all(not costs.PRICES[key].confirmed for key in unconfirmed)
    assert costs.PRICES["mwaa_small_hour"].confirmed and costs.PRICES["sfn_standard_per_1000"].confirmed
    assert "$0.025 per 1,000 Standard state transitions" in costs.sources("sfn_standard_per_1000")
    assert "$0.01642 per Express GB-hour" in costs.sources("sfn_express_gb_hour_over_5000")


def test_a_provisioned_stream_bills_every_shard_hour_and_a_put_unit_per_started_25_kb():
    assert costs.kinesis_provisioned_monthly(1, 0, 1) == pytest.approx(10.95)  # 0.015 × 730, idle or not
    assert costs.kinesis_provisioned_monthly(1, 1_000_000, 25) == pytest.approx(10.95 + 0.014)  # 25 KB: one unit
    assert costs.kinesis_provisioned_monthly(2, 1_000_000, 30) == pytest.approx(21.90 + 2 * 0.014)  # 30 KB: two
    assert costs.kinesis_provisioned_monthly(1, 30_000_000, 0.5) == pytest.approx(10.95 + 0.42)  # AWS_FACTS 3c


def test_on_demand_streams_bill_each_stream_hour_and_each_gb_written():
    assert costs.kinesis_on_demand_monthly(0) == pytest.approx(29.20)
    assert costs.kinesis_on_demand_monthly(100) == pytest.approx(29.20 + 8.00)
    assert costs.kinesis_on_demand_monthly(0, streams=2) == pytest.approx(58.40)


def test_shards_needed_at_both_write_limits():
    assert costs.shards_needed(1000, 1) == 1 and costs.shards_needed(1001, 1) == 2  # 1,000 records/s
    assert costs.shards_needed(512, 2) == 1 and costs.shards_needed(513, 2) == 2  # 1 MiB/s = 1,024 KiB/s
    assert costs.shards_needed(3000, 0.5) == 3 and costs.shards_needed(100, 50) == 5
    assert costs.shards_needed(0, 1) == 1  # a stream has a shard even when idle


def test_firehose_bills_a_1_kb_record_as_5_kb():
    one_million_kib = 1024 * 1024  # records: at 1 KiB each, exactly 1 GiB
    assert costs.firehose_monthly(one_million_kib, 1) == pytest.approx(5 * 0.029)  # billed as 5 GB, not 1
    assert costs.firehose_monthly(one_million_kib, 1) == costs.firehose_monthly(one_million_kib, 5)
    assert costs.firehose_monthly(one_million_kib, 5.1) == pytest.approx(10 * 0.029)  # 5.1 KB: two 5 KB steps


def test_firehose_conversion_and_dynamic_partitioning_add_their_meters():
    records = 1024 * 1024
    assert costs.firehose_monthly(records, 1, parquet=True) == pytest.approx(5 * 0.029 + 5 * 0.018)
    # 1 GiB delivered × $0.020, and 5 partitions × 87,600 half-minute flushes = 438,000 objects × $0.005 / 1,000
    assert costs.firehose_monthly(records, 1, parquet=True, dynamic_partitioning=True) == \
        pytest.approx(0.145 + 0.09 + 0.02 + 2.19)
    assert costs.firehose_objects(10_000) == 438_000  # 5 partitions fill 64 MiB more slowly than 30 s
    assert costs.firehose_objects(100_000) == pytest.approx(100_000 * 1024 / 64)  # here full buffers flush first


def test_firehose_ingestion_is_tiered_after_500_tb():
    billed_gb = 600 * 1024
    records = billed_gb * 1024 * 1024 / 5  # 5 KiB records
    assert costs.firehose_monthly(records, 5) == pytest.approx(512_000 * 0.029 + 102_400 * 0.025)


def test_glue_batch_bills_a_minute_at_least_per_run():
    assert costs.glue_batch_monthly(730) == pytest.approx(730 * 2 * 5 / 60 * 0.44)  # $53.53: AWS_FACTS 3c
    assert costs.glue_batch_monthly(30) == pytest.approx(2.20)
    assert costs.glue_batch_monthly(1, minutes_per_run=0.25) == pytest.approx(2 / 60 * 0.44)  # $0.0147
    assert costs.glue_batch_monthly(1, dpu=10, minutes_per_run=1.5) == pytest.approx(10 * 1.5 / 60 * 0.44)


def test_the_streaming_decision_meets_the_sla_first_then_prices_each_option():
    decision = costs.streaming_decision(10, 1, 30)
    assert [d["option"] for d in decision] == [
        "Kinesis Data Streams (provisioned)", "Kinesis on-demand", "Firehose direct",
        "Scheduled batch on Glue (hourly)", "Scheduled batch on Glue (daily)"]
    assert all(set(d) == {"option", "meets_sla", "monthly_usd", "why"} for d in decision)
    assert [d["meets_sla"] for d in decision] == [True, True, False, False, False]
    # 26.28M events a month: 10.95 + 26.28 × 0.014; 29.20 + 25.06 GB × 0.08; 125.3 GB × (0.029 + 0.018) + partitions
    assert [d["monthly_usd"] for d in decision] == [11.32, 31.21, 8.58, 53.53, 2.2]
    assert [d["meets_sla"] for d in costs.streaming_decision(10, 1, 60)][2] is True
    assert [d["meets_sla"] for d in costs.streaming_decision(10, 1, 3600)] == [True, True, True, True, False]
    assert "2 shard(s)" in costs.streaming_decision(1500, 1, 30)[0]["why"]


def test_streaming_prices_name_their_sources():
    unconfirmed = ("firehose_partitioning_gb", "firehose_partitioning_per_1000_objects", "firehose_jq_hour",
                   "firehose_gb_next_1_5pb", "firehose_gb_over_2pb")
    assert all(not costs.PRICES[key].confirmed for key in unconfirmed)
    assert costs.PRICES["kinesis_shard_hour"].confirmed and costs.PRICES["firehose_gb_first_500tb"].confirmed
    assert "$0.014 per 1M PUT payload units" in costs.sources("kinesis_put_units_per_million")


def test_a_serverless_query_bills_sixty_seconds_at_least_at_base_capacity():
    assert costs.redshift_serverless_query(5) == pytest.approx(8 * 60 / 3600 * 0.375)  # $0.05 at 8 RPU
    assert costs.redshift_serverless_query(5, base_rpu=4) == pytest.approx(0.025)  # AWS_FACTS 3a
    assert costs.redshift_serverless_query(90.2, base_rpu=8) == pytest.approx(8 * 91 / 3600 * 0.375)  # per second


def test_serverless_base_capacity_is_4_or_a_step_of_8_up_to_512_then_32():
    for accepted in (4, 8, 16, 128, 512, 544, 1024):
        assert costs.check_base_rpu(accepted) == accepted
    for refused in (0, 2, 6, 12, 520, 1056):
        with pytest.raises(ValueError, match="not offered"):
            costs.redshift_serverless_query(10, base_rpu=refused)


def test_serverless_bills_active_hours_and_storage_only():
    assert costs.redshift_serverless_monthly(24, base_rpu=4) == pytest.approx(1095.0)  # AWS_FACTS 3a: busy all month
    assert costs.redshift_serverless_monthly(4, base_rpu=4) == pytest.approx(182.5)  # about the $180 line
    assert costs.redshift_serverless_monthly(0, storage_gb=1024) == pytest.approx(24.576)
    with pytest.raises(ValueError, match="between 0 and 24"):
        costs.redshift_serverless_monthly(25)


def test_a_provisioned_cluster_bills_every_node_hour():
    assert costs.redshift_provisioned_monthly() == pytest.approx(396.39)  # one ra3.large: AWS_FACTS 3a
    assert costs.redshift_provisioned_monthly("ra3.xlplus", 2, storage_gb=100) == pytest.approx(2 * 1.086 * 730 + 2.4)
    with pytest.raises(ValueError, match="no sourced price"):
        costs.redshift_provisioned_monthly("ra3.16xlarge")
    with pytest.raises(ValueError, match="at least one node"):
        costs.redshift_provisioned_monthly(nodes=0)


def test_athena_monthly_reuses_the_per_query_rounding():
    assert costs.athena_monthly(100, 1) == pytest.approx(100 * 730 / 24 * costs.athena_query(10 * costs.MB))
    assert costs.athena_monthly(1, costs.TB) == pytest.approx(5 * 730 / 24)


def test_the_warehouse_decision_prices_each_option_and_says_how():
    decision = costs.warehouse_decision(100, 100 * costs.MB, 5)
    assert [d["option"] for d in decision] == ["Athena", "Redshift Serverless (8 RPU)",
                                               "Redshift provisioned (1 × ra3.large, always on)"]
    assert [d["monthly_usd"] for d in decision] == [1.45, 152.08, 396.39]
    assert "1.67 active hours a day" in decision[1]["notes"] and "each its own burst" in decision[1]["notes"]
    busy = costs.warehouse_decision(100, 100 * costs.MB, 5, active_hours_per_day=10, base_rpu=4, storage_gb=10)
    assert busy[1]["monthly_usd"] == pytest.approx(round(10 * 730 / 24 * 4 * 0.375 + 0.24, 2))
    assert busy[2]["monthly_usd"] == pytest.approx(round(396.39 + 0.24, 2))
    # A thousand 10 GB queries a day: the always-on cluster is the cheapest of the three.
    heavy = costs.warehouse_decision(1000, 10 * costs.GB, 10)
    assert [d["monthly_usd"] for d in heavy] == [1485.19, 1520.83, 396.39]


def test_break_even_queries_a_day():
    even = costs.athena_redshift_break_even(10 * costs.GB, seconds_per_query=10)
    assert even["provisioned"] == pytest.approx(396.39 / (costs.athena_query(10 * costs.GB) * 730 / 24))  # ~267
    provisioned = costs.redshift_provisioned_monthly()
    assert costs.athena_monthly(even["provisioned"], 10 * costs.GB) == pytest.approx(provisioned)
    # A 60 s burst at 8 RPU ($0.05) costs more than a 10 GB Athena query ($0.049): Athena wins until the
    # workgroup is busy all day, then the flat $2,190 is crossed.
    busy_all_day = costs.redshift_serverless_monthly(24)
    assert costs.athena_monthly(even["serverless"], 10 * costs.GB) == pytest.approx(busy_all_day)
    assert costs.athena_redshift_break_even(30 * costs.GB, seconds_per_query=5)["serverless"] == 0.0


def test_cloudwatch_bills_each_meter_after_the_free_tier():
    lab = costs.cloudwatch_monthly(alarms=1, metric_math_alarm_metrics=2, dashboards=1, custom_metrics=1,
                                   log_gb_ingested=0.01)
    assert sum(line.usd for line in lab) == 0.0 and costs.table(lab).endswith("under $0.01")
    lines = costs.cloudwatch_monthly(alarms=20, high_resolution_alarms=2, dashboards=5, custom_metrics=50,
                                     log_gb_ingested=100, log_gb_stored=300, insights_gb_scanned=500)
    assert [round(line.usd, 4) for line in lines] == [12.0, 1.0, 0.6, 6.0, 47.5, 9.0, 2.5]
    paid = costs.cloudwatch_monthly(alarms=1, dashboards=1, log_gb_ingested=1, free_tier=False)
    assert round(sum(line.usd for line in paid), 2) == 0.10 + 3.00 + 0.50
    with pytest.raises(ValueError, match="10,000"):
        costs.cloudwatch_monthly(custom_metrics=10_001)


def test_warehouse_and_cloudwatch_prices_name_their_sources():
    assert not costs.PRICES["redshift_ra3_large_hour"].confirmed
    assert costs.PRICES["redshift_serverless_rpu_hour"].confirmed and costs.PRICES["logs_ingested_gb"].confirmed
    assert "$0.375 per RPU-hour" in costs.sources("redshift_serverless_rpu_hour")
    assert "(unconfirmed: check the pricing page)" in costs.sources("redshift_ra3_large_hour")
