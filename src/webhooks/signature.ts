// Webhook signatures, in the style receivers know from Stripe and others:
//   SSLTrackr-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
// Signing the timestamp with the body lets receivers refuse replays of old deliveries.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "SSLTrackr-Signature";
export const DELIVERY_HEADER = "SSLTrackr-Delivery";
export const EVENT_HEADER = "SSLTrackr-Event";

export const SECRET_PREFIX = "whsec_";

/** A new signing secret; shown to the user once, at creation. */
export const generateSigningSecret = (): string => SECRET_PREFIX + randomBytes(24).toString("base64url");

const hmacHex = (secret: string, timestamp: number, body: string): string =>
  createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");

export const signatureHeader = (secret: string, timestamp: number, body: string): string =>
  `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;

export interface VerifyOptions {
  readonly secret: string;
  readonly header: string | undefined;
  /** The raw request body exactly as received (not re-serialised JSON). */
  readonly body: string;
  readonly now: Date;
  /** Refuse signatures older (or newer) than this; default 5 minutes. */
  readonly toleranceSeconds?: number;
}

/** Reference verification, as documented in docs/webhooks.md. */
export function verifySignature(options: VerifyOptions): boolean {
  const parts = (options.header ?? "").split(",").map((p) => p.trim().split("="));
  const timestamp = Number(parts.find(([k]) => k === "t")?.[1]);
  if (!Number.isInteger(timestamp)) return false;
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(options.now.getTime() / 1000 - timestamp) > tolerance) return false;
  const expected = Buffer.from(hmacHex(options.secret, timestamp, options.body), "hex");
  // Several v1 entries may appear (e.g. while a secret is rotated): any match is enough.
  return parts
    .filter(([k, v]) => k === "v1" && v !== undefined && /^[0-9a-f]{64}$/.test(v))
    .some(([, v]) => timingSafeEqual(Buffer.from(v!, "hex"), expected));
}
