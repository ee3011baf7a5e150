import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Builds dist/ first when the sources are newer: the CLI tests run the
    // built bin and the package test packs it (see the file's comment).
    globalSetup: ["./test/support/built-dist.ts"],
    reporters: ["default", "./test/reporters/summary-line.ts"],
  },
});
