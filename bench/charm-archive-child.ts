/**
 * Child process of the charm archive benchmark: archives one charm directory
 * and prints its own timing and memory as JSON, so that peak RSS is the
 * archiver's alone (not the benchmark runner's, nor earlier benchmarks').
 *
 * Usage: node charm-archive-child.js <charm dir> <archive path>
 * @module
 */
import { CharmArchiveGenerator } from "../src/charm/archive.js";

const [dir, out] = process.argv.slice(2);
if (dir === undefined || out === undefined) {
  process.stderr.write("usage: charm-archive-child <charm dir> <archive path>\n");
  process.exit(2);
}
const gen = new CharmArchiveGenerator(dir);
// Let start-up settle so the baseline is the loaded process, not a moving target.
(globalThis as { gc?: () => void }).gc?.();
const rssBefore = process.memoryUsage().rss;
let rssPeakSampled = rssBefore;
const sampler = setInterval(() => {
  rssPeakSampled = Math.max(rssPeakSampled, process.memoryUsage.rss());
}, 5);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const res = await gen.makeArchive(out);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);
// maxRSS is the kernel's high-water mark (KiB): it also catches peaks between samples.
const maxRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  `${JSON.stringify({
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    size: res.size,
    entries: res.entries.length,
    rssBefore,
    rssPeak: Math.max(maxRss, rssPeakSampled),
  })}\n`,
);
