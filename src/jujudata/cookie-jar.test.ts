import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JujuDataError } from "../rpc/errors.js";
import { FileCookieJar } from "./cookie-jar.js";

const ROOT = { i: "root", s64: "VT9NNZ6S2ExZYOZxAKV3CJ0H8LXeMzUYQyyYLDXYpr8" };
const DIS = { i: "cav", s64: "9RF4cAE6cTMCJpKxbeoSd_GEVggn1aryYsTHiZJITDc" };
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-jar-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("FileCookieJar (persistent-cookiejar format)", () => {
  it("saves a slice as the juju CLI would and loads it back for that host only", async () => {
    const path = join(dir, "cookies", "c.json");
    const jar = new FileCookieJar(path);
    const expires = new Date("2099-01-01T00:00:00Z");
    await jar.save("Ctrl-UUID", [ROOT, DIS], expires);
    const entries = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>[];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      Name: "macaroon-553f4d359e92d84c5960e67100a577089d07f0b5de333518432c982c35d8a6bf",
      Domain: "ctrl-uuid",
      Path: "/",
      HostOnly: true,
      Persistent: true,
      Expires: "2099-01-01T00:00:00Z",
    });
    expect(JSON.parse(Buffer.from(String(entries[0]?.Value), "base64").toString())).toEqual([
      ROOT,
      DIS,
    ]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await jar.load(["ctrl-uuid"])).toEqual([[ROOT, DIS]]);
    expect(await jar.load(["10.0.0.1"])).toEqual([]);
  });

  it("replaces the same cookie, keeps other cookies and drops expired ones", async () => {
    const path = join(dir, "c.json");
    await writeFile(
      path,
      JSON.stringify([
        { Name: "other", Value: "x", Domain: "h", Path: "/", Expires: "2099-01-01T00:00:00Z" },
        { Name: "old", Value: "y", Domain: "h", Path: "/", Expires: "2001-01-01T00:00:00Z" },
      ]),
    );
    const jar = new FileCookieJar(path);
    await jar.save("h", [ROOT, DIS], undefined);
    await jar.save("h", [ROOT, DIS], undefined);
    const names = (
      JSON.parse(await readFile(path, "utf8")) as { Name: string; Expires: string }[]
    ).map((e) => e.Name);
    expect(names).toEqual(["other", expect.stringMatching(/^macaroon-/)]);
  });

  it("raises JujuDataError on a jar that is not a cookie array", async () => {
    const path = join(dir, "bad.json");
    await writeFile(path, "{}");
    await expect(new FileCookieJar(path).load(["h"])).rejects.toBeInstanceOf(JujuDataError);
    await expect(new FileCookieJar(path).save("h", [ROOT], undefined)).rejects.toBeInstanceOf(
      JujuDataError,
    );
    expect(await new FileCookieJar(join(dir, "missing.json")).load(["h"])).toEqual([]);
  });
});
