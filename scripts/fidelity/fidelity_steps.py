"""Step bookkeeping shared by the pylibjuju_*.py fidelity scripts.

Each step prints PASS or FAIL with the error and the script carries on, so one
run lists every finding; `summary()` prints the closing count line.
"""
import asyncio
import sys
import traceback

results = []


async def step(name, make):
    """Runs `make()` (a coroutine factory), so that a failing lookup counts as a failed step."""
    try:
        value = await make()
        results.append((name, True, ""))
        print(f"PASS {name}" + (f": {value}" if value is not None else ""), flush=True)
        return value
    except Exception as e:  # noqa: BLE001 - every failure is a finding
        results.append((name, False, f"{type(e).__name__}: {e}"))
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
        if "-v" in sys.argv:
            traceback.print_exc()
        return None


def summary():
    """Prints 'N passed, N failed' and returns the process exit code."""
    failed = [r for r in results if not r[1]]
    print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def check(cond, what):
    """Fails the current step with `what` unless `cond` holds."""
    if not cond:
        raise AssertionError(what)


async def expect_error(make, *fragments, kinds=None):
    """Passes when `make()` raises one of `kinds` (default: python-libjuju's
    JujuAPIError or JujuError) whose text holds every fragment; returns the text."""
    if kinds is None:
        # Imported here: this module is bookkeeping and loads without python-libjuju.
        from juju.errors import JujuAPIError, JujuError

        kinds = (JujuAPIError, JujuError)
    try:
        await make()
    except kinds as e:
        text = str(e)
        for f in fragments:
            check(f in text, f"{f!r} not in {text!r}")
        return text
    raise AssertionError("expected a Juju error")


async def until(what, cond, timeout=30):
    """Waits (polling every 50 ms) for `cond()` on the models' watched state."""
    for _ in range(int(timeout * 20)):
        if cond():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def proxied(model):
    """Relations of an offering model that go to a consumer proxy (`remote-…`)."""
    return [r for r in model.relations if "remote-" in r.key]
