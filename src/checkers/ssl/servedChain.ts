// What the server sent, set beside the verified path: each served certificate (on the path or
// not) and the "Chain issues" SSL Labs reports about the list (API v3 `Chain.issues`: unrelated
// or duplicate certificates, incorrect order, contains anchor). Pure.
import type { X509Certificate } from "node:crypto";
import { describeCertificate } from "./certificate.js";
import type { PathBuildingResult } from "./pathBuilding.js";
import type { ChainIssue, ServedCertificate } from "./result.js";

export interface ServedChainFacts {
  served: ServedCertificate[];
  issues: ChainIssue[];
}

const isExpired = (c: X509Certificate, now: Date) => Date.parse(c.validTo) < now.getTime();
const isRoot = (c: X509Certificate) => c.subject === c.issuer && c.verify(c.publicKey);

function issue(code: ChainIssue["code"], message: string, positions: number[]): ChainIssue[] {
  return positions.length === 0 ? [] : [{ code, message, positions }];
}

/** The certificates the path uses are sent in path order (extras between them aside). */
function inPathOrder(onPathDepths: number[]): boolean {
  return onPathDepths.every((depth, i) => i === 0 || depth > onPathDepths[i - 1]!);
}

/**
 * `served`: the server's list, leaf first; `built`: the path built from it. Expiry of the
 * extras matters only as a warning: they are not what clients use.
 */
export function describeServedChain(served: readonly X509Certificate[], built: PathBuildingResult, now: Date): ServedChainFacts {
  const depthOf = new Map(built.path.map((c, depth) => [c.fingerprint256, depth]));
  const seen = new Set<string>();
  const facts = served.map((cert, position): ServedCertificate => {
    const duplicate = seen.has(cert.fingerprint256);
    seen.add(cert.fingerprint256);
    const depth = duplicate ? undefined : depthOf.get(cert.fingerprint256);
    const { subject, issuer, valid_from, valid_to, days_remaining, fingerprint_sha256, self_signed } = describeCertificate(cert, 0, now);
    return { subject, issuer, valid_from, valid_to, days_remaining, fingerprint_sha256, self_signed, position, on_path: depth !== undefined, path_depth: depth ?? null };
  });
  const positions = (pick: (cert: X509Certificate, f: ServedCertificate) => boolean) =>
    facts.filter((f) => pick(served[f.position]!, f)).map((f) => f.position);
  const firstCopies = new Set(facts.filter((f, i) => facts.findIndex((o) => o.fingerprint_sha256 === f.fingerprint_sha256) === i).map((f) => f.position));
  const onPathDepths = facts.filter((f) => f.on_path).map((f) => f.path_depth!);
  const extra = (f: ServedCertificate) => !f.on_path;
  return {
    served: facts,
    issues: [
      ...issue("duplicate_certificates", "the server sends the same certificate more than once", positions((_, f) => !firstCopies.has(f.position))),
      ...issue(
        "unrelated_certificates",
        "the server sends certificates that are on no path from its certificate",
        positions((c, f) => firstCopies.has(f.position) && !built.related.has(c.fingerprint256)),
      ),
      ...issue("incorrect_order", "the server sends its certificates out of order (each should be followed by its issuer)", inPathOrder(onPathDepths) ? [] : facts.filter((f) => f.on_path).map((f) => f.position)),
      ...issue("expired_extra_certificates", "the server sends expired certificates that the verified path does not use", positions((c, f) => extra(f) && isExpired(c, now))),
      ...issue("contains_anchor", "the server sends a trusted root, which clients already have", positions((c, f) => f.on_path && f.position > 0 && isRoot(c) && built.anchored && f.path_depth === built.path.length - 1)),
    ],
  };
}
