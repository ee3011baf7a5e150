/**
 * The script `MachineManager.ProvisioningScript` returns: in Juju
 * (`sshprovisioner.ProvisioningScript`) the machine's cloud-config rendered
 * as bash by `cloudinit.RenderScript`, behind a trap that dumps
 * `cloud-init-output.log` on failure. This one has the same shape and steps
 * (package update/upgrade as the model config says, the agent binaries
 * fetched from the controller and checked, `agent.conf` with the machine's
 * tag, nonce, API addresses and CA, the `jujud-machine-N` systemd service
 * started). It is simulated: the binaries' URL and checksum are invented
 * and deterministic, and the simulator never expects it to run anywhere
 * (the agent's start is simulated, see `Agents.provisioningScriptIssued`).
 * @module
 */
import { createHash } from "node:crypto";
import type { MachineRecord } from "./entities.js";

/** What the script is made of. */
export interface ProvisioningScriptArgs {
  machine: MachineRecord;
  nonce: string;
  /** `/var/lib/juju` unless the client asked for another. */
  dataDir: string;
  modelUuid: string;
  controllerUuid: string;
  agentVersion: string;
  /** `host:port` of the API servers the agent dials. */
  apiAddresses: readonly string[];
  caCert: string;
  /** The model's provider type (`lxd`), recorded in the agent's config. */
  providerType: string;
  loggingConfig: string;
  /** `enable-os-refresh-update` (false when the client disabled package commands). */
  refreshUpdate: boolean;
  /** `enable-os-upgrade` (idem). */
  upgrade: boolean;
}

const LOG = "/var/log/cloud-init-output.log";

function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'"'"'`)}'`;
}

function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

/** apt-get as cloudinit runs it: non-interactive, keep old config files, retried while the lock is held. */
function aptGet(args: string): string[] {
  return [
    "n=1",
    "while true; do",
    `  DEBIAN_FRONTEND=noninteractive apt-get --option=Dpkg::Options::=--force-confold --option=Dpkg::Options::=--force-unsafe-io --assume-yes --quiet ${args} && break`,
    "  if [ $n -ge 30 ]; then exit 100; fi",
    "  sleep 10; n=$((n+1))",
    "done",
  ];
}

