import { describe, expect, it } from "vitest";
import { Controller, JujuError, type ModelAbstract } from "../src/index.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("controller-members");

describe("controller members of python-libjuju 3.5", () => {
  it("lists, shows and adds clouds and credentials", async () => {
    const c = env.controller;
    expect(await c.getCloud()).toBe("localhost");
    const all = await c.clouds();
    expect(all.localhost).toMatchObject({ type: "lxd", "is-controller-cloud": true });
    expect((await c.cloud()).regions).toEqual([{ name: "localhost" }]);

    const added = await c.addCloud("metal", {
      type: "maas",
      "auth-types": ["oauth1"],
      endpoint: "http://10.0.0.2:5240/MAAS",
    });
    expect(added).toMatchObject({ type: "maas", endpoint: "http://10.0.0.2:5240/MAAS" });
    await expect(c.addCloud("metal", { type: "maas" })).rejects.toMatchObject({
      jujuCode: "already exists",
    });
    await expect(c.cloud("nowhere")).rejects.toBeInstanceOf(JujuError);

    expect(
      await c.addCredential(
        "ops",
        { authType: "oauth1", attrs: { "maas-oauth": "k:e:y" } },
        { cloud: "metal" },
      ),
    ).toBe("ops");
    const creds = await c.listCredentials({ cloud: "metal" });
    expect(creds).toEqual([
      {
        id: "metal/admin/ops",
        name: "ops",
        authType: "oauth1",
        attrs: { "maas-oauth": "k:e:y" },
        redacted: [],
      },
    ]);
    await expect(
      c.addCredential("bad", { authType: "userpass", attrs: {} }, { cloud: "metal" }),
    ).rejects.toThrow(/"userpass" not supported/);
  });

  it("grants and revokes controller access, resets passwords, reports API endpoints", async () => {
    const c = env.controller;
    await c.addUser("carol", { password: "pw-carol" });
    expect(await c.grant("carol", "superuser")).toBe(true);
    expect(await c.grant("carol", "login")).toBe(false);
    await c.revoke("carol", "superuser");
    expect(await c.grant("carol", "superuser")).toBe(true);
    await c.revoke("carol", "superuser");
    await expect(c.grant("carol", "root")).rejects.toThrow('"root" controller access not valid');

    const key = await c.resetUserPassword("carol");
    expect(Buffer.from(key, "base64")).toHaveLength(32);
    await expect(
      Controller.connect({
        endpoint: env.sim.endpoint,
        username: "carol",
        password: "pw-carol",
        caCert: env.sim.caCert,
        pingInterval: 0,
      }),
    ).rejects.toBeInstanceOf(JujuError);
    await expect(c.resetUserPassword("admin")).rejects.toThrow("permission denied");

    expect(await c.apiEndpoints()).toEqual([env.sim.endpoint]);
  });

  it("watches model summaries: every model first, then the changed ones", async () => {
    const ac = new AbortController();
    const it = env.controller.watchModelSummaries({ asAdmin: true, signal: ac.signal });
    const first = (await it.next()).value as ModelAbstract[];
    expect(first.map((m) => m.name)).toEqual(expect.arrayContaining(["controller", "default"]));
    expect(first.find((m) => m.name === "default")).toMatchObject({
      cloud: "localhost",
      status: "available",
      admins: ["admin"],
      size: { machines: 0, applications: 0, units: 0 },
    });
    await using model = await env.controller.addModel("summarized");
    let seen: ModelAbstract | undefined;
    while (seen === undefined) {
      const batch = (await it.next()).value as ModelAbstract[];
      seen = batch.find((m) => m.name === "summarized");
    }
    expect(seen.uuid).toBe(model.uuid);
    await model.addMachine();
    for (;;) {
      const batch = (await it.next()).value as ModelAbstract[];
      const m = batch.find((x) => x.uuid === model.uuid);
      if (m?.size?.machines === 1) break;
    }
    ac.abort();
    expect((await it.next()).done).toBe(true);
  });
});
