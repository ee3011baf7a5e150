"""Deploy real bundles on the libjuju simulator with an unmodified python-libjuju.

Manual fidelity check (python-libjuju is not on npm, so CI cannot run it):
see docs/fidelity.md. Run with
    PYLIBJUJU=/path/to/python-libjuju scripts/fidelity/run.sh pylibjuju_bundles.py [-v]
Every testdata bundle whose charms are all in the simulator's catalog is
deployed from its bundle.yaml, then again with its overlays, each into a
fresh model, followed by wait_for_idle and export_bundle; then a Charmhub
bundle is deployed by name. Each step prints PASS or FAIL with the error.
"""
import asyncio
import os
import sys
import tempfile
from pathlib import Path

from juju.controller import Controller

from fidelity_steps import step, summary


HERE = Path(__file__).resolve().parent
BUNDLES = Path(os.environ.get("BUNDLES_DIR", HERE.parent.parent.parent / "shared" / "testdata" / "bundles"))

# (label, bundle directory, overlays, error expected from Juju or None): the
# testdata bundles whose charms are all in the catalog. Not here: cos-lite, a
# Kubernetes bundle (the simulator's models are machine models).
CASES = [
    ("juju-qa-test-full-options", "juju-qa-test-full-options", [], None),
    ("kubernetes-core", "kubernetes-core", [], None),
    ("kubernetes-core + cni-calico + cri-containerd", "kubernetes-core", ["cni-calico.yaml", "cri-containerd.yaml"], None),
    ("charmed-kubernetes", "charmed-kubernetes", [], None),
    # The overlay pins vault 1.7/stable, which Charmhub has for 20.04 and 22.04
    # only, onto this noble bundle: Juju refuses it while resolving vault.
    (
        "charmed-kubernetes + vault-pki-overlay",
        "charmed-kubernetes",
        ["vault-pki-overlay.yaml"],
        'resolving ch:vault : selecting releases: charm or bundle not found for channel "1.7/stable", base "amd64/ubuntu/24.04"',
    ),
]

# An overlay removing an application (`name:` with no value), as Juju's docs
# describe removals; written to a temporary file at run time.
REMOVAL_OVERLAY = "applications:\n  easyrsa:\n"

# Charmhub bundles the simulator serves, deployed by name.
CHARMHUB = ["kubernetes-core"]


async def deploy_case(controller, label, model_name, entity, overlays, expect_error=None):
    model = await step(f"{label}: add_model", lambda: controller.add_model(model_name, cloud_name="localhost"))
    if model is None:
        return
    try:
        async def deploy():
            apps = await model.deploy(entity, overlays=overlays)
            return ",".join(sorted(a.name for a in apps))

        if expect_error is not None:
            async def refused():
                try:
                    await deploy()
                except Exception as e:  # noqa: BLE001 - the refusal is the expected outcome
                    if expect_error not in str(e):
                        raise
                    return f"refused as Juju refuses it: {expect_error}"
                raise AssertionError("deployed, but Juju refuses this bundle")

            await step(f"{label}: Model.deploy", refused)
            return
        deployed = await step(f"{label}: Model.deploy", deploy)
        if deployed is None:
            return
        await step(
            f"{label}: Model.wait_for_idle",
            lambda: model.wait_for_idle(timeout=180, idle_period=2, raise_on_error=True),
        )

        async def units():
            n = sum(len(a.units) for a in model.applications.values())
            return f"{len(model.applications)} applications, {n} units, {len(model.relations)} relations"

        await step(f"{label}: model contents", units)

        async def export():
            text = await model.export_bundle()
            return f"{len(text.splitlines())} lines"

        await step(f"{label}: Model.export_bundle", export)
    finally:
        await step(f"{label}: disconnect", lambda: model.disconnect())
        await step(f"{label}: destroy_model", lambda: controller.destroy_model(model_name, force=True, max_wait=30))


def selected(label):
    """`-k TEXT` runs only the cases whose label contains TEXT."""
    if "-k" in sys.argv:
        i = sys.argv.index("-k")
        return i + 1 < len(sys.argv) and sys.argv[i + 1] in label
    return True


async def main():
    controller = Controller()
    await step("Controller.connect_current", lambda: controller.connect_current())
    for i, (label, directory, overlays, expect_error) in enumerate(CASES):
        if not selected(label):
            continue
        path = str(BUNDLES / directory / "bundle.yaml")
        await deploy_case(
            controller,
            label,
            f"bundle-{i}",
            path,
            [str(BUNDLES / directory / o) for o in overlays],
            expect_error,
        )
    if selected("kubernetes-core + removal overlay"):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            f.write(REMOVAL_OVERLAY)
            f.flush()
            await deploy_case(
                controller,
                "kubernetes-core + removal overlay (easyrsa: null)",
                "bundle-removal",
                str(BUNDLES / "kubernetes-core" / "bundle.yaml"),
                [f.name],
            )
    for i, name in enumerate(CHARMHUB):
        if not selected(f"charmhub {name}"):
            continue
        await deploy_case(controller, f"charmhub {name}", f"charmhub-{i}", name, [])
    await step("Controller.disconnect", lambda: controller.disconnect())
    return summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
