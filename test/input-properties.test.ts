/**
 * Property-based tests of the client's input checks: for arbitrary input,
 * the parsers and option checks of `deploy`/`addMachine` either throw a typed
 * libjuju error or produce a wire value that is valid against the facade
 * schema, survives JSON unchanged (no `Infinity` → `null`) and carries only
 * integers JavaScript represents exactly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LibjujuError } from "../src/index.js";
import type { ModelContext } from "../src/model/context.js";
import { parseBase } from "../src/model/ops/bases.js";
import { parseChannel } from "../src/model/ops/charm-origin.js";
import { toConstraints, toPlacements } from "../src/model/ops/common.js";
import { type DeployOptions, parseBindings, prepareDeploy } from "../src/model/ops/deploy.js";
import { type AddMachineOptions, addMachineParams } from "../src/model/ops/machines.js";
import { parseStorageConstraints } from "../src/model/ops/storage.js";
import { CONSTRAINT_KINDS, parseConstraints } from "../src/parse/constraints.js";
import { parsePlacement } from "../src/parse/placement.js";
import type { RequestFrame } from "../src/protocol/frames.js";
import { SchemaConformance } from "./support/schema-conformance.js";

/** Runs per property: enough to find type holes, few enough to keep the suite fast. */
const RUNS = 200;
const UUID = "deadbeef-0000-4000-8000-000000000001";
const schema = SchemaConformance.load();

const outcomes = { valid: 0, refused: 0 };

/** Calls `f`; a typed libjuju error is an accepted outcome (undefined), anything else thrown fails. */
function typedOr<T>(f: () => T): T | undefined {
  try {
    const v = f();
    outcomes.valid++;
    return v;
  } catch (e) {
    if (e instanceof LibjujuError) {
      // Bad options are InvalidArgumentError, bad grammar (constraints, placement) ParseError.
      expect(["ERR_INVALID_ARGUMENT", "ERR_PARSE"]).toContain(e.code);
      outcomes.refused++;
      return undefined;
    }
    throw e;
  }
}

/**
 * `fc.assert`, then checks that the generators reached both outcomes (some
 * inputs accepted and checked against the schema, some refused), so a
 * property cannot pass by refusing everything.
 */
function assertBoth<Ts extends unknown[]>(property: fc.IProperty<Ts>): void {
  outcomes.valid = 0;
  outcomes.refused = 0;
  fc.assert(property, { numRuns: RUNS });
  expect(outcomes.valid, "inputs accepted").toBeGreaterThan(RUNS / 20);
  expect(outcomes.refused, "inputs refused").toBeGreaterThan(RUNS / 20);
}

/** Every number inside `v` is a safe non-negative integer, and JSON carries `v` unchanged. */
function expectWireSafe(v: unknown): void {
  expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  const walk = (x: unknown): void => {
    if (typeof x === "number") expect(Number.isSafeInteger(x) && x >= 0, `number ${x}`).toBe(true);
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === "object") Object.values(x).forEach(walk);
  };
  walk(v);
}

function expectSchemaValid(type: string, version: number, request: string, params: unknown): void {
  const frame = { "request-id": 1, type, version, request, params } as RequestFrame;
  expect(schema.checkRequest(frame)).toEqual([]);
}

const constraintKey = fc.constantFrom(...Object.keys(CONSTRAINT_KINDS), "cpu-cores");
const numberText = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
  fc.double().map(String),
  fc.constantFrom("1e400", "18446744073709551616", "9007199254740993", "-1", "0x10", "4G", ".5T"),
  fc.nat().map((n) => `${n}${["", "M", "G", "T", "P"][n % 5]}`),
);
const constraintText = fc.oneof(
  fc.tuple(constraintKey, fc.oneof(numberText, fc.string())).map(([k, v]) => `${k}=${v}`),
  fc.string(),
);
const constraintsString = fc.array(constraintText, { maxLength: 4 }).map((a) => a.join(" "));
const constraintsObject = fc.dictionary(
  fc.oneof(constraintKey, fc.string()),
  fc.oneof(
    fc.anything(),
    fc.double(),
    fc.bigInt().map(Number),
    fc.array(fc.oneof(fc.string(), fc.integer())),
  ),
  { maxKeys: 4 },
);
/** Anything a caller might pass, including wrong types. */
const junk = fc.oneof(fc.anything(), fc.double(), fc.func(fc.anything()), fc.bigInt());
const directive = fc.oneof(
  fc.constantFrom("0", "lxd", "lxd:3", "kvm:0/lxd/1", "zone=az1", "#:x", ":", "ssh:u@h", "0,1"),
  fc.string(),
);
const placementInput = fc.oneof(
  directive,
  fc.array(fc.oneof(directive, junk), { maxLength: 4 }),
  junk,
);
const baseInput = fc.oneof(
  fc.constantFrom(
    "ubuntu@22.04",
    "jammy",
    "toString",
    "constructor",
    "__proto__",
    "a@b@c",
    "@",
    "x@",
  ),
  fc.string(),
  fc.record({ name: fc.oneof(fc.string(), junk), channel: fc.oneof(fc.string(), junk) }),
  junk,
);
const channelInput = fc.oneof(
  fc.constantFrom("edge", "8.0/stable", "latest/stable/hotfix", "a/b/c/d", "//", "stable/"),
  fc.string(),
  junk,
);
const storageInput = fc.oneof(
  fc.dictionary(
    fc.string(),
    fc.oneof(
      fc.string(),
      fc.constantFrom("ebs,10G,1", "loop,1e400G", "rootfs,99999999999999999999", "1,2,3"),
      fc.record(
        {
          pool: fc.oneof(fc.string(), junk),
          size: fc.oneof(fc.double(), junk),
          count: fc.oneof(fc.integer(), junk),
        },
        { requiredKeys: [] },
      ),
      junk,
    ),
    { maxKeys: 3 },
  ),
  junk,
);
const bindInput = fc.oneof(
  fc.string(),
  fc.constantFrom("db", "db ep=admin", "=x", "ep=", "a=b a=c"),
  fc.dictionary(fc.string(), fc.oneof(fc.string(), junk), { maxKeys: 3 }),
  junk,
);

