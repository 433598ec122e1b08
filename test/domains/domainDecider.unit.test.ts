import { expect } from "chai";
import { domainDecider, type DomainCommand } from "../../src/domains/domainDecider.js";
import { domainEventCodec, type DomainEvent } from "../../src/domains/events.js";
import { ConflictError, NotFoundError } from "../../src/shared/errors.js";
import { deciderSpec } from "../support/deciderSpec.js";

const { given } = deciderSpec(domainDecider);

const domainId = "0b0e8a9e-4c53-4c8e-9d43-6f1f3a1c2b01";
const owner = "5a3c1f7e-2d44-4b7a-8f11-0c9e8d7b6a01";
const stranger = "5a3c1f7e-2d44-4b7a-8f11-0c9e8d7b6a02";
const t0 = new Date("2026-01-15T10:00:00.000Z");
const t1 = new Date("2026-01-16T11:30:00.000Z");

const add: Extract<DomainCommand, { type: "AddDomain" }> = {
  type: "AddDomain",
  domainId,
  userId: owner,
  hostname: "example.com",
  requestedHostname: "Example.COM.",
  port: 443,
  notes: "Production server",
  tags: ["production"],
  now: t0,
};

const added: DomainEvent = {
  type: "DomainAdded",
  data: {
    domainId,
    userId: owner,
    hostname: "example.com",
    requestedHostname: "Example.COM.",
    port: 443,
    notes: "Production server",
    tags: ["production"],
    addedAt: t0.toISOString(),
  },
};
const removed: DomainEvent = { type: "DomainRemoved", data: { domainId, removedAt: t1.toISOString() } };
const update = (changes: Extract<DomainCommand, { type: "UpdateDomain" }>["changes"], userId = owner): DomainCommand => ({
  type: "UpdateDomain",
  userId,
  changes,
  now: t1,
});
const updated = (changes: Extract<DomainEvent, { type: "DomainUpdated" }>["data"]["changes"]): DomainEvent => ({
  type: "DomainUpdated",
  data: { domainId, changes, updatedAt: t1.toISOString() },
});

describe("domain decider (unit)", () => {
  describe("AddDomain", () => {
    it("adds a new domain with the command's time, owner and fields", () => {
      expect(given([]).when(add)).to.deep.equal([added]);
    });

    it("rejects adding a domain id that already exists, even after removal", () => {
      expect(() => given([added]).when(add)).to.throw(ConflictError);
      expect(() => given([added, removed]).when(add)).to.throw(ConflictError);
    });

    it("copies the tags so later changes to the command cannot alter the event", () => {
      const tags = ["a"];
      const [event] = given([]).when({ ...add, tags });
      tags.push("b");
      expect(event?.type === "DomainAdded" && event.data.tags).to.deep.equal(["a"]);
    });
  });

  describe("UpdateDomain", () => {
    it("records only the fields that actually change", () => {
      const changes = { hostname: "example.com", port: 8443, notes: "Production server", tags: ["production"] };
      expect(given([added]).when(update(changes))).to.deep.equal([updated({ port: 8443 })]);
    });

    it("records a tag change as the complete new tag list", () => {
      expect(given([added]).when(update({ tags: ["production", "web"] }))).to.deep.equal([
        updated({ tags: ["production", "web"] }),
      ]);
    });

    it("records clearing the notes with null", () => {
      expect(given([added]).when(update({ notes: null }))).to.deep.equal([updated({ notes: null })]);
    });

    it("records disabling monitoring", () => {
      expect(given([added]).when(update({ isActive: false }))).to.deep.equal([updated({ isActive: false })]);
    });

    it("decides nothing when nothing changes", () => {
      expect(given([added]).when(update({}))).to.deep.equal([]);
      expect(given([added]).when(update({ hostname: "example.com", isActive: true }))).to.deep.equal([]);
      expect(given([added, updated({ port: 8443 })]).when(update({ port: 8443 }))).to.deep.equal([]);
    });

    it("treats another user's domain as not found", () => {
      expect(() => given([added]).when(update({ port: 1 }, stranger))).to.throw(NotFoundError, "Domain not found");
    });

    it("treats a missing or removed domain as not found", () => {
      expect(() => given([]).when(update({ port: 1 }))).to.throw(NotFoundError, "Domain not found");
      expect(() => given([added, removed]).when(update({ port: 1 }))).to.throw(NotFoundError, "Domain not found");
    });
  });

  describe("RemoveDomain", () => {
    const remove: DomainCommand = { type: "RemoveDomain", userId: owner, now: t1 };

    it("removes the owner's domain", () => {
      expect(given([added]).when(remove)).to.deep.equal([removed]);
    });

    it("cannot remove a domain twice, a missing one, or another user's", () => {
      expect(() => given([added, removed]).when(remove)).to.throw(NotFoundError, "Domain not found");
      expect(() => given([]).when(remove)).to.throw(NotFoundError, "Domain not found");
      expect(() => given([added]).when({ ...remove, userId: stranger })).to.throw(NotFoundError, "Domain not found");
    });
  });

  it("decides events exactly as they will be stored and read back (no stray undefined fields)", () => {
    const decided = [
      ...given([]).when(add),
      ...given([added]).when(update({ port: 8443, notes: null })),
      ...given([added]).when(update({ tags: [] })),
      ...given([added]).when({ type: "RemoveDomain", userId: owner, now: t1 }),
    ];
    expect(decided).to.have.length(4);
    for (const event of decided) {
      const stored = JSON.parse(JSON.stringify(domainEventCodec.encode(event, "00000000-0000-4000-8000-000000000001", {})));
      expect(domainEventCodec.decode(stored)).to.deep.equal(event);
    }
  });

  describe("evolve", () => {
    it("applies only the changed fields of an update", () => {
      expect(given([added, updated({ port: 8443, isActive: false })]).state).to.deep.equal({
        status: "monitored",
        domainId,
        userId: owner,
        hostname: "example.com",
        port: 8443,
        isActive: false,
        notes: "Production server",
        tags: ["production"],
        mutedUntil: null,
      });
    });

    it("mutes until an instant and unmutes with null (issue #15)", () => {
      const until = "2026-12-01T08:00:00.000Z";
      expect(given([added, updated({ mutedUntil: until })]).state).to.include({ mutedUntil: until, port: 443 });
      expect(given([added, updated({ mutedUntil: until }), updated({ mutedUntil: null })]).state).to.include({ mutedUntil: null });
    });

    it("keeps a removed domain's hostname and port (its reservation must be released)", () => {
      const state = given([added, updated({ hostname: "example.org" }), removed]).state;
      expect(state).to.include({ status: "removed", hostname: "example.org", port: 443 });
    });
  });
});
