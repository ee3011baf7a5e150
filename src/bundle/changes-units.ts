/**
 * Unit placement, as Juju's bundlechanges unitProcessor does it: every
 * missing unit is added first, then applications are placed in passes so
 * that units placed next to another application's units come after them.
 * @module
 */
import { BundlePlanError, BundlePlanErrorCodes } from "./changes-errors.js";
import {
  type AddMachineChange,
  type AddUnitChange,
  numUnits,
  placeholder,
} from "./changes-internal.js";
import type { ModelState } from "./changes-model.js";
import { byteCompare, naturalSorted, parsePlacement, type UnitPlacement } from "./changes-util.js";
import type { BundleApplication, BundleData } from "./types.js";

/** What placing units needs from the planner: adding its changes. */
export interface UnitChangeHost {
  addUnitChange(application: string, unitName: string, requires: string[]): AddUnitChange;
  addMachineFor(
    app: BundleApplication,
    p: {
      containerType: string;
      parentId: string;
      existing: boolean;
      machineID: string;
      containerMachineID: string;
      requires: string[];
    },
  ): AddMachineChange;
}

interface Placement {
  target: string;
  baseMachine: string;
  requires: string[];
  placementDescription: string;
  directive: string;
}

/** Juju's unitProcessor: adds every missing unit, then places them application by application. */
export class UnitProcessor {
  private readonly appNames: string[];
  private readonly addUnitChanges = new Map<string, AddUnitChange>();
  private readonly appChanges = new Map<string, AddUnitChange[]>();
  private readonly existingMachinesWithoutApp = new Map<string, string[]>();
  private readonly newUnitsWithoutApp = new Map<string, AddUnitChange[]>();

  constructor(
    private readonly planner: UnitChangeHost,
    private readonly bundle: BundleData,
    private readonly model: ModelState,
    private readonly addedApps: Map<string, string>,
    private readonly addedMachines: Map<string, AddMachineChange>,
  ) {
    this.appNames = naturalSorted(Object.keys(bundle.applications));
  }

  run(): void {
    this.addAllNeededUnits();
    this.processPlacement();
  }

  private app(name: string): BundleApplication {
    return this.bundle.applications[name] as BundleApplication;
  }

  private addAllNeededUnits(): void {
    for (const name of this.appNames) {
      const app = this.app(name);
      const existing = this.model.app(name);
      const have = existing?.units?.length ?? 0;
      for (let i = have; i < numUnits(app); i++) {
        const requires: string[] = [];
        let ref = name;
        if (!existing) {
          const deployId = this.addedApps.get(name) ?? "";
          requires.push(deployId);
          ref = placeholder(deployId);
        }
        const change = this.planner.addUnitChange(ref, this.model.nextUnit(name), requires);
        this.addUnitChanges.set(`${name}/${i}`, change);
        const list = this.appChanges.get(name) ?? [];
        list.push(change);
        this.appChanges.set(name, list);
      }
    }
  }

  private processPlacement(): void {
    const processed = new Set<string>();
    let toDo = [...this.appNames].sort(byteCompare);
    while (toDo.length > 0) {
      let done = 0;
      const next: string[] = [];
      for (const name of toDo) {
        const deps = new Set<string>();
        for (const to of this.app(name).to ?? []) {
          const p = parsePlacement(to);
          if (p?.application) deps.add(p.application);
        }
        if ([...deps].some((d) => !processed.has(d))) {
          next.push(name);
          continue;
        }
        this.placeUnits(name);
        processed.add(name);
        done++;
      }
      if (done === 0) {
        throw new BundlePlanError(
          `cycle in placement directives for: ${next.join(", ")}`,
          BundlePlanErrorCodes.placementCycle,
        );
      }
      toDo = next;
    }
  }

  private placeUnits(name: string): void {
    const app = this.app(name);
    const existing = this.model.app(name);
    const to = app.to ?? [];
    let last = "";
    if (to.length > 0) {
      last = to[to.length - 1] as string;
      const p = parsePlacement(last);
      if (!(p && (p.machine === "new" || (p.application !== "" && p.unit === -1)))) last = "";
    }
    let unsatisfied = this.model.unsatisfiedPlacements(name, to);
    let lastChange = "";
    for (let i = existing?.units?.length ?? 0; i < numUnits(app); i++) {
      let directive = last;
      if (unsatisfied.length > 0) {
        directive = unsatisfied[0] as string;
        unsatisfied = unsatisfied.slice(1);
      }
      const placement = this.placementFor(name, app, directive);
      const change = this.addUnitChanges.get(`${name}/${i}`) as AddUnitChange;
      change.placementDescription = placement.placementDescription;
      change.baseMachine = placement.baseMachine;
      change.to = placement.target;
      change.directive = placement.directive;
      change.requires.push(...placement.requires);
      if (lastChange !== "") change.requires.push(lastChange);
      lastChange = change.id;
    }
  }

