// RFC 9773 §4.1: a certificate is named to its CA's renewalInfo resource by the key identifier
// of its Authority Key Identifier extension and its serial number, each base64url-encoded
// without padding and joined by ".". The serial is the DER INTEGER's contents: a leading zero
// byte when the high bit is set, so the number stays positive.

/** "a1:b2:c3" or "a1b2c3" -> bytes. */
const hexBytes = (hex: string): Buffer => Buffer.from(hex.replace(/:/g, ""), "hex");

/**
 * The ARI certificate identifier, or null without an Authority Key Identifier (a CA that sets
 * none cannot be asked). `authorityKeyId` and `serial` are hex, optionally colon-separated.
 */
export function ariCertificateId(authorityKeyId: string | null | undefined, serial: string): string | null {
  if (!authorityKeyId) return null;
  let serialBytes = hexBytes(serial);
  // Hex from OpenSSL drops leading zero bytes; DER keeps exactly one where the high bit is set.
  while (serialBytes.length > 1 && serialBytes[0] === 0 && (serialBytes[1]! & 0x80) === 0) serialBytes = serialBytes.subarray(1);
  if ((serialBytes[0] ?? 0) & 0x80) serialBytes = Buffer.concat([Buffer.from([0]), serialBytes]);
  return `${hexBytes(authorityKeyId).toString("base64url")}.${serialBytes.toString("base64url")}`;
}
