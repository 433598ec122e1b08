// Secrets at rest (issue #15): SMTP passwords, bot tokens, routing keys and the like are
// sealed with AES-256-GCM (NIST SP 800-38D: 96-bit random IV, 128-bit tag) under a key from
// the environment before they reach an event or a read model, and opened only where they are
// used (the delivery worker). The sealed form names its key:
//   v1.<key id>.<iv base64url>.<tag base64url>.<ciphertext base64url>
// so keys can rotate: the first key of SSLTRACKR_SECRETS_KEY seals, every listed key opens.
// Rotation (docs/notifications.md): put a new key first, keep the old ones after it until every
// channel has been saved again, then drop them.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export interface SecretKey {
  readonly id: string;
  readonly key: Buffer;
}

export class SecretBoxError extends Error {}

const b64 = (b: Buffer) => b.toString("base64url");

/** "id:base64key[,id2:base64key2]" -> keys, the first one sealing; each key is 32 bytes. */
export function parseKeyring(raw: string): SecretKey[] {
  const keys = raw
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^([A-Za-z0-9_-]{1,32}):(.+)$/.exec(part);
      if (!m) throw new SecretBoxError(`expected <key id>:<base64 key>, got "${part.slice(0, 8)}..."`);
      const key = Buffer.from(m[2]!, "base64");
      if (key.length !== 32) throw new SecretBoxError(`key "${m[1]}" must be 32 bytes (base64 of 32 random bytes), got ${key.length}`);
      return { id: m[1]!, key };
    });
  if (keys.length === 0) throw new SecretBoxError("no key given");
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new SecretBoxError("key ids must be distinct");
  return keys;
}

export class SecretBox {
  constructor(private readonly keys: readonly SecretKey[]) {
    if (keys.length === 0) throw new SecretBoxError("a secret box needs a key");
  }

  /** Seals a UTF-8 string under the current (first) key. */
  seal(plain: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    // The key id is authenticated too: a sealed value cannot be relabelled to another key.
    cipher.setAAD(Buffer.from(id));
    const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return ["v1", id, b64(iv), b64(cipher.getAuthTag()), b64(ciphertext)].join(".");
  }

  /** Opens a sealed value with the key it names; throws SecretBoxError when unknown or tampered with. */
  open(sealed: string): string {
    const [version, id, iv, tag, ciphertext] = sealed.split(".");
    if (version !== "v1" || !id || iv === undefined || tag === undefined || ciphertext === undefined) throw new SecretBoxError("not a sealed secret");
    const key = this.keys.find((k) => k.id === id);
    if (!key) throw new SecretBoxError(`sealed with key "${id}", which SSLTRACKR_SECRETS_KEY no longer lists`);
    try {
      const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretBoxError("sealed secret failed authentication (wrong key or altered)");
    }
  }
}
