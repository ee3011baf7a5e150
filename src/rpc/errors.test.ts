import { describe, expect, it } from "vitest";
import {
  JujuError,
  JujuNotFoundError,
  JujuRedirectError,
  JujuUnauthorizedError,
  redactSecrets,
} from "./errors.js";

describe("JujuError.fromWire", () => {
  it("picks the subclass from Juju's error code and keeps the call site", () => {
    const e = JujuError.fromWire(
      { message: "invalid entity name or password", code: "unauthorized access" },
      { facade: "Admin", version: 3, method: "Login", requestId: 1 },
    );
    expect(e).toBeInstanceOf(JujuUnauthorizedError);
    expect(e.jujuCode).toBe("unauthorized access");
    expect(e.code).toBe("ERR_JUJU_UNAUTHORIZED");
    expect(e.facade).toBe("Admin");
    expect(e.requestId).toBe(1);
    expect(
      JujuError.fromWire({ message: 'unknown model: "x"', code: "model not found" }),
    ).toBeInstanceOf(JujuNotFoundError);
  });

  it("exposes redirect servers and CA from error-info", () => {
    const e = JujuError.fromWire({
      message: "redirection required",
      code: "redirection required",
      info: {
        servers: [[{ value: "10.0.0.1", type: "ipv4", scope: "public", port: 17070 }]],
        "ca-cert": "PEM",
      },
    });
    expect(e).toBeInstanceOf(JujuRedirectError);
    expect((e as JujuRedirectError).servers[0]?.[0]?.value).toBe("10.0.0.1");
    expect((e as JujuRedirectError).caCert).toBe("PEM");
  });
});

describe("redactSecrets", () => {
  it("hides passwords and macaroons at any depth", () => {
    const out = JSON.stringify(
      redactSecrets({
        "auth-tag": "user-admin",
        credentials: "hunter2",
        nested: [{ macaroons: [[{}]] }],
      }),
    );
    expect(out).not.toContain("hunter2");
    expect(out).toContain("user-admin");
    expect(out).not.toContain("[[{}]]");
  });

  it("keeps the shape of an object under a secret-looking key (a charm option named token) but none of its values", () => {
    const out = redactSecrets({
      config: { token: { type: "string", description: "API token", default: "s3cr3t" } },
    }) as { config: { token: Record<string, unknown> } };
    expect(out.config.token).toEqual({
      type: "<redacted>",
      description: "<redacted>",
      default: "<redacted>",
    });
    expect(JSON.stringify(out)).not.toContain("s3cr3t");
  });

  it("hides secret values in content.data and value.data, keeping the keys", () => {
    const out = redactSecrets({
      args: [{ content: { data: { password: "aHVudGVyMg==" } }, label: "db" }],
      results: [{ uri: "secret:x", value: { data: { token: "czNjcjN0" } } }],
    });
    const text = JSON.stringify(out);
    expect(text).not.toContain("aHVudGVyMg==");
    expect(text).not.toContain("czNjcjN0");
    expect(out).toEqual({
      args: [{ content: { data: { password: "<redacted>" } }, label: "db" }],
      results: [{ uri: "secret:x", value: { data: { token: "<redacted>" } } }],
    });
  });
});
