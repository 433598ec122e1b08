// Public surface of the SSL checker.
export { checkSsl, type SslCheckOptions, type SslCheckTarget } from "./checkSsl.js";
export { buildCertificationPath, parsePemBundle, trustStoreFromPem, type PathBuildingResult, type TrustStore } from "./pathBuilding.js";
export { checkTrust, type CheckTrust } from "./trust.js";
export * from "./result.js";
export { RevocationCache } from "./revocation/revocationCache.js";
export type { RevocationSettings } from "./revocation/checkRevocation.js";
