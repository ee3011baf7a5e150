/**
 * Every libjuju error class: a stable `ERR_…` code from the one list, its
 * class name as `name`, a message with no unfilled `{placeholder}`, and an
 * `instanceof` that holds across duplicate copies of the package. Also
 * scans the sources for messages with a template placeholder left literal.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { BundleValidationError } from "../src/bundle/errors.js";
import { BundleFileError } from "../src/bundle/node/read-files.js";
import { JujuIgnoreSyntaxError } from "../src/charm/jujuignore.js";
import { CharmDirsError } from "../src/cli/charm-dirs.js";
import * as lib from "../src/index.js";
import { CharmIsBundleError } from "../src/model/bundle-errors.js";
import type { ModelEvent } from "../src/model/observers.js";
import { CatalogError } from "../src/simulator/catalog/index.js";

const event = {
  entityType: "unit",
  entityId: "mysql/0",
  action: "change",
} as ModelEvent;
const change = { id: "deploy-1", description: "deploy application mysql" } as never;
const site = { facade: "Application", version: 20, method: "DestroyApplication" };

/** One instance of every error class, built as the library builds them. */
const ERRORS: Record<string, () => lib.LibjujuError> = {
  JujuError: () => new lib.JujuError("boom", "weird"),
  JujuUnauthorizedError: () => new lib.JujuUnauthorizedError("no", "unauthorized access"),
  JujuNotFoundError: () => new lib.JujuNotFoundError('application "x" not found', "not found"),
  JujuNotImplementedError: () => new lib.JujuNotImplementedError("nope", "not implemented"),
  JujuRedirectError: () => new lib.JujuRedirectError("go", "redirection required"),
  JujuBulkError: () =>
    new lib.JujuBulkError(
      [{ index: 1, error: new lib.JujuNotFoundError("b not found", "not found") }],
      [{}, { error: { message: "b not found", code: "not found" } }],
      site,
    ),
  TimeoutError: () => new lib.TimeoutError("slow"),
  AbortError: () => new lib.AbortError(),
  ConnectionClosedError: () => new lib.ConnectionClosedError("closed"),
  ConnectError: () => new lib.ConnectError("refused", "wss://10.0.0.1:17070"),
  DischargeRequiredError: () => new lib.DischargeRequiredError("discharge"),
  DischargeError: () =>
    new lib.DischargeError("refused", "https://idm.example", { bakeryCode: "permission denied" }),
  InteractionRequiredError: () =>
    new lib.InteractionRequiredError(
      "log in",
      "https://idm.example/login/1",
      "https://idm.example",
    ),
  ProtocolError: () => new lib.ProtocolError("bad frame"),
  FacadeVersionError: () => new lib.FacadeVersionError("no version"),
  JujuDataError: () => new lib.JujuDataError("bad file", "controllers.yaml"),
  WaitTimeoutError: () => new lib.WaitTimeoutError("idle", 1000, [{ entity: "a", reason: "b" }]),
  EntityStatusError: () => new lib.EntityStatusError("blocked", [{ entity: "a", reason: "b" }]),
  UnitErrorStateError: () =>
    new lib.UnitErrorStateError("error", [{ entity: "unit a/0", reason: "b" }]),
  MachineProvisioningError: () =>
    new lib.MachineProvisioningError("error", [{ entity: "machine 0", reason: "b" }]),
  AgentLostError: () => new lib.AgentLostError("error", [{ entity: "unit a/0", reason: "lost" }]),
  WorkloadBlockedError: () =>
    new lib.WorkloadBlockedError("blocked", [{ entity: "unit a/0", reason: "b" }]),
  StatusPollOptionError: () => new lib.StatusPollOptionError("interval: expected a number"),
  UnknownDeltaKindError: () => new lib.UnknownDeltaKindError("widget"),
  DeadEntityError: () => new lib.DeadEntityError("unit", "mysql/0"),
  NotSupportedError: () => new lib.NotSupportedError("x", "because"),
  NotWatchingError: () => new lib.NotWatchingError("waitForIdle"),
  ObserverError: () => new lib.ObserverError(new Error("oops"), event),
  InvalidArgumentError: () => new lib.InvalidArgumentError("revision", "bad"),
  BundleAbortError: () => new lib.BundleAbortError(["a"], ["b"], []),
  BundleChangeError: () => new lib.BundleChangeError([{ change, error: new Error("x") }], [], []),
  BundleLocalCharmError: () => new lib.BundleLocalCharmError([{ name: "a", charm: "./a" }]),
  BundleLocalCharmNotFoundError: () =>
    new lib.BundleLocalCharmNotFoundError([{ application: "a", charm: "./a", path: "/a" }]),
  BundlePlaceholderError: () => new lib.BundlePlaceholderError("$deploy-1"),
  BundleSourceError: () => new lib.BundleSourceError("./b", "missing"),
  BundleTrustError: () => new lib.BundleTrustError(["a"]),
  CharmIsBundleError: () => new CharmIsBundleError("wiki"),
  BundleValidationError: () => new BundleValidationError([{ path: "", message: "bad" }]),
  BundleFileError: () => new BundleFileError("unreadable", "./bundle.yaml"),
  CharmMetadataError: () => new lib.CharmMetadataError("bad", "metadata.yaml"),
  CharmDirError: () => new lib.CharmDirError("bad", "./charm"),
  CharmArchiveError: () => new lib.CharmArchiveError("bad", "./charm", "unreadable"),
  JujuIgnoreSyntaxError: () => new JujuIgnoreSyntaxError("bad rule", 3),
  LocalCharmError: () => new lib.LocalCharmError("bad", "./charm"),
  LocalFileError: () => new lib.LocalFileError("missing", "./f", "ENOENT"),
  CharmhubError: () => new lib.CharmhubError("gone", "resource-not-found", "https://x", 404),
  ParseError: () => new lib.ParseError("constraints", "mem=x", "x", "bad size"),
  SshError: () => new lib.SshError("auth", "denied"),
  SshCommandError: () =>
    new lib.SshCommandError("false", "ubuntu@10.0.0.1", { code: 1, stdout: "", stderr: "" }),
  ProvisioningError: () => new lib.ProvisioningError("connect", "host", "denied", "ERR_SSH_AUTH"),
  CharmDirsError: () => new CharmDirsError("./charms", "not a directory"),
  CatalogError: () => new CatalogError("no such charm", "not found", "charm-not-found"),
};

