"""Drive the members of issue #10 in the libjuju simulator with an unmodified python-libjuju.

Manual fidelity check (see docs/fidelity.md): python-libjuju 3.5's
Controller.add_model (which reads JUJU_DATA/ssh/juju_id_rsa.pub), clouds,
cloud, get_cloud, add_cloud, api_endpoints, grant/revoke, reset_user_password,
watch_model_summaries; Model.get_controller, get_action_status, get_status;
Application.get_series, get_status, run, on_unit_add; Unit.get_public_address,
resolved; blocks and status history through python-libjuju's generated
facades (3.5 has no methods of its own for them).
Each step prints PASS or FAIL with the error and the script carries on.
Run: PYLIBJUJU=/path/to/python-libjuju scripts/fidelity/run.sh pylibjuju_members.py [-v]
"""
import asyncio
import os
import sys

from juju.client import client
from juju.controller import Controller

from fidelity_steps import check, expect_error, step, summary


async def controller_checks(state):
    controller = Controller()
    await step("Controller.connect_current", lambda: controller.connect_current())
    state["controller"] = controller

    async def get_cloud():
        name = await controller.get_cloud()
        check(name == "localhost", f"cloud {name!r}")
        return name

    await step("Controller.get_cloud", get_cloud)

    async def clouds():
        res = await controller.clouds()
        check("cloud-localhost" in res.clouds, f"clouds {list(res.clouds)}")
        return list(res.clouds)

    await step("Controller.clouds", clouds)

    async def cloud():
        res = await controller.cloud()
        check(res.cloud.type_ == "lxd", f"type {res.cloud.type_!r}")
        return res.cloud.type_

    await step("Controller.cloud", cloud)

    async def add_cloud():
        c = client.Cloud(type_="maas", auth_types=["oauth1"], endpoint="http://10.0.0.2:5240/MAAS")
        res = await controller.add_cloud("metal", c)
        check(res.endpoint == "http://10.0.0.2:5240/MAAS", f"endpoint {res.endpoint!r}")
        return res.type_

    await step("Controller.add_cloud", add_cloud)

    async def endpoints():
        # python-libjuju 3.5 declares api_endpoints as an async property.
        eps = await controller.api_endpoints
        check(len(eps) == 1 and ":" in eps[0], f"endpoints {eps}")
        return eps

    await step("Controller.api_endpoints", endpoints)

    async def add_model():
        model = await controller.add_model("members")
        state["model"] = model
        pub = open(os.path.join(os.environ["JUJU_DATA"], "ssh", "juju_id_rsa.pub")).read().strip()
        check(pub.endswith(" juju-client-key"), f"client key comment: {pub[-30:]!r}")
        # Juju keeps the client key in the model but never lists juju-client-key keys.
        res = await model.get_ssh_keys(raw_ssh=True)
        keys = [k for r in res.results for k in (r.result or [])]
        check(pub not in keys, "the internal client key is listed")
        return model.info.name

    await step("Controller.add_model (reads ssh/juju_id_rsa.pub)", add_model)

    async def grant_revoke():
        await controller.add_user("dave", password="pw-dave")
        check(await controller.grant("dave", "superuser") is True, "grant superuser")
        check(await controller.grant("dave", "login") is False, "grant login again")
        await controller.revoke("dave", "superuser")
        user = await controller.get_user("dave")
        return user.access

    await step("Controller.grant / revoke (ModifyControllerAccess)", grant_revoke)

    async def reset():
        user = await controller.reset_user_password("dave")
        check(user is not None and user.secret_key, "no secret key")
        return user.username

    await step("Controller.reset_user_password", reset)

    async def summaries_as_pylibjuju_does():
        # python-libjuju 3.5's watcher sets `watcher.Id` but its generated
        # ModelSummaryWatcherFacade.Next sends the builtin `id` instead, so
        # the first Next fails before reaching any controller (real or not).
        seen = []
        stop = await controller.watch_model_summaries(lambda s: seen.append(s), as_admin=True)
        await asyncio.sleep(0.5)
        stop.set()
        check(seen, "python-libjuju 3.5 got no summaries (its Next never reaches the controller)")

    await step("Controller.watch_model_summaries(as_admin=True) [python-libjuju 3.5 bug]", summaries_as_pylibjuju_does)

    async def summaries():
        # The same calls, with the watcher id python-libjuju meant to send.
        conn = controller.connection()
        ctrl = client.ControllerFacade.from_connection(conn)
        started = await ctrl.WatchAllModelSummaries()
        wid = started.watcher_id
        req = {"type": "ModelSummaryWatcher", "version": 1, "id": wid, "request": "Next", "params": {}}
        first = await conn.rpc(req)
        names = sorted(m["name"] for m in first["response"]["models"])
        check("members" in names and "controller" in names, f"summaries {names}")
        await conn.rpc({**req, "request": "Stop"})
        return names

    await step("Controller.watch_model_summaries(as_admin=True)", summaries)


