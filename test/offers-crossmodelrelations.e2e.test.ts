import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allowNullCollections,
  applyOverrides,
  type FacadeSchema,
} from "../scripts/facade-schema.js";
import type { Model } from "../src/index.js";
import { expectHookRuns, hookRuns } from "./support/hook-log.js";
import { type Frame, modelPath, RawClient } from "./support/raw-client.js";
import { useSimController } from "./support/sim-controller.js";

// The offering side of a cross-controller relation: a consuming
// controller's remote relations worker logs in to the offering model
// anonymously and speaks CrossModelRelations(2). Here a raw client plays
// that worker; the two-simulator case (the consuming simulator connecting
// by itself) is not done yet (docs/offers.md).
//
// CrossModelRelations is not in the client schema the raw client checks
// frames against (it is a controller facade), so its requests and replies
// are checked here against the 3.3.0 schema python-libjuju ships, with the
// project's overrides (macaroons as v2 JSON).

const env = useSimController("offers-cmr");

const SCHEMA = (() => {
  const all = JSON.parse(
    readFileSync(
      join("..", "shared", "juju-schema", "schema-3.3.0-from-python-libjuju.json"),
      "utf8",
    ),
  ) as FacadeSchema[];
  const cmr = all.find((f) => f.Name === "CrossModelRelations" && f.Version === 2);
  if (cmr === undefined) throw new Error("no CrossModelRelations v2 in the 3.3.0 schema");
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    validateFormats: false,
  });
  const id = "https://libjuju.invalid/cmr/2.json";
  const defs = allowNullCollections({ definitions: applyOverrides(cmr).Schema.definitions ?? {} });
  ajv.addSchema({ $id: id, definitions: defs.definitions }, id);
  const methods = cmr.Schema.properties ?? {};
  return (method: string, kind: "Params" | "Result", value: unknown): string[] => {
    const ref = (methods[method]?.properties?.[kind] as { $ref?: string } | undefined)?.$ref;
    if (ref === undefined) return [`${method}: no ${kind} in the schema`];
    const v = ajv.getSchema(`${id}${ref}`);
    if (v === undefined) return [`${method}: ${ref} unknown`];
    return v(value)
      ? []
      : (v.errors ?? []).map((e) => `${method} ${kind} ${e.instancePath} ${e.message}`);
  };
})();

let offering: Model;
let worker: RawClient;
let admin: RawClient;
const cmrViolations: string[] = [];
let offerUuid = "";
let consumeMac: unknown;
const consumingModel = "model-0b4b6f2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b";

/** One CrossModelRelations(2) call from the "consuming controller", both frames schema-checked. */
async function cmr(method: string, params: Record<string, unknown>): Promise<Frame> {
  cmrViolations.push(...SCHEMA(method, "Params", params));
  const reply = await worker.call("CrossModelRelations", 2, method, params);
  if (reply.error === undefined) cmrViolations.push(...SCHEMA(method, "Result", reply.response));
  return reply;
}

const registration = (over: Record<string, unknown> = {}) => ({
  relations: [
    {
      "application-token": "6c0a3a70-1b2c-4d5e-8f90-a1b2c3d4e5f6",
      "source-model-tag": consumingModel,
      "relation-token": "9d8e7f60-5a4b-4c3d-8e2f-1a0b9c8d7e6f",
      "remote-endpoint": {
        name: "shared-db",
        role: "requirer",
        interface: "mysql-shared",
        limit: 1,
      },
      "remote-space": {
        "cloud-type": "",
        name: "",
        "provider-id": "",
        "provider-attributes": {},
        subnets: [],
      },
      "offer-uuid": offerUuid,
      "local-endpoint-name": "shared-db",
      "consume-version": 1,
      macaroons: [consumeMac],
      "bakery-version": 3,
      ...over,
    },
  ],
});

const ran = (unit: string, hook: string) => hookRuns(offering, unit, hook);
const ranTimes = (unit: string, hook: string, n: number) => expectHookRuns(offering, unit, hook, n);

const proxied = () =>
  [...offering.relations.values()].filter((r) =>
    r.endpoints.some((e) => e.application.startsWith("remote-")),
  );

beforeAll(async () => {
  offering = await env.controller.addModel("offering");
  await offering.deploy("mysql");
  await offering.waitForIdle({ apps: ["mysql"], idlePeriod: 0, timeout: 60_000 });
  await offering.createOffer("mysql:shared-db", { offerName: "db" });
  admin = await RawClient.open(env.sim, "/api");
  const details = (await admin.ok("ApplicationOffers", 5, "GetConsumeDetails", {
    "offer-urls": { "offer-urls": ["admin/offering.db"], "bakery-version": 3 },
  })) as { results: Array<{ offer: { "offer-uuid": string }; macaroon: unknown }> };
  offerUuid = details.results[0]?.offer["offer-uuid"] ?? "";
  consumeMac = details.results[0]?.macaroon;
  worker = await RawClient.connect(env.sim, modelPath(env.sim, offering.uuid));
}, 120_000);

