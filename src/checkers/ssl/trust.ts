// What an SSL check trusts: Node's bundled Mozilla roots plus the caller's extra roots, as PEM
// for OpenSSL and as a trust store for path building, so the two never disagree.
import tls from "node:tls";
import { trustStoreFromPem, type TrustStore } from "./pathBuilding.js";

export interface CheckTrust {
  /** PEM texts for tls.connect's `ca`. */
  ca: string[];
  store: TrustStore;
}

const NO_EXTRA: string[] = [];
const cache = new WeakMap<string[], CheckTrust>();

/**
 * The trust of checks given `extraCa` (PEM texts; NODE_EXTRA_CA_CERTS is the config module's
 * business, not read here). Parsing ~150 roots takes a while, so it is done once per array:
 * pass the same array every time.
 */
export function checkTrust(extraCa: string[] = NO_EXTRA): CheckTrust {
  let trust = cache.get(extraCa);
  if (!trust) {
    const ca = [...tls.rootCertificates, ...extraCa];
    trust = { ca, store: trustStoreFromPem(ca) };
    cache.set(extraCa, trust);
  }
  return trust;
}
