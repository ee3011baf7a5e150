"""Macaroon login of an external user with an unmodified python-libjuju 3.5.

Manual fidelity check (see docs/fidelity.md). The simulator that run.sh starts
has password auth only, so this script starts its own `libjuju sim
--macaroon-auth` (identity provider on loopback) and checks that
python-libjuju, with its own macaroonbakery client, logs in as bob@external:
Login answers discharge-required, python-libjuju discharges the caveat at the
simulator's identity provider (bakery v2 caveat id, as it sends no
bakery-version), retries Login with the bound slice, and reuses the cookie
on a second connection. The admin's password login keeps working.
Run: PYLIBJUJU=/path/to/python-libjuju scripts/fidelity/run.sh pylibjuju_macaroon.py [-v]
"""
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml
from macaroonbakery import httpbakery

from juju.client.connection import Connection
from juju.controller import Controller
from juju.errors import JujuAPIError

from fidelity_steps import check, step, summary

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def start_sim(data):
    proc = subprocess.Popen(
        ["node", os.path.join(ROOT, "node_modules/tsx/dist/cli.mjs"),
         os.path.join(ROOT, "src/cli/main.ts"), "sim", "--port", "0",
         "--juju-data", data, "--macaroon-auth", "--timing", "instant"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        m = re.search(r"ready: listening on wss://(\S+)", line)
        if m:
            return proc, m.group(1), "".join(lines)
    raise RuntimeError("libjuju sim did not start:\n" + "".join(lines))


async def main():
    data = tempfile.mkdtemp(prefix="libjuju-macaroon-fidelity-")
    proc, endpoint, banner = start_sim(data)
    try:
        print(banner.strip(), flush=True)
        with open(os.path.join(data, "controllers.yaml")) as f:
            ctl = next(iter(yaml.safe_load(f)["controllers"].values()))
        with open(os.path.join(data, "accounts.yaml")) as f:
            acct = next(iter(yaml.safe_load(f)["controllers"].values()))
        cacert = ctl["ca-cert"]
        bakery = httpbakery.Client()

        async def login_bob():
            # Connection.connect: Controller.connect goes on to
            # ListModelSummaries with a user tag built from the connection's
            # username, which python-libjuju leaves empty for external users
            # (see the last step).
            conn = await Connection.connect(endpoint=endpoint, username="bob@external",
                                            password=None, cacert=cacert, bakery_client=bakery)
            user = conn.info["user-info"]["identity"]
            await conn.close()
            check(user == "user-bob@external", f"logged in as {user}")
            return user

        await step("Connection.connect bob@external (discharge at the identity provider)", login_bob)
        cookies = [c.name for c in bakery.cookies]
        await step("the discharged macaroon is in the bakery cookie jar",
                   lambda: _ok(check(any(n.startswith("macaroon-") for n in cookies), cookies) or cookies))
        await step("Connection.connect bob@external again with the same cookie jar", login_bob)

        async def login_admin():
            c = Controller()
            await c.connect(endpoint=endpoint, username=acct["user"], password=acct["password"],
                            cacert=cacert)
            user = c.connection().info["user-info"]["identity"]
            await c.disconnect()
            check(user == "user-admin", f"logged in as {user}")
            return user

        await step("Controller.connect admin with a password", login_admin)

        async def controller_bob():
            c = Controller()
            try:
                await c.connect(endpoint=endpoint, username="bob@external", password=None,
                                cacert=cacert, bakery_client=bakery)
            except JujuAPIError as e:
                # Logged in; then python-libjuju sends user-tag "" (its own
                # limitation), which Juju's names.ParseUserTag refuses too.
                check('"" is not a valid tag' in str(e), str(e))
                return f"python-libjuju limitation after a successful login: {e}"
            finally:
                await c.disconnect()
            return "connected"

        await step("Controller.connect bob@external (python-libjuju's own user tag)", controller_bob)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
    return summary()


async def _ok(v):
    return v


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