afterAll(async () => {
  expect(cmrViolations).toEqual([]);
  expect(worker?.violations ?? []).toEqual([]);
  expect(admin?.violations ?? []).toEqual([]);
  worker?.ws.close();
  admin?.ws.close();
  await offering?.disconnect();
});

describe("CrossModelRelations(2) on the offering controller", () => {
  let relationMac: unknown;
  let key = "";

  it("checks CrossModelRelations frames against the schema (the checker itself can fail)", () => {
    expect(SCHEMA("RegisterRemoteRelations", "Params", { relations: [{ bogus: 1 }] })).not.toEqual(
      [],
    );
    expect(SCHEMA("PublishRelationChanges", "Result", { results: [{ error: "x" }] })).not.toEqual(
      [],
    );
  });

  it("logs a consuming controller in anonymously, with the anonymous facades only", async () => {
    const login = await worker.call("Admin", 3, "Login", {
      "auth-tag": "user-jujuanonymous",
      credentials: "",
      "client-version": "3.6.28",
    });
    expect(login.error).toBeUndefined();
    const result = login.response as Frame;
    expect(result["user-info"]).toBeUndefined();
    expect(result["model-tag"]).toBe(`model-${offering.uuid}`);
    const names = (result.facades as Array<{ name: string }>).map((f) => f.name);
    expect(names).toContain("CrossModelRelations");
    expect(names).not.toContain("Client");
    const status = await worker.call("Client", 7, "FullStatus", { patterns: [] });
    expect(status.error).toBe("permission denied");
    expect(status["error-code"]).toBe("unauthorized access");
  });

  it("refuses a registration without a macaroon, with a forged one, or for an unknown offer", async () => {
    const none = await cmr("RegisterRemoteRelations", registration({ macaroons: [] }));
    expect((none.response as { results: Frame[] }).results[0]?.error).toEqual({
      message: "permission denied",
      code: "unauthorized access",
    });
    const mac = consumeMac as { s64: string };
    const forged = { ...mac, s64: `${mac.s64.slice(0, -4)}AAAA` };
    const bad = await cmr("RegisterRemoteRelations", registration({ macaroons: [forged] }));
    expect((bad.response as { results: Frame[] }).results[0]?.error).toEqual({
      message: "verification failed: signature mismatch after caveat verification",
      code: "macaroon discharge required",
    });
    const ghost = await cmr(
      "RegisterRemoteRelations",
      registration({ "offer-uuid": "00000000-0000-4000-8000-000000000000" }),
    );
    expect((ghost.response as { results: Frame[] }).results[0]?.error).toEqual({
      message: 'offer "00000000-0000-4000-8000-000000000000" not found',
      code: "not found",
    });
    expect(proxied()).toEqual([]);
  });

  it("registers a relation: consumer proxy, relation, offer connection, relation macaroon", async () => {
    const reply = await cmr("RegisterRemoteRelations", registration());
    const [res] = (reply.response as { results: Array<{ result?: Frame; error?: Frame }> }).results;
    expect(res?.error).toBeUndefined();
    relationMac = res?.result?.macaroon;
    const caveats = ((relationMac as { c: Array<{ i: string }> }).c ?? []).map((c) => c.i);
    expect(caveats).toContain(`declared offer-uuid ${offerUuid}`);
    await offering.waitFor("mirrored", () => proxied().length === 1);
    key = proxied()[0]?.key ?? "";
    expect(key).toBe("remote-6c0a3a701b2c4d5e8f90a1b2c3d4e5f6:shared-db mysql:shared-db");
    expect(caveats).toContain(`declared relation-key ${key}`);
    await offering.waitFor(
      "connection counted",
      () => offering.applicationOffers.get("db")?.activeConnectedCount === 1,
    );
    const [listed] = await offering.listOffers();
    expect(listed?.connections).toEqual([
      expect.objectContaining({ username: "admin", sourceModelTag: consumingModel }),
    ]);
    // Registering again is idempotent.
    await cmr("RegisterRemoteRelations", registration());
    expect(proxied().length).toBe(1);
  });

  it("publishes consuming units joining and departing: the offered units run their hooks", async () => {
    const event = (over: Record<string, unknown>) => ({
      changes: [
        {
          "relation-token": "9d8e7f60-5a4b-4c3d-8e2f-1a0b9c8d7e6f",
          "application-token": "6c0a3a70-1b2c-4d5e-8f90-a1b2c3d4e5f6",
          life: "alive",
          "unit-count": 1,
          macaroons: [relationMac],
          "bakery-version": 3,
          ...over,
        },
      ],
    });
    // The consume macaroon is not enough for a relation: it names no relation.
    const wrong = await cmr("PublishRelationChanges", event({ macaroons: [consumeMac] }));
    expect((wrong.response as { results: Frame[] }).results[0]?.error).toMatchObject({
      code: "macaroon discharge required",
    });
    const joined = await cmr(
      "PublishRelationChanges",
      event({ "changed-units": [{ "unit-id": 0, settings: {} }] }),
    );
    expect(joined.response).toEqual({ results: [{}] });
    await ranTimes("mysql/0", "shared-db-relation-joined", 1);
    await ranTimes("mysql/0", "shared-db-relation-changed", 1);
    await cmr("PublishRelationChanges", event({ "departed-units": [0], "unit-count": 0 }));
    await ranTimes("mysql/0", "shared-db-relation-departed", 1);
  });

  it("watches the offered units and the offer status for the consuming side", async () => {
    const watch = await cmr("WatchRelationChanges", {
      args: [
        {
          "relation-token": "9d8e7f60-5a4b-4c3d-8e2f-1a0b9c8d7e6f",
          macaroons: [relationMac],
          "bakery-version": 3,
        },
      ],
    });
    const [w] = (watch.response as { results: Array<Record<string, unknown>> }).results;
    expect(w?.error).toBeUndefined();
    expect(w?.changes).toMatchObject({
      life: "alive",
      "changed-units": [{ "unit-id": 0 }],
      "unit-count": 1,
    });
    const id = String(w?.["watcher-id"]);
    // A unit added to the offered application is the watcher's next change.
    const next = worker.call("RemoteRelationWatcher", 1, "Next", undefined, id);
    await offering.applications.get("mysql")?.addUnit();
    const n = await next;
    cmrViolations.push(...SCHEMA("WatchRelationChanges", "Result", { results: [n.response] }));
    expect((n.response as { changes: Record<string, unknown> }).changes).toMatchObject({
      "changed-units": [{ "unit-id": 1 }],
      "unit-count": 2,
    });
    expect((await worker.call("RemoteRelationWatcher", 1, "Stop", undefined, id)).error).toBe(
      undefined,
    );
    const bad = await cmr("WatchRelationChanges", {
      args: [{ "relation-token": "9d8e7f60-5a4b-4c3d-8e2f-1a0b9c8d7e6f", macaroons: [] }],
    });
    expect((bad.response as { results: Frame[] }).results[0]?.error).toEqual({
      message: "permission denied",
      code: "unauthorized access",
    });

    const status = await cmr("WatchOfferStatus", {
      args: [{ "offer-uuid": offerUuid, macaroons: [consumeMac], "bakery-version": 3 }],
    });
    const [s] = (status.response as { results: Array<Record<string, unknown>> }).results;
    expect(s?.changes).toEqual([
      expect.objectContaining({
        "offer-name": "db",
        status: expect.objectContaining({ status: expect.any(String) }),
      }),
    ]);
    expect(
      (await worker.call("OfferStatusWatcher", 1, "Stop", undefined, String(s?.["watcher-id"])))
        .error,
    ).toBe(undefined);
  });

  it("a published suspension suspends the relation here with the reason; resuming joins again", async () => {
    const change = (over: Record<string, unknown>) => ({
      changes: [
        {
          "relation-token": "9d8e7f60-5a4b-4c3d-8e2f-1a0b9c8d7e6f",
          "application-token": "6c0a3a70-1b2c-4d5e-8f90-a1b2c3d4e5f6",
          life: "alive",
          "unit-count": 1,
          macaroons: [relationMac],
          "bakery-version": 3,
          ...over,
        },
      ],
    });
    const before = await ran("mysql/0", "shared-db-relation-broken");
    const suspended = await cmr(
      "PublishRelationChanges",
      change({ suspended: true, "suspended-reason": "paused there" }),
    );
    expect(suspended.response).toEqual({ results: [{}] });
    await ranTimes("mysql/0", "shared-db-relation-broken", before + 1);
    const [listed] = await offering.listOffers();
    expect(listed?.connections.map((c) => c.status)).toEqual(["suspended"]);
    const st = await offering.getStatus();
    const rel = (st.relations ?? []).find((r) => r.key === key);
    expect(rel?.status).toMatchObject({ status: "suspended", info: "paused there" });
    const resumed = await cmr("PublishRelationChanges", change({ suspended: false }));
    expect(resumed.response).toEqual({ results: [{}] });
    await offering.waitFor(
      "active again",
      () => offering.applicationOffers.get("db")?.activeConnectedCount === 1,
    );
  });

  it("a relation the consuming side ends goes on the offering side, and unknown tokens are ignored", async () => {
    const dying = await cmr("PublishRelationChanges", {
      changes: [
        {
          "relation-token": "9d8e7f60-5a4b-4c3d-8e2f-1a0b9c8d7e6f",
          "application-token": "6c0a3a70-1b2c-4d5e-8f90-a1b2c3d4e5f6",
          life: "dying",
          "unit-count": 0,
          macaroons: [relationMac],
          "bakery-version": 3,
        },
      ],
    });
    expect(dying.response).toEqual({ results: [{}] });
    await offering.waitFor("mirror gone", () => proxied().length === 0);
    await offering.waitFor(
      "no connection",
      () => offering.applicationOffers.get("db")?.totalConnectedCount === 0,
    );
    const again = await cmr("PublishRelationChanges", {
      changes: [
        {
          "relation-token": "9d8e7f60-5a4b-4c3d-8e2f-1a0b9c8d7e6f",
          "application-token": "x",
          life: "dead",
          "unit-count": 0,
        },
      ],
    });
    expect(again.response).toEqual({ results: [{}] });
  });
});
