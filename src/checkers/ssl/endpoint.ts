// Everything about one address of the target. A full probe: the main handshake, then
// protocol, suite, served-list and HSTS probes in parallel, graded into an endpoint result. An
// expiry check: the main handshake and one HTTPS request over it; what needs the probes
// (protocols, suites, key exchange, the grade) is carried over from the address's last full
// probe, and the path is built from the TLS stack's view of the served chain. Both ask whether
// the leaf was revoked (checkRevocation.ts, its caches make that cheap); an expiry check
// applies what it learns to the grade it carries over.
import { chainErrors } from "./chainErrors.js";
import type { X509Certificate } from "node:crypto";
import { describeCertificate, earliestExpiry, keyFacts, parseSubjectAltNames } from "./certificate.js";
import { authorityKeyIdentifier } from "./revocation/certificateParts.js";
import { summarizeSuites } from "./cipherSuites.js";
import { ProbeError, type ProbeTarget } from "./connection.js";
import { gradeServer, withRevocationRule } from "./grade.js";
import { mainHandshake, mainHandshakeThen, type MainHandshake } from "./handshake.js";
import { fetchHsts, readHsts } from "./hsts.js";
import { parseOcspStaple } from "./ocsp.js";
import { probeLegacySuites } from "./legacySuites.js";
import { buildCertificationPath, type TrustStore } from "./pathBuilding.js";
import { probeProtocols } from "./protocols.js";
import { fetchServedCertificates } from "./servedCertificates.js";
import { describeServedChain } from "./servedChain.js";
import { checkRevocation, type RevocationSettings } from "./revocation/checkRevocation.js";
import { TLS_VERSIONS, type CertificateFacts, type CertificationPath, type ChainIssue, type EndpointOk, type EndpointResult, type RevocationFacts, type ServedCertificate, type HstsDetails, type ProtocolSupport, type TlsVersion } from "./result.js";
import { enumerateSuites } from "./suiteEnumeration.js";

export interface EndpointContext {
  hostname: string;
  now: Date;
  /** The roots the main handshake trusted (target.ca), for path building. */
  trust: TrustStore;
  /** CRL and OCSP look-ups; unset: revocation is read from a stapled response only. */
  revocation?: RevocationSettings | undefined;
}

interface Configuration {
  protocols: ProtocolSupport;
  suites: Record<TlsVersion, string[]>;
  dhMinBits: number | null;
  ecdhMinBits: number | null;
  secureRenegotiation: boolean | null;
}

const minOrNull = (values: number[]) => (values.length === 0 ? null : Math.min(...values));

async function probeConfiguration(target: ProbeTarget, main: MainHandshake): Promise<Configuration> {
  const { supported, secureRenegotiation } = await probeProtocols(target);
  // The main handshake already proved its protocol and suite, whatever the probes saw.
  const protocols = { ...supported, [main.protocol]: true };
  const versions = TLS_VERSIONS.filter((v) => protocols[v]);
  const [enumerated, legacy] = await Promise.all([
    Promise.all(versions.map((v) => enumerateSuites(target, v))),
    Promise.all(versions.map((v) => (v === "TLSv1.3" ? Promise.resolve([]) : probeLegacySuites(target, v)))),
  ]);
  const suites = Object.fromEntries(TLS_VERSIONS.map((v) => [v, [] as string[]])) as Record<TlsVersion, string[]>;
  for (const [i, v] of versions.entries()) suites[v] = [...new Set([...enumerated[i]!.suites, ...legacy[i]!])];
  if (!suites[main.protocol].includes(main.cipher.name)) suites[main.protocol].unshift(main.cipher.name);
  const ephemeral = (type: "DH" | "ECDH") => (main.ephemeral?.type === type ? [main.ephemeral.bits] : []);
  return {
    protocols,
    suites,
    dhMinBits: minOrNull([...enumerated.flatMap((e) => e.dhBits), ...ephemeral("DH")]),
    ecdhMinBits: minOrNull([...enumerated.flatMap((e) => e.ecdhBits), ...ephemeral("ECDH")]),
    secureRenegotiation,
  };
}

interface PathFacts {
  path: X509Certificate[];
  chain: CertificateFacts[];
  served: ServedCertificate[];
  issues: ChainIssue[];
  certificationPath: CertificationPath;
}

/**
 * The verified path and the served list beside it. `sent` is the list as the server sent it
 * (null for TLS 1.3-only servers); without it, or when it is not the main handshake's (a
 * server with several certificates), the TLS stack's linked view stands in and no issues of
 * order, duplicates or extras can be told.
 */
function pathFacts(main: MainHandshake, sent: X509Certificate[] | null, ctx: EndpointContext): PathFacts {
  const asSent = sent !== null && sent[0]?.fingerprint256 === main.chain[0]!.fingerprint256;
  const served = asSent ? sent : main.chain;
  const built = buildCertificationPath(served, ctx.trust, ctx.now);
  const described = describeServedChain(served, built, ctx.now);
  return {
    path: built.path,
    chain: built.path.map((cert, depth) => describeCertificate(cert, depth, ctx.now)),
    served: described.served,
    issues: asSent ? described.issues : [],
    certificationPath: { anchored: built.anchored, paths_found: built.pathsFound, selected_by: built.selectedBy, served_list: asSent ? "as_sent" : "linked" },
  };
}