async def model_checks(state):
    model = state.get("model")
    if model is None:
        return

    async def get_controller():
        c = await model.get_controller()
        try:
            names = await c.list_models()
            check("members" in names, f"models {names}")
            return names
        finally:
            await c.disconnect()

    await step("Model.get_controller", get_controller)

    blocks = client.BlockFacade.from_connection(model.connection())

    async def block_on():
        await blocks.SwitchBlockOn(type_="BlockChange", message="frozen for the audit")
        res = await blocks.List()
        got = [(r.result.type_, r.result.message) for r in res.results]
        check(got == [("BlockChange", "frozen for the audit")], f"blocks {got}")
        return got

    await step("Block.SwitchBlockOn / List", block_on)
    await step(
        "Model.set_config refused by a change block",
        lambda: expect_error(lambda: model.set_config({"update-status-hook-interval": "7m"}), "frozen for the audit"),
    )

    async def block_off():
        await blocks.SwitchBlockOff(type_="BlockChange")
        res = await blocks.List()
        check(not res.results, f"blocks left {res.results}")

    await step("Block.SwitchBlockOff", block_off)

    async def deploy():
        added = []
        app = await model.deploy("ubuntu", series="jammy")
        async def on_add(delta, old, new, model):
            added.append(new.name)

        app.on_unit_add(on_add)
        await app.add_unit()
        await model.wait_for_idle(apps=["ubuntu"], timeout=120)
        check("ubuntu/1" in added, f"on_unit_add saw {added}")
        state["app"] = app
        return added

    await step("Application.on_unit_add", deploy)
    app = state.get("app")
    if app is None:
        return

    async def series():
        s = await app.get_series()
        check(s == "jammy", f"series {s!r}")
        return s

    await step("Application.get_series", series)

    async def app_status():
        s = await app.get_status()
        check(s == "active", f"status {s!r}")
        return s

    await step("Application.get_status", app_status)

    async def run():
        res = await app.run("hostname")
        check(len(res.actions) == 2, f"{len(res.actions)} tasks")
        state["task"] = res.actions[0].action.tag[len("action-"):]
        return state["task"]

    await step("Application.run", run)

    async def action_status_by_name():
        # python-libjuju 3.5 looks names up with Action.FindActionsByNames,
        # which Juju 3 removed (Action v7): against Juju 3.6 this fails too.
        try:
            await model.get_action_status(name="juju-exec")
        except AttributeError as e:
            check("FindActionsByNames" in str(e), str(e))
            return "fails as against Juju 3.6 (no FindActionsByNames in Action v7)"
        raise AssertionError("expected python-libjuju 3.5 to find no FindActionsByNames")

    await step("Model.get_action_status(name=) fails as on Juju 3.6", action_status_by_name)

    async def action_results():
        task = state.get("task")
        check(task is not None, "no task")
        res = await model.get_action_output(task, wait=30)
        check("stdout" in res or "return-code" in res, f"output {res}")
        return sorted(res)

    await step("Model.get_action_output of an Application.run task", action_results)

    async def status():
        st = await model.get_status()
        check("ubuntu" in st.applications, "ubuntu missing")
        return st.applications["ubuntu"].status.status

    await step("Model.get_status", status)

    unit = model.units["ubuntu/0"]

    async def public_address():
        addr = await unit.get_public_address()
        check(addr, "no address")
        return addr

    await step("Unit.get_public_address", public_address)
    await step(
        "Unit.resolved on a unit not in error",
        lambda: expect_error(lambda: unit.resolved(retry=True), "is not in an error state"),
    )

    async def history():
        facade = client.ClientFacade.from_connection(model.connection())
        res = await facade.StatusHistory(requests=[{
            "historyKind": "workload", "size": 0, "tag": unit.tag,
            "filter": {"size": 5, "date": None, "delta": None, "exclude": []},
        }])
        statuses = res.results[0].history.statuses
        check(statuses and statuses[0].status == "active", f"history {[s.status for s in statuses]}")
        return [s.status for s in statuses]

    await step("Client.StatusHistory (workload)", history)

    async def destroy_block():
        await blocks.SwitchBlockOn(type_="BlockDestroy", message="keep it")
        try:
            await expect_error(lambda: state["controller"].destroy_models(model.info.uuid), "keep it")
        finally:
            await blocks.SwitchBlockOff(type_="BlockDestroy")

    await step("Controller.destroy_models refused by a destroy block", destroy_block)
    await step("Model.disconnect", lambda: model.disconnect())


async def main():
    state = {}
    await controller_checks(state)
    await model_checks(state)
    if "controller" in state:
        await step("Controller.disconnect", lambda: state["controller"].disconnect())
    return summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
