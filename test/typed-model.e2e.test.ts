/**
 * Typed model data through the simulator: events narrow by `entityType`,
 * entity views read the wire shapes of `protocol/entity-data.ts`, and
 * statuses are strings with the whole status beside them. The type-level
 * lines (`expectTypeOf`, `@ts-expect-error`) are checked by `npm run
 * typecheck`; everything else runs.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type Application,
  Machine,
  type ModelEvent,
  ModelInfoEntity,
  ModelObserver,
  type StatusData,
  type StatusInfo,
  Unit,
  type UnitData,
} from "../src/index.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("typed");

describe("typed model events and entities", () => {
  it("narrows observer events by entityType and reads statuses as strings plus objects", async () => {
    await using model = await env.controller.addModel("typed");
    const unitEvents: ModelEvent<"unit">[] = [];
    const offUnits = model.addObserver(
      (e) => {
        expectTypeOf(e).toEqualTypeOf<ModelEvent<"unit">>();
        expectTypeOf(e.new).toEqualTypeOf<Unit>();
        expectTypeOf(e.old).toEqualTypeOf<Unit | undefined>();
        expectTypeOf(e.delta[2]).toEqualTypeOf<Readonly<UnitData>>();
        unitEvents.push(e);
      },
      { entityType: "unit" },
    );
    const machines = new Set<string>();
    const offAll = model.addObserver((e) => {
      expectTypeOf(e).toEqualTypeOf<ModelEvent>();
      if (e.entityType === "machine") {
        expectTypeOf(e.new).toEqualTypeOf<Machine>();
        machines.add(e.new.id);
      }
    });

    const deployed = await model.deploy("ubuntu", { numUnits: 2 });
    await model.waitForIdle({ apps: ["ubuntu"], status: "active", idlePeriod: 0, timeout: 10_000 });
    offUnits();
    offAll();

    // A unit observer sees only units, each view a Unit of the event's id.
    expect(unitEvents.length).toBeGreaterThanOrEqual(2);
    for (const e of unitEvents) {
      expect(e.entityType).toBe("unit");
      expect(e.delta[0]).toBe("unit");
      expect(e.new).toBeInstanceOf(Unit);
      expect(e.new.name).toBe(e.entityId);
      expect(e.delta[2].name).toBe(e.entityId);
    }
    expect([...machines].sort()).toEqual(["0", "1"]);

    // Application: `status` is the string python-libjuju shows, `statusInfo` the object.
    const app = deployed.latest();
    expectTypeOf(app).toEqualTypeOf<Application>();
    expectTypeOf(app.status).toEqualTypeOf<string>();
    expectTypeOf(app.statusInfo).toEqualTypeOf<StatusInfo>();
    expect(app.status).toBe("active");
    expect(app.statusInfo.current).toBe("active");
    expect(app.statusMessage).toBe(app.statusInfo.message ?? "");
    // Juju 3.6 sends "unset" until the charm sets one; the shown status comes from the units.
    expect(app.get("status")?.current).toBe("unset");
    expect(app.exposed).toBe(false);
    expect(app.subordinate).toBe(false);
    expect(app.life).toBe("alive");

    const unit = model.units.get("ubuntu/0")!;
    expect(unit).toBeInstanceOf(Unit);
    expect(unit.workloadStatus).toBe("active");
    expect(unit.agentStatus).toBe("idle");
    expect(unit.workloadStatusInfo).toMatchObject({
      current: "active",
      message: unit.workloadStatusMessage,
    });
    expect(unit.agentStatusInfo?.current).toBe("idle");
    expect(unit.agentStatusInfo?.version).not.toBe("");
    expect(unit.workloadStatusSince).toBeInstanceOf(Date);
    expect(unit.agentStatusSince).toBeInstanceOf(Date);
    expectTypeOf(unit.get("workload-status")).toEqualTypeOf<StatusData | undefined>();
    expect(unit.get("workload-status")).toEqual(unit.workloadStatusInfo);
    expect(unit.base).toMatch(/^ubuntu@/);

    // Machine: `status` is the instance status (python-libjuju), agent status beside it.
    const machine = unit.machine!;
    expect(machine).toBeInstanceOf(Machine);
    expect(machine.status).toBe("running");
    expect(machine.statusInfo?.current).toBe("running");
    expect(machine.statusMessage).toBe(machine.statusInfo?.message);
    expect(machine.agentStatus).toBe("started");
    expect(machine.agentStatusInfo?.current).toBe("started");
    expect(machine.agentVersion).toBe(machine.agentStatusInfo?.version);
    expect(machine.agentVersion).not.toBe("");
    expect(machine.statusSince).toBeInstanceOf(Date);
    expect(machine.addresses[0]?.scope).toBe("local-cloud");

    // The model entity: a string status too.
    const info = model.entity("model", model.uuid)!;
    expect(info).toBeInstanceOf(ModelInfoEntity);
    expect(info.name).toBe("typed");
    expect(info.status).toBe("available");
    expect(info.statusInfo?.current).toBe("available");
    expect(info.type).toBe("iaas");
  });

  it("rejects, at compile time, handlers whose kind does not match the filter", async () => {
    await using model = await env.controller.addModel("typed-errors");
    const offs = [
      // @ts-expect-error a handler typed for units needs `{entityType: "unit"}`
      model.addObserver((_e: ModelEvent<"unit">) => {}),
      // @ts-expect-error the filter's kind must be the handler's
      model.addObserver((_e: ModelEvent<"unit">) => {}, { entityType: "machine" }),
      model.addObserver(
        (e) => {
          // @ts-expect-error a unit's data has no instance-status
          void e.new.data?.["instance-status"];
        },
        { entityType: "unit" },
      ),
    ];
    class Typed extends ModelObserver {
      override onUnitAdd(e: ModelEvent<"unit">) {
        expectTypeOf(e.new).toEqualTypeOf<Unit>();
      }
    }
    class Mismatched extends ModelObserver {
      // @ts-expect-error onMachineChange receives machine events
      override onMachineChange(_e: ModelEvent<"unit">) {}
    }
    offs.push(model.addObserver(new Typed()));
    for (const off of offs) off();
    expect(offs).toHaveLength(4);
    expect(new Mismatched()).toBeInstanceOf(ModelObserver);
  });
});
