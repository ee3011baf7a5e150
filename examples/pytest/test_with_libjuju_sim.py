"""Testing Juju automation with python-libjuju against `libjuju sim`.

Run: `python3 -m pytest examples/pytest` (needs python-libjuju importable,
e.g. PYTHONPATH=/path/to/python-libjuju, and Node 20 for `libjuju sim`).
The tests use `asyncio.run`, so no pytest plugin is needed.
"""
import asyncio

import pytest
from juju.errors import JujuAgentError, JujuAppError, JujuUnitError
from juju.model import Model

# A failed hook shows as the unit's (and so the application's) error status;
# python-libjuju's wait_for_idle raises the error class of whichever it sees first.
HOOK_ERRORS = (JujuAppError, JujuUnitError, JujuAgentError)


async def connected_model():
    model = Model()
    await model.connect_current()
    return model


def test_scripted_hook_error_raises_then_resolves(control):
    """A charm whose install hook fails: wait_for_idle raises, `resolved` retries and it settles."""

    async def scenario():
        model = await connected_model()
        try:
            # Before deploying: the first `install` of any `hooky` unit fails.
            control.failHook("hooky", "install", {"times": 1})
            await model.deploy("ubuntu", application_name="hooky")
            with pytest.raises(HOOK_ERRORS) as raised:
                await model.wait_for_idle(apps=["hooky"], raise_on_error=True, idle_period=1, timeout=60)
            assert "hooky" in str(raised.value)
            unit = model.applications["hooky"].units[0]
            assert unit.workload_status == "error"
            assert unit.workload_status_message == 'hook failed: "install"'

            await unit.resolved(retry=True)
            # The retry runs on the unit agent: wait for the error to clear before waiting for idle,
            # or wait_for_idle may still see the old error status and raise again.
            await model.block_until(lambda: unit.workload_status != "error", timeout=30)
            await model.wait_for_idle(apps=["hooky"], status="active", raise_on_error=True,
                                      idle_period=1, timeout=60)
            assert unit.workload_status == "active"
        finally:
            await model.remove_application("hooky", force=True, block_until_done=True)
            await model.disconnect()

    asyncio.run(scenario())


def test_snapshot_and_restore_between_tests(control):
    """Build a model once, snapshot it, and get it back after a test changed it."""

    async def scenario():
        model = await connected_model()
        try:
            await model.deploy("ubuntu", application_name="base", num_units=2)
            await model.wait_for_idle(apps=["base"], status="active", idle_period=1, timeout=60)
            snapshot = None
            while snapshot is None:  # taken once the agents have nothing left to do
                try:
                    snapshot = control.snapshot()
                except Exception as e:  # noqa: BLE001 - ERR_SNAPSHOT_BUSY until settled
                    if getattr(e, "code", None) != "ERR_SNAPSHOT_BUSY":
                        raise
                    await asyncio.sleep(0.1)

            await model.remove_application("base", force=True, block_until_done=True)
            assert "base" not in model.applications

            control.restore(snapshot)
            # The open connection's watcher sees the restored application come back.
            await model.block_until(lambda: "base" in model.applications
                                    and len(model.applications["base"].units) == 2, timeout=30)
            await model.wait_for_idle(apps=["base"], status="active", idle_period=1, timeout=60)
        finally:
            if "base" in model.applications:
                await model.remove_application("base", force=True, block_until_done=True)
            await model.disconnect()

    asyncio.run(scenario())


def test_control_errors_name_the_problem(control):
    """A control call about something that does not exist fails with the simulator's code."""
    from conftest import ControlError

    with pytest.raises(ControlError) as raised:
        control.setWorkloadStatus("nosuch/0", "blocked", "waiting for a database")
    assert raised.value.code == "not found"
    assert raised.value.status == 404
