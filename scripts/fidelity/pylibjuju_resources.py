"""python-libjuju 3.5's deploy of a Charmhub charm with a local file resource.

On Application facade 19+ python-libjuju deploys server side (DeployFromRepository with
`resources={name: path}`), then uploads each of the result's PendingResourceUploads to
/applications/<app>/resources/<name> (pending id ""). The simulator answers as Juju 3.6:
the upload becomes the application's resource.
Run: PYLIBJUJU=/path/to/python-libjuju scripts/fidelity/run.sh pylibjuju_resources.py [-v]
"""
import asyncio
import base64
import hashlib
import os
import sys
import tempfile

from juju.client import client
from juju.controller import Controller

from fidelity_steps import check, step, summary


async def main():
    controller = Controller()
    await step("Controller.connect_current", lambda: controller.connect_current())
    model = await step("Controller.add_model", lambda: controller.add_model("resources"))
    if model is None:
        return summary()
    data = "snapshot bytes from python-libjuju\n"
    with tempfile.NamedTemporaryFile("w", suffix=".tar.gz", delete=False) as f:
        f.write(data)
        path = f.name
    try:
        async def deploy():
            app = await model.deploy("etcd", resources={"snapshot": path}, num_units=0)
            return app.name

        await step("Model.deploy('etcd', resources={'snapshot': <file>})", deploy)

        async def listed():
            facade = client.ResourcesFacade.from_connection(model.connection())
            res = await facade.ListResources(entities=[client.Entity("application-etcd")])
            by_name = {r.name: r for r in res.results[0].resources}
            snap = by_name.get("snapshot")
            check(snap is not None, f"resources {sorted(by_name)}")
            check(snap.origin == "upload", f"origin {snap.origin}")
            # Go embeds CharmResource's fields in Resource; python-libjuju's generated
            # class keeps them in unknown_fields.
            size = snap.unknown_fields.get("size")
            check(size == len(data), f"size {size}")
            want = hashlib.sha384(data.encode()).hexdigest()
            got = base64.b64decode(snap.unknown_fields.get("fingerprint", "")).hex()
            check(got == want, f"fingerprint {got} != {want}")
            return f"snapshot: origin {snap.origin}, {size} bytes"

        await step("Resources.ListResources shows the uploaded file", listed)
    finally:
        os.unlink(path)
    await step("Model.disconnect", lambda: model.disconnect())
    await step("Controller.disconnect", lambda: controller.disconnect())
    return summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
