// API key secrets: "ssa_live_" + 32 random bytes (base64url). They carry 256 bits of
// entropy, so a fast SHA-256 is the right hash (a slow KDF protects low-entropy passwords).
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const API_KEY_PREFIX = "ssa_";

export function generateApiKey(): { key: string; hash: string; prefix: string } {
  const key = `${API_KEY_PREFIX}live_${randomBytes(32).toString("base64url")}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 13) };
}

export const hashApiKey = (key: string): string => createHash("sha256").update(key).digest("hex");

/** Constant-time comparison of secrets; compares bytes, since a header's characters may take more than one. */
export const hashesEqual = (a: string, b: string): boolean => {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
};
