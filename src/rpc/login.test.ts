import { inspect } from "node:util";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type FakeReply,
  fakePair,
  loginResponse,
  scriptedFactory,
} from "../../test/support/fake-server.js";
import type { RequestFrame } from "../protocol/frames.js";
import { bulkResults, bulkResultsStrict } from "./bulk.js";
import { connectApi } from "./connect.js";
import { Connection } from "./connection.js";
import { Credentials } from "./credentials.js";
import {
  ConnectError,
  DischargeRequiredError,
  FacadeVersionError,
  JujuBulkError,
  JujuError,
  JujuNotFoundError,
  JujuUnauthorizedError,
  ProtocolError,
  TimeoutError,
} from "./errors.js";
import type { ParamsOf } from "./facade-client.js";
import { hostPortsToEndpoints, login } from "./login.js";
import { createMemoryTransportPair } from "./memory-transport.js";
import { negotiateFacades, serverFacadeMap } from "./negotiate.js";

const password = "sup3r-secret-pw";
const creds = new Credentials({ username: "admin", password });
const serverFacades = [
  { name: "Application", versions: [15, 16, 17, 18, 19, 20, 21, 22] },
  { name: "Charms", versions: [5, 6, 7] },
  { name: "Client", versions: [6, 7, 8] },
  { name: "Pinger", versions: [1] },
  { name: "ModelManager", versions: [9, 10] },
];

describe("facade negotiation", () => {
  it("picks the highest version both sides know", () => {
    const v = negotiateFacades(
      { Application: [14, 15, 16, 17, 19], Client: [5, 6], Charms: [5, 6], Nope: [1] },
      serverFacadeMap(serverFacades),
    );
    expect(Object.fromEntries(v)).toEqual({ Application: 19, Client: 6, Charms: 6 });
  });

  it("leaves out facades with no common version", () => {
    const v = negotiateFacades({ Client: [1, 2] }, serverFacadeMap(serverFacades));
    expect(v.has("Client")).toBe(false);
  });
});

async function loggedIn(
  clientFacades: Record<string, readonly number[]>,
  handler: (req: RequestFrame) => FakeReply = () => ({ response: {} }),
) {
  const { conn, server } = fakePair(
    (req) => (req.type === "Admin" ? loginResponse(serverFacades) : handler(req)),
    { pingInterval: 0 },
  );
  const info = await login(conn, { credentials: creds, clientFacades });
  return { conn, server, info };
}

