"""Deploy local charms on the libjuju simulator with an unmodified python-libjuju.

Manual fidelity check (see docs/fidelity.md): every charm directory of
../shared/testdata/charm-dirs (copied to a temporary directory), one whose
`lib/` is a symlink into the charm, a `.charm` archive, a charm with a local
file resource, and a refresh to a changed local charm. Each step prints PASS
or FAIL with the error; the script carries on where that makes sense.
"""
import asyncio
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from juju.model import Model

from fidelity_steps import step, summary

HERE = Path(__file__).resolve().parent
CHARM_DIRS = HERE.parent.parent.parent / "shared" / "testdata" / "charm-dirs"


def copy_charm(src, dest):
    """A writable copy of a (read-only) test charm directory."""
    shutil.copytree(src, dest, symlinks=True)
    for root, dirs, files in os.walk(dest):
        for n in dirs + files:
            p = os.path.join(root, n)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | 0o200)
    os.chmod(dest, 0o755)
    return dest


def zip_charm(src, dest):
    """A `.charm` archive of a charm directory (files at the root, modes kept)."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for root, _dirs, files in os.walk(src):
            for n in files:
                p = os.path.join(root, n)
                zf.write(p, os.path.relpath(p, src))
    return dest


async def deploy_and_idle(model, path, app, **kwargs):
    application = await model.deploy(str(path), application_name=app, **kwargs)
    await model.wait_for_idle(apps=[app], timeout=120, idle_period=1)
    unit = application.units[0] if application.units else None
    status = f" {unit.name} {unit.agent_status}/{unit.workload_status}" if unit else ""
    return f"{application.charm_url}{status}"


async def checks(tmp):
    # The simulator has no Cloud facade (Controller.add_model needs it): the current model is used.
    model = Model()
    if await step("Model.connect_current", lambda: model.connect_current()) is None and not model.is_connected():
        return

    for src in sorted(CHARM_DIRS.iterdir()):
        path = copy_charm(src, tmp / src.name)
        await step(f"Model.deploy {src.name} (charm directory)",
                   lambda path=path, src=src: deploy_and_idle(model, path, src.name))

    # A charm whose lib/ is a symlink to a directory inside the charm.
    linked = copy_charm(CHARM_DIRS / "juju-dummy", tmp / "linked")
    (linked / "vendor" / "lib").mkdir(parents=True)
    (linked / "vendor" / "lib" / "helper.py").write_text("VALUE = 1\n")
    os.symlink("vendor/lib", linked / "lib")
    await step("Model.deploy charm with lib/ symlinked into the charm",
               lambda: deploy_and_idle(model, linked, "linked"))

    archive = zip_charm(copy_charm(CHARM_DIRS / "juju-dummy-source", tmp / "zipsrc"), tmp / "dummy-source.charm")
    await step("Model.deploy .charm file", lambda: deploy_and_idle(model, archive, "from-archive"))

    # A charm with a file resource, given as a local file.
    withres = copy_charm(CHARM_DIRS / "juju-dummy", tmp / "withres")
    meta = withres / "metadata.yaml"
    meta.write_text(meta.read_text().replace("name: dummy", "name: dummy-res") +
                    "resources:\n  data:\n    type: file\n    filename: data.txt\n")
    data = tmp / "data.txt"
    data.write_text("local resource content\n")
    await step("Model.deploy with a local file resource",
               lambda: deploy_and_idle(model, withres, "withres", resources={"data": str(data)}))

    async def resources():
        res = await model.applications["withres"].get_resources()
        return {name: (r.origin, r.size) for name, r in res.items()}

    await step("Application.get_resources", resources)

    async def refresh_resource():
        newer = tmp / "data-v2.txt"
        newer.write_text("second version of the resource\n")
        await model.applications["withres"].refresh(path=str(withres), resources={"data": str(newer)})
        return await resources()

    await step("Application.refresh(path, resources=local file)", refresh_resource)

    async def refresh():
        app = model.applications["juju-dummy"]
        before = app.charm_url
        changed = copy_charm(CHARM_DIRS / "juju-dummy", tmp / "changed")
        config = changed / "config.yaml"
        config.write_text(config.read_text() + "  colour: {default: blue, description: Added, type: string}\n")
        await app.refresh(path=str(changed))
        cfg = await app.get_config()
        return f"{before} -> {app.charm_url}, colour={cfg['colour']['value']}"

    await step("Application.refresh(path=changed charm) (local_refresh)", refresh)
    await step("Model.wait_for_idle after refresh",
               lambda: model.wait_for_idle(timeout=120, idle_period=1))

    async def actions():
        unit = model.applications["juju-dummy"].units[0]
        action = await unit.run_action("snapshot", outfile="x.bz2")
        action = await action.wait()
        return action.status

    await step("Unit.run_action on a local charm", actions)

    async def cleanup():
        for app in list(model.applications.values()):
            await app.destroy()
        await model.block_until(lambda: not model.applications, timeout=120)

    await step("Application.destroy (every local application)", cleanup)
    await step("Model.disconnect", lambda: model.disconnect())


async def main():
    tmp = Path(tempfile.mkdtemp(prefix="pylibjuju-local-"))
    try:
        await checks(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
