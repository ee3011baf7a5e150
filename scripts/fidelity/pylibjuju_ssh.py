"""python-libjuju 3.5's Unit/Machine ssh, scp_to and scp_from against the simulator's sshd.

python-libjuju shells out to OpenSSH's `ssh` and `scp` with `-i $JUJU_DATA/ssh/juju_id_rsa`
and `StrictHostKeyChecking=no`, at the machine's dns_name, port 22, as `ubuntu`. The
simulator plays that when started with `--ssh-port 22` (it then binds port 22 on each
machine's loopback address, which needs root or CAP_NET_BIND_SERVICE):

  SIM_ARGS="--ssh-port 22" PYLIBJUJU=/path/to/python-libjuju scripts/fidelity/run.sh pylibjuju_ssh.py [-v]

With another port, set SIM_SSH_PORT to it: the script then passes `-p`/`-P` in
ssh_opts/scp_opts, as a python-libjuju user would for a non-standard port.
`UserKnownHostsFile=/dev/null` keeps the simulated host keys out of ~/.ssh/known_hosts.
Each step prints PASS or FAIL with the error and the script carries on.

proxy=True: python-libjuju 3.5 raises NotImplementedError for it (checked below), so its own
proxy path cannot be driven. The simulator's controller jump host (the API host, same port) is
driven instead the way `juju ssh --proxy` reaches a machine, a ProxyCommand through the
controller, given to python-libjuju as ssh_opts/scp_opts (OpenSSH's `ssh -W` opens the same
direct-tcpip channel as libjuju's `proxy: true`).
"""
import asyncio
import os
import shutil
import sys
import tempfile

from juju.controller import Controller
from juju.errors import JujuError
from juju.utils import juju_ssh_key_paths

from fidelity_steps import check, step, summary


PORT = os.environ.get("SIM_SSH_PORT", "22")
SSH_OPTS = ["-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"] + (
    [] if PORT == "22" else ["-p", PORT])
SCP_OPTS = ["-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"] + (
    [] if PORT == "22" else ["-P", PORT])