describe("login", () => {
  it("sends Admin.Login v3 with the user tag, password, nonce and client version", async () => {
    const { conn, server, info } = await loggedIn({ Client: [6, 7, 8] });
    expect(server.requests[0]).toEqual({
      "request-id": 1,
      type: "Admin",
      version: 3,
      request: "Login",
      params: {
        "auth-tag": "user-admin",
        credentials: password,
        nonce: "",
        "client-version": "3.6.28",
      },
    });
    expect(info).toMatchObject({
      modelUuid: "11111111-2222-4333-8444-555555555555",
      controllerUuid: "99999999-2222-4333-8444-555555555555",
      serverVersion: "3.6.28",
      userInfo: { identity: "user-admin", modelAccess: "admin" },
    });
    expect(conn.facadeVersion("Client")).toBe(8);
    expect(conn.loginInfo).toBe(info);
    await conn.close();
  });

  it("sends cookie-jar macaroons instead of a password", async () => {
    const { conn, server } = fakePair(() => loginResponse(serverFacades), { pingInterval: 0 });
    const macaroons = [[{ c: [], l: "loc", i: "id", s64: "sig" }]];
    await login(conn, {
      credentials: new Credentials({ username: "bob", macaroons }),
      clientFacades: {},
      clientVersion: "3.6.1",
      cliArgs: "libjuju status",
    });
    expect(server.requests[0]?.params).toEqual({
      "auth-tag": "",
      credentials: "",
      nonce: "",
      macaroons,
      "bakery-version": 3,
      "client-version": "3.6.1",
      "cli-args": "libjuju status",
    });
    await conn.close();
  });

  it("fails with JujuUnauthorizedError on a wrong password, never echoing it", async () => {
    const { conn } = fakePair(() => ({
      error: "invalid entity name or password",
      code: "unauthorized access",
    }));
    const err = await login(conn, { credentials: creds, clientFacades: {} }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JujuUnauthorizedError);
    expect(err).toMatchObject({ facade: "Admin", method: "Login", version: 3 });
    expect(String(err)).not.toContain(password);
    expect(inspect(err, { depth: 10, showHidden: true })).not.toContain(password);
    await conn.close();
  });

  it("refuses a discharge-required answer whose macaroon cannot be read", async () => {
    const { conn } = fakePair(() => ({
      response: { "discharge-required": { i: "x" }, "discharge-required-error": "need login" },
    }));
    const err = await login(conn, {
      credentials: new Credentials({ username: "bob" }),
      clientFacades: {},
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toContain("unreadable macaroon");
    await conn.close();
  });

  it("gives up with DischargeRequiredError when the controller keeps asking", async () => {
    const sig = "A".repeat(43);
    const root = {
      c: [{ i: "cav", v64: "B".repeat(60), l: "https://idm.example" }],
      i: "root",
      s64: sig,
    };
    const { conn, server } = fakePair(() => ({
      response: { "discharge-required": root, "discharge-required-error": "need login" },
    }));
    const asked: string[] = [];
    const err = await login(conn, {
      credentials: new Credentials({ username: "bob" }),
      clientFacades: {},
      discharger: {
        async discharge(req) {
          asked.push(req.location);
          return { i: "cav", s64: "C".repeat(43) };
        },
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DischargeRequiredError);
    expect((err as Error).message).toContain("need login");
    expect(asked).toEqual(["https://idm.example", "https://idm.example"]);
    expect(server.requests).toHaveLength(3);
    // Retries carry the root and its bound discharge.
    const retry = server.requests[1]?.params as { macaroons: Record<string, unknown>[][] };
    expect(retry.macaroons[0]).toHaveLength(2);
    expect(retry.macaroons[0]?.[1]?.s64).not.toBe("C".repeat(43));
    await conn.close();
  });
});

describe("typed facade calls", () => {
  it("sends the negotiated version and types params and results", async () => {
    const { conn, server } = await loggedIn({ Client: [6, 7, 8], Pinger: [1] }, () => ({
      response: { model: { name: "m" } },
    }));
    const client = conn.facade("Client");
    expect(client.version).toBe(8);
    const status = await client.call("FullStatus", { patterns: ["x"] });
    expectTypeOf(status.model.name).toEqualTypeOf<string>();
    expect(status.model.name).toBe("m");
    expect(server.requests[1]).toMatchObject({ type: "Client", version: 8, request: "FullStatus" });
    await conn.facade("Pinger").call("Ping");
    await conn.close();
  });

  it("narrows to a version's types with is() and as()", async () => {
    const { conn } = await loggedIn({ Charms: [5, 6] });
    const charms = conn.facade("Charms");
    expect(charms.version).toBe(6);
    expect(charms.is(6)).toBe(true);
    expect(charms.as(6).version).toBe(6);
    expect(() => charms.as(7)).toThrow(FacadeVersionError);
    await conn.close();
  });

  it("throws FacadeVersionError naming both version sets when none is common", async () => {
    const { conn } = await loggedIn({ Client: [1, 2] });
    expect(() => conn.facade("Client")).toThrow(
      "no common version of facade Client: client knows [1, 2], server offers [6, 7, 8]",
    );
    expect(() => conn.facade("Action")).toThrow("server offers none");
    await conn.close();
  });

  it("refuses facade calls before login", () => {
    const [a] = createMemoryTransportPair();
    const conn = new Connection(a);
    expect(() => conn.facade("Client")).toThrow(FacadeVersionError);
    void conn.close();
  });
});

describe("bulk results", () => {
  const response = {
    results: [
      { result: "a" },
      { error: { message: 'application "x" not found', code: "not found" } },
      { result: "c", error: null },
    ],
  };

  it("keeps successes next to typed per-item errors", () => {
    const items = bulkResults(response, { facade: "Application", method: "Get" });
    expect(items.map((i) => i.ok)).toEqual([true, false, true]);
    const failed = items[1];
    expect(failed?.ok === false && failed.error).toBeInstanceOf(JujuNotFoundError);
    expect(failed?.ok === false && failed.error.method).toBe("Get");
  });

  it("strict variant throws an aggregate error naming each failed item", () => {
    const err = (() => {
      try {
        bulkResultsStrict(response, { facade: "Application", method: "Get" });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(JujuBulkError);
    expect(err).toBeInstanceOf(JujuError);
    expect((err as Error).message).toBe(
      'Application.Get: 1 of 3 items failed: [1] application "x" not found',
    );
    expect((err as JujuBulkError).results).toHaveLength(3);
    expect(bulkResultsStrict({ results: [{ v: 1 }] })).toEqual([{ v: 1 }]);
  });
});

const redirectError = (servers: unknown, ca?: string): FakeReply => ({
  error: "redirection to alternative server required",
  code: "redirection required",
  info: servers ? { servers, "ca-cert": ca } : {},
});

describe("connectApi", () => {
  const base = { credentials: creds, clientFacades: { Client: [8] }, pingInterval: 0 };

  it("tries endpoints in order and uses the first that answers", async () => {
    const dialed: string[] = [];
    const api = await connectApi({
      ...base,
      endpoints: ["dead:1", "good:2"],
      modelUuid: "u1",
      caCert: "CA1",
      transportFactory: scriptedFactory(() => loginResponse(serverFacades), dialed),
    });
    expect(dialed).toEqual([
      "wss://dead:1/model/u1/api ca=CA1",
      "wss://good:2/model/u1/api ca=CA1",
    ]);
    expect(api.endpoint).toBe("good:2");
    await api.connection.close();
  });

  it("names every endpoint when none answers", async () => {
    const err = await connectApi({
      ...base,
      endpoints: ["dead:1", "dead:2"],
      transportFactory: scriptedFactory(() => undefined, []),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as Error).message).toMatch(/dead:1: .*; dead:2: /);
  });

  it("stops at a login error instead of trying the next endpoint", async () => {
    const dialed: string[] = [];
    const err = await connectApi({
      ...base,
      endpoints: ["a:1", "b:2"],
      transportFactory: scriptedFactory(
        () => ({ error: "invalid entity name or password", code: "unauthorized access" }),
        dialed,
      ),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JujuUnauthorizedError);
    expect(dialed).toHaveLength(1);
  });

  it("follows a redirect that carries servers and a CA", async () => {
    const dialed: string[] = [];
    const api = await connectApi({
      ...base,
      endpoints: ["old:17070"],
      modelUuid: "u1",
      caCert: "OLD",
      transportFactory: scriptedFactory(
        (url) =>
          url.includes("old")
            ? redirectError(
                [
                  [
                    { value: "10.0.0.9", type: "ipv4", scope: "local-cloud", port: 17070 },
                    { value: "new.example", type: "hostname", scope: "public", port: 443 },
                  ],
                ],
                "NEW",
              )
            : loginResponse(serverFacades),
        dialed,
      ),
    });
    expect(dialed).toEqual([
      "wss://old:17070/model/u1/api ca=OLD",
      "wss://new.example:443/model/u1/api ca=NEW",
    ]);
    expect(api).toMatchObject({ redirects: 1, caCert: "NEW", endpoint: "new.example:443" });
    await api.connection.close();
  });

  it("asks Admin.RedirectInfo when the redirect error has no servers", async () => {
    const dialed: string[] = [];
    const api = await connectApi({
      ...base,
      endpoints: ["old:1"],
      transportFactory: scriptedFactory((url, req) => {
        if (!url.includes("old")) return loginResponse(serverFacades);
        if (req.request === "RedirectInfo") {
          return {
            response: {
              servers: [
                [
                  { value: "10.1.1.1", type: "ipv4", scope: "local-cloud", port: 17070 },
                  { value: "jaas.example", type: "hostname", scope: "public", port: 443 },
                ],
              ],
              "ca-cert": "JAAS",
            },
          };
        }
        return redirectError(undefined);
      }, dialed),
    });
    expect(dialed[1]).toBe("wss://jaas.example:443/api ca=JAAS");
    expect(dialed).toHaveLength(2);
    await api.connection.close();
  });

  it("gives up after maxRedirects hops", async () => {
    const err = await connectApi({
      ...base,
      endpoints: ["loop:1"],
      maxRedirects: 2,
      transportFactory: scriptedFactory(
        () => redirectError([[{ value: "loop", type: "hostname", scope: "public", port: 1 }]], "C"),
        [],
      ),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as Error).message).toContain("too many redirects");
  });

  it("fails with TimeoutError when connecting takes too long", async () => {
    const err = await connectApi({
      ...base,
      endpoints: ["slow:1"],
      timeout: 30,
      transportFactory: scriptedFactory(() => undefined, []),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
  });

  it("asks for macaroons when the credentials have no password", async () => {
    const hosts: string[] = [];
    let sent: unknown;
    const api = await connectApi({
      ...base,
      credentials: new Credentials({ username: "bob" }),
      endpoints: ["[fd00::1]:17070"],
      macaroonsFor: async (host) => {
        hosts.push(host);
        return new Credentials({ username: "bob", macaroons: [[{ i: "m" }]] });
      },
      transportFactory: scriptedFactory((_url, req) => {
        sent = req.params;
        return loginResponse(serverFacades);
      }, []),
    });
    expect(hosts).toEqual(["fd00::1"]);
    expect(sent).toMatchObject({ macaroons: [[{ i: "m" }]] });
    await api.connection.close();
  });
});

describe("hostPortsToEndpoints", () => {
  it("orders public addresses first, brackets IPv6 and removes duplicates", () => {
    expect(
      hostPortsToEndpoints([
        [
          { value: "127.0.0.1", type: "ipv4", scope: "local-machine", port: 17070 },
          { value: "fd00::2", type: "ipv6", scope: "local-cloud", port: 17070 },
          { value: "1.2.3.4", type: "ipv4", scope: "public", port: 17070 },
        ],
        [{ value: "1.2.3.4", type: "ipv4", scope: "public", port: 17070 }],
      ]),
    ).toEqual(["1.2.3.4:17070", "[fd00::2]:17070", "127.0.0.1:17070"]);
  });
});

describe("Credentials", () => {
  it("never shows the password or macaroons", () => {
    const c = new Credentials({ username: "admin", password, macaroons: [[{ s64: "sigsig" }]] });
    for (const text of [
      inspect(c, { showHidden: true, depth: 10 }),
      JSON.stringify(c),
      String(c),
      `${c}`,
      inspect({ nested: { c } }),
    ]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain("sigsig");
    }
    expect(c.password).toBe(password);
    expect(c.userTag).toBe("user-admin");
  });
});

describe("facade negotiation by the controller's major version", () => {
  // A 4.0 controller offers ModelManager 10 and 11, but 11 is the only 4.x
  // version the client has types for; Bundle 8 only exists on 4.x.
  const facades4 = [
    { name: "Bundle", versions: [8] },
    { name: "ModelManager", versions: [10, 11] },
    { name: "Application", versions: [19, 20, 21, 22] },
  ];

  async function loginTo(serverVersion: string) {
    const { conn } = fakePair(() => loginResponse(facades4, { "server-version": serverVersion }), {
      pingInterval: 0,
    });
    const info = await login(conn, { credentials: creds });
    return { conn, info };
  }

  it("negotiates against the 4.x table when server-version is 4.x", async () => {
    const { conn, info } = await loginTo("4.0.15");
    expect(info.jujuMajor).toBe(4);
    expect(conn.facadeVersion("ModelManager")).toBe(11);
    expect(conn.facadeVersion("Bundle")).toBe(8);
    const mm = conn.facade("ModelManager");
    expect(mm.major).toBe(4);
    // juju4() types calls with the 4.x shapes: CreateModel takes a qualifier.
    expectTypeOf<ParamsOf<"ModelManager", 11, "CreateModel", 4>>().toHaveProperty("qualifier");
    expectTypeOf<ParamsOf<"ModelManager", 10, "CreateModel">>().toHaveProperty("owner-tag");
    expect(mm.juju4()).toBe(mm);
    await conn.close();
  });

  it("negotiates against the 3.x table otherwise, and refuses juju4()", async () => {
    const { conn, info } = await loginTo("3.6.28");
    expect(info.jujuMajor).toBe(3);
    expect(conn.facadeVersion("ModelManager")).toBe(10);
    // 3.6 never had Bundle 8: no common version.
    expect(conn.facadeVersion("Bundle")).toBeUndefined();
    expect(() => conn.facade("ModelManager").juju4()).toThrow(FacadeVersionError);
    await conn.close();
  });
});
