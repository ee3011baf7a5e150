import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JujuDataError } from "../rpc/errors.js";
import { controllerAccess } from "./controller-access.js";
import { macaroonsForHosts, parseCookieJar } from "./cookies.js";
import { JujuData, jujuDataDir, qualifyModelName, splitModelName } from "./jujudata.js";

const CONTROLLERS = `controllers:
  lxd:
    uuid: 11111111-1111-4111-8111-111111111111
    api-endpoints: ['10.0.0.1:17070', '[fd42::1]:17070']
    ca-cert: |
      -----BEGIN CERTIFICATE-----
      MIIB
      -----END CERTIFICATE-----
    cloud: localhost
    region: localhost
    type: lxd
    agent-version: 3.6.28
    controller-machine-count: 1
    active-controller-machine-count: 1
  other:
    uuid: 22222222-2222-4222-8222-222222222222
    api-endpoints: ['10.0.0.2:17070']
    agent-version: 3.6.1
current-controller: lxd
`;
const ACCOUNTS = `controllers:
  lxd:
    user: admin
    password: 0755
    last-known-access: superuser
  other:
    user: bob
    password: yes
`;
const MODELS = `controllers:
  lxd:
    models:
      admin/default:
        uuid: aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa
        type: iaas
        branch: master
      alice/shared:
        uuid: bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb
        type: caas
    current-model: admin/default
  other:
    models:
      bob/work:
        uuid: cccccccc-cccc-4ccc-8ccc-cccccccccccc
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-data-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), text);
  }
}
const standard = () =>
  write({ "controllers.yaml": CONTROLLERS, "accounts.yaml": ACCOUNTS, "models.yaml": MODELS });
const data = (env: Record<string, string> = {}) => new JujuData({ dir, env });

async function errorOf(p: Promise<unknown>): Promise<JujuDataError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JujuDataError);
  return err as JujuDataError;
}

describe("jujuDataDir", () => {
  it("prefers JUJU_DATA, then XDG_DATA_HOME/juju, then ~/.local/share/juju", () => {
    expect(jujuDataDir({ JUJU_DATA: "/j", XDG_DATA_HOME: "/x" }, "/home/u")).toBe("/j");
    expect(jujuDataDir({ XDG_DATA_HOME: "/x" }, "/home/u")).toBe("/x/juju");
    expect(jujuDataDir({}, "/home/u")).toBe("/home/u/.local/share/juju");
  });

  it("is used by JujuData when no dir is given", () => {
    expect(new JujuData({ env: { JUJU_DATA: "/somewhere" } }).dir).toBe("/somewhere");
  });
});

describe("model names", () => {
  it("splits [controller:]model and qualifies unqualified names", () => {
    expect(splitModelName("c:u/m")).toEqual({ controller: "c", model: "u/m" });
    expect(splitModelName("m")).toEqual({ controller: "", model: "m" });
    expect(splitModelName("c:")).toEqual({ controller: "c", model: "" });
    expect(qualifyModelName("m", "admin")).toBe("admin/m");
    expect(qualifyModelName("bob/m", "admin")).toBe("bob/m");
  });
});

describe("JujuData", () => {
  it("reads controllers.yaml", async () => {
    await standard();
    const c = await data().controller("lxd");
    expect(c).toMatchObject({
      name: "lxd",
      uuid: "11111111-1111-4111-8111-111111111111",
      apiEndpoints: ["10.0.0.1:17070", "[fd42::1]:17070"],
      cloud: "localhost",
      agentVersion: "3.6.28",
      controllerMachineCount: 1,
    });
    expect(c.caCert).toContain("BEGIN CERTIFICATE");
    expect([...(await data().controllers()).keys()]).toEqual(["lxd", "other"]);
  });

  it("keeps int- and bool-looking passwords as written, as Go's yaml does for strings", async () => {
    await standard();
    expect((await data().account("lxd")).credentials.password).toBe("0755");
    expect((await data().account("other")).credentials.password).toBe("yes");
  });

  it("keeps account passwords out of inspect output", async () => {
    await standard();
    const account = await data().account("lxd");
    expect(inspect(account, { depth: 10 })).not.toContain("0755");
    expect(JSON.stringify(account)).not.toContain("0755");
  });

  it("resolves the current model", async () => {
    await standard();
    const r = await data().resolveModel();
    expect(r).toMatchObject({ controllerName: "lxd", modelName: "admin/default" });
    expect(r.model?.uuid).toBe("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa");
  });

  it("qualifies an unqualified model with the controller's account user", async () => {
    await standard();
    const r = await data().resolveModel("other:work");
    expect(r.modelName).toBe("bob/work");
    expect(r.model?.uuid).toBe("cccccccc-cccc-4ccc-8ccc-cccccccccccc");
    expect((await data().resolveModel("alice/shared")).model?.type).toBe("caas");
  });

  it("honours JUJU_CONTROLLER and JUJU_MODEL", async () => {
    await standard();
    expect(await data({ JUJU_CONTROLLER: "other" }).currentController()).toBe("other");
    expect((await data({ JUJU_CONTROLLER: "other" }).resolveModel("work")).modelName).toBe(
      "bob/work",
    );
    const r = await data({ JUJU_MODEL: "lxd:alice/shared" }).resolveModel();
    expect(r.model?.uuid).toBe("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb");
    // An explicit name wins over JUJU_MODEL.
    expect((await data({ JUJU_MODEL: "other:work" }).resolveModel("default")).modelName).toBe(
      "admin/default",
    );
  });

  it("returns an unlisted model without a uuid, and requireModel rejects it naming the key", async () => {
    await standard();
    expect((await data().resolveModel("new")).model).toBeUndefined();
    const err = await errorOf(data().requireModel("new"));
    expect(err.file).toBe(join(dir, "models.yaml"));
    expect(err.key).toBe("controllers.lxd.models.admin/new");
  });

  it("rejects an unknown controller naming controllers.yaml and the key", async () => {
    await standard();
    const err = await errorOf(data().resolveModel("nope:default"));
    expect(err.file).toBe(join(dir, "controllers.yaml"));
    expect(err.key).toBe("controllers.nope");
    expect(err.message).toContain('controller "nope" not found');
  });

  it("rejects a controller without an account", async () => {
    await write({
      "controllers.yaml": CONTROLLERS,
      "accounts.yaml": "controllers:\n  lxd: {user: admin}\n",
    });
    const err = await errorOf(data().account("other"));
    expect(err.key).toBe("controllers.other");
    expect(err.file).toBe(join(dir, "accounts.yaml"));
  });

  it("reports missing files with the directory and a hint", async () => {
    const err = await errorOf(data().controllers());
    expect(err.file).toBe(join(dir, "controllers.yaml"));
    expect(err.message).toContain("JUJU_DATA");
  });

  it("treats a missing models.yaml as no models, and no current model as an error", async () => {
    await write({ "controllers.yaml": CONTROLLERS, "accounts.yaml": ACCOUNTS });
    expect((await data().models("lxd")).models.size).toBe(0);
    const err = await errorOf(data().resolveModel());
    expect(err.key).toBe("controllers.lxd.current-model");
  });

  it("rejects malformed YAML", async () => {
    await write({ "controllers.yaml": "controllers: [unclosed\n" });
    const err = await errorOf(data().controllers());
    expect(err.message).toContain("not valid YAML");
  });

  it("rejects wrongly shaped entries, naming the key", async () => {
    await write({
      "controllers.yaml":
        "controllers:\n  lxd:\n    uuid: x\n    api-endpoints: 10.0.0.1:17070\ncurrent-controller: lxd\n",
    });
    expect((await errorOf(data().controller("lxd"))).key).toBe("controllers.lxd.api-endpoints");
    await write({ "controllers.yaml": "controllers:\n  lxd:\n    api-endpoints: [a:1]\n" });
    expect((await errorOf(data().controller("lxd"))).key).toBe("controllers.lxd.uuid");
    await write({ "controllers.yaml": "- just a list\n" });
    expect((await errorOf(data().controllers())).message).toContain("not a mapping");
    await write({ "controllers.yaml": "controllers: 3\n" });
    expect((await errorOf(data().controllers())).key).toBe("controllers");
  });

  it("has no current controller when neither the file nor the environment names one", async () => {
    await write({ "controllers.yaml": "controllers: {}\n" });
    expect((await errorOf(data().currentController())).key).toBe("current-controller");
  });
});

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64");

describe("cookie jars", () => {
  const mac = [{ c: [{ i: "time-before 2099" }], l: "", i: "id1", s64: "c2ln" }];
  const jar = [
    {
      Name: "macaroon-abc",
      Value: b64(mac),
      Domain: "11111111-1111-4111-8111-111111111111",
      Path: "/",
      HostOnly: true,
      Expires: "2099-01-01T00:00:00Z",
    },
    {
      Name: "macaroon-old",
      Value: b64([{ i: "old" }]),
      Domain: "10.0.0.1",
      Path: "/",
      Expires: "2001-01-01T00:00:00Z",
    },
    { Name: "macaroon-elsewhere", Value: b64([{ i: "x" }]), Domain: "example.com", Path: "/" },
    { Name: "session", Value: "zzz", Domain: "10.0.0.1", Path: "/" },
    { Name: "macaroon-bad", Value: "!!!not-base64", Domain: "10.0.0.1", Path: "/" },
    {
      Name: "macaroon-url",
      Value: b64([{ i: "url" }])
        .replace(/=+$/, "")
        .replace(/\+/g, "-"),
      Domain: "10.0.0.1",
      Path: "/",
      Expires: "0001-01-01T00:00:00Z",
    },
  ];

  it("parses persistent-cookiejar JSON and picks unexpired macaroons for the hosts", () => {
    const cookies = parseCookieJar(JSON.stringify(jar), "jar.json");
    expect(cookies).toHaveLength(6);
    const found = macaroonsForHosts(cookies, ["11111111-1111-4111-8111-111111111111", "10.0.0.1"]);
    expect(found).toEqual([mac, [{ i: "url" }]]);
  });

  it("matches domain cookies on subdomains but host-only cookies exactly", () => {
    const cookies = parseCookieJar(
      JSON.stringify([
        { Name: "macaroon-a", Value: b64([{ i: "a" }]), Domain: "example.com", Path: "/" },
        {
          Name: "macaroon-b",
          Value: b64([{ i: "b" }]),
          Domain: "example.com",
          Path: "/",
          HostOnly: true,
        },
      ]),
      "jar.json",
    );
    expect(macaroonsForHosts(cookies, ["api.example.com"])).toEqual([[{ i: "a" }]]);
  });

  it("rejects a malformed jar with JujuDataError", () => {
    expect(() => parseCookieJar("{", "jar.json")).toThrow(JujuDataError);
    expect(() => parseCookieJar('{"a":1}', "jar.json")).toThrow("JSON array");
    expect(() => parseCookieJar("[{}]", "jar.json")).toThrow("has no Name");
    expect(parseCookieJar("null", "jar.json")).toEqual([]);
  });

  it("reads cookies/<controller>.json for a macaroon login", async () => {
    await standard();
    await write({ "cookies/lxd.json": JSON.stringify(jar) });
    expect(await data().cookies("other")).toEqual([]);
    const access = await controllerAccess(data(), "lxd");
    expect(access.endpoints).toEqual(["10.0.0.1:17070", "[fd42::1]:17070"]);
    const creds = await access.macaroonsFor("10.0.0.9");
    expect(creds.username).toBe("admin");
    expect(creds.password).toBeUndefined();
    expect(creds.macaroons).toEqual([mac]);
  });
});
