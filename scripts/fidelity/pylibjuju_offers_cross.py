"""Drive a cross-controller consume with an unmodified python-libjuju.

Manual fidelity check (see docs/fidelity.md, docs/offers.md): the controller
run.sh starts (JUJU_DATA) hosts the consuming model; this script starts a
second `libjuju sim` (its own client files in a temp dir) that hosts the
offer. python-libjuju 3.5 creates the offer there, consumes it into the first
controller with `Model.consume(url, controller=<the offering Controller>)`,
integrates, and tears down; the consuming simulator connects to the offering
one by itself (CrossModelRelations).
Each step prints PASS or FAIL with the error and the script carries on.
Run: PYLIBJUJU=/path/to/python-libjuju scripts/fidelity/run.sh pylibjuju_offers_cross.py [-v]
"""
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile

import yaml
from juju.client import client
from juju.controller import Controller

from fidelity_steps import check, proxied, step, summary, until

URL = "admin/offering.db"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def saas_relations(model):
    return [r for r in model.relations if r.key.endswith("db:shared-db")]


async def start_second_sim(data):
    """Starts `libjuju sim` with client files in `data`; returns the process once ready."""
    log = open(os.path.join(data, "sim.log"), "w")
    proc = subprocess.Popen(
        ["node", os.path.join(ROOT, "node_modules/tsx/dist/cli.mjs"),
         os.path.join(ROOT, "src/cli/main.ts"), "sim", "--port", "0", "--juju-data", data],
        stdout=log, stderr=subprocess.STDOUT)
    for _ in range(200):
        with open(os.path.join(data, "sim.log")) as f:
            if "ready" in f.read():
                return proc
        await asyncio.sleep(0.1)
    raise AssertionError("second simulator did not start")


def connect_args(data):
    """Endpoint, CA and admin credentials from a simulator's client files."""
    with open(os.path.join(data, "controllers.yaml")) as f:
        ctrls = yaml.safe_load(f)
    name = ctrls["current-controller"]
    c = ctrls["controllers"][name]
    with open(os.path.join(data, "accounts.yaml")) as f:
        acct = yaml.safe_load(f)["controllers"][name]
    return dict(endpoint=c["api-endpoints"][0], cacert=c["ca-cert"],
                username=acct["user"], password=acct["password"])


async def main():
    data = tempfile.mkdtemp(prefix="libjuju-fidelity-offerer-")
    proc = await step("start the offering simulator", lambda: start_second_sim(data))
    if proc is None:
        return summary()
    try:
        return await run(data)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)


async def run(data):
    offerer = Controller()
    await step("offering Controller.connect", lambda: offerer.connect(**connect_args(data)))
    consumer = Controller()
    await step("consuming Controller.connect_current", lambda: consumer.connect_current())
    offering = await step("offering add_model", lambda: offerer.add_model("offering"))
    consuming = await step("consuming add_model", lambda: consumer.add_model("consuming"))
    if offering is None or consuming is None:
        return summary()
    await step("offering.deploy mysql", lambda: offering.deploy("mysql", channel="8.0/stable"))
    await step("consuming.deploy keystone", lambda: consuming.deploy("keystone", channel="2024.1/stable"))
    await step("wait_for_idle both", lambda: asyncio.gather(
        offering.wait_for_idle(apps=["mysql"], timeout=120),
        consuming.wait_for_idle(apps=["keystone"], timeout=120)))
    await step("create_offer on the offering controller",
               lambda: offering.create_offer("mysql:shared-db", offer_name="db"))

    async def details():
        d = await offerer.get_consume_details(URL)
        ext = d.external_controller
        check(ext is not None and ext.controller_tag.startswith("controller-"),
              "no external controller")
        check(ext.addrs and ext.ca_cert.startswith("-----BEGIN CERTIFICATE-----"),
              "no addresses or CA")
        return ext.addrs

    await step("offering Controller.get_consume_details", details)

    async def consume():
        name = await consuming.consume(URL, controller=offerer)
        check(name == "db", f"local name {name}")
        await until("SAAS", lambda: "db" in consuming.remote_applications)
        await until("SAAS active",
                    lambda: consuming.remote_applications["db"].status == "active")
        return name

    await step("consuming Model.consume(url, controller=offerer)", consume)

    async def integrate():
        await consuming.integrate("keystone:shared-db", "db")
        await until("relation mirrored on the offering controller",
                    lambda: len(proxied(offering)) == 1)
        await until("offer connection", lambda: offering.application_offers.get("mysql") is not None
                    and offering.application_offers["mysql"].safe_data.get("active-connected-count") == 1)

    await step("integrate across controllers", integrate)

    async def status():
        st = await consuming.get_status()
        saas = st.remote_applications["db"]
        check(saas.relations == {"shared-db": ["keystone"]}, f"relations {saas.relations}")
        ost = await offering.get_status()
        check(ost.offers["db"].active_connected_count == 1, f"offers {ost.offers}")

    await step("FullStatus on both controllers", status)

    async def remove_relation():
        await consuming.applications["keystone"].remove_relation("shared-db", "db:shared-db")
        await until("consuming relation gone", lambda: not saas_relations(consuming))
        await until("mirror gone", lambda: not proxied(offering))

    await step("teardown relation first", remove_relation)

    async def remove_saas():
        await consuming.integrate("keystone:shared-db", "db")
        await until("mirrored", lambda: len(proxied(offering)) == 1)
        await consuming.remove_saas("db")
        await until("SAAS gone", lambda: "db" not in consuming.remote_applications)
        await until("mirror gone", lambda: not proxied(offering))

    await step("teardown consumer first (remove_saas)", remove_saas)

    async def remove_offer():
        await consuming.consume(URL, controller=offerer)
        await consuming.integrate("keystone:shared-db", "db")
        await until("mirrored", lambda: len(proxied(offering)) == 1)
        # Model/Controller.remove_offer look the controller's name up in JUJU_DATA
        # by endpoint first, and the offering controller is not there (its client
        # files are the second sim's): make the call remove_offer then makes.
        facade = client.ApplicationOffersFacade.from_connection(offerer.connection())
        await facade.DestroyOffers(force=True, offer_urls=[URL])
        await until("consuming relation gone", lambda: not saas_relations(consuming))
        await until("SAAS terminated",
                    lambda: consuming.remote_applications["db"].status == "terminated")
        await consuming.remove_saas("db")
        await until("SAAS gone", lambda: "db" not in consuming.remote_applications)

    await step("teardown offer first (DestroyOffers force)", remove_offer)

    await step("offering.disconnect", lambda: offering.disconnect())
    await step("consuming.disconnect", lambda: consuming.disconnect())
    await step("offering Controller.disconnect", lambda: offerer.disconnect())
    await step("consuming Controller.disconnect", lambda: consumer.disconnect())
    return summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
