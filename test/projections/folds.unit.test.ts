// The projections' folds are pure: a batch of decoded events in, the rows to write out. These
// prove what a batch writes without a database; replaying batches against real tables is in
// test/infrastructure/projections/batchEngine.integration.test.ts.
import { expect } from "chai";
import { foldAccounts } from "../../projections/accounts.js";
import { foldAlertSettings } from "../../projections/alertSettings.js";
import { foldChecks } from "../../projections/checkHistory.js";
import { foldDigestSettings } from "../../projections/digestSettings.js";
import { foldDomains } from "../../projections/domains.js";
import { matchDeliveries } from "../../projections/webhooks.js";
import type { RecordedEvent } from "../../src/infrastructure/eventStore/eventStore.js";
import { StoredMember } from "../../src/infrastructure/projections/rowWrites.js";
import { DEFAULT_ALERT_SETTINGS } from "../../src/monitoring/alertSettings.js";
import { DEFAULT_DIGEST_SETTINGS } from "../../src/reports/digestSettings.js";

let revision = 0n;
/** An event as the runner hands it over; `revision` counts up like a stream's. */
function decoded<E extends { type: string; data: unknown }>(event: E, metadata: Record<string, unknown> = {}) {
  const recorded = { id: `e${revision}`, type: event.type, streamName: "s", revision: revision++, position: { commit: 1n, prepare: revision }, data: event.data, metadata, createdAt: new Date() } as RecordedEvent;
  return { event, recorded };
}

const D = "11111111-1111-4111-8111-111111111111";
const added = { type: "DomainAdded" as const, data: { domainId: D, userId: "u1", hostname: "a.example.com", port: 443, notes: null, tags: ["x"], addedAt: "2026-01-01T00:00:00.000Z" } };

