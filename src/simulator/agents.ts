/**
 * The simulated agents of one model, on the model's clock: the provisioner
 * and machine agents (pending → allocating → running/started), the unit
 * assigner, and unit agents running hooks in the uniter's order (install,
 * leader-elected, config-changed, start, relation hooks) before settling at
 * `idle` with the charm's workload status; plus the teardown of dying
 * entities (dying → dead → removed). Messages are Juju's
 * (`core/status` messages, `worker/uniter` hook names).
 * @module
 */
import type { HardwareData } from "../protocol/entity-data.js";
import type { TimerHandle, Timing } from "./clock.js";
import type { AgentScript } from "./control.js";
import {
  type ApplicationRecord,
  type MachineRecord,
  type ModelEntities,
  type RelationRecord,
  relationStatus,
  type UnitRecord,
} from "./entities.js";
import { agentLog, hookRanLog } from "./logs.js";
import { remoteUnitsOf } from "./remote-units.js";
import { storageAttachedHooks } from "./storage.js";

type StepKind = "provision" | "boot" | "agentStart" | "assign" | "hook" | "teardown";

interface Step {
  kind: StepKind;
  run: () => void;
  /** A scripted duration (control.ts) instead of the timing profile's. */
  ms?: number | undefined;
}

/**
 * Scripted behaviour (control.ts) per controller, keyed by the controller's
 * {@link Timing}: the one object every model's agents share with their
 * store, so models created after the script was set see it too.
 */
const agentScripts = new WeakMap<Timing, AgentScript>();

/** Sets (or with `undefined` removes) the scripted behaviour of every agent of the controller owning `timing`. */
export function setAgentScript(timing: Timing, script: AgentScript | undefined): void {
  if (script === undefined) agentScripts.delete(timing);
  else agentScripts.set(timing, script);
}

/** Runs the model's agents; every state change goes through {@link ModelEntities}. */
export class Agents {
  private readonly queues = new Map<string, Step[]>();
  private readonly busy = new Set<string>();
  private readonly timers = new Set<TimerHandle>();
  private stopped = false;
  /** Unit agents stopped on a failed hook (control.ts `failHook`), with the hook, until resolved. */
  private readonly failedHooks = new Map<string, string>();
  /** Agents killed by the control API: their queues wait until revived. */
  private readonly lost = new Set<string>();

  constructor(private readonly ents: ModelEntities) {}

  /** The controller's scripted behaviour, if a test set one. */
  get script(): AgentScript | undefined {
    return agentScripts.get(this.ents.timing);
  }

  /** Called when a unit agent finishes its start sequence or a machine agent starts (actions wait for that). */
  readonly startedListeners = new Set<(kind: "unit" | "machine", id: string) => void>();

  /**
   * Queues work on an entity's agent (`unit:<name>`, `machine:<id>`…),
   * after the steps already queued there and taking one `hook` step of
   * time. When `run` returns a follow-up, it runs one step later, before
   * anything queued meanwhile: the uniter runs one operation at a time.
   */
  task(entity: string, run: () => (() => void) | undefined, followUpMs?: number): void {
    this.queue(entity, "hook", () => {
      const next = run();
      if (next === undefined || this.stopped) return;
      const q = this.queues.get(entity) ?? [];
      q.unshift({ kind: "hook", run: next, ms: followUpMs });
      this.queues.set(entity, q);
    });
  }

  /** Entities with agent work queued or running (`unit:mysql/0`, `machine:0`…); empty once the model settled. */
  get busyEntities(): string[] {
    return [...new Set([...this.busy, ...this.queues.keys()])];
  }

