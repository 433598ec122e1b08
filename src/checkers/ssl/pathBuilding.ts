// Certification path building (RFC 4158; path validation inputs of RFC 5280 §6.1): from the
// leaf, through whatever certificates the server sent, to a trust anchor, the way browsers do
// it. A pure function of certificates, a trust store and a time: no network, no TLS, no
// environment (the light expiry check reuses it after its single handshake).
import { X509Certificate } from "node:crypto";

/** Trust anchors, indexed by subject for issuer look-ups. */
export interface TrustStore {
  readonly bySubject: ReadonlyMap<string, readonly X509Certificate[]>;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate in PEM text (a bundle may hold several; other blocks are ignored). */
export function parsePemBundle(pem: string): X509Certificate[] {
  return (pem.match(PEM_CERTIFICATE) ?? []).map((block) => new X509Certificate(block));
}

/** A trust store of the given PEM texts (e.g. tls.rootCertificates plus a private CA file). */
export function trustStoreFromPem(pems: readonly string[]): TrustStore {
  const bySubject = new Map<string, X509Certificate[]>();
  for (const cert of pems.flatMap(parsePemBundle)) {
    const list = bySubject.get(cert.subject) ?? [];
    if (!list.some((c) => c.fingerprint256 === cert.fingerprint256)) list.push(cert);
    bySubject.set(cert.subject, list);
  }
  return { bySubject };
}

/** Why the selected path won over the others (RFC 4158 §3 leaves the order to the builder). */
export const PATH_SELECTIONS = ["only_path", "validity", "longest_lived", "shortest", "first_found", "none"] as const;
export type PathSelection = (typeof PATH_SELECTIONS)[number];

export interface PathBuildingResult {
  /** Leaf first. Ends at a trust anchor (the trust store's copy) when `anchored`. */
  path: X509Certificate[];
  /** The path ends at a trust anchor. */
  anchored: boolean;
  /** How many distinct paths from the leaf to a trust anchor exist among these certificates. */
  pathsFound: number;
  /** Which rule picked `path`: "only_path", or the first rule that separated it from the runner-up; "none" when no path reaches an anchor. */
  selectedBy: PathSelection;
  /** Fingerprints (SHA-256, as Node prints them) of served certificates on some path from the leaf, anchored or not. */
  related: ReadonlySet<string>;
}

/** Paths longer than this are not followed (browsers stop well before; loops are excluded anyway). */
const MAX_DEPTH = 10;
/** Enough alternatives for any real deployment; keeps a hostile certificate list from exploding the search. */
const MAX_PATHS = 64;

/** Same subject and public key: the same CA (RFC 5280 §6.1.1 (d): a trust anchor is a name and a key). */
function sameEntity(a: X509Certificate, b: X509Certificate): boolean {
  return a.subject === b.subject && a.publicKey.equals(b.publicKey);
}

/** `issuer` issued `cert`: names (and key identifiers, key usage) match and the signature verifies. */
function issued(issuer: X509Certificate, cert: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false; // a key OpenSSL cannot use for this signature: not the issuer
  }
}

function anchorFor(cert: X509Certificate, trust: TrustStore): X509Certificate | undefined {
  return trust.bySubject.get(cert.subject)?.find((a) => sameEntity(a, cert));
}

const isTimeValid = (c: X509Certificate, now: Date) => Date.parse(c.validFrom) <= now.getTime() && now.getTime() <= Date.parse(c.validTo);

/** The certificates whose expiry matters: a trust anchor's own copy is the client's, not the server's. */
const expiring = (p: Candidate) => (p.anchored ? p.path.slice(0, -1) : p.path);
const earliestNotAfter = (p: Candidate) => Math.min(...expiring(p).map((c) => Date.parse(c.validTo)));

interface Candidate {
  path: X509Certificate[];
  anchored: boolean;
}

