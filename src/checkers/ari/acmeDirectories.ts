// Which ACME directory to ask about a certificate's renewal window: the CAs known to serve ARI
// (RFC 9773), matched by the issuer's organisation (O), plus SSLTRACKR_ACME_DIRECTORIES, whose
// keys match an issuer by Authority Key Identifier (hex), or exactly by O or CN, and win over
// the built-in table. The table is documented in docs/alerts.md.
/**
 * CAs whose production ACME directory offers `renewalInfo` (RFC 9773 §3). Let's Encrypt has
 * served ARI since March 2023, Google Trust Services since May 2023 (both named as
 * implementations in draft-ietf-acme-ari-08). Keyed by the issuing intermediates' O.
 */
export const KNOWN_ARI_DIRECTORIES: Readonly<Record<string, string>> = {
  "Let's Encrypt": "https://acme-v02.api.letsencrypt.org/directory",
  "Google Trust Services": "https://dv.acme-v02.api.pki.goog/directory",
};

export interface IssuerKeys {
  /** Authority Key Identifier, hex (colons and case do not matter). */
  readonly authorityKeyId: string | null;
  readonly organization: string | null;
  readonly commonName: string | null;
}

const normalizeHex = (s: string) => s.replace(/:/g, "").toLowerCase();

/** The directory for an issuer: configured AKI first, then configured O or CN, then the built-in table by O. */
export function directoryFor(issuer: IssuerKeys, configured: Readonly<Record<string, string>> = {}): string | null {
  const aki = issuer.authorityKeyId ? normalizeHex(issuer.authorityKeyId) : null;
  const byAki = aki ? Object.entries(configured).find(([key]) => /^[0-9a-f:]+$/i.test(key) && normalizeHex(key) === aki) : undefined;
  if (byAki) return byAki[1];
  for (const name of [issuer.organization, issuer.commonName]) {
    if (name && configured[name]) return configured[name];
  }
  return issuer.organization ? (KNOWN_ARI_DIRECTORIES[issuer.organization] ?? null) : null;
}
