import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import SlowFirstSequencer from "./test/support/slow-first-sequencer.js";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // vitest's default is one worker fewer than the cores: a single worker on
    // CI's 2 cores. The e2e files spend much of their time waiting on sockets,
    // child processes and timers, so one worker per core keeps both busy.
    maxWorkers: Math.max(2, availableParallelism()),
    // Longest files first, so the two workers finish together.
    sequence: { sequencer: SlowFirstSequencer },
    // Builds dist/ first when the sources are newer: the CLI tests run the
    // built bin and the package test packs it (see the file's comment).
    globalSetup: ["./test/support/built-dist.ts"],
    reporters: ["default", "./test/reporters/summary-line.ts"],
  },
});
