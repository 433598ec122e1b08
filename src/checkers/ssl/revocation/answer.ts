// What one revocation source says about a certificate, before it becomes the check's
// `revocation` facts.

export type RevocationAnswer =
  | { status: "good" }
  | { status: "revoked"; revokedAt: string; reason: string }
  | { status: "unknown"; why: string };

/** CRLReason (RFC 5280 §5.3.1; the same codes in OCSP, RFC 6960 §4.2.1). 7 is unused. */
const CRL_REASONS = [
  "unspecified",
  "keyCompromise",
  "cACompromise",
  "affiliationChanged",
  "superseded",
  "cessationOfOperation",
  "certificateHold",
  "unused",
  "removeFromCRL",
  "privilegeWithdrawn",
  "aACompromise",
] as const;

export const crlReasonName = (code: number): string => CRL_REASONS[code] ?? `reason ${code}`;
