import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The connection core must run in a browser over a native WebSocket, so it
// may only import other core modules (and generated facade data/types).
const CORE = [
  "bulk.ts",
  "connect-core.ts",
  "connection.ts",
  "credentials.ts",
  "discharger.ts",
  "errors.ts",
  "facade-client.ts",
  "facade-table.ts",
  "login.ts",
  "macaroon.ts",
  "memory-transport.ts",
  "negotiate.ts",
  "transport.ts",
];

async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(join(import.meta.dirname, file), "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!);
}

describe("browser-capable rpc core", () => {
  it.each(CORE)("%s imports only core modules", async (file) => {
    for (const spec of await importsOf(file)) {
      const allowed =
        spec.startsWith("../facades/generated/") ||
        // protocol/ is pure (test/architecture.test.ts checks it uses no Node module).
        spec.startsWith("../protocol/") ||
        (spec.startsWith("./") && CORE.includes(spec.slice(2).replace(/\.js$/, ".ts")));
      expect(allowed, `${file} imports ${spec}`).toBe(true);
    }
  });

  it("does not use Node globals in the core", async () => {
    for (const file of CORE) {
      const text = await readFile(join(import.meta.dirname, file), "utf8");
      expect(text, file).not.toMatch(/\b(Buffer|process|require)\s*[.(]/);
    }
  });
});
