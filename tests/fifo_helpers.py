"""Calling a reader on a named pipe without letting the test hang when the reader blocks."""

import os
import threading

import pytest


def without_hanging(fn, fifo):
    """Run ``fn()`` in a thread; return ``{"value": ...}`` or ``{"error": exception}``.

    A reader that opens ``fifo`` (a named pipe no one writes to) blocks forever: after 10 s
    the test fails, once the pipe's writing end has been opened and closed to free the thread.
    """
    result = {}

    def run():
        try:
            result["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - returned to the caller
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(5)
        pytest.fail(f"blocked on the named pipe {fifo}")
    return result
