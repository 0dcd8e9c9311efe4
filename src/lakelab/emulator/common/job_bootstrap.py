"""The first code of a job process: run the script as ``python script.py --key value`` would.

Arguments: ``<result file> <script> [script arguments...]``. The script runs as ``__main__`` with
``sys.argv = [script, *arguments]`` and its folder first on ``sys.path``. When it raises, the
traceback goes to stderr (the error log, as on AWS) and the result file records the exception's
type, message and the script line that failed: the service builds its error message from them.
This file runs in the job's process, so it imports nothing from the emulator.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import traceback

MESSAGE_LIMIT = 2000


def main() -> None:
    result_file, script, *arguments = sys.argv[1:]
    script = os.path.abspath(script)
    sys.argv = [script, *arguments]
    sys.path.insert(0, os.path.dirname(script))
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit:
        if exit.code not in (None, 0):  # sys.exit(0) ends a job successfully, as on AWS
            _record(result_file, {"type": "SystemExit", "message": f"exit code {exit.code}",
                                  "line": _failed_line(exit, script)})
        raise
    except BaseException as error:
        traceback.print_exc()
        _record(result_file, _describe(error, script))
        sys.exit(1)


def _describe(error: BaseException, script: str) -> dict[str, object]:
    kind, message = type(error).__name__, str(error)
    java_exception = getattr(error, "java_exception", None)
    if kind == "Py4JJavaError" and java_exception is not None:
        kind, message = "", _java_message(error, java_exception)  # as Glue words it: the call, then Java's message
    return {"type": kind, "message": message.strip()[:MESSAGE_LIMIT], "line": _failed_line(error, script)}


def _java_message(error: BaseException, java_exception: object) -> str:
    call = str(getattr(error, "errmsg", "")).strip()
    try:
        detail = java_exception.getMessage() or java_exception.toString()  # type: ignore[attr-defined]
    except Exception:  # the JVM may be gone already
        detail = ""
    return f"{call} {detail}".strip()


def _failed_line(error: BaseException, script: str) -> int | None:
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if os.path.abspath(frame.filename) == script:
            line = frame.lineno
    return line


def _record(result_file: str, document: dict[str, object]) -> None:
    with open(result_file, "w", encoding="utf-8") as handle:
        json.dump(document, handle)


if __name__ == "__main__":
    main()
