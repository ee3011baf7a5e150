import { describe, expect, it } from "vitest";
import { HttpDischarger, MemoryMacaroonJar } from "./discharger.js";
import { AbortError, DischargeError, InteractionRequiredError } from "./errors.js";

const MAC = { i: "cav", s64: "A".repeat(43) };

/** A fetch answering from a list of [status, body] by call order, recording the requests. */
function fakeFetch(answers: Array<[number, unknown]>) {
  const calls: Array<{
    url: string;
    method: string;
    body: string;
    headers: Record<string, string>;
  }> = [];
  const f = (async (url: string | URL, init?: RequestInit) => {
    calls.push({
      url: String(url),
      method: init?.method ?? "GET",
      body: String(init?.body ?? ""),
      headers: (init?.headers ?? {}) as Record<string, string>,
    });
    const [status, body] = answers.shift() ?? [500, "no more answers"];
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
  }) as typeof fetch;
  return { f, calls };
}

const req = (id: Uint8Array, data?: Uint8Array) => ({
  location: "https://idm.example/auth",
  caveatId: id,
  caveatData: data,
});

describe("HttpDischarger", () => {
  it("posts id64 and caveat64 with the bakery protocol header", async () => {
    const { f, calls } = fakeFetch([[200, { Macaroon: MAC }]]);
    const m = await new HttpDischarger({ fetch: f }).discharge(
      req(Uint8Array.from([3, 0xff]), Uint8Array.from([1, 2, 3])),
    );
    expect(m).toEqual(MAC);
    expect(calls[0]?.url).toBe("https://idm.example/auth/discharge");
    expect(calls[0]?.headers["Bakery-Protocol-Version"]).toBe("3");
    expect(new URLSearchParams(calls[0]?.body)).toEqual(
      new URLSearchParams({ id64: "A_8", caveat64: "AQID" }),
    );
  });

  it("follows the legacy VisitURL/WaitURL interaction", async () => {
    const { f, calls } = fakeFetch([
      [
        401,
        {
          Code: "interaction required",
          Message: "login",
          Info: { VisitURL: "visit/1", WaitURL: "wait/1" },
        },
      ],
      [200, { Macaroon: MAC }],
    ]);
    const seen: string[] = [];
    const m = await new HttpDischarger({
      fetch: f,
      onInteraction: (i) => void seen.push(i.visitUrl),
    }).discharge(req(new TextEncoder().encode("cav")));
    expect(m).toEqual(MAC);
    expect(seen).toEqual(["https://idm.example/auth/visit/1"]);
    expect(calls[1]?.url).toBe("https://idm.example/auth/wait/1");
  });

  it("sends the wait token back on the browser-window method", async () => {
    const { f, calls } = fakeFetch([
      [
        401,
        {
          Code: "interaction required",
          Info: {
            InteractionMethods: { "browser-window": { VisitURL: "/v", WaitTokenURL: "/w" } },
          },
        },
      ],
      [200, { kind: "browser-window", token: "tok" }],
      [200, { Macaroon: MAC }],
    ]);
    await new HttpDischarger({ fetch: f, onInteraction: () => undefined }).discharge(
      req(new TextEncoder().encode("c")),
    );
    expect(calls[1]?.url).toBe("https://idm.example/w");
    const retry = new URLSearchParams(calls[2]?.body);
    expect(retry.get("token")).toBe("tok");
    expect(retry.get("token-kind")).toBe("browser-window");
  });

  it("throws InteractionRequiredError without onInteraction", async () => {
    const { f } = fakeFetch([
      [401, { Code: "interaction required", Info: { VisitURL: "https://idm.example/v" } }],
    ]);
    const err = await new HttpDischarger({ fetch: f })
      .discharge(req(Uint8Array.of(1)))
      .catch((e) => e);
    expect(err).toBeInstanceOf(InteractionRequiredError);
    expect(err.visitUrl).toBe("https://idm.example/v");
  });

  it.each([
    ["a refusal", [403, { Code: "permission denied", Message: "no" }], "no"],
    ["a non-JSON answer", [502, "<html>bad gateway</html>"], "without a JSON object"],
    ["a 200 without a macaroon", [200, {}], "holds no macaroon"],
    [
      "an unsupported interaction",
      [401, { Code: "interaction required", Info: {} }],
      "no browser-window",
    ],
  ] as const)("turns %s into DischargeError", async (_what, answer, text) => {
    const { f } = fakeFetch([answer as [number, unknown]]);
    const err = await new HttpDischarger({ fetch: f, onInteraction: () => undefined })
      .discharge(req(Uint8Array.of(1)))
      .catch((e) => e);
    expect(err).toBeInstanceOf(DischargeError);
    expect(err.message).toContain(text);
  });

  it("reports an unreachable discharger as DischargeError, and an abort as AbortError", async () => {
    const down = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    const err = await new HttpDischarger({ fetch: down })
      .discharge(req(Uint8Array.of(1)))
      .catch((e) => e);
    expect(err).toBeInstanceOf(DischargeError);
    expect(err.message).toContain("cannot reach the discharger");
    const ac = new AbortController();
    ac.abort();
    const aborted = await new HttpDischarger({ fetch: down })
      .discharge({ ...req(Uint8Array.of(1)), signal: ac.signal })
      .catch((e) => e);
    expect(aborted).toBeInstanceOf(AbortError);
  });
});

describe("MemoryMacaroonJar", () => {
  it("returns unexpired slices for the asked hosts only", async () => {
    const jar = new MemoryMacaroonJar();
    await jar.save("a", [MAC], undefined);
    await jar.save("b", [{ ...MAC, i: "other" }], new Date(Date.now() - 1000));
    expect(await jar.load(["a", "b"])).toEqual([[MAC]]);
    expect(await jar.load(["c"])).toEqual([]);
  });
});
