/**
 * What `method()` holds a handler to. The `@ts-expect-error` lines are the
 * test: `tsc` (part of the checks) fails if any of them compiles, that is if
 * the typing stops catching that mismatch. The runtime part checks that the
 * spec is registered as written.
 */
import { describe, expect, it } from "vitest";
import { method } from "./typed.js";

describe("typed facade methods", () => {
  it("checks replies and params against the generated types of the versions served", () => {
    const specs = [
      method({
        facade: "Application",
        method: "Leader",
        params: "params.Entity",
        call: (_ctx, p) => ({ result: p.string("tag") }),
      }),
      method({
        facade: "Application",
        method: "Leader",
        // @ts-expect-error a misspelt field of StringResult
        call: () => ({ reslt: "" }),
      }),
      method({
        facade: "Application",
        method: "Leader",
        // @ts-expect-error a wrong kind: StringResult.result is a string
        call: () => ({ result: 1 }),
      }),
      method({
        facade: "Application",
        method: "Leader",
        // @ts-expect-error params.Entity has no `name`
        call: (_ctx, p) => ({ result: p.string("name") }),
      }),
      method({
        facade: "Application",
        method: "GetConstraints",
        // @ts-expect-error a failed bulk item still carries its required fields (constraints)
        call: () => ({ results: [{ error: { message: "x", code: "" } }] }),
      }),
      method({
        facade: "ModelManager",
        method: "ListModels",
        onlyMajor: 4,
        call: () => ({
          "user-models": [
            {
              // @ts-expect-error Juju 4 names a model's owner by qualifier, not owner-tag
              model: { name: "m", uuid: "u", type: "iaas", "owner-tag": "user-admin" },
              "last-connection": null,
            },
          ],
        }),
      }),
      method({
        facade: "Charms",
        // @ts-expect-error Charms 7 of Juju 4 has no IsMetered: only onlyMajor 3 may serve it
        method: "IsMetered",
        versions: [7],
        call: () => ({ metered: false }),
      }),
      method({
        facade: "Charms",
        method: "IsMetered",
        onlyMajor: 3,
        call: () => ({ metered: false }),
      }),
      method({
        facade: "Pinger",
        method: "Ping",
        call: () => undefined,
      }),
    ];
    expect(specs.map((s) => `${s.facade}.${s.method}`)).toEqual([
      "Application.Leader",
      "Application.Leader",
      "Application.Leader",
      "Application.Leader",
      "Application.GetConstraints",
      "ModelManager.ListModels",
      "Charms.IsMetered",
      "Charms.IsMetered",
      "Pinger.Ping",
    ]);
  });
});