/** Ranking rules, in the order they apply: each returns < 0 when `a` is better. */
const RULES: ReadonlyArray<[PathSelection, (a: Candidate, b: Candidate, now: Date) => number]> = [
  // Clients reject a path with an expired or not yet valid certificate and try the next one.
  ["validity", (a, b, now) => Number(!a.path.every((c) => isTimeValid(c, now))) - Number(!b.path.every((c) => isTimeValid(c, now)))],
  // Among valid paths, the one that stays valid longest (issue #10; Chrome and Windows do the same).
  ["longest_lived", (a, b) => earliestNotAfter(b) - earliestNotAfter(a)],
  ["shortest", (a, b) => a.path.length - b.path.length],
];

function compare(a: Candidate, b: Candidate, now: Date): { order: number; rule: PathSelection } {
  for (const [rule, fn] of RULES) {
    const order = fn(a, b, now);
    if (order !== 0) return { order, rule };
  }
  return { order: 0, rule: "first_found" };
}

/** Every path from the leaf (depth-first, trust anchors tried before served certificates). */
function enumeratePaths(leaf: X509Certificate, pool: readonly X509Certificate[], trust: TrustStore, related: Set<string>): Candidate[] {
  const found: Candidate[] = [];
  const extend = (path: X509Certificate[]) => {
    if (found.length >= MAX_PATHS) return;
    const top = path[path.length - 1]!;
    const anchor = anchorFor(top, trust);
    if (anchor) {
      // The served copy of an anchor (itself, or a cross-signed twin) ends the path at the store's copy.
      found.push({ path: [...path.slice(0, -1), anchor], anchored: true });
      return;
    }
    const anchors = (trust.bySubject.get(top.issuer) ?? []).filter((a) => issued(a, top));
    for (const a of anchors) found.push({ path: [...path, a], anchored: true });
    // Served copies of those anchors belong to the chain too, though the path uses the store's.
    for (const twin of pool.filter((c) => anchors.some((a) => sameEntity(a, c)))) related.add(twin.fingerprint256);
    const next = path.length >= MAX_DEPTH ? [] : pool.filter((c) => !path.some((p) => sameEntity(p, c)) && !anchorFor(c, trust) && issued(c, top));
    for (const c of next) {
      related.add(c.fingerprint256);
      extend([...path, c]);
    }
    if (anchors.length === 0 && next.length === 0) found.push({ path, anchored: false });
  };
  extend([leaf]);
  return found;
}

/**
 * Builds the certification path a browser would use for `served` (the server's certificate
 * list, leaf first, in the order sent) against `trust`, at `now`. Served certificates may be in
 * any order, repeated or unrelated; a served certificate with the subject and key of a trust
 * anchor (the anchor itself or a cross-signed copy) is replaced by the anchor. Signatures are
 * checked; revocation, policies and name constraints are left to the TLS stack's verification.
 * Among several anchored paths the best is chosen by RULES; without any, the longest partial
 * path (ending at the certificate whose issuer was not found) is returned with anchored false.
 */
export function buildCertificationPath(served: readonly X509Certificate[], trust: TrustStore, now: Date): PathBuildingResult {
  const leaf = served[0];
  if (!leaf) throw new RangeError("no certificate to build a path from");
  const pool = served.slice(1).filter((c, i, all) => c.fingerprint256 !== leaf.fingerprint256 && all.findIndex((o) => o.fingerprint256 === c.fingerprint256) === i);
  const related = new Set<string>([leaf.fingerprint256]);
  const candidates = enumeratePaths(leaf, pool, trust, related);
  const anchored = candidates.filter((c) => c.anchored);
  if (anchored.length === 0) {
    const longest = candidates.reduce((a, b) => (b.path.length > a.path.length ? b : a));
    return { path: longest.path, anchored: false, pathsFound: 0, selectedBy: "none", related };
  }
  const ranked = [...anchored].sort((a, b) => compare(a, b, now).order);
  const best = ranked[0]!;
  const runnerUp = ranked[1];
  const selectedBy = runnerUp ? compare(best, runnerUp, now).rule : "only_path";
  return { path: best.path, anchored: true, pathsFound: anchored.length, selectedBy, related };
}