/** The provisioning script (deterministic for the same arguments). */
export function provisioningScript(a: ProvisioningScriptArgs): string {
  const m = a.machine;
  const tag = `machine-${m.id.replaceAll("/", "-")}`;
  const service = `jujud-${tag}`;
  const arch = typeof m.hardware?.arch === "string" ? m.hardware.arch : "amd64";
  const binary = `${a.agentVersion}-${m.base.name}-${arch}`;
  const bin = `${a.dataDir}/tools/${binary}`;
  const url = `https://${a.apiAddresses[0] ?? "localhost:17070"}/model/${a.modelUuid}/tools/${binary}`;
  // Invented but stable: the simulator has no agent binaries to hash.
  const toolsSha = sha256(`jujud ${binary}`);
  const toolsSize = 40_000_000 + (Number.parseInt(toolsSha.slice(0, 6), 16) % 10_000_000);
  const password = sha256(`${a.modelUuid} ${tag} ${a.nonce}`).slice(0, 24);
  const indent = (text: string) =>
    text
      .trim()
      .split("\n")
      .map((l) => `  ${l}`)
      .join("\n");
  const agentConf = [
    "# format 2.0",
    `tag: ${tag}`,
    `datadir: ${a.dataDir}`,
    "transient-datadir: /var/run/juju",
    "logdir: /var/log/juju",
    `metricsspooldir: ${a.dataDir}/metricspool`,
    `nonce: ${a.nonce}`,
    "jobs:",
    "- JobHostUnits",
    `upgradedToVersion: ${a.agentVersion}`,
    "cacert: |",
    indent(a.caCert),
    `controller: controller-${a.controllerUuid}`,
    `model: model-${a.modelUuid}`,
    "apiaddresses:",
    ...a.apiAddresses.map((h) => `- ${h}`),
    `oldpassword: ${password}`,
    `loggingconfig: ${a.loggingConfig}`,
    "values:",
    `  AGENT_SERVICE_NAME: ${service}`,
    '  CONTAINER_TYPE: ""',
    `  PROVIDER_TYPE: ${a.providerType}`,
    "agent-logfile-max-backups: 2",
    "agent-logfile-max-size: 100M",
  ].join("\n");
  const unit = [
    "[Unit]",
    `Description=juju agent for ${tag}`,
    "After=syslog.target",
    "After=network.target",
    "After=systemd-user-sessions.service",
    "",
    "[Service]",
    "LimitNOFILE=64000",
    `ExecStart=/etc/systemd/system/${service}-exec-start.sh`,
    "Restart=on-failure",
    "TimeoutSec=300",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  ].join("\n");
  const execStart = [
    "#!/usr/bin/env bash",
    "",
    "# Set up logging.",
    `touch '/var/log/juju/${tag}.log'`,
    `chown syslog:adm '/var/log/juju/${tag}.log'`,
    `chmod 0640 '/var/log/juju/${tag}.log'`,
    "",
    "# Run the script.",
    `'${a.dataDir}/tools/${tag}/jujud' machine --data-dir '${a.dataDir}' --machine-id ${m.id} --debug`,
  ].join("\n");
  const packages = ["curl", "cpu-checker", "bridge-utils", "cloud-utils", "tmux"];

  const pkgcmds: string[] = [];
  if (a.refreshUpdate) {
    pkgcmds.push("echo 'Running apt-get update' >&$JUJU_PROGRESS_FD", ...aptGet("update"));
  }
  if (a.upgrade) {
    pkgcmds.push("echo 'Running apt-get upgrade' >&$JUJU_PROGRESS_FD", ...aptGet("upgrade"));
  }
  for (const p of packages) {
    pkgcmds.push(`echo 'Installing ${p}' >&$JUJU_PROGRESS_FD`, ...aptGet(`install ${p}`));
  }

  const runcmds = [
    "set -xe",
    `install -D -m 644 /dev/null '${a.dataDir}/nonce.txt'`,
    `printf '%s\\n' ${shQuote(a.nonce)} > '${a.dataDir}/nonce.txt'`,
    `mkdir -p ${a.dataDir}/locks`,
    `(id ubuntu &> /dev/null) && chown ubuntu:ubuntu ${a.dataDir}/locks`,
    "mkdir -p /var/log/juju",
    "chown syslog:adm /var/log/juju",
    `bin=${shQuote(bin)}`,
    "mkdir -p $bin",
    `echo 'Fetching Juju agent version ${a.agentVersion} for ${arch}' >&$JUJU_PROGRESS_FD`,
    "n=1",
    "while true; do",
    `  curl -sSf --connect-timeout 20 --noproxy "*" --insecure -o $bin/tools.tar.gz ${shQuote(url)} && break`,
    "  if [ $n -ge 5 ]; then exit 1; fi",
    '  echo "Fetching agent binaries: attempt $n failed, retrying in 15s" >&$JUJU_PROGRESS_FD',
    "  sleep 15; n=$((n+1))",
    "done",
    `sha256sum $bin/tools.tar.gz > $bin/juju${binary}.sha256`,
    `grep '${toolsSha}' $bin/juju${binary}.sha256 || (echo "Tools checksum mismatch"; exit 1)`,
    "tar zxf $bin/tools.tar.gz -C $bin",
    `printf %s ${shQuote(JSON.stringify({ version: binary, url, sha256: toolsSha, size: toolsSize }))} > $bin/downloaded-tools.txt`,
    `mkdir -p '${a.dataDir}/agents/${tag}'`,
    `cat > '${a.dataDir}/agents/${tag}/agent.conf' << 'EOT'\n${agentConf}\nEOT`,
    `chmod 0600 '${a.dataDir}/agents/${tag}/agent.conf'`,
    `ln -s ${binary} '${a.dataDir}/tools/${tag}'`,
    `echo 'Starting Juju machine agent (service ${service})' >&$JUJU_PROGRESS_FD`,
    `cat > '/etc/systemd/system/${service}-exec-start.sh' << 'EOT'\n${execStart}\nEOT`,
    `chmod 0755 '/etc/systemd/system/${service}-exec-start.sh'`,
    `cat > '/etc/systemd/system/${service}.service' << 'EOT'\n${unit}\nEOT`,
    "/bin/systemctl daemon-reload",
    `/bin/systemctl enable '/etc/systemd/system/${service}.service'`,
    `/bin/systemctl start ${service}.service`,
    `rm $bin/tools.tar.gz && rm $bin/juju${binary}.sha256`,
  ];

  return [
    `rm -f ${shQuote(LOG)}`,
    "dump_file() {",
    "    code=$?",
    `    if [ $code -ne 0 -a -e ${shQuote(LOG)} ]; then`,
    `        cat ${shQuote(LOG)} >&2`,
    "    fi",
    "    exit $code",
    "}",
    "trap dump_file EXIT",
    "#!/bin/bash",
    "set -e",
    'test -n "$JUJU_PROGRESS_FD" || ( exec {JUJU_PROGRESS_FD}>&2 ) 2>/dev/null && exec {JUJU_PROGRESS_FD}>&2 || JUJU_PROGRESS_FD=2',
    "(",
    ...pkgcmds,
    ...runcmds,
    `) | tee -a ${LOG} 2>&1`,
  ].join("\n");
}