describe("constraints", () => {
  it("strings parse to safe wire values or fail with ParseError", () => {
    assertBoth(
      fc.property(constraintsString, (s) => {
        const c = typedOr(() => parseConstraints(s));
        if (c === undefined) return;
        expectWireSafe(
          Object.fromEntries(Object.entries(c).filter(([, v]) => typeof v === "number")),
        );
        expectSchemaValid("Application", 22, "SetConstraints", {
          application: "a",
          constraints: c,
        });
      }),
    );
  });

  it("objects (and anything else) are refused or passed on schema-valid", () => {
    assertBoth(
      fc.property(fc.oneof(constraintsObject, constraintsString, junk), (c) => {
        const v = typedOr(() => toConstraints(c as never));
        if (v === undefined) return;
        expectSchemaValid("Application", 22, "SetConstraints", {
          application: "a",
          constraints: v,
        });
        for (const k of ["cores", "cpu-power", "mem", "root-disk"] as const)
          if (v[k] !== undefined) expect(Number.isSafeInteger(v[k]) && v[k] >= 0).toBe(true);
      }),
    );
  });
});

describe("placement", () => {
  it("directives parse to {scope, directive} strings or fail typed", () => {
    assertBoth(
      fc.property(fc.oneof(directive, junk), (d) => {
        const p = typedOr(() => parsePlacement(d as string, UUID));
        if (p === undefined) return;
        expect(typeof p.scope).toBe("string");
        expect(typeof p.directive).toBe("string");
      }),
    );
  });

  it("`to` lists become schema-valid placements or fail typed", () => {
    assertBoth(
      fc.property(placementInput, (to) => {
        const list = typedOr(() => toPlacements(to as string, UUID));
        if (list === undefined) return;
        expectSchemaValid("Application", 22, "AddUnits", {
          application: "a",
          "num-units": 1,
          placement: list,
        });
      }),
    );
  });
});

describe("bases and channels", () => {
  it("bases are {name, channel} strings or fail typed; Object.prototype names are not series", () => {
    assertBoth(
      fc.property(baseInput, (b) => {
        const base = typedOr(() => parseBase(b as string));
        if (base === undefined) return;
        expect(typeof base.name).toBe("string");
        expect(typeof base.channel).toBe("string");
        expect(base.name).not.toBe("");
        expect(base.channel).not.toBe("");
      }),
    );
  });

  it("channels have a known risk and string parts, or fail typed", () => {
    assertBoth(
      fc.property(channelInput, (c) => {
        const ch = typedOr(() => parseChannel(c as string));
        if (ch === undefined) return;
        expect(["stable", "candidate", "beta", "edge"]).toContain(ch.risk);
        for (const p of [ch.track, ch.branch]) if (p !== undefined) expect(typeof p).toBe("string");
      }),
    );
  });
});

describe("storage directives and endpoint bindings", () => {
  it("storage maps become safe {Pool, Size, Count} or fail typed", () => {
    assertBoth(
      fc.property(storageInput, (s) => {
        const out = typedOr(() => parseStorageConstraints(s as never));
        if (out === undefined) return;
        for (const c of Object.values(out)) {
          expect(typeof c.Pool).toBe("string");
          expectWireSafe({ Size: c.Size, Count: c.Count });
        }
      }),
    );
  });

  it("bindings become a map of strings or fail typed", () => {
    assertBoth(
      fc.property(bindInput, (b) => {
        const out = typedOr(() => parseBindings(b as never));
        if (out === undefined) return;
        for (const v of Object.values(out)) expect(typeof v).toBe("string");
      }),
    );
  });
});

