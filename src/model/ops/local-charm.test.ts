import { describe, expect, it } from "vitest";
import { parseCharmFiles } from "../../charm/metadata.js";
import { Credentials } from "../../rpc/credentials.js";
import { JujuError, JujuNotFoundError, JujuUnauthorizedError } from "../../rpc/errors.js";
import { InvalidArgumentError } from "../errors.js";
import { authHeaders } from "../http/edge.js";
import { declaredBases, isLocalCharmReference, selectLocalCharmBase } from "./local-charm.js";
import { httpError } from "./local-charm-errors.js";

const legacy = parseCharmFiles({
  metadata: "name: legacy\nsummary: s\ndescription: d\nseries: [focal, jammy, noble]\n",
});
const k8s = parseCharmFiles({
  metadata: [
    "name: k8s-app",
    "summary: s",
    "description: d",
    "containers:",
    "  app:",
    "    resource: app-image",
    "resources:",
    "  app-image:",
    "    type: oci-image",
    "",
  ].join("\n"),
  charmcraft: [
    "type: charm",
    "bases:",
    "  - build-on: [{name: ubuntu, channel: '22.04'}]",
    "    run-on: [{name: ubuntu, channel: '22.04'}]",
    "",
  ].join("\n"),
});
const oldK8s = parseCharmFiles({
  metadata: "name: old-k8s\nsummary: s\ndescription: d\nseries: [kubernetes]\n",
});
const none = parseCharmFiles({ metadata: "name: none\nsummary: s\ndescription: d\n" });
const ubuntu = (channel: string) => ({ name: "ubuntu", channel });

describe("the base of a local charm", () => {
  it("comes from metadata series first, else charmcraft bases", () => {
    expect(declaredBases(legacy)).toEqual([ubuntu("20.04"), ubuntu("22.04"), ubuntu("24.04")]);
    expect(declaredBases(k8s)).toEqual([ubuntu("22.04")]);
    expect(declaredBases(oldK8s)).toEqual([{ name: "kubernetes", channel: "kubernetes" }]);
    expect(declaredBases(none)).toEqual([]);
  });

  it("is the requested one when the charm supports it (or with force)", () => {
    expect(selectLocalCharmBase(legacy, ubuntu("22.04/stable"), undefined, false)).toEqual(
      ubuntu("22.04"),
    );
    expect(() => selectLocalCharmBase(legacy, ubuntu("18.04"), undefined, false)).toThrow(
      'base "ubuntu@18.04" not supported by charm, the charm supported bases are: ubuntu@20.04, ubuntu@22.04, ubuntu@24.04',
    );
    expect(selectLocalCharmBase(legacy, ubuntu("18.04"), undefined, true)).toEqual(ubuntu("18.04"));
  });

  it("prefers the model's default base, then Juju's default LTS, then the charm's first", () => {
    expect(selectLocalCharmBase(legacy, undefined, ubuntu("20.04"), false)).toEqual(
      ubuntu("20.04"),
    );
    expect(selectLocalCharmBase(legacy, undefined, ubuntu("18.04"), false)).toEqual(
      ubuntu("24.04"),
    );
    expect(selectLocalCharmBase(k8s, undefined, undefined, false)).toEqual(ubuntu("22.04"));
    expect(selectLocalCharmBase(oldK8s, undefined, undefined, false)).toEqual({
      name: "kubernetes",
      channel: "kubernetes",
    });
  });

  it("fails with Juju's error when the charm declares none", () => {
    const err = (() => {
      try {
        return selectLocalCharmBase(none, undefined, undefined, false);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toBe("charm does not define any bases, not valid");
  });
});

describe("local charm references", () => {
  it("are paths and local: URLs; Charmhub names are not", () => {
    for (const r of ["./c", "../c", "/abs/c.charm", "~/c", "local:jammy/c-1", "local:./c", "."]) {
      expect(isLocalCharmReference(r), r).toBe(true);
    }
    for (const r of ["mysql", "ch:mysql", "cs:mysql", "my.charm"]) {
      expect(isLocalCharmReference(r), r).toBe(false);
    }
  });
});

describe("HTTP access", () => {
  it("sends Basic auth with a password, else the macaroons as cookies", () => {
    const basic = authHeaders(new Credentials({ username: "admin", password: "pässword" }));
    expect(basic.Authorization).toBe(
      `Basic ${Buffer.from("user-admin:pässword").toString("base64")}`,
    );
    const mac = authHeaders(
      new Credentials({ username: "bob@external", macaroons: [[{ i: "id", s64: "sig" }]] }),
    );
    expect(mac.Authorization).toBeUndefined();
    const [name, value] = (mac.Cookie ?? "").split("=", 2) as [string, string];
    expect(name).toMatch(/^macaroon-/);
    expect(JSON.parse(Buffer.from(value, "base64").toString())).toEqual([{ i: "id", s64: "sig" }]);
    expect(authHeaders(undefined)).toEqual({});
  });

  it("turns the controller's HTTP errors into typed errors keeping Juju's message", () => {
    const json = httpError("PUT", "/model-u/charms/x-1234567", {
      status: 400,
      headers: {},
      body: JSON.stringify({ error: { message: "cannot upload charm: bad", code: "bad request" } }),
    });
    expect(json).toBeInstanceOf(JujuError);
    expect(json.message).toBe("cannot upload charm: bad");
    expect(json.jujuCode).toBe("bad request");
    expect(json.method).toBe("PUT /model-u/charms/x-1234567");
    const legacy = httpError("POST", "/model/u/charms?series=jammy", {
      status: 404,
      headers: {},
      body: JSON.stringify({ error: "model not found", "error-code": "not found" }),
    });
    expect(legacy).toBeInstanceOf(JujuNotFoundError);
    expect(legacy.method).toBe("POST /model/u/charms");
    const text = httpError("PUT", "/x", {
      status: 401,
      headers: {},
      body: "authentication failed: invalid entity name or password\n",
    });
    expect(text).toBeInstanceOf(JujuUnauthorizedError);
    expect(text.message).toBe("authentication failed: invalid entity name or password");
    expect(text.info).toEqual({ status: 401 });
    const big = httpError("PUT", "/x", { status: 413, headers: {}, body: "" });
    expect(big.jujuCode).toBe("request entity too large");
    expect(big.message).toBe("HTTP 413");
  });
});
