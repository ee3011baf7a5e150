/**
 * Local charm upload end to end: `Model.addLocalCharmDir` of a generated
 * 200 MB / 10,000-file charm (archive with `CharmArchiveGenerator`, hash,
 * HTTPS upload streamed from disk, the controller's answer) against a
 * simulator in another process, beside the baseline measured in the same
 * run: `zip -r -q` of the same tree plus a plain HTTPS PUT of that zip
 * (streamed) to a local HTTPS server that discards it. Reports throughput
 * (tree bytes per second) and the client's peak RSS growth.
 * @module
 */
import { execFile, fork } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Model } from "../src/index.js";
import type { BenchRow } from "./run.js";

const FILES = 10_000;
const TOTAL_BYTES = 200 * 1024 * 1024;
const MB = 1024 * 1024;

/** Writes a charm of `FILES` files and `TOTAL_BYTES` bytes: half random, half text per file. */
async function generateCharm(root: string): Promise<number> {
  await mkdir(join(root, "hooks"), { recursive: true });
  await writeFile(
    join(root, "metadata.yaml"),
    "name: big\nsummary: a large charm\ndescription: for the upload benchmark\nseries: [jammy]\n",
  );
  await writeFile(join(root, "hooks", "install"), "#!/bin/sh\necho install\n", { mode: 0o755 });
  await writeFile(join(root, "hooks", "start"), "#!/bin/sh\necho start\n", { mode: 0o755 });
  const { randomBytes } = await import("node:crypto");
  const noise = randomBytes(4 * MB);
  const text = Buffer.from("charm payload line, fairly compressible; ".repeat(2048));
  const per = Math.floor(TOTAL_BYTES / FILES);
  let written = 0;
  for (let i = 0; i < FILES; i++) {
    const d = join(root, "payload", `d${String(Math.floor(i / 100)).padStart(3, "0")}`);
    if (i % 100 === 0) await mkdir(d, { recursive: true });
    const half = Math.floor(per / 2);
    const off = (i * 7919) % (noise.length - half);
    const body = Buffer.concat([noise.subarray(off, off + half), text.subarray(0, per - half)]);
    await writeFile(join(d, `f${i}.bin`), body);
    written += body.length;
  }
  return written;
}

/** Samples RSS every 10 ms while `run` runs; returns its result, seconds and peak growth (bytes). */
async function measured<T>(
  run: () => Promise<T>,
): Promise<{ value: T; seconds: number; rss: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const t0 = performance.now();
  try {
    const value = await run();
    const seconds = (performance.now() - t0) / 1000;
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, seconds, rss: peak - base };
  } finally {
    clearInterval(timer);
  }
}

function zipTree(tree: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("zip", ["-r", "-q", out, "."], { cwd: tree }, (err) =>
      err ? reject(err) : resolve(),
    );
  });
}

/** A plain streamed HTTPS PUT of a file. */
function putFile(port: number, ca: string, file: string, size: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "PUT",
        path: "/upload",
        ca,
        servername: "juju-apiserver",
        agent: false,
        headers: { "Content-Type": "application/zip", "Content-Length": size },
      },
      (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error("PUT failed"))));
      },
    );
    req.on("error", reject);
    createReadStream(file, { highWaterMark: MB }).pipe(req);
  });
}

/** Runs the local charm upload benchmark. */
export async function benchLocalCharmUpload(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), "libjuju-bench-upload-"));
  const tree = join(dir, "big");
  const jujuData = join(dir, "juju");
  const child = fork(join(import.meta.dirname, "local-charm-upload.sim.js"), [jujuData], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  try {
    const ready = new Promise<{ plainPort: number; plainCa: string }>((resolve, reject) => {
      child.once("message", (m) => resolve(m as { plainPort: number; plainCa: string }));
      child.once("exit", (code) => reject(new Error(`simulator process exited (${code})`)));
    });
    const treeBytes = await generateCharm(tree);
    const server = await ready;

    // Baseline: zip -r, then a plain streamed HTTPS PUT of the zip.
    const zipPath = join(dir, "big.zip");
    const baseline = await measured(async () => {
      await zipTree(tree, zipPath);
      const { size } = await stat(zipPath);
      await putFile(server.plainPort, server.plainCa, zipPath, size);
      return size;
    });

    const model = await Model.connectCurrent({
      env: { JUJU_DATA: jujuData },
      pingInterval: 0,
      watch: false,
    });
    let url = "";
    let sentAt = 0;
    let t0 = 0;
    let ours: { seconds: number; rss: number };
    try {
      // Load the upload code once, so that its one-off cost is not counted as growth.
      await model.localEdge();
      ours = await measured(async () => {
        t0 = performance.now();
        url = await model.addLocalCharmDir(tree, {
          onProgress: (p) => {
            if (p.sent === p.total) sentAt = performance.now();
          },
        });
      });
    } finally {
      await model.disconnect();
    }
    const sentSeconds = (sentAt - t0) / 1000;
    const rate = (seconds: number) => treeBytes / MB / seconds;
    const baseRate = rate(baseline.seconds);
    const what = `${FILES} files, ${Math.round(treeBytes / MB)} MB`;
    const rss = `RSS +${Math.round(ours.rss / MB)} MB`;
    return [
      {
        benchmark: "local charm upload",
        case: `zip -r -q + HTTPS PUT of the zip (baseline), ${what}`,
        result: `${baseRate.toFixed(1)} MB/s, RSS +${Math.round(baseline.rss / MB)} MB`,
      },
      {
        benchmark: "local charm upload",
        case: "addLocalCharmDir: archive + hash + upload, to the last byte sent",
        result: `${rate(sentSeconds).toFixed(1)} MB/s, ${rss}`,
        vsBaseline: `${(rate(sentSeconds) / baseRate).toFixed(2)}×`,
        target: `≥ 0.5×; RSS < 100 MB (${ours.rss < 100 * MB ? "met" : "missed"})`,
      },
      {
        benchmark: "local charm upload",
        case: `… until the simulator answered ${url} (it checks and stores the zip)`,
        result: `${rate(ours.seconds).toFixed(1)} MB/s`,
        vsBaseline: `${(rate(ours.seconds) / baseRate).toFixed(2)}×`,
      },
    ];
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      if (child.connected) child.disconnect();
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  }
}

// `node .bench/bench/local-charm-upload.js` runs this benchmark alone.
if (process.argv[1]?.endsWith("local-charm-upload.js")) {
  const rows = await benchLocalCharmUpload();
  for (const r of rows) process.stdout.write(`${r.case}: ${r.result} ${r.vsBaseline ?? ""}\n`);
}