  /** Cancels everything pending (server stop, model removal). */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.queues.clear();
  }

  /** Queues a step for an entity; steps of one entity run one after another, each after its delay. */
  private queue(entity: string, kind: StepKind, run: () => void, ms?: number): void {
    if (this.stopped) return;
    const q = this.queues.get(entity) ?? [];
    q.push({ kind, run, ms });
    this.queues.set(entity, q);
    this.pump(entity);
  }

  private pump(entity: string): void {
    if (this.busy.has(entity) || this.failedHooks.has(entity) || this.lost.has(entity)) return;
    const q = this.queues.get(entity);
    const step = q?.shift();
    if (step === undefined) {
      this.queues.delete(entity);
      return;
    }
    this.busy.add(entity);
    const timer = this.ents.clock.setTimer(step.ms ?? this.ents.timing.of(step.kind), () => {
      this.timers.delete(timer);
      this.busy.delete(entity);
      if (this.stopped) return;
      step.run();
      this.pump(entity);
    });
    this.timers.add(timer);
  }

  /** A machine agent's log line (`machine-<id>`, containers as `machine-0-lxd-1`). */
  private machineLog(id: string | MachineRecord, module: string, loc: string, msg: string): void {
    const mid = typeof id === "string" ? id : id.id;
    agentLog(this.ents, `machine-${mid.replaceAll("/", "-")}`, "INFO", module, loc, msg);
  }

  // ----- machines -----

  /** A new machine: the provisioner starts an instance and its agent comes up. */
  machineAdded(m: MachineRecord): void {
    const key = `machine:${m.id}`;
    const scripted = this.script?.provisioning(this.ents.modelUuid, m);
    this.queue(
      key,
      "provision",
      () => {
        if (!this.ents.machines.has(m.id) || m.life !== "alive") return;
        if (scripted?.fail !== undefined) {
          // The provisioner gives up: both statuses carry the error (RetryProvisioning restarts).
          m.instanceStatus = {
            current: "provisioning error",
            message: scripted.fail,
            since: this.ents.now(),
          };
          m.agentStatus = { current: "error", message: scripted.fail, since: this.ents.now() };
          this.ents.publishMachine(m);
          this.queues.delete(key);
          return;
        }
        m.instanceStatus = { current: "allocating", message: "", since: this.ents.now() };
        this.ents.publishMachine(m);
      },
      scripted?.delayMs,
    );
    this.queue(key, "boot", () => {
      if (!this.ents.machines.has(m.id) || m.life !== "alive") return;
      const short = this.ents.modelUuid.slice(-6);
      m.instanceId = `juju-${short}-${m.id.replaceAll("/", "-")}`;
      m.hostname = m.instanceId;
      m.addresses = [this.ents.nextAddress()];
      m.hardware = this.hardwareFor(m);
      m.instanceStatus = { current: "running", message: "Running", since: this.ents.now() };
      this.ents.publishMachine(m);
    });
    this.queue(key, "agentStart", () => this.startMachineAgent(m));
  }

  private startMachineAgent(m: MachineRecord): void {
    if (!this.ents.machines.has(m.id) || m.life !== "alive") return;
    if (m.agentStatus.current === "started") return;
    m.agentStatus = { current: "started", message: "", since: this.ents.now() };
    this.ents.publishMachine(m);
    this.machineLog(
      m,
      "juju.cmd.jujud",
      "agent.go:1",
      `agent started (version ${this.ents.agentVersion()})`,
    );
    for (const l of this.startedListeners) l("machine", m.id);
    for (const name of m.principals) {
      const u = this.ents.units.get(name);
      if (u !== undefined) this.unitMachineReady(u);
    }
  }

  /**
   * A machine added with its instance (manual provisioning): no provisioner
   * runs. For a `manual:` instance the instance poller does not ask the
   * provider but marks it running (`worker/instancepoller`, lp:1678981).
   * Its agent waits for the provisioning script ({@link provisioningScriptIssued}).
   */
  injectedMachineAdded(m: MachineRecord): void {
    if (!m.instanceId.startsWith("manual:")) return;
    this.queue(`machine:${m.id}`, "provision", () => {
      if (!this.ents.machines.has(m.id) || m.life !== "alive") return;
      m.instanceStatus = {
        current: "running",
        message: "Manually provisioned machine",
        since: this.ents.now(),
      };
      this.ents.publishMachine(m);
    });
  }

  /**
   * `ProvisioningScript` handed out a script for an injected machine with
   * its nonce. In Juju the client runs that script on the host and the new
   * `jujud` logs in with the nonce; the simulator runs nothing anywhere, so
   * it stands for the script's run by starting the agent one `boot` plus
   * one `agentStart` step later. A script asked for with another nonce
   * would give an agent that cannot log in (`machine N not provisioned`),
   * so nothing starts then.
   */
  provisioningScriptIssued(m: MachineRecord, nonce: string): void {
    if (m.injected === undefined || m.injected.nonce !== nonce) return;
    if (m.agentStatus.current === "started") return;
    const key = `machine:${m.id}`;
    this.queue(key, "boot", () => {});
    this.queue(key, "agentStart", () => this.startMachineAgent(m));
  }

  /** Hardware from the constraints, with the defaults of a small LXD instance. */
  private hardwareFor(m: MachineRecord): HardwareData {
    const c = m.constraints;
    const hw: HardwareData = {
      arch: c.arch ?? "amd64",
      mem: c.mem ?? 8192,
      "root-disk": c["root-disk"] ?? 16384,
      "cpu-cores": c.cores ?? 2,
    };
    if (c["cpu-power"] !== undefined) hw["cpu-power"] = c["cpu-power"];
    if (c.tags !== undefined) hw.tags = c.tags;
    if (m.zone !== undefined) hw["availability-zone"] = m.zone;
    if (c["virt-type"] !== undefined) hw["virt-type"] = c["virt-type"];
    return hw;
  }

  /** `RetryProvisioning`: a machine in error goes through provisioning again. */
  retryProvisioning(m: MachineRecord): void {
    if (m.instanceStatus.current !== "provisioning error" && m.agentStatus.current !== "error") {
      return;
    }
    m.instanceStatus = { current: "pending", message: "", since: this.ents.now() };
    m.agentStatus = { current: "pending", message: "", since: this.ents.now() };
    this.ents.publishMachine(m);
    this.machineAdded(m);
  }

  /** Tears a machine down: dying, then dead and removed (containers first). */
  destroyMachine(m: MachineRecord): void {
    if (m.life !== "alive") return;
    for (const c of this.ents.containersOf(m.id)) this.destroyMachine(c);
    m.life = "dying";
    this.ents.publishMachine(m);
    this.queue(`machine:${m.id}`, "teardown", () => {
      if (this.ents.containersOf(m.id).length > 0 || m.principals.length > 0) {
        // Wait for what it hosts to go first.
        m.life = "alive";
        this.destroyMachine(m);
        return;
      }
      m.agentStatus = { current: "stopped", message: "", since: this.ents.now() };
      this.ents.removeMachine(m);
    });
  }

  // ----- units -----

  /** Deploy's units: the unit assigner places them later, using the staged placement. */
  unitDeployed(app: ApplicationRecord, u: UnitRecord, place: (u: UnitRecord) => void): void {
    this.queue(`assign:${u.name}`, "assign", () => {
      if (!this.ents.units.has(u.name) || u.life !== "alive" || u.machineId !== "") return;
      try {
        place(u);
      } catch (e) {
        // worker/unitassigner: a not-found failure (`lxd:99`: machine 99 not
        // found) is dropped as "unit removed", leaving the unit waiting for a
        // machine with its statuses unchanged; any other failure becomes the
        // unit agent's error status (and the assignment stays staged).
        if ((e as { code?: string }).code !== "not found") {
          this.ents.setUnitStatus(u, ["error", (e as Error).message]);
        }
        return;
      }
      app.staged.delete(u.name);
      this.unitAssigned(u);
    });
  }

  /** A unit got its machine: it starts once the machine's agent is up. */
  unitAssigned(u: UnitRecord): void {
    const m = this.ents.machines.get(u.machineId);
    if (m?.agentStatus.current === "started") this.unitMachineReady(u);
  }

  private unitMachineReady(u: UnitRecord): void {
    if (u.started || this.queues.has(`unit:${u.name}`) || this.busy.has(`unit:${u.name}`)) return;
    const app = this.ents.applications.get(u.application);
    if (app === undefined) return;
    const key = `unit:${u.name}`;
    const alive = () => this.ents.units.has(u.name) && u.life === "alive";
    this.queue(key, "hook", () => {
      if (!alive()) return;
      this.ents.setUnitStatus(u, ["allocating", ""], ["waiting", "agent initialising"]);
      this.machineLog(
        u.machineId,
        "juju.worker.deployer",
        "unit_agent.go:1",
        `deploying unit "${u.name}"`,
      );
      agentLog(
        this.ents,
        `unit-${u.name.replace("/", "-")}`,
        "INFO",
        "juju.worker.uniter",
        "uniter.go:363",
        `unit "${u.name}" started`,
      );
    });
    for (const h of storageAttachedHooks(this.ents, u.name)) this.hook(u, h);
    this.hook(u, "install");
    for (const r of this.ents.relationsOf(app.name)) {
      for (const ep of r.endpoints.filter((e) => e.application === app.name)) {
        this.hook(u, `${ep.name}-relation-created`);
      }
    }
    if (app.leader === u.name) this.hook(u, "leader-elected");
    else this.hook(u, "leader-settings-changed");
    this.hook(u, "config-changed");
    this.hook(u, "start");
    this.queue(key, "hook", () => {
      if (!alive()) return;
      u.started = true;
      u.workloadVersion =
        this.script?.workloadVersion(this.ents.modelUuid, u) ?? app.charm.workload?.version ?? "";
      u.ports = (app.charm.workload?.ports ?? []).map(parsePortRange);
      this.settle(u);
      this.ensureSubordinates(u);
      for (const l of this.startedListeners) l("unit", u.name);
    });
    for (const r of this.ents.relationsOf(app.name)) this.relationHooksFor(u, r);
  }

  /** Queues hook `name` on the unit; `before` runs first, in the same step. */
  private hook(u: UnitRecord, name: string, before?: () => void): void {
    const key = `unit:${u.name}`;
    this.queue(key, "hook", () => {
      before?.();
      this.runHook(u, name);
    });
    // A scripted duration: the agent stays in the hook that long before its next step.
    const ms = this.script?.hookDuration(this.ents.modelUuid, u, name);
    if (ms !== undefined) this.queue(key, "hook", () => {}, ms);
  }

  /** One hook run: the agent executes it, or (scripted) it fails and the agent stops until resolved. */
  private runHook(u: UnitRecord, name: string): void {
    if (!this.ents.units.has(u.name) || u.life !== "alive") return;
    const script = this.script;
    if (script?.hookFails(this.ents.modelUuid, u, name) === true) {
      // As the uniter reports a failed hook: the unit is in error, its queue waits for `resolved`.
      this.ents.setUnitStatus(u, ["idle", ""], ["error", `hook failed: "${name}"`]);
      agentLog(
        this.ents,
        `unit-${u.name.replace("/", "-")}`,
        "ERROR",
        "juju.worker.uniter.operation",
        "runhook.go:180",
        `hook "${name}" (via hook dispatching script: dispatch) failed: exit status 1`,
      );
      this.failedHooks.set(`unit:${u.name}`, name);
      return;
    }
    if (name === "install") {
      this.ents.setUnitStatus(
        u,
        ["executing", "running install hook"],
        ["maintenance", "installing charm software"],
      );
    } else {
      this.ents.setUnitStatus(u, ["executing", `running ${name} hook`]);
    }
    const set = script?.hookStatus(this.ents.modelUuid, u, name);
    if (set !== undefined) this.ents.setUnitStatus(u, undefined, set);
    hookRanLog(this.ents, u.name, name);
  }

  /** Agent idle, workload as the charm reports it given the unit's relations. */
  private settle(u: UnitRecord): void {
    if (!this.ents.units.has(u.name) || u.life !== "alive" || !u.started) return;
    const app = this.ents.applications.get(u.application);
    if (app === undefined) return;
    const w = { ...app.charm.workload, ...this.script?.workload(this.ents.modelUuid, u) };
    let workload: [string, string] = [w.status ?? "active", w.message ?? ""];
    const pinned = this.script?.pinnedStatus(this.ents.modelUuid, u);
    const block = w.blockedUntil;
    if (pinned !== undefined) workload = pinned;
    else if (block !== undefined) {
      const related = this.ents
        .relationsOf(app.name)
        .some(
          (r) =>
            r.life === "alive" &&
            r.endpoints.some((e) => e.application === app.name && block.endpoints.includes(e.name)),
        );
      if (!related) workload = ["blocked", block.message];
    }
    this.ents.setUnitStatus(u, ["idle", ""], workload);
  }

  private relationHooksFor(u: UnitRecord, r: RelationRecord): void {
    const app = u.application;
    const mine = r.endpoints.find((e) => e.application === app);
    if (mine === undefined) return;
    const remotes = r.endpoints.filter((e) => e.application !== app || e.role === "peer");
    const key = `unit:${u.name}`;
    // The unit enters the relation's scope before its first relation hook runs.
    let entered = false;
    const enterScope = () => {
      if (entered) return;
      entered = true;
      this.enteredScope(u, r);
    };
    for (const remote of remotes) {
      // Across models, the units of the other side come from the other model.
      const others = [
        ...this.ents.unitsOf(remote.application),
        ...remoteUnitsOf(this.ents, remote.application),
      ].filter((o) => o.name !== u.name && o.life === "alive");
      if (others.length === 0) continue;
      this.hook(u, `${mine.name}-relation-joined`, enterScope);
      this.hook(u, `${mine.name}-relation-changed`);
    }
    this.queue(key, "hook", () => {
      enterScope();
      this.settle(u);
    });
  }

  /**
   * A unit entered a relation's scope: the leader sets the relation's status
   * to joined (the uniter's `joinRelation`, worker/uniter/relation/statetracker.go),
   * unless the relation is going or suspended.
   */
  private enteredScope(u: UnitRecord, r: RelationRecord): void {
    if (u.life !== "alive" || r.life !== "alive" || this.ents.relations.get(r.id) !== r) return;
    if (this.ents.applications.get(u.application)?.leader !== u.name) return;
    const current = relationStatus(r, this.ents.now()).current;
    if (current === "broken" || current === "suspended" || current === "suspending") return;
    this.ents.setRelationStatus(r, "joined");
  }

  /** A new relation: started units of both sides run their hooks; subordinates appear. */
  relationAdded(r: RelationRecord): void {
    for (const app of new Set(r.endpoints.map((e) => e.application))) {
      for (const u of this.ents.unitsOf(app)) {
        if (u.started && u.life === "alive") {
          this.hook(u, `${r.endpoints.find((e) => e.application === app)?.name}-relation-created`);
          this.relationHooksFor(u, r);
          this.ensureSubordinates(u);
        }
      }
    }
  }

  /** For a started principal unit: one unit of each subordinate application related to it in container scope. */
  private ensureSubordinates(u: UnitRecord): void {
    if (u.principal !== "" || u.life !== "alive") return;
    for (const r of this.ents.relationsOf(u.application)) {
      if (r.life !== "alive" || !r.endpoints.some((e) => e.scope === "container")) continue;
      for (const ep of r.endpoints) {
        const sub = this.ents.applications.get(ep.application);
        if (sub === undefined || sub.name === u.application || !(sub.charm.subordinate ?? false))
          continue;
        if (sub.life !== "alive") continue;
        const has = u.subordinates.some((n) => this.ents.units.get(n)?.application === sub.name);
        if (has) continue;
        const s = this.ents.addUnit(sub, u.name);
        this.unitAssigned(s);
        // The principal sees its new subordinate join the container-scoped relation.
        const mine = r.endpoints.find((e) => e.application === u.application);
        if (mine !== undefined && u.started) {
          this.hook(u, `${mine.name}-relation-joined`);
          this.hook(u, `${mine.name}-relation-changed`);
          this.queue(`unit:${u.name}`, "hook", () => this.settle(u));
        }
      }
    }
  }

  /** DestroyUnit: the unit (and its subordinates) stop, die and go. */
  destroyUnit(u: UnitRecord): void {
    if (u.life !== "alive") return;
    for (const s of u.subordinates) {
      const su = this.ents.units.get(s);
      if (su !== undefined) this.destroyUnit(su);
    }
    u.life = "dying";
    this.ents.publishUnit(u);
    const key = `unit:${u.name}`;
    this.queues.delete(key);
    if (u.started) {
      // The uniter leaves each relation (departed, then broken), then stops
      // and removes the charm, once; the units it was related to see it depart.
      for (const r of this.ents.relationsOf(u.application)) {
        const ep = r.endpoints.find((e) => e.application === u.application);
        if (ep === undefined) continue;
        this.queue(key, "hook", () => this.dyingHook(u, `${ep.name}-relation-departed`));
        this.queue(key, "hook", () => this.dyingHook(u, `${ep.name}-relation-broken`));
        for (const other of r.endpoints) {
          for (const o of this.ents.unitsOf(other.application)) {
            if (o === u || !o.started || o.life !== "alive") continue;
            if (other.application === u.application && other.role !== "peer") continue;
            this.hook(o, `${other.name}-relation-departed`);
          }
        }
      }
      this.queue(key, "hook", () => this.dyingHook(u, "stop"));
      this.queue(key, "hook", () => this.dyingHook(u, "remove"));
    }
    this.queueTeardown(u);
  }

  /** Removes a dying unit once its subordinates have gone (they leave first). */
  private queueTeardown(u: UnitRecord): void {
    this.queue(`unit:${u.name}`, "teardown", () => {
      if (u.subordinates.some((n) => this.ents.units.has(n))) {
        this.queueTeardown(u);
        return;
      }
      this.ents.removeUnit(u);
      this.afterUnitRemoved(u);
    });
  }

  private dyingHook(u: UnitRecord, name: string): void {
    if (!this.ents.units.has(u.name)) return;
    this.ents.setUnitStatus(
      u,
      ["executing", `running ${name} hook`],
      ["maintenance", "stopping charm software"],
    );
    hookRanLog(this.ents, u.name, name);
  }

  private afterUnitRemoved(u: UnitRecord): void {
    const app = this.ents.applications.get(u.application);
    if (app === undefined) return;
    if (app.life === "dying") this.maybeRemoveApplication(app);
    else {
      this.ents.publishApplication(app);
      // The other side may need a relation again.
      for (const r of this.ents.relationsOf(app.name)) {
        for (const e of r.endpoints)
          for (const o of this.ents.unitsOf(e.application)) this.settle(o);
      }
    }
  }

  /** DestroyApplication: units and relations go, then the application. */
  destroyApplication(a: ApplicationRecord): void {
    if (a.life !== "alive") return;
    a.life = "dying";
    this.ents.publishApplication(a);
    for (const r of this.ents.relationsOf(a.name)) this.destroyRelation(r);
    for (const u of this.ents.unitsOf(a.name)) this.destroyUnit(u);
    this.maybeRemoveApplication(a);
  }

  private maybeRemoveApplication(a: ApplicationRecord): void {
    if (this.ents.unitsOf(a.name).length > 0 || this.ents.relationsOf(a.name).length > 0) return;
    this.queue(`app:${a.name}`, "teardown", () => {
      if (this.ents.applications.get(a.name) !== a) return;
      if (this.ents.unitsOf(a.name).length > 0 || this.ents.relationsOf(a.name).length > 0) return;
      this.ents.removeApplication(a);
    });
  }

  /** DestroyRelation: dying, then removed; related units re-evaluate and subordinates of it go. */
  destroyRelation(r: RelationRecord): void {
    if (r.life !== "alive") return;
    r.life = "dying";
    this.ents.setRelationStatus(r, "broken");
    this.ents.publishRelation(r);
    const containerScoped = r.endpoints.some((e) => e.scope === "container");
    const apps = new Set(r.endpoints.map((e) => e.application));
    for (const app of apps) {
      for (const u of this.ents.unitsOf(app)) {
        if (!u.started || u.life !== "alive") continue;
        const ep = r.endpoints.find((e) => e.application === app);
        if (ep !== undefined) {
          this.hook(u, `${ep.name}-relation-departed`);
          this.hook(u, `${ep.name}-relation-broken`);
        }
      }
    }
    if (containerScoped) {
      for (const app of apps) {
        const a = this.ents.applications.get(app);
        if (a?.charm.subordinate !== true) continue;
        for (const u of this.ents.unitsOf(app)) {
          const p = this.ents.units.get(u.principal);
          if (p !== undefined && apps.has(p.application)) this.destroyUnit(u);
        }
      }
    }
    this.queue(`relation:${r.id}`, "teardown", () => {
      this.ents.removeRelation(r);
      for (const app of apps) {
        for (const u of this.ents.unitsOf(app))
          this.queue(`unit:${u.name}`, "hook", () => this.settle(u));
        const a = this.ents.applications.get(app);
        if (a?.life === "dying") this.maybeRemoveApplication(a);
      }
    });
  }

  /** Config changed: started units run config-changed. */
  configChanged(a: ApplicationRecord): void {
    for (const u of this.ents.unitsOf(a.name)) {
      if (!u.started || u.life !== "alive") continue;
      this.hook(u, "config-changed");
      this.queue(`unit:${u.name}`, "hook", () => this.settle(u));
    }
  }

  /** Charm refreshed: started units run upgrade-charm and config-changed. */
  charmUpgraded(a: ApplicationRecord): void {
    for (const u of this.ents.unitsOf(a.name)) {
      this.ents.publishUnit(u);
      if (!u.started || u.life !== "alive") continue;
      this.hook(u, "upgrade-charm");
      this.hook(u, "config-changed");
      this.queue(`unit:${u.name}`, "hook", () => this.settle(u));
    }
  }

  /**
   * ResolveUnitErrors: a unit in error goes back to idle; a hook that failed
   * (scripted) runs again first when `retry`, and the agent carries on.
   */
  resolved(u: UnitRecord, retry = false): void {
    if (u.workloadStatus.current !== "error") return;
    const key = `unit:${u.name}`;
    const failed = this.failedHooks.get(key);
    this.failedHooks.delete(key);
    if (failed !== undefined && retry) {
      const q = this.queues.get(key) ?? [];
      q.unshift({ kind: "hook", run: () => this.runHook(u, failed) });
      this.queues.set(key, q);
    }
    this.queue(key, "hook", () => this.settle(u));
  }

  /** The unit's agent settles again (its workload re-evaluated), after the steps already queued. */
  resettle(u: UnitRecord): void {
    this.queue(`unit:${u.name}`, "hook", () => this.settle(u));
  }

  /** Runs `hook` on a started unit, then settles it (leader changes, reboots). */
  runHookThenSettle(u: UnitRecord, hook: string): void {
    if (!u.started || u.life !== "alive") return;
    this.hook(u, hook);
    this.resettle(u);
  }

  /**
   * A killed agent (control.ts): its queue stops. Statuses are set by the
   * caller; {@link agentRevived} lets the queue run again.
   */
  agentKilled(entity: `unit:${string}` | `machine:${string}`): void {
    this.lost.add(entity);
  }

  /** The agent runs again: queued steps proceed. */
  agentRevived(entity: `unit:${string}` | `machine:${string}`): void {
    if (!this.lost.delete(entity)) return;
    this.pump(entity);
  }

  /**
   * A machine reboots: its agent stops, the instance comes back after a
   * `boot` and an `agentStart` step, and its started units run `start`.
   */
  rebootMachine(m: MachineRecord): void {
    if (m.life !== "alive" || m.agentStatus.current !== "started") return;
    m.agentStatus = { current: "stopped", message: "", since: this.ents.now() };
    this.ents.publishMachine(m);
    const key = `machine:${m.id}`;
    this.queue(key, "boot", () => {});
    this.queue(key, "agentStart", () => {
      this.startMachineAgent(m);
      for (const name of m.principals) {
        const u = this.ents.units.get(name);
        if (u === undefined) continue;
        for (const su of [u, ...u.subordinates.map((s) => this.ents.units.get(s))]) {
          if (su !== undefined) this.runHookThenSettle(su, "start");
        }
      }
    });
  }
}

/** `80/tcp`, `8000-8080/tcp` or `icmp` to a port range. */
function parsePortRange(s: string): { from: number; to: number; protocol: string } {
  const [range = "", protocol = "tcp"] = s.split("/");
  if (range === "icmp") return { from: -1, to: -1, protocol: "icmp" };
  const [from = "0", to = from] = range.split("-");
  return { from: Number(from), to: Number(to), protocol };
}
