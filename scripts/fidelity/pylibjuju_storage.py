"""Drive the libjuju simulator's storage with an unmodified python-libjuju.

Manual fidelity check (see docs/fidelity.md): storage pools, deploy with
storage directives, list/show storage, a unit's add/detach/attach storage
and remove_storage. Each step prints PASS or FAIL with the error; steps
marked "refused" pass when Juju's error comes back.
"""
import asyncio
import sys

from juju.errors import JujuError
from juju.model import Model

from fidelity_steps import expect_error, step, summary


def refused(make, expect):
    """Passes when `make()` raises a JujuError whose text contains `expect`."""
    return expect_error(make, expect, kinds=(JujuError,))


async def main():
    model = Model()
    await step("Model.connect_current", lambda: model.connect_current())

    async def pools():
        return sorted(p["name"] for p in await model.list_storage_pools())

    await step("Model.list_storage_pools", pools)
    await step("Model.create_storage_pool", lambda: model.create_storage_pool("fast", "lxd", "driver=dir"))
    await step("Model.update_storage_pool", lambda: model.update_storage_pool("fast", "driver=zfs"))

    async def pool_attrs():
        fast = [p for p in await model.list_storage_pools() if p["name"] == "fast"]
        assert fast and fast[0]["attrs"] == {"driver": "zfs"}, fast
        return fast[0]

    await step("Model.list_storage_pools (updated pool)", pool_attrs)
    await step("Model.remove_storage_pool", lambda: model.remove_storage_pool("fast"))

    # python-libjuju 3.5.2's deploy(storage=...) fails client-side for every value
    # (it builds Constraints objects, then parses them as strings), so storage
    # directives are exercised by the TypeScript e2e tests; here the charms'
    # own storage defaults (postgresql's pgdata) and Unit.add_storage are used.
    async def deploy():
        await model.deploy("postgresql", channel="14/stable")
        app = await model.deploy("ubuntu")
        await model.wait_for_idle(apps=["postgresql", "ubuntu"], timeout=60, idle_period=1)
        return app.name

    await step("Model.deploy postgresql (charm storage) + ubuntu", deploy)

    async def list_storage():
        st = await model.list_storage()
        return sorted(s["storage-tag"] for s in st)

    await step("Model.list_storage", list_storage)
    await step("Model.list_storage(volume=True)", lambda: _count(model.list_storage(volume=True)))
    await step("Model.list_storage(filesystem=True)", lambda: _count(model.list_storage(filesystem=True)))

    # python-libjuju makes tags as "storage-" + id, so ids go in tag form
    # (pgdata-0); "pgdata/0" is refused by Juju as not a valid storage tag.
    async def show():
        details = await model.show_storage_details("pgdata-0")
        return details[0]["storage-tag"]

    await step("Model.show_storage_details", show)

    async def add_storage():
        unit = model.applications["ubuntu"].units[0]
        return await unit.add_storage("block", pool="loop", size=2048, count=2)

    await step("Unit.add_storage", add_storage)

    async def add_storage_small():
        unit = model.applications["ubuntu"].units[0]
        return await refused(lambda: unit.add_storage("files", size=10), "minimum storage size is 100 MB")

    await step("Unit.add_storage below minimum refused", add_storage_small)
    await step("Unit.detach_storage", lambda: model.applications["ubuntu"].units[0].detach_storage("block-1"))
    await step("Unit.attach_storage", lambda: model.applications["ubuntu"].units[0].attach_storage(["block-1"]))

    async def remove_attached():
        return await refused(lambda: model.remove_storage("storage-block-2", destroy_storage=True), "is attached")

    await step("Model.remove_storage attached refused", remove_attached)

    async def remove():
        await model.applications["ubuntu"].units[0].detach_storage("block-2")
        await model.remove_storage("storage-block-2", destroy_storage=True)
        return sorted(s["storage-tag"] for s in await model.list_storage())

    await step("Model.remove_storage", remove)
    await step("Model.disconnect", lambda: model.disconnect())
    return summary()


async def _count(coro):
    return len(await coro)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
