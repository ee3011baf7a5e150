import { describe, expect, it } from "vitest";
import { bulkResultsStrict } from "./bulk.js";
import { JujuBulkError, JujuNotFoundError } from "./errors.js";

const site = { facade: "Application", version: 20, method: "DestroyApplication" };
const notFound = { error: { message: 'application "nosuch" not found', code: "not found" } };

describe("bulkResultsStrict", () => {
  it("throws the item's own error, with Juju's message, for a call of one item", () => {
    let err: unknown;
    try {
      bulkResultsStrict({ results: [notFound] }, site);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JujuNotFoundError);
    expect(err).not.toBeInstanceOf(JujuBulkError);
    const e = err as JujuNotFoundError;
    expect(e.message).toBe('application "nosuch" not found');
    expect(e.code).toBe("ERR_JUJU_NOT_FOUND");
    expect(e.jujuCode).toBe("not found");
    expect(e.method).toBe("DestroyApplication");
    expect(e.bulkIndex).toBe(0);
  });

  it("throws a JujuBulkError naming the failed items of a call of several, keeping the successes", () => {
    let err: unknown;
    try {
      bulkResultsStrict({ results: [{ info: 1 }, notFound] }, site);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JujuBulkError);
    const e = err as JujuBulkError;
    expect(e.code).toBe("ERR_JUJU_BULK");
    expect(e.jujuCode).toBe("not found");
    expect(e.message).toBe(
      'Application.DestroyApplication: 1 of 2 items failed: [1] application "nosuch" not found',
    );
    expect(e.failures[0]?.error).toBeInstanceOf(JujuNotFoundError);
    expect(e.failures[0]?.error.bulkIndex).toBe(1);
    expect(e.results[0]).toEqual({ info: 1 });
  });

  it("returns the items when none failed", () => {
    expect(bulkResultsStrict({ results: [{ a: 1 }, { error: null }] })).toEqual([
      { a: 1 },
      { error: null },
    ]);
  });
});
