import { expect } from "chai";
import { accountDecider, type AccountCommand } from "../../src/accounts/accountDecider.js";
import type { AccountEvent, Permission } from "../../src/accounts/events.js";
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from "../../src/shared/errors.js";
import { deciderSpec } from "../support/deciderSpec.js";

const { given } = deciderSpec(accountDecider);

const userId = "3f2a1b0c-9d8e-4f7a-8b6c-000000000001";
const readKey = "3f2a1b0c-9d8e-4f7a-8b6c-0000000000a1";
const writeKey = "3f2a1b0c-9d8e-4f7a-8b6c-0000000000a2";
const newKey = "3f2a1b0c-9d8e-4f7a-8b6c-0000000000a3";
const now = new Date("2026-02-23T16:00:00.000Z");

const registered: AccountEvent = {
  type: "UserRegistered",
  data: { userId, email: "owner@example.com", registeredAt: now.toISOString() },
};
const keyCreated = (
  keyId: string,
  permissions: Permission[],
  lineage: { expiresAt?: string | null; createdByKeyId?: string | null } = {},
): AccountEvent => ({
  type: "ApiKeyCreated",
  data: {
    keyId,
    userId,
    label: `key ${keyId.slice(-2)}`,
    permissions,
    expiresAt: lineage.expiresAt ?? null,
    keyHash: `hash-${keyId}`,
    keyPrefix: "ssa_live_abcd",
    createdAt: now.toISOString(),
    createdByKeyId: lineage.createdByKeyId ?? null,
  },
});
const revoked = (keyId: string): AccountEvent => ({
  type: "ApiKeyRevoked",
  data: { keyId, userId, revokedAt: now.toISOString() },
});
const account = [registered, keyCreated(readKey, ["read"]), keyCreated(writeKey, ["read", "write"])];

type CreateApiKey = Extract<AccountCommand, { type: "CreateApiKey" }>;
const createKey = (overrides: Partial<CreateApiKey> = {}): CreateApiKey => ({
  type: "CreateApiKey",
  keyId: newKey,
  label: "CI/CD Pipeline",
  permissions: ["read"],
  expiresAt: null,
  keyHash: "hash-new",
  keyPrefix: "ssa_live_wxyz",
  actor: { keyId: writeKey, permissions: ["read", "write"] },
  now,
  ...overrides,
});
const by = (keyId: string, permissions: Permission[]) => ({ actor: { keyId, permissions } });

