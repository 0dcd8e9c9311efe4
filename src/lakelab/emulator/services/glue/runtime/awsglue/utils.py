"""``getResolvedOptions``: job arguments from ``sys.argv``, as AWS Glue documents it.

Each requested option must be on the command line as ``--NAME value`` (else
``GlueArgumentError``). The answer also holds the arguments Glue itself passes (``JOB_ID``,
``JOB_RUN_ID``, ``job_bookmark_option`` defaulting to ``job-bookmark-disable``, ``TempDir``...),
and ignores every other argument. Bookmark options are reserved: asking for them is an error.
"""

from __future__ import annotations

import argparse

BOOKMARK_OPTION = "job-bookmark-option"
BOOKMARK_CHOICES = ("job-bookmark-enable", "job-bookmark-pause", "job-bookmark-disable")
CONTINUATION_OPTION = "continuation-option"  # the older name of the bookmark option
CONTINUATION_CHOICES = ("continuation-enabled", "continuation-readonly", "continuation-ignore")
BOOKMARK_RANGE = ("job-bookmark-from", "job-bookmark-to")
RUN_IDENTIFIERS = ("JOB_ID", "JOB_RUN_ID", "SECURITY_CONFIGURATION")
TEMP_DIRECTORIES = ("TempDir", "RedshiftTempDir")


class GlueArgumentError(Exception):
    """A requested argument is missing, or a Glue argument has a value Glue does not accept."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise GlueArgumentError(message)


def getResolvedOptions(args: list[str], options: list[str]) -> dict[str, str | None]:  # noqa: N802 (Glue's name)
    """The values of ``options`` (names without ``--``) in ``args`` (``sys.argv``), plus Glue's own."""
    for option in options:
        if option in (BOOKMARK_OPTION, CONTINUATION_OPTION, *BOOKMARK_RANGE):
            raise RuntimeError(f"Using reserved arguments {option}")
    parser = _parser([option for option in options if option not in TEMP_DIRECTORIES])
    parsed = vars(parser.parse_known_args(list(args[1:]))[0])
    return _resolve_glue_arguments(parsed)


def _parser(required: list[str]) -> _Parser:
    parser = _Parser(add_help=False)
    parser.add_argument(f"--{BOOKMARK_OPTION}", choices=BOOKMARK_CHOICES)
    parser.add_argument(f"--{CONTINUATION_OPTION}", choices=CONTINUATION_CHOICES)
    parser.add_argument("--encryption-type", choices=("sse-s3",))
    for name in (*BOOKMARK_RANGE, *RUN_IDENTIFIERS, *TEMP_DIRECTORIES):
        if name not in required:  # a requested JOB_RUN_ID is simply required
            parser.add_argument(f"--{name}")
    for name in required:
        parser.add_argument(f"--{name}", required=True)
    return parser


def _resolve_glue_arguments(parsed: dict[str, str | None]) -> dict[str, str | None]:
    # Either temporary directory stands for the other when only one is given.
    if parsed.get("TempDir") is not None:
        parsed["RedshiftTempDir"] = parsed["TempDir"]
    elif parsed.get("RedshiftTempDir") is not None:
        parsed["TempDir"] = parsed["RedshiftTempDir"]
    # The old continuation option counts only when the bookmark option is absent.
    continuation = parsed.pop("continuation_option", None)
    if parsed.get("job_bookmark_option") is None:
        index = CONTINUATION_CHOICES.index(continuation) if continuation else 2
        parsed["job_bookmark_option"] = BOOKMARK_CHOICES[index]
    return parsed
