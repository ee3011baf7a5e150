import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, createSecretData, JujuError, type Model, SecretValue } from "../src/index.js";
import type { RequestFrame, ResponseFrame } from "../src/protocol/frames.js";
import { JUJU_VERSIONS } from "./support/juju-versions.js";
import { useSimController } from "./support/sim-controller.js";

describe.each(JUJU_VERSIONS)("on Juju %s", (juju) => {
  const env = useSimController(`secrets-${juju}`, { juju });
  const SECRET = "hunter2-very-secret";
  const b64 = (s: string) => Buffer.from(s).toString("base64");

  let controller: Controller;
  let model: Model;
  let dir: string;
  /** Every frame the client sent or received, as its tap saw them. */
  const frames: Array<RequestFrame | ResponseFrame> = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "libjuju-secret-files-"));
    // A controller of its own, so its tap also records every frame for the redaction check.
    controller = await Controller.connectCurrent({
      env: { JUJU_DATA: env.dir },
      pingInterval: 0,
      onFrame: (d, f) => {
        frames.push(f);
        env.onFrame(d, f);
      },
    });
    model = await controller.addModel("secrets");
    await model.deploy("ubuntu");
  });

  afterAll(async () => {
    await model?.disconnect();
    await controller?.disconnect();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The error a promise rejects with. */
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error("expected a failure");
      },
      (e: unknown) => e as JujuError,
    );

  describe("data arguments", () => {
    it("encodes like Juju: base64 values, #base64 taken as is, #file read, keys checked", async () => {
      const file = join(dir, "cert.pem");
      await writeFile(file, "-----BEGIN-----\n");
      expect(
        await createSecretData([
          "user=admin",
          "pass#base64=aHVudGVyMg==",
          `cert#file=${file}`,
          "equ=a=b",
        ]),
      ).toEqual({
        user: b64("admin"),
        pass: "aHVudGVyMg==",
        cert: b64("-----BEGIN-----\n"),
        equ: b64("a=b"),
      });
      expect(await createSecretData({ token: "ü" })).toEqual({ token: b64("ü") });
      const bad = await failure(createSecretData([`=${SECRET}`]));
      expect(bad.code).toBe("ERR_INVALID_ARGUMENT");
      expect(bad.message).not.toContain(SECRET);
      const badKey = await failure(createSecretData([`Bad_Key=${SECRET}`]));
      expect(badKey.message).toBe('key "Bad_Key" not valid');
      const missing = await failure(createSecretData([`x#file=${join(dir, "missing")}`]));
      expect(missing.message).toBe('reading content for secret key "x": ENOENT');
      const yaml = join(dir, "data.yaml");
      await writeFile(yaml, "from-file: yes-it-is\nuser: override\n");
      expect(await createSecretData(["user=admin"], { file: yaml })).toEqual({
        user: b64("override"),
        "from-file": b64("yes-it-is"),
      });
    });
  });

  describe("secrets end to end", () => {
    it("adds, lists (revealed or not), updates, grants, revokes and removes", async () => {
      const uri = await model.addSecret("db-pass", [`password=${SECRET}`], { info: "db" });
      expect(uri).toMatch(/^secret:[0-9a-v]{20}$/);

      const [plain] = await model.listSecrets();
      expect(plain).toMatchObject({
        uri,
        label: "db-pass",
        description: "db",
        ownerTag: `model-${model.uuid}`,
        latestRevision: 1,
        revisions: [{ revision: 1, backendName: "internal" }],
        access: [],
      });
      expect(plain?.value).toBeUndefined();

      const [shown] = await model.listSecrets({ reveal: true, filter: { label: "db-pass" } });
      expect(shown?.value).toBeInstanceOf(SecretValue);
      expect(shown?.value?.get("password")).toBe(SECRET);
      expect(shown?.value?.getBase64("password")).toBe(b64(SECRET));
      expect(shown?.value?.keys).toEqual(["password"]);

      await model.updateSecret("db-pass", { data: { password: "second" }, newName: "db" });
      await model.updateSecret(uri, { description: "renamed" });
      const [updated] = await model.listSecrets({ reveal: true });
      expect(updated).toMatchObject({ label: "db", description: "renamed", latestRevision: 2 });
      expect(updated?.value?.toRecord()).toEqual({ password: "second" });
      const [rev1] = await model.listSecrets({ reveal: true, filter: { uri, revision: 1 } });
      expect(rev1?.value?.get("password")).toBe(SECRET);

      await model.grantSecret("db", "ubuntu");
      const [granted] = await model.listSecrets();
      expect(granted?.access).toEqual([
        { targetTag: "application-ubuntu", scopeTag: `model-${model.uuid}`, role: "view" },
      ]);
      await model.revokeSecret("db", "ubuntu");
      await model.revokeSecret("db", "ubuntu"); // never granted any more: no error, as in Juju
      expect((await model.listSecrets())[0]?.access).toEqual([]);

      await model.removeSecret("db", { revision: 1 });
      expect((await model.listSecrets())[0]?.revisions.map((r) => r.revision)).toEqual([2]);
      await model.removeSecret("db");
      expect(await model.listSecrets()).toEqual([]);
    });

    it("answers bad input with Juju's errors and codes", async () => {
      await model.addSecret("taken", ["a-key=1"]);
      const dup = await failure(model.addSecret("taken", ["a-key=2"]));
      expect(dup).toBeInstanceOf(JujuError);
      expect(dup.jujuCode).toBe("already exists");
      expect(dup.message).toBe('secret with name "taken" already exists');

      const unknown = await failure(model.updateSecret("nope", { info: "x" }));
      expect(unknown.jujuCode).toBe("not found");
      expect(unknown.message).toBe('secret "nope" not found');
      expect((await failure(model.removeSecret("nope"))).jujuCode).toBe("not found");
      expect((await failure(model.grantSecret("nope", "ubuntu"))).jujuCode).toBe("not found");
      expect((await failure(model.removeSecret("taken", { revision: 5 }))).message).toBe(
        "cannot delete any of revisions [5] - revisions not found",
      );

      const ghost = await failure(model.grantSecret("taken", "ghost"));
      expect(ghost.jujuCode).toBe("not found");
      expect(ghost.message).toContain(
        'invalid subject reference: remote application "ghost" not found',
      );

      const badArg = await failure(model.addSecret("other", ["no-equals-sign"]));
      expect(badArg.code).toBe("ERR_INVALID_ARGUMENT");
      const empty = await failure(model.addSecret("other", []));
      expect(empty.jujuCode).toBe("not valid");
      expect(empty.message).toBe("empty secret value not valid");
      await model.removeSecret("taken");
    });

    it("never shows a secret value in errors, inspect, JSON or the frame tap", async () => {
      await model.addSecret("hidden", { token: SECRET });
      const [s] = await model.listSecrets({ reveal: true, filter: { label: "hidden" } });
      expect(s?.value?.get("token")).toBe(SECRET);
      const encoded = b64(SECRET);
      for (const text of [inspect(s, { depth: 10 }), JSON.stringify(s), String(s?.value)]) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(encoded);
      }
      const dup = await failure(model.addSecret("hidden", { token: SECRET }));
      expect(`${dup.message} ${inspect(dup)}`).not.toContain(encoded);
      const tapped = JSON.stringify(frames);
      expect(tapped).not.toContain(encoded);
      expect(tapped).toContain('"token":"<redacted>"');
      await model.removeSecret("hidden");
    });
  });

  describe("secret backends", () => {
    it("lists the internal backend with its secret count", async () => {
      await model.addSecret("counted", ["one=1"]);
      const backends = await controller.listSecretBackends({ reveal: true });
      expect(backends).toEqual([
        {
          id: controller.controllerUuid,
          name: "internal",
          backendType: "controller",
          config: {},
          tokenRotateInterval: undefined,
          numSecrets: 1,
          status: "active",
          message: undefined,
          error: undefined,
        },
      ]);
      expect(await controller.listSecretBackends({ names: ["vault"] })).toEqual([]);
      await model.removeSecret("counted");
    });
  });
});