describe("account decider (unit)", () => {
  describe("RegisterUser", () => {
    it("registers a new user", () => {
      expect(given([]).when({ type: "RegisterUser", userId, email: "owner@example.com", now })).to.deep.equal([registered]);
    });

    it("cannot register the same user twice", () => {
      expect(() => given([registered]).when({ type: "RegisterUser", userId, email: "x@example.com", now })).to.throw(ConflictError);
    });
  });

  describe("CreateApiKey", () => {
    it("creates a key storing only its hash and prefix, recording which key created it", () => {
      const expiresAt = new Date("2027-01-01T00:00:00.000Z");
      expect(given(account).when(createKey({ permissions: ["read", "write"], expiresAt }))).to.deep.equal([
        {
          type: "ApiKeyCreated",
          data: {
            keyId: newKey,
            userId,
            label: "CI/CD Pipeline",
            permissions: ["read", "write"],
            expiresAt: "2027-01-01T00:00:00.000Z",
            keyHash: "hash-new",
            keyPrefix: "ssa_live_wxyz",
            createdAt: now.toISOString(),
            createdByKeyId: writeKey,
          },
        },
      ]);
    });

    it("lets the install-time CLI (no acting key) create a read+write key", () => {
      const [event] = given([registered]).when(createKey({ actor: null, permissions: ["read", "write"] }));
      expect(event?.type === "ApiKeyCreated" && event.data).to.include({ createdByKeyId: null });
    });

    it("stores each permission once", () => {
      const [event] = given(account).when(createKey({ permissions: ["read", "write", "read"] }));
      expect(event?.type === "ApiKeyCreated" && event.data.permissions).to.deep.equal(["read", "write"]);
    });

    it("a key cannot mint a key with more permissions than itself", () => {
      expect(() => given(account).when(createKey({ permissions: ["read", "write"], ...by(readKey, ["read"]) }))).to.throw(ForbiddenError);
      expect(() => given(account).when(createKey({ permissions: ["write"], ...by(readKey, ["read"]) }))).to.throw(ForbiddenError);
    });

    it("a key may mint a key with the same or fewer permissions", () => {
      expect(given(account).when(createKey({ permissions: ["read"], ...by(readKey, ["read"]) }))).to.have.length(1);
      expect(given(account).when(createKey({ permissions: ["write"], ...by(writeKey, ["read", "write"]) }))).to.have.length(1);
    });

    it("judges the acting key by its permissions in the account, not by what the command claims", () => {
      const claimsMore = createKey({ permissions: ["read", "write"], ...by(readKey, ["read", "write"]) });
      expect(() => given(account).when(claimsMore)).to.throw(ForbiddenError);
    });

    it("a key revoked meanwhile cannot mint keys (no escape from revocation)", () => {
      const cmd = createKey({ permissions: ["read"], ...by(writeKey, ["read", "write"]) });
      expect(() => given([...account, revoked(writeKey)]).when(cmd)).to.throw(UnauthorizedError);
    });

    it("an expiry in the past, or now, is rejected", () => {
      for (const expiresAt of [new Date(now.getTime() - 1), now, new Date("2000-01-01T00:00:00Z")]) {
        expect(() => given(account).when(createKey({ expiresAt })), expiresAt.toISOString()).to.throw(
          ValidationError,
          "expires_at must be in the future",
        );
      }
    });

    it("an expiry one millisecond ahead is accepted", () => {
      expect(given(account).when(createKey({ expiresAt: new Date(now.getTime() + 1) }))).to.have.length(1);
    });

    it("needs a registered user", () => {
      expect(() => given([]).when(createKey({ actor: null }))).to.throw(NotFoundError);
    });

    describe("a key cannot outlive the key that made it (issue #11, 4)", () => {
      const expiringKey = "3f2a1b0c-9d8e-4f7a-8b6c-0000000000b1";
      const parentExpiry = new Date(now.getTime() + 25_000);
      const withExpiring = [...account, keyCreated(expiringKey, ["read", "write"], { expiresAt: parentExpiry.toISOString(), createdByKeyId: writeKey })];
      const fromExpiring = (expiresAt: Date | null) => createKey({ permissions: ["read", "write"], expiresAt, ...by(expiringKey, ["read", "write"]) });

      it("given a key expiring in 25 s, when it mints a key that never expires, then 403 naming the latest allowed expiry", () => {
        expect(() => given(withExpiring).when(fromExpiring(null))).to.throw(
          ForbiddenError,
          `An API key cannot create a key that outlives it: this key expires at ${parentExpiry.toISOString()}, so expires_at must be set and no later than that`,
        );
      });

      it("given a key expiring in 25 s, when it mints a key expiring even a millisecond later, then 403", () => {
        expect(() => given(withExpiring).when(fromExpiring(new Date(parentExpiry.getTime() + 1)))).to.throw(ForbiddenError);
      });

      it("given a key expiring in 25 s, when it mints a key expiring at the same instant or earlier, then the key is created", () => {
        for (const expiresAt of [parentExpiry, new Date(now.getTime() + 1_000)]) {
          const [event] = given(withExpiring).when(fromExpiring(expiresAt));
          expect(event?.type === "ApiKeyCreated" && event.data).to.include({ expiresAt: expiresAt.toISOString(), createdByKeyId: expiringKey });
        }
      });

      it("given a key that never expires, when it mints a key with any or no expiry, then the key is created", () => {
        expect(given(withExpiring).when(createKey({ expiresAt: null }))).to.have.length(1);
        expect(given(withExpiring).when(createKey({ expiresAt: new Date("2099-01-01T00:00:00Z") }))).to.have.length(1);
      });

      it("judges the maker's lifetime by the account, so a grandchild is bounded by its grandparent through its parent", () => {
        const child = "3f2a1b0c-9d8e-4f7a-8b6c-0000000000b2";
        const history = [...withExpiring, keyCreated(child, ["read"], { expiresAt: parentExpiry.toISOString(), createdByKeyId: expiringKey })];
        expect(() => given(history).when(createKey({ expiresAt: null, ...by(child, ["read"]) }))).to.throw(ForbiddenError);
      });
    });
  });

  describe("RevokeApiKey", () => {
    const revoke = (keyId: string): AccountCommand => ({ type: "RevokeApiKey", keyId, now });

    it("revokes an existing key", () => {
      expect(given(account).when(revoke(readKey))).to.deep.equal([revoked(readKey)]);
    });

    it("an unknown key is not found", () => {
      expect(() => given(account).when(revoke(newKey))).to.throw(NotFoundError, "API key not found");
    });

    it("an already revoked key is not found", () => {
      expect(() => given([...account, revoked(readKey)]).when(revoke(readKey))).to.throw(NotFoundError, "API key not found");
    });

    it("needs a registered user", () => {
      expect(() => given([]).when(revoke(readKey))).to.throw(NotFoundError);
    });

    describe("and the keys it created", () => {
      // writeKey -> child -> grandchild; writeKey -> sibling (already revoked); readKey unrelated.
      const child = "3f2a1b0c-9d8e-4f7a-8b6c-0000000000c1";
      const grandchild = "3f2a1b0c-9d8e-4f7a-8b6c-0000000000c2";
      const sibling = "3f2a1b0c-9d8e-4f7a-8b6c-0000000000c3";
      const family = [
        ...account,
        keyCreated(child, ["read", "write"], { createdByKeyId: writeKey }),
        keyCreated(grandchild, ["read"], { createdByKeyId: child }),
        keyCreated(sibling, ["read"], { createdByKeyId: writeKey }),
        revoked(sibling),
      ];

      it("given a key that created others, when it is revoked, then only it is revoked (its replacement keeps working: rotation)", () => {
        expect(given(family).when(revoke(writeKey))).to.deep.equal([revoked(writeKey)]);
      });

      it("given a key that created others, when it is revoked with cascade, then it and every unrevoked descendant are, makers first", () => {
        expect(given(family).when({ type: "RevokeApiKey", keyId: writeKey, cascade: true, now })).to.deep.equal([
          revoked(writeKey),
          revoked(child),
          revoked(grandchild),
        ]);
      });

      it("given a key in the middle of a lineage, when it is revoked with cascade, then its maker and unrelated keys stay", () => {
        expect(given(family).when({ type: "RevokeApiKey", keyId: child, cascade: true, now })).to.deep.equal([revoked(child), revoked(grandchild)]);
      });
    });
  });

  it("folds keys and their revocation into the state", () => {
    expect(given([...account, revoked(readKey)]).state).to.deep.equal({
      status: "registered",
      userId,
      email: "owner@example.com",
      keys: {
        [readKey]: { permissions: ["read"], revoked: true, expiresAt: null, createdByKeyId: null },
        [writeKey]: { permissions: ["read", "write"], revoked: false, expiresAt: null, createdByKeyId: null },
      },
    });
  });
});
