// The analytics projection's fold (issue 12): a batch of events and the state its tables held
// before it in, each table's rows out, without a database. Applying the rows to real tables,
// in batches of any size and with replays, is in analytics.integration.test.ts.
import { expect } from "chai";
import type { DomainStreamEvent } from "../../src/domains/domainStream.js";
import type { RecordedEvent } from "../../src/infrastructure/eventStore/eventStore.js";
import { certificateKey } from "../../projections/analytics/certificateRenewals.js";
import { batchNeeds, foldAnalytics, type AnalyticsEvent, type BatchState } from "../../projections/analytics/fold.js";
import { sslCheckOfCertificate, type CertificateSpec } from "../support/analyticsFixtures.js";
import { registrationCheckOk, sslCheckFailed } from "../support/checkFixtures.js";

const D = "11111111-1111-4111-8111-111111111111";
const E = "22222222-2222-4222-8222-222222222222";
const U = "33333333-3333-4333-8333-333333333333";
const LE = "CN=R11, O=Let's Encrypt, C=US";
const OLD: CertificateSpec = { fingerprint: "01:01", issuer: LE, validFrom: "2026-01-01T00:00:00.000Z", validTo: "2026-03-31T00:00:00.000Z" };
const NEW: CertificateSpec = { fingerprint: "02:02", issuer: "CN=E6, O=Other CA, C=US", validFrom: "2026-03-09T00:00:00.000Z", validTo: "2026-06-09T00:00:00.000Z" };

let revision = 0n;
function decoded(event: DomainStreamEvent): AnalyticsEvent {
  const recorded = { id: `e${revision}`, type: event.type, streamName: "s", revision: revision++, position: { commit: 1n, prepare: revision }, data: event.data, metadata: {}, createdAt: new Date() } as RecordedEvent;
  return { event, recorded };
}

const added = (domainId: string, at: string) =>
  decoded({ type: "DomainAdded", data: { domainId, userId: U, hostname: "a.example.com", requestedHostname: "a.example.com", port: 443, notes: null, tags: [], addedAt: at } });
const ssl = (domainId: string, at: string, cert: CertificateSpec, port = 443) =>
  decoded({ type: "SslChecked", data: { checkId: `check-${revision}`, domainId, trigger: "scheduled", result: sslCheckOfCertificate({ hostname: "a.example.com", port, now: new Date(at) }, cert) } } as DomainStreamEvent);
const removed = (domainId: string, at: string) => decoded({ type: "DomainRemoved", data: { domainId, removedAt: at } } as DomainStreamEvent);

const empty: BatchState = { openDay: null, owners: new Map(), baselines: new Map() };

