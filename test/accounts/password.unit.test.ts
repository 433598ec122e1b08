// Password rules (NIST SP 800-63B-4 §3.1.1.2) and argon2id hashing of dashboard passwords.
import { expect } from "chai";
import { hashPassword, passwordSchema, verifyNothing, verifyPassword } from "../../src/accounts/password.js";

describe("passwords (unit)", () => {
  it("accepts 15 to 256 characters of any kind, and nothing shorter or longer", () => {
    expect(passwordSchema.safeParse("x".repeat(14)).success).to.equal(false);
    expect(passwordSchema.safeParse("x".repeat(15)).success).to.equal(true);
    expect(passwordSchema.safeParse("pâté & ünïcode, spaces too").success).to.equal(true);
    expect(passwordSchema.safeParse("x".repeat(256)).success).to.equal(true);
    expect(passwordSchema.safeParse("x".repeat(257)).success).to.equal(false);
  });

  it("hashes with argon2id and a fresh salt, verifying only the same password", async () => {
    const [a, b] = await Promise.all([hashPassword("correct horse battery staple"), hashPassword("correct horse battery staple")]);
    expect(a).to.match(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).to.not.equal(b);
    expect(await verifyPassword(a, "correct horse battery staple")).to.equal(true);
    expect(await verifyPassword(a, "correct horse battery stapler")).to.equal(false);
  });

  it("treats a malformed stored hash as a mismatch, and an unknown account as one too", async () => {
    expect(await verifyPassword("not a hash", "anything at all here")).to.equal(false);
    expect(await verifyNothing("anything at all here")).to.equal(false);
  });
});
