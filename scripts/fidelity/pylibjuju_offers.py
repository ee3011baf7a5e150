"""Drive the libjuju simulator's cross-model relations with an unmodified python-libjuju.

Manual fidelity check (see docs/fidelity.md, docs/offers.md): python-libjuju
3.5's create_offer, list_offers, consume, integrate (by SAAS name and by offer
URL), remove_relation, remove_saas and remove_offer against `libjuju sim`, two
models of one controller, with teardown in each order and Juju's errors.
Each step prints PASS or FAIL with the error and the script carries on.
Run: PYLIBJUJU=/path/to/python-libjuju scripts/fidelity/run.sh pylibjuju_offers.py [-v]
"""
import asyncio
import sys

from juju.controller import Controller
from juju.offerendpoints import ParseError as OfferParseError

from fidelity_steps import check, expect_error, proxied, step, summary, until

URL = "admin/offering.db"


def saas_relations(model):
    return [r for r in model.relations if "db:" in r.key.split(" ")[-1] or r.key.startswith("db:")]


async def main():
    controller = Controller()
    await step("Controller.connect_current", lambda: controller.connect_current())
    offering = await step("Controller.add_model offering", lambda: controller.add_model("offering"))
    consuming = await step("Controller.add_model consuming", lambda: controller.add_model("consuming"))
    if offering is None or consuming is None:
        return summary()

    await step("offering.deploy mysql", lambda: offering.deploy("mysql", channel="8.0/stable"))
    await step("consuming.deploy keystone", lambda: consuming.deploy("keystone", channel="2024.1/stable"))
    await step("wait_for_idle both", lambda: asyncio.gather(
        offering.wait_for_idle(apps=["mysql"], timeout=120),
        consuming.wait_for_idle(apps=["keystone"], timeout=120)))

    await step("Model.create_offer mysql:shared-db as db",
               lambda: offering.create_offer("mysql:shared-db", offer_name="db"))

    async def list_offers():
        res = await offering.list_offers()
        got = [(o.offer_name, o.offer_url, o.application_name) for o in res.results]
        check(got == [("db", URL, "mysql")], f"offers {got}")
        eps = [(e.name, e.role, e.interface) for e in res.results[0].endpoints]
        check(eps == [("shared-db", "provider", "mysql-shared")], f"endpoints {eps}")
        users = sorted((u.user, u.access) for u in res.results[0].users)
        check(users == [("admin", "admin"), ("everyone@external", "read")], f"users {users}")
        return got

    await step("Model.list_offers", list_offers)

    async def offer_delta():
        # python-libjuju keys offers by application name (Juju's delta id is the offer name).
        await until("applicationOffer delta", lambda: "mysql" in offering.application_offers)
        o = offering.application_offers["mysql"]
        check(o.offer_name == "db", f"offer name {o.offer_name}")
        return o.offer_name

    await step("offering.application_offers (applicationOffer delta)", offer_delta)

    await step("Model.create_offer unknown endpoint -> Juju's error",
               lambda: expect_error(lambda: offering.create_offer("mysql:nope"),
                                    'application "mysql" has no "nope" relation'))
    await step("Model.create_offer unknown application -> not found",
               lambda: expect_error(lambda: offering.create_offer("ghost:db"),
                                    'getting offered application "ghost" not found'))

    async def consume():
        name = await consuming.consume(URL)
        check(name == "db", f"local name {name!r}")
        await until("remoteApplication delta", lambda: "db" in consuming.remote_applications)
        return name

    await step("Model.consume", consume)
    await step("Model.consume unknown offer -> not found",
               lambda: expect_error(lambda: consuming.consume("admin/offering.ghost"),
                                    'application offer "admin/offering.ghost" not found'))
    await step("Model.consume with an endpoint -> refused (client-side ParseError)",
               lambda: expect_error(lambda: consuming.consume(URL + ":shared-db"), kinds=(OfferParseError,)))

    async def relate():
        rel = await consuming.integrate("keystone:shared-db", "db")
        await until("relation mirrored in the offering model", lambda: len(proxied(offering)) == 1)
        await until("active connection", lambda: offering.application_offers["mysql"].active_connected_count == 1)
        res = await offering.list_offers()
        conns = res.results[0].connections or []
        check(len(conns) == 1 and conns[0].endpoint == "shared-db", f"connections {conns}")
        return rel.key

    await step("Model.integrate keystone:shared-db db (offering side mirrored, counted)", relate)

    async def status_sections():
        cs = await consuming.get_status()
        ra = cs.remote_applications.get("db")
        check(ra is not None and ra.offer_url == URL, f"remote-applications {cs.remote_applications}")
        os_ = await offering.get_status()
        off = os_.offers.get("db")
        check(off is not None and off.active_connected_count == 1, f"offers {os_.offers}")
        return f"saas {ra.offer_url}, offer active {off.active_connected_count}"

    await step("FullStatus remote-applications / offers", status_sections)

    async def remove_relation_first():
        await consuming.applications["keystone"].remove_relation("shared-db", "db:shared-db")
        await until("consuming relation gone", lambda: not saas_relations(consuming))
        await until("offering relation gone", lambda: not proxied(offering))
        await until("connections zero", lambda: offering.application_offers["mysql"].total_connected_count == 0)

    await step("teardown relation first: both models drop it", remove_relation_first)

    async def remove_saas_first():
        await consuming.integrate("keystone:shared-db", "db")
        await until("relation mirrored", lambda: len(proxied(offering)) == 1)
        await consuming.remove_saas("db")
        await until("SAAS gone", lambda: "db" not in consuming.remote_applications)
        await until("offering relation gone", lambda: not proxied(offering))

    await step("teardown consumer first: remove_saas", remove_saas_first)
    await step("Model.remove_saas invalid name -> JujuError (client-side)",
               lambda: expect_error(lambda: consuming.remove_saas("Bad_Name"), "invalid SAAS application name"))
    await step("Model.remove_saas unknown -> not found",
               lambda: expect_error(lambda: consuming.remove_saas("ghost"), 'saas application "ghost" not found'))

    async def integrate_url():
        # python-libjuju consumes the URL (naming this controller as its source), then relates.
        await consuming.integrate("keystone:shared-db", URL)
        await until("SAAS back", lambda: "db" in consuming.remote_applications)
        await until("relation mirrored", lambda: len(proxied(offering)) == 1)

    await step("Model.integrate with an offer URL (consume + relate)", integrate_url)
    await step("Model.remove_offer without force -> RemoveError (client-side)",
               lambda: expect_error(lambda: offering.remove_offer(URL), "use force",
                                    kinds=(Exception,)))

    async def remove_offer_first():
        await offering.remove_offer(URL, force=True)
        await until("offer delta gone", lambda: "mysql" not in offering.application_offers)
        await until("offering relation gone", lambda: not proxied(offering))
        await until("consuming relation gone", lambda: not saas_relations(consuming))
        await until("SAAS terminated", lambda: consuming.remote_applications["db"].status == "terminated")
        res = await offering.list_offers()
        check(not res.results, f"offers left {res.results}")
        await consuming.remove_saas("db")
        await until("SAAS gone", lambda: "db" not in consuming.remote_applications)

    await step("teardown offer first: remove_offer(force=True) terminates the SAAS", remove_offer_first)

    await step("offering.disconnect", lambda: offering.disconnect())
    await step("consuming.disconnect", lambda: consuming.disconnect())
    await step("Controller.disconnect", lambda: controller.disconnect())
    return summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