/** An option: usually a good value (so whole option sets get through), sometimes a bad one. */
function optionArb(good: fc.Arbitrary<unknown>, bad: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 15, arbitrary: good }, { weight: 1, arbitrary: fc.oneof(bad, junk) });
}

const goodConstraints = fc.oneof(
  fc.constantFrom("mem=4G cores=2", "", "arch=amd64 spaces=db,^admin", "root-disk=16G"),
  fc.record({ mem: fc.nat(), cores: fc.nat(64) }, { requiredKeys: [] }),
);
const goodBase = fc.constantFrom("ubuntu@22.04", "jammy", "noble", {
  name: "ubuntu",
  channel: "24.04",
});

const deployOptions = fc.record(
  {
    applicationName: optionArb(
      fc.constantFrom("app", "my-app"),
      fc.constantFrom("App", "a\nb", ""),
    ),
    channel: optionArb(fc.constantFrom("edge", "8.0/stable", "latest/candidate"), channelInput),
    revision: optionArb(fc.nat(), fc.oneof(fc.integer(), fc.double())),
    config: optionArb(
      fc.dictionary(fc.constantFrom("a", "b-c"), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
      fc.dictionary(fc.string(), fc.oneof(fc.string(), junk)),
    ),
    constraints: optionArb(goodConstraints, fc.oneof(constraintsString, constraintsObject)),
    numUnits: optionArb(fc.nat(10), fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 60))),
    base: optionArb(goodBase, baseInput),
    series: optionArb(goodBase, baseInput),
    storage: optionArb(
      fc.constantFrom({ data: "ebs,10G,1" }, { logs: { size: 1024 } }),
      storageInput,
    ),
    bind: optionArb(fc.constantFrom("alpha", "alpha db=beta", { "": "alpha" }), bindInput),
    resources: optionArb(
      fc.dictionary(fc.constantFrom("r", "s"), fc.nat()),
      fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string())),
    ),
    to: optionArb(fc.constantFrom("0", "lxd:1", ["0", "zone=az1"]), placementInput),
    force: optionArb(fc.boolean(), junk),
    trust: optionArb(fc.boolean(), junk),
    attachStorage: optionArb(fc.constant(["data/0"]), fc.array(fc.oneof(fc.string(), junk))),
    timeout: optionArb(fc.nat(), fc.double()),
  },
  { requiredKeys: [] },
);

describe("deploy options", () => {
  it("every option is checked: typed error, or a schema-valid Application.Deploy", () => {
    const ctx = { uuid: UUID } as ModelContext;
    assertBoth(
      fc.property(deployOptions, (options) => {
        const p = typedOr(() => prepareDeploy(ctx, options as DeployOptions));
        if (p === undefined) return;
        const args: Record<string, unknown> = {
          application: "app",
          "charm-url": "ch:amd64/ubuntu-1",
          "charm-origin": { source: "charm-hub", type: "charm", id: "", risk: "stable" },
          channel: "",
          "num-units": p.numUnits,
          "config-yaml": "",
          constraints: p.constraints,
          Force: false,
          config: p.config,
          placement: p.placement,
        };
        if (p.storage) args.storage = p.storage;
        if (p.bindings) args["endpoint-bindings"] = p.bindings;
        if (p.base) (args["charm-origin"] as Record<string, unknown>).base = p.base;
        expectWireSafe({ n: p.numUnits, ...numbersOf(p.constraints) });
        expectSchemaValid("Application", 22, "Deploy", { applications: [args] });
      }),
    );
  });
});

const addMachineOptions = fc.record(
  {
    constraints: optionArb(goodConstraints, fc.oneof(constraintsString, constraintsObject)),
    disks: optionArb(
      fc.array(
        fc.record(
          { pool: fc.constantFrom("rootfs", "ebs"), size: fc.nat(), count: fc.nat(3) },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
      fc.array(
        fc.oneof(
          fc.record(
            {
              pool: fc.oneof(fc.string(), junk),
              size: fc.oneof(fc.nat(), fc.double()),
              count: fc.oneof(fc.nat(), fc.double()),
            },
            { requiredKeys: [] },
          ),
          junk,
        ),
        { maxLength: 3 },
      ),
    ),
    base: optionArb(goodBase, baseInput),
    series: optionArb(goodBase, baseInput),
    timeout: optionArb(fc.nat(), fc.double()),
  },
  { requiredKeys: [] },
);

describe("addMachine options", () => {
  it("spec and every option: typed error, or a schema-valid MachineManager.AddMachines", () => {
    assertBoth(
      fc.property(
        fc.option(fc.oneof(directive, junk), { nil: undefined }),
        addMachineOptions,
        (spec, options) => {
          const params = typedOr(() =>
            addMachineParams(spec as string, options as AddMachineOptions, UUID),
          );
          if (params === undefined) return;
          expectWireSafe({ ...numbersOf(params.constraints), disks: params.disks ?? [] });
          expectSchemaValid("MachineManager", 10, "AddMachines", { params: [params] });
        },
      ),
    );
  });
});

function numbersOf(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === "number"));
}
