// The alerts read model's fold (issue #15): a raise is an insert (state open), an
// acknowledgement and a resolve are patches carrying the stream revision, and within one
// batch they fold into the insert, so a batch that raises and resolves writes one row.
import { expect } from "chai";
import { foldAlerts } from "../../projections/alerts.js";
import type { RecordedEvent } from "../../src/infrastructure/eventStore/eventStore.js";

const A = "11111111-2222-4333-8444-555555555555";
const base = { alertId: A, domainId: "6f1d2c3b-4a59-4e68-8f70-112233445566", userId: "0c1d2e3f-4a5b-4c6d-8e7f-8899aabbccdd", hostname: "a.example.com", alertType: "ssl_expiry" as const };
const raised = { type: "AlertRaised" as const, data: { ...base, severity: "warning" as const, title: "t", message: "m", thresholdDays: 14, triggeredAt: "2026-01-01T00:00:00.000Z", checkId: A, dedupeKey: "k", passedOverKeys: [] } };
const acked = { type: "AlertAcknowledged" as const, data: { ...base, acknowledgedAt: "2026-01-02T00:00:00.000Z" } };
const resolved = { type: "AlertResolved" as const, data: { ...base, dedupeKey: "k", reason: "renewed" as const, checkId: A, resolvedAt: "2026-01-03T00:00:00.000Z" } };

const at = <E extends { type: string; data: unknown }>(event: E, revision: bigint) => ({
  event,
  recorded: { id: `e${revision}`, type: event.type, streamName: "s", revision, position: { commit: 1n, prepare: revision }, data: event.data, metadata: {}, createdAt: new Date() } as RecordedEvent,
});

describe("alerts fold (unit)", () => {
  it("folds a raise, its acknowledgement and its resolve in one batch into one resolved insert", () => {
    const rows = foldAlerts([at(raised, 3n), at(acked, 4n), at(resolved, 6n)]);
    expect(rows.patches.size).to.equal(0);
    expect(rows.inserts.get(A)).to.deep.include({ state: "resolved", acknowledged_at: acked.data.acknowledgedAt, resolved_at: resolved.data.resolvedAt, resolve_reason: "renewed", stream_revision: "6" });
  });

  it("patches an alert raised in an earlier batch, with the revision that guards replays", () => {
    const rows = foldAlerts([at(acked, 4n)]);
    expect(rows.inserts.size).to.equal(0);
    expect(rows.patches.get(A)).to.deep.equal({ id: A, state: "acknowledged", acknowledged_at: acked.data.acknowledgedAt, stream_revision: "4" });
    expect(foldAlerts([at(raised, 3n)]).inserts.get(A)).to.include({ state: "open", stream_revision: "3" });
  });
});