describe("projection folds (unit)", () => {
  beforeEach(() => (revision = 0n));

  it("domains: a domain added in the batch is one insert that absorbs its later changes", () => {
    const rows = foldDomains([
      decoded(added),
      decoded({ type: "DomainUpdated", data: { domainId: D, changes: { notes: "n", port: 8443 }, updatedAt: "2026-01-02T00:00:00.000Z" } }),
      decoded({ type: "DomainRemoved", data: { domainId: D, removedAt: "2026-01-03T00:00:00.000Z" } }),
    ] as never);
    expect(rows.patches.size).to.equal(0);
    expect(rows.inserts.get(D)).to.deep.include({ hostname: "a.example.com", port: 8443, notes: "n", tags: ["x"], deleted_at: "2026-01-03T00:00:00.000Z", stream_revision: "2" });
  });

  it("domains: changes to an existing domain merge into one patch, the last value of each column winning", () => {
    revision = 5n;
    const rows = foldDomains([
      decoded({ type: "DomainUpdated", data: { domainId: D, changes: { notes: "first" }, updatedAt: "2026-01-02T00:00:00.000Z" } }),
      decoded({ type: "DomainUpdated", data: { domainId: D, changes: { notes: "second", isActive: false }, updatedAt: "2026-01-03T00:00:00.000Z" } }),
    ] as never);
    expect(rows.inserts.size).to.equal(0);
    expect(rows.patches.get(D)).to.deep.equal({ id: D, notes: "second", is_active: false, updated_at: "2026-01-03T00:00:00.000Z", stream_revision: "6" });
  });

  it("domains: a move clears the facts of the target left (issue #10, 4), and the old target's late results are dropped", () => {
    revision = 10n;
    const ssl = { hostname: "a.example.com", port: 443, grade: "A", valid_to: "2027-01-01T00:00:00.000Z", earliest_expiry: { valid_to: "2027-01-01T00:00:00.000Z" }, chain_valid: true, checked_at: "2026-01-04T00:00:00.000Z" };
    const rows = foldDomains([
      decoded(added),
      decoded({ type: "DomainUpdated", data: { domainId: D, changes: { hostname: "b.example.com" }, updatedAt: "2026-01-02T00:00:00.000Z" } }),
      decoded({ type: "SslChecked", data: { checkId: "c1", domainId: D, trigger: "scheduled", result: ssl } }),
    ] as never);
    expect(rows.inserts.get(D)).to.deep.include({ hostname: "b.example.com", ssl_grade: null, ssl_valid_to: null, whois_expiry: null });

    const patch = foldDomains([
      decoded({ type: "DomainUpdated", data: { domainId: D, changes: { port: 8443 }, updatedAt: "2026-01-02T00:00:00.000Z" } }),
    ] as never).patches.get(D);
    expect(patch).to.include({ port: 8443, ssl_grade: null, ssl_checked_at: null });
    expect(patch).to.not.have.property("whois_expiry");
  });

  it("domains: an SSL check sets the leaf and its two-thirds point; an ARI window sets its own columns, a failed look-up none (issue #14)", () => {
    revision = 20n;
    const ssl = {
      hostname: "a.example.com", port: 443, grade: "A", fingerprint_sha256: "aa:01",
      valid_from: "2026-01-01T00:00:00.000Z", valid_to: "2026-01-07T00:00:00.000Z",
      earliest_expiry: { valid_to: "2026-01-07T00:00:00.000Z" }, chain_valid: true, checked_at: "2026-01-02T00:00:00.000Z",
    };
    const info = (outcome: "ok" | "failed") => ({
      certificate_id: "x.y", fingerprint_sha256: "aa:01", directory_url: "https://acme.test/directory", outcome,
      renewal_window: outcome === "ok" ? { start: "2026-01-04T00:00:00.000Z", end: "2026-01-05T00:00:00.000Z" } : null,
      explanation_url: null, message: null, fetched_at: "2026-01-02T00:00:00.000Z", next_fetch_at: "2026-01-02T06:00:00.000Z",
    });
    const patch = foldDomains([
      decoded({ type: "SslChecked", data: { checkId: "c1", domainId: D, trigger: "scheduled", result: ssl } }),
      decoded({ type: "RenewalInfoFetched", data: { checkId: "c1", domainId: D, info: info("ok") } }),
    ] as never).patches.get(D);
    expect(patch).to.include({
      ssl_fingerprint: "aa:01",
      ssl_lifetime_due_at: "2026-01-05T00:00:00.000Z",
      ari_fingerprint: "aa:01",
      ari_window_start: "2026-01-04T00:00:00.000Z",
      ari_window_end: "2026-01-05T00:00:00.000Z",
    });
    const failed = foldDomains([decoded({ type: "RenewalInfoFetched", data: { checkId: "c2", domainId: D, info: info("failed") } })] as never).patches.get(D);
    expect(failed).to.deep.equal({ id: D, stream_revision: "22" });
    const moved = foldDomains([decoded({ type: "DomainUpdated", data: { domainId: D, changes: { port: 8443 }, updatedAt: "2026-01-03T00:00:00.000Z" } })] as never).patches.get(D);
    expect(moved).to.include({ ssl_fingerprint: null, ari_fingerprint: null, ari_window_start: null, ssl_lifetime_due_at: null });
  });

  it("check history: one row per check, into the table of its kind, the result kept whole", () => {
    const result = { outcome: "error", checked_at: "2026-01-01T00:00:00.000Z", error: { code: "timeout" } };
    const failed = decoded({ type: "SslCheckFailed", data: { checkId: "c1", domainId: D, trigger: "scheduled", result } });
    const { ssl, whois } = foldChecks([failed, decoded({ type: "WhoisCheckFailed", data: { checkId: "c2", domainId: D, trigger: "manual", result } })] as never);
    // Whole, and as stored: a COPY may take it out of the log by the event's id.
    const stored = new StoredMember(result, failed.recorded.id, "result");
    expect(ssl).to.deep.equal([{ id: "c1", domain_id: D, outcome: "error", trigger: "scheduled", checked_at: result.checked_at, result: stored }]);
    expect(whois.map((r) => r["id"])).to.deep.equal(["c2"]);

    // An upcast event's data is not what the log holds: its result goes as its value.
    const upcast = decoded({ type: "SslCheckFailed", data: { checkId: "c3", domainId: D, trigger: "scheduled", result } });
    const [row] = foldChecks([{ ...upcast, recorded: { ...upcast.recorded, data: { ...upcast.event.data } } }] as never).ssl;
    expect(row?.["result"]).to.deep.equal(new StoredMember(result, null, "result"));
  });

  it("accounts: a key revoked in the batch it was created in is inserted revoked", () => {
    const { users, keys } = foldAccounts([
      decoded({ type: "UserRegistered", data: { userId: "u1", email: "a@example.com", registeredAt: "2026-01-01T00:00:00.000Z" } }),
      decoded({ type: "ApiKeyCreated", data: { keyId: "k1", userId: "u1", label: "l", permissions: ["read"], keyHash: "h", keyPrefix: "p", expiresAt: null, createdAt: "2026-01-01T00:00:00.000Z" } }),
      decoded({ type: "ApiKeyRevoked", data: { keyId: "k1", revokedAt: "2026-01-02T00:00:00.000Z" } }),
      decoded({ type: "ApiKeyRevoked", data: { keyId: "k0", revokedAt: "2026-01-02T00:00:00.000Z" } }),
    ] as never);
    expect(users).to.have.length(1);
    expect(keys.inserts.get("k1")).to.deep.include({ revoked_at: "2026-01-02T00:00:00.000Z" });
    expect(keys.patches.get("k0")).to.deep.equal({ id: "k0", revoked_at: "2026-01-02T00:00:00.000Z" });
  });

  it("alert settings: a user's last change in the batch wins", () => {
    const changed = (at: string, days: number) =>
      decoded({ type: "AlertSettingsChanged", data: { userId: "u1", settings: { ...DEFAULT_ALERT_SETTINGS, ssl_expiry_days: [days] }, changedAt: at } });
    const rows = foldAlertSettings([changed("2026-01-01T00:00:00.000Z", 30), changed("2026-01-02T00:00:00.000Z", 7)] as never);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.deep.include({ updated_at: "2026-01-02T00:00:00.000Z" });
  });

  it("digest settings: each user's latest change in the batch, with enabled beside the settings for the runner's index", () => {
    const changed = (userId: string, changedAt: string, enabled: boolean) =>
      decoded({ type: "DigestSettingsChanged" as const, data: { userId, settings: { ...DEFAULT_DIGEST_SETTINGS, enabled }, changedAt } });
    const rows = foldDigestSettings([changed("u1", "2026-01-01T00:00:00.000Z", true), changed("u2", "2026-01-01T00:00:00.000Z", true), changed("u1", "2026-01-02T00:00:00.000Z", false)]);
    expect(rows.map((r) => [r["user_id"], r["enabled"], r["updated_at"]])).to.deep.equal([
      ["u1", false, "2026-01-02T00:00:00.000Z"],
      ["u2", true, "2026-01-01T00:00:00.000Z"],
    ]);
  });

  it("webhooks: an alert goes to each active webhook of its user that selected its type, with its trace context", () => {
    const alert = decoded({ type: "AlertRaised", data: { alertId: "a1", userId: "u1", alertType: "ssl_expiry" } }, { traceparent: "00-t-s-01" });
    const deliveries = matchDeliveries([alert] as never, [
      { id: "w1", user_id: "u1", alert_types: ["ssl_expiry"] },
      { id: "w2", user_id: "u1", alert_types: ["domain_expiry"] },
      { id: "w3", user_id: "u2", alert_types: ["ssl_expiry"] },
    ]);
    expect(deliveries.map((d) => [d.webhookId, d.cause.traceparent])).to.deep.equal([["w1", "00-t-s-01"]]);
  });
});
