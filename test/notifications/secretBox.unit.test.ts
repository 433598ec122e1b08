// Sealing channel secrets (AES-256-GCM, key ids for rotation): what is sealed opens again,
// under the key it names, and nothing else does.
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { parseKeyring, SecretBox, SecretBoxError } from "../../src/infrastructure/secrets/secretBox.js";
import { loadConfig } from "../../src/config.js";

const key = () => randomBytes(32).toString("base64");

describe("Secret box (unit)", () => {
  it("seals under the first key, names it, and opens again; two seals of one value differ (random IV)", () => {
    const box = new SecretBox(parseKeyring(`2026a:${key()}`));
    const a = box.seal("hunter2");
    expect(a).to.match(/^v1\.2026a\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.to.contain("hunter2");
    expect(box.seal("hunter2")).not.to.equal(a);
    expect(box.open(a)).to.equal("hunter2");
    expect(box.open(box.seal(""))).to.equal("");
  });

  it("rotates: a keyring with a new first key seals with it and still opens values sealed with the old one", () => {
    const old = `old:${key()}`;
    const sealedBefore = new SecretBox(parseKeyring(old)).seal("routing-key");
    const rotated = new SecretBox(parseKeyring(`new:${key()},${old}`));
    expect(rotated.open(sealedBefore)).to.equal("routing-key");
    expect(rotated.seal("x")).to.match(/^v1\.new\./);
    expect(() => new SecretBox(parseKeyring(`new:${key()}`)).open(sealedBefore)).to.throw(SecretBoxError, /no longer lists/);
  });

  it("refuses an altered value, a value relabelled to another key id, and another key under the same id", () => {
    const k = key();
    const box = new SecretBox(parseKeyring(`a:${k},b:${k}`));
    const sealed = box.seal("token");
    const parts = sealed.split(".");
    const flipped = Buffer.from(parts[4]!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open([...parts.slice(0, 4), flipped.toString("base64url")].join("."))).to.throw(SecretBoxError, /authentication/);
    // Same key bytes under id b: the id is authenticated, so relabelling fails.
    expect(() => box.open(["v1", "b", ...parts.slice(2)].join("."))).to.throw(SecretBoxError, /authentication/);
    expect(() => new SecretBox(parseKeyring(`a:${key()}`)).open(sealed)).to.throw(SecretBoxError, /authentication/);
    expect(() => box.open("plain text")).to.throw(SecretBoxError, /not a sealed secret/);
  });

  it("validates SSLTRACKR_SECRETS_KEY at start: 32-byte keys, distinct ids", () => {
    expect(loadConfig({ SSLTRACKR_SECRETS_KEY: `k1:${key()}` }).SSLTRACKR_SECRETS_KEY).to.have.length(1);
    expect(() => loadConfig({ SSLTRACKR_SECRETS_KEY: `k1:${randomBytes(16).toString("base64")}` })).to.throw(/32 bytes/);
    expect(() => loadConfig({ SSLTRACKR_SECRETS_KEY: `k1:${key()},k1:${key()}` })).to.throw(/distinct/);
    expect(() => loadConfig({ SSLTRACKR_SECRETS_KEY: key() })).to.throw(/key id/);
  });
});
