// Passwords of people (dashboard sign-in): argon2id (RFC 9106) through @node-rs/argon2, with
// its defaults m=19 MiB, t=2, p=1, the minimum OWASP's Password Storage Cheat Sheet
// recommends. The PHC string stores the parameters, so raising them later only affects new
// hashes; old ones still verify. The native module is loaded at the first password a process
// hashes or checks: API-key traffic never needs it (bench/profiles/8-memory.md).
import { z } from "zod";

const argon2 = () => import("@node-rs/argon2");

/**
 * NIST SP 800-63B-4 §3.1.1.2: at least 15 characters for a password used alone, a maximum of
 * at least 64, every printable character allowed, no composition rules. 256 caps the work a
 * request can ask of the hash.
 */
export const passwordSchema = z
  .string()
  .min(15, "A password needs at least 15 characters")
  .max(256, "A password has at most 256 characters");

export const hashPassword = async (password: string): Promise<string> => (await argon2()).hash(password);

/** A malformed stored hash is a mismatch, never an exception. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const { verify } = await argon2();
  return verify(stored, password).catch(() => false);
}

let decoy: Promise<string> | undefined;

/**
 * Spends the time of one verification when there is no stored hash (unknown e-mail), so the
 * answer's timing does not tell which addresses have an account. Always false.
 */
export async function verifyNothing(password: string): Promise<false> {
  decoy ??= hashPassword("an unknown account has no password");
  await verifyPassword(await decoy, password);
  return false;
}
