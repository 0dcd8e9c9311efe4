"""The Python runtime inside one warm worker process (one Lambda execution environment).

Started by ``workers.py`` as ``python -u -P -X utf8 runtime_bootstrap.py TASK_ROOT LAYER_PATHS_JSON``
with the task root as working directory. It imports nothing from ``lakelab``, so the handler
sees a clean interpreter, as on AWS. It follows the public AWS runtime interface client: the
same handler loading, error documents, logging format and JSON marshalling.

Pipes: requests arrive as JSON lines on the original stdin, answers leave as JSON lines on the
original stdout; the handler's own stdout and stderr both go to the log pipe (fd 2), where
multi-line records (logging, errors) travel as one framed line so each stays one log event.
"""

import decimal
import importlib
import json
import logging
import os
import sys
import time
import traceback

FRAME = "\x1e\x1f"  # starts a framed log line; never produced by ordinary text output
ERROR_LOG_IDENT = "\u00a0"  # AWS indents traceback lines in logs with no-break spaces
_request_id = ""


class FaultError(Exception):
    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type, self.message, self.trace = error_type, message, trace


def write_frame(document):
    for stream in (sys.stdout, sys.stderr):  # what the handler printed goes first
        try:
            stream.flush()
        except Exception:  # a handler may have replaced or closed them
            pass
    os.write(2, (FRAME + json.dumps(document) + "\n").encode("utf-8"))


class LambdaLogHandler(logging.Handler):
    def emit(self, record):
        write_frame({"log": self.format(record).rstrip("\n")})


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id
        return True


def setup_logging():
    # AWS adds one handler to the root logger and leaves its level at WARNING, which is why
    # logging.basicConfig() does nothing in Lambda and INFO lines need logger.setLevel(INFO).
    logging.Formatter.converter = time.gmtime
    handler = LambdaLogHandler()
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"
        )
    )
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)


def load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as error:
        raise FaultError("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {error}")
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            message = f"Cannot use built-in module {module_name} as a handler module"
            raise FaultError("Runtime.BuiltInModuleConflict", message)
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as error:
        raise FaultError("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}")
    except SyntaxError as error:
        trace = ['  File "%s" Line %s\n    %s' % (error.filename, error.lineno, error.text)]
        raise FaultError("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {error}", trace)
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise FaultError("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")


def make_error(message, error_type, trace, request_id=""):
    return {"errorMessage": message or "", "errorType": error_type or "", "requestId": request_id,
            "stackTrace": trace or []}


def error_from_exception(error, request_id=""):
    if isinstance(error, FaultError):
        return make_error(error.message, error.error_type, error.trace, request_id)
    frames = traceback.extract_tb(error.__traceback__)
    while frames and frames[0].filename == __file__:  # the runtime's own frames are not the learner's
        frames = frames[1:]
    return make_error(str(error), type(error).__name__, traceback.format_list(frames), request_id)


def log_error(error):
    description = "[ERROR] " + error["errorType"] + (": " + error["errorMessage"] if error["errorMessage"] else "")
    lines = [description, "Traceback (most recent call last):"]
    for element in error["stackTrace"]:
        for line in element.splitlines():
            indent = len(line) - len(line.lstrip(" "))
            lines.append(ERROR_LOG_IDENT * indent + line[indent:])
    write_frame({"log": "\n".join(lines)})


def to_json(value):
    def default(item):
        if isinstance(item, decimal.Decimal):  # as the AWS marshaller: Decimals become JSON numbers
            return int(item) if item == item.to_integral_value() else float(item)
        raise TypeError(f"Object of type {type(item).__name__} is not JSON serializable")

    ensure_ascii = os.environ.get("AWS_EXECUTION_ENV") != "AWS_Lambda_python3.12"  # AWS's own quirk
    return json.dumps(value, default=default, ensure_ascii=ensure_ascii)


def marshal(response):
    if isinstance(response, bytes):
        return response
    try:
        return to_json(response).encode("utf-8")
    except Exception as error:
        raise FaultError("Runtime.MarshalError", f"Unable to marshal response: {error}")


class LambdaContext:
    def __init__(self, request):
        self.aws_request_id = request["request_id"]
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")  # a string, as on AWS
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = request["invoked_function_arn"]
        self.client_context = ClientContext.from_dict(request.get("client_context"))
        self.identity = CognitoIdentity()
        self._deadline_ms = request["deadline_ms"]

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, message):
        write_frame({"log": str(message)})

    def __repr__(self):
        return f"LambdaContext([aws_request_id={self.aws_request_id},function_name={self.function_name}])"


class CognitoIdentity:
    cognito_identity_id = None
    cognito_identity_pool_id = None


class ClientContext:
    @classmethod
    def from_dict(cls, document):
        if document is None:
            return None
        context = cls()
        context.custom, context.env, context.client = (document.get(k) for k in ("custom", "env", "client"))
        return context


def peak_memory_mb():
    try:  # Linux: this process's own peak (ru_maxrss would include the parent's, kept across exec)
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        pass
    try:
        import resource
    except ImportError:  # Windows has no resource module
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak / 1024 / 1024) if sys.platform == "darwin" else int(peak / 1024)  # macOS reports bytes


def handle(request_handler, request):
    global _request_id
    _request_id = request["request_id"]
    os.environ["_X_AMZN_TRACE_ID"] = request["trace_id"]
    started = time.perf_counter()
    try:
        payload, ok = marshal(request_handler(json.loads(request["event"]), LambdaContext(request))), True
    except Exception as error:
        failure = error_from_exception(error, _request_id)
        log_error(failure)
        payload, ok = to_json(failure).encode("utf-8"), False
    duration_ms = (time.perf_counter() - started) * 1000
    write_frame({"end": _request_id})  # everything the handler wrote is now in the log pipe
    return {"type": "result", "ok": ok, "payload": payload.decode("latin-1"), "duration_ms": duration_ms,
            "max_memory_mb": peak_memory_mb()}


def take_over_standard_streams():
    """Keep stdin/stdout for the runtime's own messages; the handler writes to the log pipe."""
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    with open(os.devnull, "rb") as devnull:  # a handler calling input() must not eat requests
        os.dup2(devnull.fileno(), 0)
    return requests, answers


def setup_path(task_root, layer_paths):
    sys.path[:] = [task_root, *layer_paths] + [p for p in sys.path if p not in ("", task_root)]
    del sys.argv[1:]


def main():
    requests, answers = take_over_standard_streams()
    setup_path(sys.argv[1], json.loads(sys.argv[2]))
    setup_logging()
    try:
        request_handler = load_handler(os.environ["_HANDLER"])
    except Exception as error:
        failure = error_from_exception(error)
        logging.warning("LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code.")
        log_error(failure)
        write_frame({"end": ""})
        answers.write(json.dumps({"type": "init_error", "error": failure, "max_memory_mb": peak_memory_mb()}) + "\n")
        sys.exit(1)
    write_frame({"end": ""})  # what the module printed while loading belongs before the first START
    answers.write(json.dumps({"type": "ready"}) + "\n")
    for line in requests:
        answers.write(json.dumps(handle(request_handler, json.loads(line))) + "\n")


if __name__ == "__main__":
    main()
