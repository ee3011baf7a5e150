"""Drive the libjuju simulator's user secrets with an unmodified python-libjuju.

Manual fidelity check (see docs/fidelity.md): python-libjuju 3.5's
add_secret, list_secrets, update_secret, grant_secret, revoke_secret,
remove_secret and Controller.list_secret_backends against `libjuju sim`.
Each step prints PASS or FAIL with the error and the script carries on.
Run: PYLIBJUJU=/path/to/python-libjuju scripts/fidelity/run.sh pylibjuju_secrets.py [-v]
"""
import asyncio
import base64
import sys

from juju.controller import Controller
from juju.model import Model

from fidelity_steps import check, expect_error, step, summary


def b64decode(v):
    # python-libjuju's create_secret_data strips the padding of `#base64` values; Juju keeps what it gets.
    return base64.b64decode(v + "=" * (-len(v) % 4))


def access_of(s):
    # python-libjuju 3.5's ListSecretResult predates `access`: it lands in unknown_fields.
    return s.unknown_fields.get("access") or []


def by_label(secrets, label):
    found = [s for s in secrets if s.label == label]
    check(len(found) == 1, f"one secret labelled {label!r}, got {[s.label for s in secrets]}")
    return found[0]


async def model_checks():
    model = Model()
    await step("Model.connect_current", lambda: model.connect_current())
    await step("Model.deploy ubuntu (grant target)", lambda: model.deploy("ubuntu"))

    state = {}

    async def add():
        uri = await model.add_secret("db-pass", ["password=hunter2", "user#base64=" + base64.b64encode(b"admin").decode()], info="db")
        check(uri.startswith("secret:") and len(uri) == 27, f"uri {uri!r}")
        state["uri"] = uri
        return uri

    await step("Model.add_secret", add)

    async def list_plain():
        s = by_label(await model.list_secrets(), "db-pass")
        check(s.uri == state.get("uri"), f"uri {s.uri}")
        check(s.description == "db", f"description {s.description!r}")
        check(s.latest_revision == 1, f"latest revision {s.latest_revision}")
        check(s.value is None, "value shown without show_secrets")
        check([r.backend_name for r in s.revisions] == ["internal"], "backend name")
        return f"{s.uri} {s.owner_tag} rev {s.latest_revision}"

    await step("Model.list_secrets", list_plain)

    async def list_revealed():
        s = by_label(await model.list_secrets(show_secrets=True), "db-pass")
        data = {k: b64decode(v).decode() for k, v in s.value.data.items()}
        check(data == {"password": "hunter2", "user": "admin"}, f"data keys {sorted(data)}")
        return sorted(data)

    await step("Model.list_secrets(show_secrets=True)", list_revealed)

    async def list_filtered():
        found = await model.list_secrets(filter={"label": "db-pass"})
        check([s.label for s in found] == ["db-pass"], "label filter")
        return len(found)

    await step("Model.list_secrets(filter={label})", list_filtered)

    async def update():
        await model.update_secret("db-pass", ["password=second"], new_name="db", info="renamed")
        s = by_label(await model.list_secrets(show_secrets=True), "db")
        check(s.latest_revision == 2, f"latest revision {s.latest_revision}")
        check(s.description == "renamed", f"description {s.description!r}")
        check(b64decode(s.value.data["password"]) == b"second", "new value")
        return f"rev {s.latest_revision} revisions {[r.revision for r in s.revisions]}"

    await step("Model.update_secret (data, new name, info)", update)

    async def grant():
        await model.grant_secret("db", "ubuntu")
        s = by_label(await model.list_secrets(), "db")
        access = access_of(s)
        check([a["target-tag"] for a in access] == ["application-ubuntu"], f"access {access}")
        return [(a["target-tag"], a["role"]) for a in access]

    await step("Model.grant_secret", grant)

    async def revoke():
        await model.revoke_secret("db", "ubuntu")
        s = by_label(await model.list_secrets(), "db")
        check(not access_of(s), f"access {access_of(s)}")

    await step("Model.revoke_secret", revoke)

    async def remove_revision():
        await model.remove_secret("db", revision=1)
        s = by_label(await model.list_secrets(), "db")
        check([r.revision for r in s.revisions] == [2], f"revisions {[r.revision for r in s.revisions]}")
        return [r.revision for r in s.revisions]

    await step("Model.remove_secret(revision=1)", remove_revision)

    await step("Model.add_secret duplicate name -> already exists",
               lambda: expect_error(lambda: model.add_secret("db", ["other=1"]), 'secret with name "db" already exists'))
    await step("Model.update_secret unknown -> not found",
               lambda: expect_error(lambda: model.update_secret("nope", ["key=1"]), 'secret "nope" not found'))
    await step("Model.grant_secret unknown app -> not found",
               lambda: expect_error(lambda: model.grant_secret("db", "ghost"), 'application "ghost" not found'))
    await step("Model.grant_secret unknown secret -> not found",
               lambda: expect_error(lambda: model.grant_secret("nope", "ubuntu"), 'secret "nope" not found'))
    await step("Model.remove_secret unknown -> not found",
               lambda: expect_error(lambda: model.remove_secret("nope"), 'secret "nope" not found'))

    async def bad_key():
        try:
            await model.add_secret("bad", ["Bad_Key=1"])
        except ValueError as e:
            return str(e)
        raise AssertionError("expected ValueError")

    await step("Model.add_secret invalid key (client-side ValueError)", bad_key)

    async def remove():
        await model.remove_secret("db")
        left = [s.label for s in await model.list_secrets()]
        check("db" not in left, f"left {left}")

    await step("Model.remove_secret", remove)
    await step("Model.add_secret (for the backend count)", lambda: model.add_secret("counted", ["one=1"]))
    await step("Model.disconnect", lambda: model.disconnect())


async def controller_checks():
    controller = Controller()
    await step("Controller.connect_current", lambda: controller.connect_current())

    async def backends():
        res = await controller.list_secret_backends(reveal=True)
        got = [(r.result.name, r.result.backend_type, r.num_secrets, r.status) for r in res.results]
        check(got == [("internal", "controller", 1, "active")], f"backends {got}")
        return got

    await step("Controller.list_secret_backends(reveal=True)", backends)
    await step("Controller.disconnect", lambda: controller.disconnect())


async def main():
    await model_checks()
    await controller_checks()
    return summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