describe("analytics fold (unit)", () => {
  beforeEach(() => (revision = 0n));

  it("cuts the batch where an event closes days, so those days see only the events before it", () => {
    const rows = foldAnalytics(
      [
        added(D, "2026-03-01T09:00:00.000Z"),
        added(E, "2026-03-01T10:00:00.000Z"),
        removed(E, "2026-03-02T08:00:00.000Z"), // closes 03-01
        ssl(D, "2026-03-04T10:00:00.000Z", OLD), // closes 03-02 and 03-03
        ssl(D, "2026-03-03T23:59:00.000Z", OLD), // a day already closed: closes nothing
      ],
      empty,
    );
    expect(rows.parts.map((p) => p.closes)).to.deep.equal([{ from: "2026-03-01", until: "2026-03-02" }, { from: "2026-03-02", until: "2026-03-04" }, null]);
    expect(rows.parts.map((p) => [[...p.domains.inserts.keys()], [...p.domains.patches.keys()], [...p.facts.keys()]])).to.deep.equal([
      [[D, E], [], []],
      [[], [E], []],
      [[], [], [D]],
    ]);
    expect(rows.openDay).to.equal("2026-03-04");
  });

  it("moves the open day only forward, and leaves it when a replayed batch is behind it", () => {
    const events = [added(D, "2026-03-01T09:00:00.000Z"), removed(D, "2026-03-02T08:00:00.000Z")];
    const replayed = foldAnalytics(events, { ...empty, openDay: "2026-03-02" });
    expect(replayed.openDay).to.equal(null);
    expect(replayed.parts.map((p) => p.closes)).to.deep.equal([null]);
  });

  it("merges a domain's check facts into one row with the last event's revision; a move clears what it must", () => {
    revision = 4n;
    const now = new Date("2026-03-01T10:00:00.000Z");
    const rows = foldAnalytics(
      [
        ssl(D, now.toISOString(), OLD),
        decoded({ type: "SslCheckFailed", data: { checkId: "f", domainId: D, trigger: "scheduled", result: sslCheckFailed({ hostname: "a.example.com", now }) } } as DomainStreamEvent),
        decoded({ type: "WhoisChecked", data: { checkId: "w", domainId: D, trigger: "scheduled", result: registrationCheckOk({ hostname: "a.example.com", now }) } } as DomainStreamEvent),
        decoded({ type: "DomainUpdated", data: { domainId: E, changes: { port: 8443 }, updatedAt: now.toISOString() } } as DomainStreamEvent),
      ],
      { ...empty, openDay: "2026-03-01", owners: new Map([[D, U]]) },
    );
    const [part] = rows.parts;
    expect(part?.facts.get(D)).to.deep.include({ ssl_valid_to: OLD.validTo, ssl_check_failed: true, whois_check_failed: false, stream_revision: "6" });
    expect(part?.facts.get(E)).to.deep.equal({ domain_id: E, ssl_valid_to: null, ssl_earliest_expiry: null, ssl_chain_valid: null, ssl_check_failed: null, ssl_checked_at: null, stream_revision: "7" });
    expect(part?.domains.patches.get(E)).to.deep.equal({ domain_id: E, port: 8443, stream_revision: "7" });
    expect(rows.registrations).to.have.length(1);
    expect(rows.registrations[0]).to.include({ domain_id: D, user_id: U, check_id: "w", stream_revision: "6" });
  });

  it("takes a check's owner from a domain added in the batch, or from the state read; an unknown domain is a bug", () => {
    const inBatch = foldAnalytics([added(D, "2026-03-01T09:00:00.000Z"), ssl(D, "2026-03-01T10:00:00.000Z", OLD)], empty);
    expect(inBatch.certificateChecks[0]).to.include({ domain_id: D, user_id: U, fingerprint_sha256: OLD.fingerprint, issuer_organization: "Let's Encrypt" });
    expect(foldAnalytics([ssl(E, "2026-03-01T10:00:00.000Z", OLD)], { ...empty, owners: new Map([[E, "someone"]]) }).certificateChecks[0]).to.include({ user_id: "someone" });
    expect(() => foldAnalytics([ssl(E, "2026-03-01T10:00:00.000Z", OLD)], empty)).to.throw(/unknown domain/);
  });

  it("reads only what the batch does not carry: owners of domains it does not add, baselines of what its SSL checks see", () => {
    const events = [added(D, "2026-03-01T09:00:00.000Z"), ssl(D, "2026-03-01T10:00:00.000Z", OLD), ssl(E, "2026-03-01T10:00:00.000Z", OLD), ssl(E, "2026-03-02T10:00:00.000Z", OLD)];
    expect(batchNeeds(events)).to.deep.equal({
      owners: [E],
      certificates: [
        { domain_id: D, hostname: "a.example.com", port: 443 },
        { domain_id: E, hostname: "a.example.com", port: 443 },
      ],
      checkIds: ["check-1", "check-2", "check-3"],
    });
  });

  it("records a renewal against the stored baseline or one seen earlier in the batch, once per new certificate", () => {
    const stored = { fingerprint_sha256: OLD.fingerprint, issuer: OLD.issuer, valid_to: OLD.validTo, checked_at: "2026-02-01T00:00:00.000Z" };
    const state = { ...empty, owners: new Map([[D, U]]), baselines: new Map([[certificateKey(D, "a.example.com", 443), stored]]) };
    const batch = [
      ssl(D, "2026-03-09T10:00:00.000Z", OLD), // the same certificate: no renewal
      ssl(D, "2026-03-10T10:00:00.000Z", NEW), // renewed, 20 days before OLD expired
      ssl(D, "2026-03-11T10:00:00.000Z", OLD), // an address still serving OLD: not a renewal back
      ssl(D, "2026-03-12T10:00:00.000Z", NEW), // NEW again: already recorded
    ];
    const rows = foldAnalytics(batch, state);
    expect(rows.renewals).to.deep.equal([
      {
        domain_id: D,
        new_fingerprint: NEW.fingerprint,
        user_id: U,
        hostname: "a.example.com",
        port: 443,
        check_id: "check-1",
        renewed_at: "2026-03-10T10:00:00.000Z",
        days_before_expiry: 20,
        old_fingerprint: OLD.fingerprint,
        old_issuer: LE,
        old_issuer_organization: "Let's Encrypt",
        old_valid_to: OLD.validTo,
        new_issuer: NEW.issuer,
        new_issuer_organization: "Other CA",
        new_valid_from: NEW.validFrom,
        new_valid_to: NEW.validTo,
      },
    ]);
    // Without a stored baseline the batch's first check is the baseline; another port has its own.
    revision = 0n;
    const fresh = foldAnalytics([ssl(D, "2026-03-09T10:00:00.000Z", OLD), ssl(D, "2026-03-10T10:00:00.000Z", NEW, 8443), ssl(D, "2026-03-11T10:00:00.000Z", NEW)], { ...state, baselines: new Map() });
    expect(fresh.renewals.map((r) => [r["check_id"], r["port"], r["old_fingerprint"]])).to.deep.equal([["check-2", 443, OLD.fingerprint]]);
  });
});
