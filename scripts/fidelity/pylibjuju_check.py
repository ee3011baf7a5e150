"""Drive the libjuju simulator with an unmodified python-libjuju.

Manual fidelity check (python-libjuju is not on npm, so CI cannot run it):
see docs/fidelity.md. Each step prints PASS or FAIL with the error, and the
script carries on with the next step where that makes sense.
"""
import asyncio
import sys

from juju.controller import Controller
from juju.model import Model

from fidelity_steps import step, summary


async def model_checks():
    model = Model()
    await step("Model.connect_current", lambda: model.connect_current())

    async def status():
        st = await model.get_status()
        return f"model {st.model.name} {st.model.version}"

    await step("Model.get_status", status)

    async def info():
        return f"{model.info.name} {model.info.uuid}"

    await step("Model.info (AllWatcher model delta)", info)

    async def deploy_ubuntu():
        app = await model.deploy("ubuntu", application_name="ubu")
        return f"{app.name} {app.charm_url}"

    await step("Model.deploy ubuntu", deploy_ubuntu)

    async def deploy_related():
        await model.deploy("mysql", channel="8.0/stable")
        await model.deploy("mysql-router", channel="8.0/stable", num_units=0)
        return ",".join(sorted(model.applications))

    await step("Model.deploy mysql + mysql-router (subordinate)", deploy_related)
    await step("Model.integrate subordinate", lambda: model.integrate("mysql-router:juju-info", "ubu:juju-info"))
    await step("Model.relate", lambda: model.relate("mysql-router:db-router", "mysql:db-router"))
    await step("Model.wait_for_idle", lambda: model.wait_for_idle(status="active", timeout=120, idle_period=2))

    async def final_status():
        st = await model.get_status()
        units = {u: s.workload_status.status for a in st.applications.values() for u, s in (a.units or {}).items()}
        return units

    await step("Model.get_status after deploy", final_status)
    async def config_round_trip():
        app = model.applications["mysql"]
        await app.set_config({"profile": "testing"})
        cfg = await app.get_config()
        return cfg["profile"]["value"]

    await step("Application.set_config/get_config", config_round_trip)

    async def constraints():
        app = model.applications["ubu"]
        await app.set_constraints({"mem": 4096, "cores": 2})
        return await app.get_constraints()

    await step("Application.set_constraints/get_constraints", constraints)

    async def model_config():
        cfg = await model.get_config()
        return cfg["charmhub-url"].value

    await step("Model.get_config (charmhub-url)", model_config)

    async def run_command():
        unit = model.applications["ubu"].units[0]
        action = await unit.run("hostname", block=True)
        return action.results

    await step("Unit.run (juju exec)", run_command)

    async def run_action():
        unit = model.applications["mysql"].units[0]
        action = await unit.run_action("create-backup")
        action = await action.wait()
        return f"{action.status} {action.results}"

    await step("Unit.run_action + Action.wait", run_action)

    async def deploy_with_resources():
        app = await model.deploy("etcd")
        return str(await app.get_resources())

    await step("Model.deploy etcd (charm resources)", deploy_with_resources)
    await step("Model.add_machine lxd container", lambda: model.add_machine("lxd:0"))
    await step("Model.add_machine", lambda: model.add_machine())
    await step("Application.add_unit", lambda: model.applications["ubu"].add_unit(count=1))
    await step("Application.destroy", lambda: model.applications["ubu"].destroy())
    await step("Model.disconnect", lambda: model.disconnect())


async def controller_checks():
    controller = Controller()
    await step("Controller.connect_current", lambda: controller.connect_current())
    await step("Controller.list_models", lambda: controller.list_models())
    await step("Controller.disconnect", lambda: controller.disconnect())


async def main():
    await model_checks()
    await controller_checks()
    return summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
