/**
 * CharmArchiveGenerator throughput and memory on a generated 200 MB /
 * 10,000-file charm, against `zip -r -q` (Info-ZIP, deflate level 6, the
 * same compression) of the same tree in the same run. The archiver runs in
 * a child process so its peak RSS is its own. The tree is half
 * incompressible bytes (like wheels and images) and half source-like text.
 *
 * `LIBJUJU_BENCH_CHARM_MB` and `LIBJUJU_BENCH_CHARM_FILES` scale it down
 * for a quick look.
 * @module
 */
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./run.js";

const MB = 2 ** 20;
const TOTAL_MB = Number(process.env.LIBJUJU_BENCH_CHARM_MB ?? 200);
const FILES = Number(process.env.LIBJUJU_BENCH_CHARM_FILES ?? 10_000);
const PER_DIR = 100;

const WORDS =
  "def class import return self if else for in while yield async await lambda None True False try except raise with as from pass relation unit charm config event status".split(
    " ",
  );

/** Deterministic pseudo-random numbers (xorshift32), so every run builds the same tree. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

function sourceText(bytes: number, rand: () => number): Buffer {
  const parts: string[] = [];
  let n = 0;
  while (n < bytes) {
    const indent = "    ".repeat(Math.floor(rand() * 3));
    let line = indent;
    const words = 3 + Math.floor(rand() * 8);
    for (let i = 0; i < words; i++) line += `${WORDS[Math.floor(rand() * WORDS.length)]} `;
    line += `x${Math.floor(rand() * 1000)}\n`;
    parts.push(line);
    n += line.length;
  }
  return Buffer.from(parts.join(""), "utf8").subarray(0, bytes);
}

/** Writes the charm tree; returns its total file bytes. */
function generate(root: string): number {
  const rand = rng(42);
  writeFileSync(
    join(root, "metadata.yaml"),
    "name: bench\nsummary: s\ndescription: d\nseries: [jammy]\n",
  );
  const total = TOTAL_MB * MB;
  const avg = total / FILES;
  let written = 0;
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, "lib", `pkg${Math.floor(i / PER_DIR)}`);
    if (i % PER_DIR === 0) mkdirSync(dir, { recursive: true });
    const size =
      i === FILES - 1 ? Math.max(0, total - written) : Math.floor(avg * (0.05 + 1.9 * rand()));
    const data = i % 2 === 0 ? randomBytes(size) : sourceText(size, rand);
    writeFileSync(join(dir, `f${i}.${i % 2 === 0 ? "bin" : "py"}`), data);
    written += size;
  }
  return written;
}

function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  return new Promise((ok, fail) => {
    execFile(cmd, args, { cwd, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) fail(new Error(`${cmd} failed: ${err.message}\n${stderr}`));
      else ok(stdout);
    });
  });
}

/**
 * CPU seconds used by this process's waited-for children so far (Linux
 * `/proc/self/stat` cutime + cstime), or `undefined` elsewhere. On a busy
 * machine CPU time compares the two archivers more fairly than wall time.
 */
function childrenCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 16 and 17 of stat(5); the slice starts at field 3.
    const ticks = Number(fields[13]) + Number(fields[14]);
    const hz = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    return ticks / hz;
  } catch {
    return undefined;
  }
}

interface ChildReport {
  seconds: number;
  cpuSeconds: number;
  size: number;
  entries: number;
  rssBefore: number;
  rssPeak: number;
}

/** Runs the charm archive benchmark. */
export async function benchCharmArchive(): Promise<BenchRow[]> {
  const work = mkdtempSync(join(tmpdir(), "libjuju-bench-charm-"));
  try {
    const charm = join(work, "charm");
    mkdirSync(charm);
    const bytes = generate(charm);
    const mbIn = bytes / MB;

    // Baseline: Info-ZIP over the same tree, warm cache (the tree was just written).
    const zipOut = join(work, "baseline.zip");
    const z0 = performance.now();
    const zc0 = childrenCpuSeconds();
    await run("zip", ["-r", "-q", zipOut, "."], charm);
    const zipSeconds = (performance.now() - z0) / 1000;
    const zc1 = childrenCpuSeconds();
    const zipCpu = zc0 === undefined || zc1 === undefined ? undefined : zc1 - zc0;
    const zipSize = statSync(zipOut).size;
    rmSync(zipOut);

    const child = fileURLToPath(new URL("./charm-archive-child.js", import.meta.url));
    const ourOut = join(work, "bench.charm");
    const report = JSON.parse(
      await run(process.execPath, ["--expose-gc", child, charm, ourOut]),
    ) as ChildReport;

    const zipRate = mbIn / zipSeconds;
    const ourRate = mbIn / report.seconds;
    const growth = (report.rssPeak - report.rssBefore) / MB;
    const label = `${mbIn.toFixed(0)} MB / ${FILES} files`;
    const cpuNote = (cpu: number | undefined): string =>
      cpu === undefined ? "" : `, CPU ${cpu.toFixed(1)} s`;
    return [
      {
        benchmark: "charm archive",
        case: `baseline: zip -r -q, ${label}`,
        result: `${zipRate.toFixed(1)} MB/s (${(zipSize / MB).toFixed(1)} MB out${cpuNote(zipCpu)})`,
      },
      {
        benchmark: "charm archive",
        case: `CharmArchiveGenerator, ${label}`,
        result: `${ourRate.toFixed(1)} MB/s (${(report.size / MB).toFixed(1)} MB out${cpuNote(report.cpuSeconds)}), RSS +${growth.toFixed(0)} MiB`,
        vsBaseline: `${(ourRate / zipRate).toFixed(2)}× wall${zipCpu === undefined ? "" : `, ${(zipCpu / report.cpuSeconds).toFixed(2)}× CPU`}`,
        target: "≥ 0.50× zip -r; RSS growth < 100 MiB",
      },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// `node .bench/bench/charm-archive.js` runs it alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await benchCharmArchive()) {
    process.stdout.write(`${r.case}: ${r.result} ${r.vsBaseline ?? ""} ${r.target ?? ""}\n`);
  }
}
