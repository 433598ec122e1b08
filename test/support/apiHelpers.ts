// Small assertions and helpers shared by the end-to-end API suites.
import { expect } from "chai";
import type { ApiResponse } from "./testServer.js";

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A JSON error answer: the status, and a body that is exactly {"error": <string>}. */
export function expectError(res: ApiResponse, status: number, message?: string): void {
  const context = `${res.status} ${JSON.stringify(res.body)}`;
  expect(res.status, context).to.equal(status);
  expect(res.headers.get("content-type"), context).to.match(/^application\/json/);
  expect(res.body, context).to.be.an("object").that.has.all.keys("error");
  expect(res.body.error, context).to.be.a("string").with.length.above(0);
  if (message !== undefined) expect(res.body.error, context).to.equal(message);
}

/** Runs `work` for 0..count-1, `size` at a time concurrently; results in index order. */
export async function inGroups<T>(count: number, size: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += size) {
    const group = Array.from({ length: Math.min(size, count - start) }, (_, j) => work(start + j));
    results.push(...(await Promise.all(group)));
  }
  return results;
}

/** The event-sourced core alone: no check runs, so nothing reaches the network and every
 * domain stays unchecked ("pending"). Unknown settings are ignored by older configs. */
export const WITHOUT_CHECKS = { SSLTRACKR_SCHEDULER: "false", SSLTRACKR_CHECK_ON_CREATE: "false" };
