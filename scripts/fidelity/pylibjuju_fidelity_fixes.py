"""Drive the simulator's fidelity fixes with an unmodified python-libjuju.

Manual fidelity check (see docs/fidelity.md): trust as application config
(set_trusted/get_trusted, deploy(trust=True)), refresh with a channel and to a
revision, and Juju's error texts for bad config. Each step prints PASS or FAIL
with the error; steps marked "refused" pass when Juju's error comes back.
"""
import asyncio
import sys

from juju.errors import JujuError
from juju.model import Model

from fidelity_steps import expect_error, step, summary


def refused(make, expect):
    """Passes when `make()` raises Juju's error (python-libjuju's add_machine
    re-raises it as ValueError) whose text contains `expect`."""
    return expect_error(make, expect, kinds=(JujuError, ValueError))


async def main():
    model = Model()
    await step("Model.connect_current", lambda: model.connect_current())

    async def deploy():
        app = await model.deploy("ubuntu")
        await model.deploy("postgresql", channel="14/stable", trust=True)
        await model.wait_for_idle(apps=["ubuntu", "postgresql"], timeout=60, idle_period=1)
        return app.name

    await step("Model.deploy ubuntu + postgresql(trust=True)", deploy)

    async def trusted_at_deploy():
        got = await model.applications["postgresql"].get_trusted()
        assert got is True, got
        return got

    await step("Application.get_trusted after deploy(trust=True)", trusted_at_deploy)

    async def untrusted():
        got = await model.applications["ubuntu"].get_trusted()
        assert got is False, got
        return got

    await step("Application.get_trusted (default false)", untrusted)

    async def set_trusted():
        app = model.applications["ubuntu"]
        await app.set_trusted(True)
        assert await app.get_trusted() is True
        await app.set_trusted(False)
        assert await app.get_trusted() is False
        return "true then false"

    await step("Application.set_trusted / get_trusted round trip", set_trusted)

    async def refresh_channel():
        app = model.applications["postgresql"]
        await app.refresh(channel="14/edge")
        await model.wait_for_idle(apps=["postgresql"], timeout=60, idle_period=1)
        status = await model.get_status()
        ch = status.applications["postgresql"].charm_channel
        assert ch == "14/edge", ch
        return ch

    await step("Application.refresh(channel=...) changes the channel", refresh_channel)

    async def refresh_revision():
        app = model.applications["ubuntu"]
        before = app.charm_url
        await app.refresh(revision=30)
        await model.wait_for_idle(apps=["ubuntu"], timeout=60, idle_period=1)
        after = model.applications["ubuntu"].charm_url
        assert after.endswith("-30"), (before, after)
        return after

    await step("Application.refresh(revision=...)", refresh_revision)

    await step(
        "refused: Application.set_config with an unknown option",
        lambda: refused(
            lambda: model.applications["ubuntu"].set_config({"no-such-option": "1"}),
            'parsing settings for application: unknown option "no-such-option"',
        ),
    )

    await step(
        "refused: Model.set_config with a bad duration",
        lambda: refused(
            lambda: model.set_config({"update-status-hook-interval": "often"}),
            'invalid update status hook interval in model configuration: time: invalid duration "often"',
        ),
    )

    await step(
        "refused: Model.set_config with a bad boolean",
        lambda: refused(
            lambda: model.set_config({"enable-os-upgrade": "maybe"}),
            'enable-os-upgrade: expected bool, got string("maybe")',
        ),
    )

    await step(
        "refused: Model.set_config with a bad integer",
        lambda: refused(
            lambda: model.set_config({"num-provision-workers": "many"}),
            'num-provision-workers: expected number, got string("many")',
        ),
    )

    async def config_coerced():
        await model.set_config({"enable-os-upgrade": "false"})
        cfg = await model.get_config()
        value = cfg["enable-os-upgrade"].value
        assert value is False, value
        return value

    await step("Model.set_config stores a coerced bool", config_coerced)

    await step(
        "refused: Model.add_machine with a zone as the scope",
        lambda: refused(lambda: model.add_machine("zone=az1"), 'invalid model name "zone=az1"'),
    )

    await step(
        "refused: Model.deploy a k8s-api charm into a machine model",
        lambda: refused(
            lambda: model.deploy("alertmanager-k8s"),
            'charm requires feature "k8s-api" but model does not support it',
        ),
    )

    await model.disconnect()
    return summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