/** The fields of an endpoint that only a full probe (configuration and grade) establishes. */
export type GradedFacts = Pick<
  EndpointOk,
  "grade" | "grade_trust_ignored" | "grade_reasons" | "score" | "protocols" | "cipher_suites" | "key_exchange" | "secure_renegotiation"
>;
type HandshakeFacts = Omit<EndpointOk, keyof GradedFacts>;

/** The certificate the TLS stack found as the leaf's issuer (sent or trusted), when it really issued it. */
function issuerOf(chain: X509Certificate[]): X509Certificate | null {
  const [leaf, issuer] = chain;
  return leaf && issuer && leaf.checkIssued(issuer) && leaf.verify(issuer.publicKey) ? issuer : null;
}

const revocationOf = (main: MainHandshake, ctx: EndpointContext): Promise<RevocationFacts> =>
  checkRevocation(main.chain[0]!, issuerOf(main.chain), main.ocspResponse, ctx.now, ctx.revocation);

/** What the main handshake, the served list (when probed), one HTTPS request and the revocation look-up tell about an address. */
function handshakeFacts(ip: string, main: MainHandshake, sent: X509Certificate[] | null, hsts: HstsDetails, revocation: RevocationFacts, ctx: EndpointContext): HandshakeFacts {
  const { chain, served, issues, certificationPath } = pathFacts(main, sent, ctx);
  const leaf = chain[0]!;
  const ocsp = main.ocspResponse ? parseOcspStaple(main.ocspResponse, main.chain[0]!.serialNumber) : null;
  const errors = chainErrors({ verifyError: main.verifyError, hostname: ctx.hostname, peer: main.peer, chain, revocation, now: ctx.now });
  return {
    outcome: "ok",
    ip_address: ip,
    subject: leaf.subject,
    issuer: leaf.issuer,
    valid_from: leaf.valid_from,
    valid_to: leaf.valid_to,
    days_remaining: leaf.days_remaining,
    serial_number: leaf.serial_number,
    tls_version: main.protocol,
    chain_valid: errors.length === 0,
    hsts: hsts.present,
    sans: parseSubjectAltNames(main.chain[0]!.subjectAltName),
    chain_errors: errors,
    chain,
    served_certificates: served,
    chain_issues: issues,
    certification_path: certificationPath,
    earliest_expiry: earliestExpiry(chain, ip),
    key: keyFacts(main.chain[0]!),
    authority_key_identifier: authorityKeyIdentifier(main.chain[0]!.raw),
    signature_algorithm: leaf.signature_algorithm,
    fingerprint_sha256: leaf.fingerprint_sha256,
    cipher: main.cipher,
    ocsp_staple: ocsp,
    ...revocation,
    hsts_details: hsts,
  };
}

interface Probed {
  sent: X509Certificate[] | null;
  config: Configuration;
  hsts: HstsDetails;
  revocation: RevocationFacts;
}

function buildEndpoint(ip: string, main: MainHandshake, { sent, config, hsts, revocation }: Probed, ctx: EndpointContext): EndpointResult {
  const facts = handshakeFacts(ip, main, sent, hsts, revocation, ctx);
  const graded = gradeServer({
    ...config,
    key: facts.key,
    signatureAlgorithm: facts.signature_algorithm,
    chainErrors: facts.chain_errors.map((e) => e.reason),
    chainIssues: (facts.chain_issues ?? []).map((i) => i.code),
    hsts: { present: hsts.present, maxAge: hsts.max_age },
  });
  return {
    ...facts,
    grade: graded.grade,
    grade_trust_ignored: graded.gradeTrustIgnored,
    grade_reasons: graded.reasons,
    score: graded.score,
    protocols: config.protocols,
    cipher_suites: summarizeSuites(config.suites),
    key_exchange: { dh_min_bits: config.dhMinBits, ecdh_min_bits: config.ecdhMinBits },
    secure_renegotiation: config.secureRenegotiation,
  };
}

/**
 * An expiry check of one address: one TLS connection (handshake, then GET / for HSTS). The
 * fingerprint tells the caller whether the certificate is still the one `graded` was probed
 * with; if not, the carried-over grade is stale and a full probe is due.
 */
export async function checkEndpointLight(target: ProbeTarget, ctx: EndpointContext, graded: GradedFacts): Promise<EndpointResult> {
  try {
    const [main, hsts] = await mainHandshakeThen(target, (socket) => readHsts(target, ctx.hostname, socket));
    const revocation = await revocationOf(main, ctx);
    // An answer (good or revoked) regrades; "unknown" keeps what the last full probe knew.
    const regraded = revocation.revocation === "unknown" ? graded : withRevocationRule(graded, revocation.revocation === "revoked");
    return { ...regraded, ...handshakeFacts(target.ip, main, null, hsts, revocation, ctx) };
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    return { outcome: "failed", ip_address: target.ip, reason: err.reason, message: err.message };
  }
}

/** Checks one address; a failure to handshake at all is a failed endpoint, not an exception. */
export async function checkEndpoint(target: ProbeTarget, ctx: EndpointContext): Promise<EndpointResult> {
  let main: MainHandshake;
  try {
    main = await mainHandshake(target);
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    return { outcome: "failed", ip_address: target.ip, reason: err.reason, message: err.message };
  }
  const [config, hsts, sent, revocation] = await Promise.all([
    probeConfiguration(target, main),
    fetchHsts(target, ctx.hostname),
    fetchServedCertificates(target),
    revocationOf(main, ctx),
  ]);
  return buildEndpoint(target.ip, main, { sent, config, hsts, revocation }, ctx);
}
