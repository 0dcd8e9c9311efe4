"""The error for the parts of ``awsglue`` that only run on AWS Glue."""

MESSAGE = (
    "{module} needs AWS Glue's own Spark libraries (GlueContext, DynamicFrame), which do not run "
    "on the local emulator. Use SparkSession DataFrames instead: "
    "spark = SparkSession.builder.getOrCreate(); df = spark.read.csv('s3://...'); "
    "df.write.parquet('s3://...'). They run unchanged on AWS Glue."
)


class GlueLibrariesUnavailable(ImportError):
    """Raised on import of an ``awsglue`` module that needs Glue's JVM side."""


def refuse(module: str) -> None:
    raise GlueLibrariesUnavailable(MESSAGE.format(module=module), name=module)
