import { describe, expect, it } from "vitest";
import { ProtocolError } from "../rpc/errors.js";
import { receiverName, TaskFollower } from "./status-poll.js";

const enqueued = (...ids: string[]) => ({
  operation: "operation-1",
  actions: ids.map((id) => ({
    action: { tag: `action-${id}`, receiver: "unit-mysql-0", name: "x" },
  })),
});
const result = (id: string, status: string, extra: Record<string, unknown> = {}) => ({
  action: { tag: `action-${id}`, receiver: "unit-mysql-0", name: "backup" },
  status,
  enqueued: "2026-11-30T10:00:00Z",
  ...extra,
});

describe("TaskFollower (actions on a status-polled model)", () => {
  it("names receivers as the AllWatcher does", () => {
    expect(receiverName("unit-mysql-router-12")).toBe("mysql-router/12");
    expect(receiverName("machine-0")).toBe("0");
    expect(receiverName("machine-3-lxd-1")).toBe("3/lxd/1");
  });

  it("follows enqueued tasks until final, one change per new state", () => {
    const f = new TaskFollower();
    f.follow({ results: [] });
    f.follow(null);
    expect(f.pending()).toEqual([]);
    f.follow(enqueued("6", "7"));
    expect(f.pending()).toEqual(["action-6", "action-7"]);

    const first = f.update({ results: [result("6", "pending"), result("7", "running")] }, "u", [
      "action-6",
      "action-7",
    ]);
    expect(first).toEqual([
      [
        "action",
        "change",
        {
          "model-uuid": "u",
          id: "6",
          receiver: "mysql/0",
          name: "backup",
          status: "pending",
          message: "",
          enqueued: "2026-11-30T10:00:00Z",
          started: "0001-01-01T00:00:00Z",
          completed: "0001-01-01T00:00:00Z",
        },
      ],
      ["action", "change", expect.objectContaining({ id: "7", status: "running" })],
    ]);
    // Nothing new: no deltas.
    expect(
      f.update({ results: [result("6", "pending"), result("7", "running")] }, "u", [
        "action-6",
        "action-7",
      ]),
    ).toEqual([]);
    const done = f.update(
      {
        results: [
          result("6", "completed", { completed: "2026-11-30T10:00:02Z" }),
          { error: { message: "action 7 not found", code: "not found" } },
        ],
      },
      "u",
      ["action-6", "action-7"],
    );
    expect(done).toEqual([
      ["action", "change", expect.objectContaining({ id: "6", status: "completed" })],
    ]);
    // Final and unknown tasks are not asked for again.
    expect(f.pending()).toEqual([]);
  });

  it("refuses a reply without one result per task", () => {
    const f = new TaskFollower();
    f.follow(enqueued("1"));
    expect(() => f.update({ results: [] }, "u", ["action-1"])).toThrow(ProtocolError);
    expect(() => f.update({}, "u", ["action-1"])).toThrow(ProtocolError);
  });
});
