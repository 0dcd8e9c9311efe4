"""Pieces several services share.

- ``s3_objects``: the one in-process access to S3 objects (no HTTP round trip)
- ``logs``: the one writer of CloudWatch Logs
- ``user_code``: the environment of user code (role credentials, this emulator's endpoint,
  private folders)
- ``spark``, ``job_process``, ``job_bootstrap``, ``job_files``: running a PySpark or Python
  driver as Glue jobs and EMR Serverless both do
"""
