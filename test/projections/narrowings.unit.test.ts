// Which members of a check result a rebuild's read may leave out: only what no projection in
// that read needs (Projection.narrowings; sharedNarrowings). What the narrowed read then builds
// is tested in the rebuild-equals-live tests of test/infrastructure/projections.
import { expect } from "chai";
import { alertsProjection } from "../../projections/alerts.js";
import { analyticsProjection } from "../../projections/analytics/analyticsProjection.js";
import { checkHistoryProjection } from "../../projections/checkHistory.js";
import { domainsProjection } from "../../projections/domains.js";
import { domainStreamCodec } from "../../src/domains/domainStream.js";
import { sharedNarrowings, type Projection } from "../../src/infrastructure/projections/projection.js";

const typesOf = (projections: readonly Projection[]) => [...new Set(projections.flatMap((p) => [...p.eventTypes]))];
const shared = (projections: readonly Projection[]) => sharedNarrowings(projections, typesOf(projections));

describe("narrowed reads of a rebuild (unit)", () => {
  it("narrows an SSL result at its current version to what domains and check_history read, together", () => {
    const [narrowing, ...more] = shared([domainsProjection, checkHistoryProjection, alertsProjection]);
    expect(more).to.deep.equal([]);
    expect(narrowing).to.deep.include({ type: "SslChecked", member: "result", schemaVersion: domainStreamCodec.versionOf("SslChecked") });
    expect([...narrowing!.keep].sort()).to.deep.equal(
      ["chain_valid", "checked_at", "earliest_expiry", "fingerprint_sha256", "grade", "hostname", "outcome", "port", "valid_from", "valid_to"].sort(),
    );
    expect(shared([checkHistoryProjection])[0]!.keep).to.deep.equal(["outcome", "checked_at"]);
  });

  it("keeps every member any projection of the read needs: analytics reads more of a result", () => {
    const [withAnalytics] = shared([domainsProjection, checkHistoryProjection, analyticsProjection]);
    expect(withAnalytics!.keep).to.include.members([...shared([domainsProjection, checkHistoryProjection])[0]!.keep, "issuer", "key", "hsts"]);
    expect(withAnalytics!.keep).not.to.include.members(["endpoints", "chain", "served_certificates", "cipher_suites"]);
  });

  it("does not narrow a type that any projection of the read takes whole", () => {
    const whole = { ...domainsProjection, name: "whole", narrowings: new Map() } satisfies Projection;
    expect(shared([domainsProjection, checkHistoryProjection, whole])).to.deep.equal([]);
    expect(shared([alertsProjection])).to.deep.equal([]);
  });
});
