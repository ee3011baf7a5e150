"""pytest fixtures that run `libjuju sim` as the Juju controller of a test session.

The simulator speaks Juju 3.6's real API, so python-libjuju (or any Juju
client) connects to it unchanged, through the client files it writes into a
temporary JUJU_DATA. Its control API (`--control-port`) scripts what real
charms and agents would do: hook errors, workload statuses, action results,
virtual time, faults, snapshots. See docs/testing-control-api.md.

Which `libjuju` runs: the command in $LIBJUJU_CLI (e.g. `npx libjuju`), else
this repository's sources through tsx when the example sits in a checkout.
"""
import json
import os
import re
import shlex
import signal
import subprocess
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
READY = re.compile(r"ready: listening on wss://(\S+), control API (\S+) token (\S+)")


def libjuju_command():
    """The argv prefix that runs the `libjuju` CLI."""
    if os.environ.get("LIBJUJU_CLI"):
        return shlex.split(os.environ["LIBJUJU_CLI"])
    tsx = REPO / "node_modules" / "tsx" / "dist" / "cli.mjs"
    main = REPO / "src" / "cli" / "main.ts"
    if tsx.exists() and main.exists():
        return ["node", str(tsx), str(main)]
    return ["npx", "--no-install", "libjuju"]


class ControlError(Exception):
    """A control call the simulator refused: `code` is its error code (`not found`, `not valid`…)."""

    def __init__(self, status, code, message):
        super().__init__(f"{code}: {message} (HTTP {status})")
        self.status = status
        self.code = code


class Control:
    """The simulator's control API: `control.call("failHook", "ubuntu", "install")`."""

    def __init__(self, url, token):
        self.url = url.rstrip("/")
        self._token = token

    def call(self, method, *args):
        """POSTs the arguments as a JSON array to /v1/<method>; returns the result or raises ControlError."""
        req = urllib.request.Request(
            f"{self.url}/{method}",
            data=json.dumps(list(args)).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=120) as res:
                return json.load(res)["result"]
        except urllib.error.HTTPError as e:
            err = json.load(e).get("error", {})
            raise ControlError(e.code, err.get("code"), err.get("message")) from None

    def __getattr__(self, method):
        # control.failHook("ubuntu", "install") reads like the TypeScript API.
        if method.startswith("_"):
            raise AttributeError(method)
        return lambda *args: self.call(method, *args)


@pytest.fixture(scope="session")
def libjuju_sim():
    """Starts `libjuju sim` once per session; yields its Control. JUJU_DATA points at its client files."""
    juju_data = tempfile.mkdtemp(prefix="libjuju-pytest-")
    proc = subprocess.Popen(
        [*libjuju_command(), "sim", "--port", "0", "--juju-data", juju_data,
         "--timing", "fast", "--control-port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    match = None
    for line in proc.stdout:
        lines.append(line)
        match = READY.search(line)
        if match:
            break
    if match is None:
        proc.wait()
        pytest.fail("libjuju sim did not start:\n" + "".join(lines))
    # Keep reading its output, so that a full pipe never blocks it.
    threading.Thread(target=lambda: [lines.append(x) for x in proc.stdout], daemon=True).start()
    old = os.environ.get("JUJU_DATA")
    os.environ["JUJU_DATA"] = juju_data
    try:
        yield Control(match.group(2), match.group(3))
    finally:
        if old is None:
            os.environ.pop("JUJU_DATA", None)
        else:
            os.environ["JUJU_DATA"] = old
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)


@pytest.fixture
def control(libjuju_sim):
    """The control API, with the scripts of the previous test cleared."""
    libjuju_sim.clearScripts()
    return libjuju_sim
