"""A local stand-in for AWS Glue's ``awsglue`` package, on the path of job processes only.

``awsglue.utils.getResolvedOptions`` works as on Glue. ``GlueContext``, ``DynamicFrame``,
``Job`` and the transforms need Glue's own JVM libraries, which do not run outside Glue:
importing them fails with a message that points to SparkSession DataFrames, which run the
same here and on Glue.
"""


_NEEDS_GLUE = ("DynamicFrame", "DynamicFrameCollection", "DynamicFrameReader", "DynamicFrameWriter", "GlueContext")


def __getattr__(name: str) -> object:
    # ``from awsglue import DynamicFrame`` gets the same explanation as the modules give.
    if name in _NEEDS_GLUE:
        from awsglue._unavailable import refuse

        refuse(f"awsglue.{name}")
    raise AttributeError(f"module 'awsglue' has no attribute {name!r}")