const isErrorClass = (v: unknown): v is typeof lib.LibjujuError =>
  typeof v === "function" && v.prototype instanceof lib.LibjujuError;

/** A `{name}` left in a message: `{` and a plain identifier and `}`, not `${…}`. */
const PLACEHOLDER = /(?<![$\\{])\{[A-Za-z_][A-Za-z0-9_]*\}/;

describe("error classes", () => {
  it("covers every error class the package exports", () => {
    const exported = Object.entries(lib)
      .filter(([, v]) => isErrorClass(v))
      .map(([k]) => k);
    expect(exported.filter((name) => !(name in ERRORS))).toEqual([]);
  });

  it.each(Object.entries(ERRORS))(
    "%s has a listed code, its class name and no unfilled placeholder",
    (name, make) => {
      const e = make();
      expect(e.name).toBe(name);
      expect(lib.LIBJUJU_ERROR_CODES).toContain(e.code);
      expect(e.code).toMatch(/^ERR_[A-Z0-9_]+$/);
      expect(e.message).not.toMatch(PLACEHOLDER);
      expect(e).toBeInstanceOf(lib.LibjujuError);
      expect(e).toBeInstanceOf(Error);
    },
  );

  it("gives each class a distinct name, so the cross-copy brand cannot confuse two", () => {
    const names = Object.values(ERRORS).map((make) => make().name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("keeps Juju's code apart from the local one", () => {
    const e = lib.JujuError.fromWire({ message: "nope", code: "not supported" });
    expect(e).toBeInstanceOf(lib.JujuNotImplementedError);
    expect(e.code).toBe("ERR_JUJU_NOT_IMPLEMENTED");
    expect(e.jujuCode).toBe("not supported");
    expect(new lib.NotSupportedError("x", "y").code).toBe("ERR_NOT_SUPPORTED");
    expect(new lib.TimeoutError("t").code).not.toBe(new lib.WaitTimeoutError("idle", 1, []).code);
    expect(new lib.JujuError("x").jujuCode).toBe("");
  });
});

describe("instanceof across copies of the package", () => {
  it("recognises an error made by a freshly loaded second copy of the module", async () => {
    vi.resetModules();
    const copy = await import("../src/rpc/errors.js");
    expect(copy.JujuNotFoundError).not.toBe(lib.JujuNotFoundError);
    const foreign = new copy.JujuNotFoundError('application "x" not found', "not found");
    expect(foreign instanceof lib.JujuNotFoundError).toBe(true);
    expect(foreign instanceof lib.JujuError).toBe(true);
    expect(foreign instanceof lib.LibjujuError).toBe(true);
    expect(foreign instanceof lib.JujuRedirectError).toBe(false);
    expect(foreign instanceof lib.TimeoutError).toBe(false);
    // And the other way round.
    const ours = new lib.TimeoutError("slow");
    expect(ours instanceof copy.TimeoutError).toBe(true);
    expect(ours instanceof copy.LibjujuError).toBe(true);
    expect(ours instanceof copy.AbortError).toBe(false);
  });

  it("reads the brand registered with Symbol.for, and nothing else", () => {
    const notObjects: unknown[] = [null, "ConnectionClosedError"];
    const branded = Object.defineProperty(new Error("x"), Symbol.for("libjuju.error.classes"), {
      value: ["ConnectionClosedError", "LibjujuError"],
    });
    expect(branded instanceof lib.ConnectionClosedError).toBe(true);
    expect(branded instanceof lib.LibjujuError).toBe(true);
    expect(branded instanceof lib.ProtocolError).toBe(false);
    expect(new Error("plain") instanceof lib.LibjujuError).toBe(false);
    for (const v of notObjects) expect(v instanceof lib.LibjujuError).toBe(false);
    // The brand is not enumerable: it does not show in equality or logs.
    expect(Object.getOwnPropertySymbols(new lib.AbortError())).toHaveLength(1);
    expect(Object.keys(new lib.AbortError())).not.toContain(lib.ERROR_BRAND);
  });
});

/** Every `.ts` source file under `dir`, tests excluded. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === "generated" ? [] : sources(p);
    return p.endsWith(".ts") && !p.endsWith(".test.ts") ? [p] : [];
  });
}

describe("messages in the sources", () => {
  it("leave no template placeholder such as {channel} unfilled", () => {
    const found: string[] = [];
    for (const file of sources(join(import.meta.dirname, "..", "src"))) {
      // Comments (doc examples such as `GET /charms/{name}`) are blanked, keeping line numbers.
      const code = readFileSync(file, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
        .replace(/^\s*\/\/.*$/gm, "");
      code.split("\n").forEach((line, i) => {
        for (const m of line.matchAll(/"(?:[^"\\\n]|\\.)*"|`(?:[^`\\\n]|\\.)*`/g)) {
          if (PLACEHOLDER.test(m[0])) found.push(`${file}:${i + 1}: ${m[0]}`);
        }
      });
    }
    expect(found).toEqual([]);
  });
});