async def main():
    if shutil.which("ssh") is None or shutil.which("scp") is None:
        print("SKIP: OpenSSH's ssh/scp are not installed; python-libjuju shells out to them")
        return 0
    controller = Controller()
    await step("Controller.connect_current", lambda: controller.connect_current())
    model = await step("Controller.add_model (authorizes ssh/juju_id_rsa.pub)",
                       lambda: controller.add_model("ssh"))
    if model is None:
        return summary()

    async def deploy():
        await model.deploy("ubuntu", series="jammy")
        await model.wait_for_idle(apps=["ubuntu"], timeout=120)
        unit = model.applications["ubuntu"].units[0]
        check(unit.machine.dns_name.startswith("127."), f"dns_name {unit.machine.dns_name}")
        return unit.machine.dns_name

    await step("Model.deploy and a machine address", deploy)
    unit = model.applications["ubuntu"].units[0] if "ubuntu" in model.applications else None
    if unit is None:
        return summary()
    machine = unit.machine

    async def unit_ssh():
        out = await unit.ssh("hostname", ssh_opts=SSH_OPTS)
        check(out == f"{machine.hostname}\n", f"hostname {out!r} vs {machine.hostname!r}")
        return out.strip()

    await step("Unit.ssh('hostname')", unit_ssh)

    async def machine_ssh():
        out = await machine.ssh("whoami", ssh_opts=SSH_OPTS)
        check(out == "ubuntu\n", f"whoami {out!r}")
        return out.strip()

    await step("Machine.ssh('whoami')", machine_ssh)

    async def ssh_failure():
        try:
            # python-libjuju retries a failing command 10 times, 2 s apart.
            await machine.ssh("exit 3", ssh_opts=SSH_OPTS)
        except JujuError as e:
            check("command failed" in str(e), str(e))
            return str(e)[:60]
        raise AssertionError("expected a JujuError")

    await step("Machine.ssh of a failing command raises JujuError", ssh_failure)

    tmp = tempfile.mkdtemp()
    try:
        src = os.path.join(tmp, "payload.bin")
        data = os.urandom(200_000)
        with open(src, "wb") as f:
            f.write(data)

        await step("Unit.scp_to", lambda: unit.scp_to(src, "payload.bin", scp_opts=SCP_OPTS))

        async def scp_from():
            dst = os.path.join(tmp, "back.bin")
            await machine.scp_from("payload.bin", dst, scp_opts=SCP_OPTS)
            with open(dst, "rb") as f:
                check(f.read() == data, "the copy differs")
            return "200000 bytes round-tripped"

        await step("Machine.scp_from round trip", scp_from)

        async def cat():
            note = os.path.join(tmp, "note.txt")
            with open(note, "w") as f:
                f.write("hello from scp\n")
            await machine.scp_to(note, "/tmp/", scp_opts=SCP_OPTS)
            out = await unit.ssh("cat /tmp/note.txt", ssh_opts=SSH_OPTS)
            check(out == "hello from scp\n", f"cat {out!r}")
            return out.strip()

        await step("scp_to a directory, then ssh 'cat'", cat)

        async def legacy():
            # OpenSSH < 9.0 (Ubuntu 22.04) speaks the legacy scp protocol; -O forces it here.
            await unit.scp_to(src, "legacy.bin", scp_opts=SCP_OPTS + ["-O"])
            dst = os.path.join(tmp, "legacy-back.bin")
            await machine.scp_from("legacy.bin", dst, scp_opts=SCP_OPTS + ["-O"])
            with open(dst, "rb") as f:
                check(f.read() == data, "the copy differs")
            return "200000 bytes round-tripped over scp -t / scp -f"

        await step("scp_to / scp_from with the legacy scp protocol (-O)", legacy)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    async def proxy_not_implemented():
        try:
            await unit.ssh("hostname", proxy=True, ssh_opts=SSH_OPTS)
        except NotImplementedError as e:
            return str(e)
        raise AssertionError("python-libjuju 3.5 implemented proxy=True after all")

    await step("Unit.ssh(proxy=True) raises NotImplementedError (python-libjuju 3.5)",
               proxy_not_implemented)

    # juju ssh --proxy's shape: a ProxyCommand logging in to the controller's API host.
    api_host = controller.connection().endpoint.rsplit(":", 1)[0].strip("[]")
    _, key = juju_ssh_key_paths()
    jump = " ".join(["ssh", "-i", key, "-o", "StrictHostKeyChecking=no"] + SSH_OPTS
                    + ["-W", "%h:%p", f"ubuntu@{api_host}"])
    proxy_opt = ["-o", f"ProxyCommand={jump}"]

    async def proxied_ssh():
        out = await unit.ssh("hostname", ssh_opts=SSH_OPTS + proxy_opt)
        check(out == f"{machine.hostname}\n", f"hostname {out!r} vs {machine.hostname!r}")
        return f"{out.strip()} via ubuntu@{api_host}"

    await step("Unit.ssh through the controller's jump host (ProxyCommand ssh -W)", proxied_ssh)

    tmp = tempfile.mkdtemp()
    try:
        async def proxied_scp():
            src = os.path.join(tmp, "proxied.bin")
            data = os.urandom(100_000)
            with open(src, "wb") as f:
                f.write(data)
            await unit.scp_to(src, "/tmp/proxied.bin", scp_opts=SCP_OPTS + proxy_opt)
            dst = os.path.join(tmp, "proxied-back.bin")
            await machine.scp_from("/tmp/proxied.bin", dst, scp_opts=SCP_OPTS + proxy_opt)
            with open(dst, "rb") as f:
                check(f.read() == data, "the copy differs")
            return "100000 bytes round-tripped through the controller"

        await step("scp_to / scp_from through the controller's jump host", proxied_scp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    await step("Model.disconnect", lambda: model.disconnect())
    await step("Controller.disconnect", lambda: controller.disconnect())
    return summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