  private placementFor(appName: string, app: BundleApplication, directive: string): Placement {
    const empty = (baseMachine: string): Placement => ({
      target: "",
      baseMachine,
      requires: [],
      placementDescription: "",
      directive: "",
    });
    if (directive === "") return empty(this.model.nextMachine());
    const p = parsePlacement(directive);
    // The bundle was validated: an unreadable directive places nowhere in particular.
    if (!p) return empty("");
    if (p.machine === "new") return this.addNewMachine(app, p.containerType);
    if (p.machine !== "") return this.definedMachine(app, p, directive);
    if (p.unit >= 0) return this.definedUnit(app, p, directive);
    return this.definedApplication(appName, app, p, directive);
  }

  private existingMachinePlacement(machineID: string, container: string): Placement {
    return {
      target: container ? `${container}:${machineID}` : machineID,
      baseMachine: machineID,
      requires: [],
      placementDescription: container
        ? this.model.nextContainer(machineID, container)
        : `existing machine ${machineID}`,
      directive: "",
    };
  }

  private definedMachine(app: BundleApplication, p: UnitPlacement, directive: string): Placement {
    const existing = this.model.bundleMachine(p.machine);
    if (existing !== undefined) return this.existingMachinePlacement(existing, p.containerType);
    const change = this.addedMachines.get(p.machine);
    if (!change) {
      throw new BundlePlanError(
        `placement "${directive}" refers to a machine not defined in this bundle`,
        BundlePlanErrorCodes.invalidPlacement,
      );
    }
    const result: Placement = {
      target: placeholder(change.id),
      baseMachine: change.machineID,
      requires: [change.id],
      placementDescription: `new machine ${change.machineID}`,
      directive: "",
    };
    return p.containerType ? this.addContainer(result, app, p.containerType) : result;
  }

  private definedUnit(app: BundleApplication, p: UnitPlacement, directive: string): Placement {
    const machine = this.model.unitMachine(p.application, p.unit);
    if (machine !== "")
      return { ...this.existingMachinePlacement(machine, p.containerType), directive };
    const other = this.addUnitChanges.get(`${p.application}/${p.unit}`);
    if (!other) return this.addNewMachine(app, p.containerType);
    return { ...this.placementForChange(other, app, p.containerType), directive };
  }

  private definedApplication(
    appName: string,
    app: BundleApplication,
    p: UnitPlacement,
    directive: string,
  ): Placement {
    const key = `${appName}/${p.application}`;
    let machines = this.existingMachinesWithoutApp.get(key);
    if (machines === undefined) {
      machines = this.model.unitMachinesWithoutApp(p.application, appName, p.containerType);
    }
    const machine = machines[0];
    this.existingMachinesWithoutApp.set(key, machines.slice(1));
    if (machine !== undefined)
      return { ...this.existingMachinePlacement(machine, p.containerType), directive };
    let changes = this.newUnitsWithoutApp.get(key);
    if (changes === undefined) changes = [...(this.appChanges.get(p.application) ?? [])];
    const change = changes[0];
    this.newUnitsWithoutApp.set(key, changes.slice(1));
    if (change) return { ...this.placementForChange(change, app, p.containerType), directive };
    return {
      target: "",
      baseMachine: this.model.nextMachine(),
      requires: [],
      placementDescription: "",
      directive: "",
    };
  }

  private placementForChange(
    change: AddUnitChange,
    app: BundleApplication,
    containerType: string,
  ): Placement {
    const result: Placement = {
      target: placeholder(change.id),
      baseMachine: change.baseMachine,
      requires: [change.id],
      placementDescription: change.placementDescription,
      directive: "",
    };
    return containerType ? this.addContainer(result, app, containerType) : result;
  }

  private addNewMachine(app: BundleApplication, containerType: string): Placement {
    const machineID = this.model.nextMachine();
    let description = `new machine ${machineID}`;
    let containerMachineID = "";
    if (containerType) {
      containerMachineID = this.model.nextContainer(machineID, containerType);
      description = containerMachineID;
    }
    const change = this.planner.addMachineFor(app, {
      containerType,
      parentId: "",
      existing: false,
      machineID,
      containerMachineID,
      requires: [],
    });
    return {
      target: placeholder(change.id),
      baseMachine: machineID,
      requires: [change.id],
      placementDescription: description,
      directive: "",
    };
  }

  private addContainer(up: Placement, app: BundleApplication, containerType: string): Placement {
    const containerMachineID = this.model.nextContainer(up.baseMachine, containerType);
    const change = this.planner.addMachineFor(app, {
      containerType,
      parentId: up.target,
      existing: Object.hasOwn(this.model.machines, up.baseMachine),
      machineID: up.baseMachine,
      containerMachineID,
      requires: [...up.requires],
    });
    return {
      target: placeholder(change.id),
      baseMachine: up.baseMachine,
      requires: [change.id],
      placementDescription: containerMachineID,
      directive: "",
    };
  }
}
