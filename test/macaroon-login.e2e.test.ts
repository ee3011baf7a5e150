import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Controller,
  DischargeError,
  type DischargeRequest,
  type Discharger,
  FileCookieJar,
  HttpDischarger,
  InteractionRequiredError,
  MemoryMacaroonJar,
  Model,
  parseCookieJar,
} from "../src/index.js";
import { Simulator } from "../src/simulator/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";

describe("macaroon login against the simulator's identity provider", () => {
  const tap = createConformanceTap();
  let sim: Simulator;
  let dir: string;
  const logins: Record<string, unknown>[] = [];
  const onFrame: typeof tap.onFrame = (dir, frame, ...rest) => {
    const f = frame as { type?: string; request?: string; params?: Record<string, unknown> };
    if (dir === "out" && f.type === "Admin" && f.request === "Login" && f.params) {
      logins.push(f.params);
    }
    tap.onFrame(dir, frame, ...rest);
  };
  const connectAsBob = (extra: Partial<Parameters<typeof Controller.connect>[0]> = {}) =>
    Controller.connect({
      endpoint: sim.endpoint,
      caCert: sim.caCert,
      username: "bob@external",
      pingInterval: 0,
      onFrame,
      ...extra,
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "libjuju-macaroon-"));
    sim = await Simulator.start({ timing: "instant", macaroonAuth: true, jujuData: dir });
  });
  afterAll(async () => {
    expect(tap.violations).toEqual([]);
    await sim?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("discharges through the default discharger, saves the cookie, and reuses it", async () => {
    const d = sim.discharger!;
    d.mode = "auto";
    const jarPath = join(dir, "cookies", "bob.json");
    const jar = new FileCookieJar(jarPath);
    const before = d.dischargeCount;
    logins.length = 0;
    const c1 = await connectAsBob({ cookieJar: jar });
    expect(c1.connection.loginInfo?.userInfo?.identity).toBe("user-bob@external");
    expect(c1.connection.loginInfo?.userInfo?.controllerAccess).toBe("login");
    await c1.disconnect();
    expect(d.dischargeCount).toBe(before + 1);
    // First Login without macaroons, the second with the bound slice.
    expect(logins).toHaveLength(2);
    expect(logins[0]?.macaroons).toBeUndefined();
    // The frame tap sees credentials redacted; that macaroons went is what counts here.
    expect(logins[1]?.macaroons).toBeDefined();
    expect(logins[1]?.["auth-tag"]).toBe("");
    expect(logins[1]?.["bakery-version"]).toBe(3);

    // The jar is a persistent-cookiejar file, mode 0600, holding that slice.
    expect((await stat(jarPath)).mode & 0o777).toBe(0o600);
    const cookies = parseCookieJar(await readFile(jarPath, "utf8"), jarPath);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]?.name).toMatch(/^macaroon-[0-9a-f]{64}$/);
    expect(cookies[0]?.expires?.getTime()).toBeGreaterThan(Date.now());
    const [slice] = await jar.load([sim.endpoint.split(":")[0]!]);
    expect(slice).toHaveLength(2);

    // Second login: macaroons from the jar, no discharge, one Login.
    logins.length = 0;
    const c2 = await connectAsBob({ cookieJar: jar });
    expect(c2.connection.loginInfo?.userInfo?.identity).toBe("user-bob@external");
    await c2.disconnect();
    expect(d.dischargeCount).toBe(before + 1);
    expect(logins).toHaveLength(1);
    expect(logins[0]?.macaroons).toBeDefined();
  });

  it("uses a custom discharger, and a model login with the granted access", async () => {
    const d = sim.discharger!;
    d.mode = "auto";
    const seen: DischargeRequest[] = [];
    const http = new HttpDischarger();
    const custom: Discharger = {
      discharge(req) {
        seen.push(req);
        return http.discharge(req);
      },
    };
    await using admin = await Controller.connect({
      endpoint: sim.endpoint,
      caCert: sim.caCert,
      username: "admin",
      password: sim.password,
      pingInterval: 0,
    });
    await admin.grantModel("bob@external", "default", "read");
    const model = await Model.connect({
      endpoint: sim.endpoint,
      caCert: sim.caCert,
      username: "bob@external",
      uuid: sim.defaultModelUuid,
      discharger: custom,
      pingInterval: 0,
      onFrame,
    });
    try {
      expect(model.connection.loginInfo?.userInfo?.modelAccess).toBe("read");
    } finally {
      await model.disconnect();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]?.location).toBe(d.url);
    // Bakery v3: a short caveat id, the encrypted payload beside it.
    expect(seen[0]?.caveatId.length).toBeLessThan(8);
    expect(seen[0]?.caveatData?.length).toBeGreaterThan(60);
  });

  it("reconnects a Model with the jar's macaroons, without another discharge", async () => {
    const d = sim.discharger!;
    d.mode = "auto";
    const jar = new MemoryMacaroonJar();
    const model = await Model.connect({
      endpoint: sim.endpoint,
      caCert: sim.caCert,
      username: "bob@external",
      uuid: sim.defaultModelUuid,
      cookieJar: jar,
      pingInterval: 0,
      onFrame,
    });
    try {
      const before = d.dischargeCount;
      const back = new Promise<void>((resolve) => {
        const off = model.onConnectionChange((c) => {
          if (c.state !== "connected") return;
          off();
          resolve();
        });
      });
      await sim.dropConnections();
      await back;
      expect(model.connection.loginInfo?.userInfo?.identity).toBe("user-bob@external");
      expect(d.dischargeCount).toBe(before);
    } finally {
      await model.disconnect();
    }
  });

  it("raises DischargeError when the identity provider refuses", async () => {
    sim.discharger!.mode = "deny";
    try {
      const err = await connectAsBob({ cookieJar: new MemoryMacaroonJar() }).catch((e) => e);
      expect(err).toBeInstanceOf(DischargeError);
      expect(err.code).toBe("ERR_DISCHARGE_FAILED");
      expect(err.bakeryCode).toBe("permission denied");
      expect(err.location).toBe(sim.discharger!.url);
      expect(err.message).toContain("third party refused discharge");
    } finally {
      sim.discharger!.mode = "auto";
    }
  });

  it("raises DischargeError from a custom discharger that fails", async () => {
    const failing: Discharger = {
      async discharge(req) {
        throw new DischargeError("no agent key for this location", req.location);
      },
    };
    const err = await connectAsBob({ discharger: failing }).catch((e) => e);
    expect(err).toBeInstanceOf(DischargeError);
    expect(err.message).toBe("no agent key for this location");
  });

  it("raises DischargeError when a discharger returns something that is not a macaroon", async () => {
    const junk: Discharger = { discharge: async () => ({ nonsense: true }) };
    const err = await connectAsBob({ discharger: junk }).catch((e) => e);
    expect(err).toBeInstanceOf(DischargeError);
    expect(err.message).toContain("is not a macaroon");
  });

  it("reports interaction-required through onInteraction, then waits and logs in", async () => {
    const d = sim.discharger!;
    d.mode = "interactive";
    try {
      const urls: string[] = [];
      const jar = new MemoryMacaroonJar();
      const c = await connectAsBob({
        cookieJar: jar,
        onInteraction: ({ visitUrl }) => {
          urls.push(visitUrl);
          // The user logs in in a browser; here, a GET of the visit URL.
          void fetch(visitUrl);
        },
      });
      expect(c.connection.loginInfo?.userInfo?.identity).toBe("user-bob@external");
      await c.disconnect();
      expect(urls).toHaveLength(1);
      expect(urls[0]).toMatch(new RegExp(`^${d.url}/login/[0-9a-f]+$`));
      expect(jar.size).toBe(1);
    } finally {
      d.mode = "auto";
    }
  });

  it("raises InteractionRequiredError with the visit URL when no callback is given", async () => {
    const d = sim.discharger!;
    d.mode = "interactive";
    try {
      const err = await connectAsBob().catch((e) => e);
      expect(err).toBeInstanceOf(InteractionRequiredError);
      expect(err.code).toBe("ERR_INTERACTION_REQUIRED");
      expect(err.visitUrl).toMatch(new RegExp(`^${d.url}/login/[0-9a-f]+$`));
    } finally {
      d.mode = "auto";
    }
  });

  it("keeps password login for local users", async () => {
    await using admin = await Controller.connect({
      endpoint: sim.endpoint,
      caCert: sim.caCert,
      username: "admin",
      password: sim.password,
      pingInterval: 0,
      onFrame,
    });
    expect(admin.connection.loginInfo?.userInfo?.identity).toBe("user-admin");
  });

  it("refuses a tampered slice and asks for a discharge again", async () => {
    const jar = new MemoryMacaroonJar();
    await (await connectAsBob({ cookieJar: jar })).disconnect();
    const [slice] = await jar.load([sim.endpoint.split(":")[0]!]);
    expect(slice).toBeDefined();
    // Swap the discharge's signature for the root's: verification must fail.
    const bad = [slice![0]!, { ...slice![1]!, s64: slice![0]!.s64 }];
    const before = sim.discharger!.dischargeCount;
    const c = await connectAsBob({ macaroons: [bad] });
    await c.disconnect();
    expect(sim.discharger!.dischargeCount).toBe(before + 1);
  });

  it("connects from client files through the CLI's cookie jar", async () => {
    // Controller.connectController reads cookies/<controller>.json and saves there.
    const { writeFile } = await import("node:fs/promises");
    const accounts = join(dir, "accounts.yaml");
    const text = await readFile(accounts, "utf8");
    await writeFile(
      accounts,
      text.replace(/user: admin\n\s*password: .*\n/, "user: bob@external\n"),
    );
    try {
      const before = sim.discharger!.dischargeCount;
      const c1 = await Controller.connectController("libjuju-sim", {
        jujuData: dir,
        pingInterval: 0,
      });
      await c1.disconnect();
      const jarPath = join(dir, "cookies", "libjuju-sim.json");
      const cookies = parseCookieJar(await readFile(jarPath, "utf8"), jarPath);
      expect(cookies.map((c) => c.domain)).toEqual([sim.controllerUuid]);
      const c2 = await Controller.connectController("libjuju-sim", {
        jujuData: dir,
        pingInterval: 0,
      });
      await c2.disconnect();
      expect(sim.discharger!.dischargeCount).toBe(before + 1);
    } finally {
      await writeFile(accounts, text);
    }
  });
});
