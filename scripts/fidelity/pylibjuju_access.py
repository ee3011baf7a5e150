"""Drive the libjuju simulator's access control with an unmodified python-libjuju.

Manual fidelity check (see docs/fidelity.md): the controller admin adds users
and grants them access with python-libjuju 3.5 (add_user, grant_model,
Controller.grant); then a read-only user reads status but every write it tries
raises `permission denied`, a user without model access cannot connect to the
model nor add or destroy models, and a write user deploys.
Each step prints PASS or FAIL with the error and the script carries on.
Run: PYLIBJUJU=/path/to/python-libjuju scripts/fidelity/run.sh pylibjuju_access.py [-v]
"""
import asyncio
import sys

from juju.controller import Controller
from juju.errors import JujuAPIError, JujuError
from juju.model import Model

from fidelity_steps import check, step, summary

PW = "fidelity-pw"


async def expect_denied(make):
    """Passes when `make()` raises a Juju error saying `permission denied`."""
    try:
        await make()
    except (JujuAPIError, JujuError) as e:
        text = str(e)
        check("permission denied" in text, f"'permission denied' not in {text!r}")
        return text
    raise AssertionError("expected permission denied, the call succeeded")


async def connect_as(ctl, uuid, user):
    conn = ctl.connection()
    m = Model()
    await m.connect(endpoint=conn.endpoint, uuid=uuid, username=user, password=PW, cacert=conn.cacert)
    return m


async def controller_as(ctl, user):
    conn = ctl.connection()
    c = Controller()
    await c.connect(endpoint=conn.endpoint, username=user, password=PW, cacert=conn.cacert)
    return c


async def main():
    admin = Controller()
    await step("Controller.connect_current (admin)", lambda: admin.connect_current())
    uuids = await admin.model_uuids()
    default = uuids["default"]

    for user in ("viewer", "editor", "stranger"):
        await step(f"Controller.add_user {user}", lambda user=user: admin.add_user(user, password=PW))
    await step("Controller.grant_model viewer read", lambda: admin.grant_model("viewer", default, "read"))
    await step("Controller.grant_model editor write", lambda: admin.grant_model("editor", default, "write"))

    owner = Model()
    await step("Model.connect_current (admin)", lambda: owner.connect_current())
    await step("admin deploys ubuntu", lambda: owner.deploy("ubuntu"))

    async def settle():
        await owner.wait_for_idle(apps=["ubuntu"], timeout=120)
        return owner.applications["ubuntu"].status

    await step("admin waits for ubuntu", settle)

    viewer = Model()

    async def viewer_connects():
        nonlocal viewer
        viewer = await connect_as(admin, default, "viewer")
        return viewer.info.name if viewer.info else None

    await step("viewer connects to default", viewer_connects)

    async def viewer_status():
        status = await viewer.get_status()
        check("ubuntu" in status.applications, f"applications {list(status.applications)}")
        return sorted(status.applications)

    await step("viewer reads status", viewer_status)
    await step("viewer reads config", lambda: viewer.applications["ubuntu"].get_config())

    app = lambda: viewer.applications["ubuntu"]  # noqa: E731 - the viewer's view of the app
    await step("viewer deploy raises permission denied", lambda: expect_denied(lambda: viewer.deploy("ubuntu", application_name="ubuntu-two")))
    await step("viewer set_config raises permission denied", lambda: expect_denied(lambda: app().set_config({"hostname": "x"})))
    await step("viewer add_unit raises permission denied", lambda: expect_denied(lambda: app().add_unit()))
    await step("viewer expose raises permission denied", lambda: expect_denied(lambda: app().expose()))
    await step("viewer set_constraints raises permission denied", lambda: expect_denied(lambda: app().set_constraints({"mem": 1024})))
    await step("viewer add_machine raises permission denied", lambda: expect_denied(lambda: viewer.add_machine()))
    await step("viewer add_ssh_key raises permission denied", lambda: expect_denied(lambda: viewer.add_ssh_key("viewer", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB2sWFh9kWbzsS9u0P5ki2t0mZCztGAoLmdmwx0hD6N+ v@x")))
    await step("viewer set_config on the model raises permission denied", lambda: expect_denied(lambda: viewer.set_config({"update-status-hook-interval": "10m"})))

    async def viewer_exec():
        unit = app().units[0]
        return await expect_denied(lambda: unit.run("hostname", block=True))

    await step("viewer exec raises permission denied", viewer_exec)
    await step("viewer remove_application raises permission denied", lambda: expect_denied(lambda: viewer.remove_application("ubuntu", block_until_done=False)))
    async def still_there():
        status = await owner.get_status()
        check("ubuntu" in status.applications, "ubuntu was removed")
        check("ubuntu-two" not in status.applications, "the viewer deployed")
        return sorted(status.applications)

    await step("ubuntu is still there, nothing else", still_there)

    async def stranger_model():
        return await expect_denied(lambda: connect_as(admin, default, "stranger"))

    await step("stranger cannot connect to default", stranger_model)

    stranger = Controller()

    async def stranger_ctl():
        nonlocal stranger
        stranger = await controller_as(admin, "stranger")

    await step("stranger connects to the controller", stranger_ctl)
    await step("stranger add_model raises permission denied", lambda: expect_denied(lambda: stranger.add_model("mine", cloud_name="localhost")))
    await step("stranger destroy_model default raises permission denied", lambda: expect_denied(lambda: stranger.destroy_model(default)))
    await step("stranger add_user raises permission denied", lambda: expect_denied(lambda: stranger.add_user("sneaky", password="x")))
    await step("default still exists", lambda: admin.model_uuids())

    editor = Model()

    async def editor_deploys():
        nonlocal editor
        editor = await connect_as(admin, default, "editor")
        return await editor.deploy("ubuntu", application_name="ubuntu-editor")

    await step("editor deploys", editor_deploys)
    await step("editor exec (admin only) raises permission denied", lambda: expect_denied(lambda: editor.applications["ubuntu"].units[0].run("hostname", block=True)))

    for m in (viewer, editor, owner):
        await m.disconnect()
    await stranger.disconnect()
    await admin.disconnect()
    return summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
