"""Imports abi3 proof modules and calls their `run(helpers)`, each in a forked child, and prints one JSON line
per module: what happened on this interpreter (scripts/runtime.ts starts it; runs on CPython 3.6 and later).

    python runtime_driver.py NAME=PATH.so [NAME=PATH.so ...]

A child reports through a pipe, so whatever the module prints cannot be mistaken for its result; a child that
dies by a signal is a crash; one that runs past the time limit is killed and reported as a timeout.
"""
import json
import os
import signal
import sys
import warnings

TIME_LIMIT = 20


class Index:
    """An object with __index__ but not an int: accepted by integer conversions that call __index__."""

    def __index__(self):
        return 7


class IntOnly:
    """An object with __int__ and no __index__."""

    def __int__(self):
        return 7


class Meta(type):
    """A metaclass that overrides tp_new."""

    def __new__(mcls, *args, **kwargs):
        return super().__new__(mcls, *args, **kwargs)


class WithMeta(metaclass=Meta):
    pass


class BufferByDunder:
    """A class that exports a buffer by defining __buffer__ in Python (PEP 688)."""

    def __buffer__(self, flags):
        return memoryview(b"abc")


class Spec:
    """What PyModule_FromDefAndSpec needs of a module spec: a name."""

    name = "abi3lint_proof_module"


HELPERS = {
    "version": sys.version_info[:2],
    "spec": Spec(),
    "Index": Index,
    "IntOnly": IntOnly,
    "WithMeta": WithMeta,
    "BufferByDunder": BufferByDunder,
}


def load(name, path):
    import importlib.machinery
    import importlib.util

    loader = importlib.machinery.ExtensionFileLoader(name, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def describe(exc):
    return "%s: %s" % (type(exc).__name__, exc)


def child(name, path):
    """Runs in the child: returns the result as a dict."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            module = load(name, path)
        except BaseException as exc:
            return {"status": "import-error", "detail": describe(exc)}
        try:
            value = module.run(HELPERS)
        except BaseException as exc:
            result = {"status": "exception", "detail": describe(exc)}
        else:
            result = {"status": "ok", "detail": repr(value)}
    result["warnings"] = ["%s: %s" % (w.category.__name__, w.message) for w in caught]
    return result


def run_one(name, path):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        signal.alarm(TIME_LIMIT)
        try:
            result = child(name, path)
        except BaseException as exc:
            result = {"status": "exception", "detail": "driver: " + describe(exc)}
        data = json.dumps(result).encode()
        os.write(write_end, data)
        os.close(write_end)
        os._exit(0)
    os.close(write_end)
    chunks = []
    while True:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGALRM:
            return {"status": "timeout", "detail": "ran past %d s" % TIME_LIMIT}
        return {"status": "crash", "detail": signal.Signals(sig).name}
    if not chunks:
        return {"status": "crash", "detail": "exited with status %d and no result" % os.WEXITSTATUS(status)}
    return json.loads(b"".join(chunks).decode())


def main(argv):
    for arg in argv:
        name, _, path = arg.partition("=")
        result = run_one(name, path)
        result["module"] = name
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
