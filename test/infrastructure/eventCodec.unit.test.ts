import { expect } from "chai";
import { z } from "zod";
import { defineEvent, eventCodec, UnknownEventError } from "../../src/infrastructure/eventStore/eventCodec.js";
import { domainEventCodec } from "../../src/domains/events.js";

// A type that evolved twice: v1 had `name`, v2 split it into first/last, v3 added `tags`.
const PersonRegistered = defineEvent({
  type: "PersonRegistered",
  version: 3,
  schema: z.object({ first: z.string(), last: z.string(), tags: z.array(z.string()) }),
  upcasters: {
    1: ({ name, ...rest }) => {
      const [first = "", last = ""] = String(name).split(" ");
      return { ...rest, first, last };
    },
    2: (data) => ({ ...data, tags: [] }),
  },
});
const PersonLeft = defineEvent({ type: "PersonLeft", version: 1, schema: z.object({ at: z.iso.datetime() }) });
const codec = eventCodec([PersonRegistered, PersonLeft] as const);

const stored = (type: string, data: unknown, schemaVersion?: number) => ({
  type,
  data,
  metadata: schemaVersion === undefined ? {} : { schemaVersion },
});

describe("event codec (unit)", () => {
  it("encodes with the current schema version in the metadata, keeping id, data and metadata", () => {
    const event = { type: "PersonRegistered" as const, data: { first: "Ada", last: "Lovelace", tags: ["x"] } };
    expect(codec.encode(event, "id-1", { correlationId: "c-1" })).to.deep.equal({
      id: "id-1",
      type: "PersonRegistered",
      data: { first: "Ada", last: "Lovelace", tags: ["x"] },
      metadata: { correlationId: "c-1", schemaVersion: 3 },
    });
  });

  it("decodes an event of the current version as stored", () => {
    const event = { type: "PersonLeft" as const, data: { at: "2026-01-01T00:00:00.000Z" } };
    const encoded = codec.encode(event, "id-2", {});
    expect(codec.decode({ ...encoded, metadata: encoded.metadata ?? {} })).to.deep.equal(event);
  });

  it("upcasts an old-version event step by step when decoding", () => {
    expect(codec.decode(stored("PersonRegistered", { name: "Ada Lovelace" }, 1))).to.deep.equal({
      type: "PersonRegistered",
      data: { first: "Ada", last: "Lovelace", tags: [] },
    });
    expect(codec.decode(stored("PersonRegistered", { first: "Alan", last: "Turing" }, 2))).to.deep.equal({
      type: "PersonRegistered",
      data: { first: "Alan", last: "Turing", tags: [] },
    });
  });

  it("upcasts without validating for projections, which read back what was encoded", () => {
    expect(codec.upcast(stored("PersonRegistered", { first: "Alan", last: "Turing" }, 2))).to.deep.equal(
      codec.decode(stored("PersonRegistered", { first: "Alan", last: "Turing" }, 2)),
    );
    expect(codec.upcast(stored("PersonLeft", { at: "yesterday" }, 1))).to.deep.equal({ type: "PersonLeft", data: { at: "yesterday" } });
    expect(codec.upcast(stored("SomethingElseHappened", { any: 1 }, 1))).to.equal(null);
  });

  it("treats an event stored without a schema version as version 1", () => {
    expect(codec.decode(stored("PersonRegistered", { name: "Grace Hopper" }))).to.deep.equal({
      type: "PersonRegistered",
      data: { first: "Grace", last: "Hopper", tags: [] },
    });
  });

  it("returns null for event types it does not know (other concepts' events)", () => {
    expect(codec.decode(stored("SomethingElseHappened", { any: 1 }, 1))).to.equal(null);
    expect(domainEventCodec.decode(stored("PersonRegistered", { name: "Ada Lovelace" }, 1))).to.equal(null);
    expect(codec.types).to.have.all.keys("PersonRegistered", "PersonLeft");
  });

  it("fails loudly when an upcaster is missing for a stored version", () => {
    const Broken = defineEvent({ type: "Broken", version: 3, schema: z.object({}), upcasters: { 2: (d) => d } });
    expect(() => eventCodec([Broken] as const).decode(stored("Broken", {}, 1))).to.throw(UnknownEventError, /v1/);
  });

  it("fails loudly when stored data does not match the schema after upcasting", () => {
    expect(() => codec.decode(stored("PersonLeft", { at: "yesterday" }, 1))).to.throw();
  });

  it("refuses to encode a type it does not know", () => {
    const foreign = { type: "Unknown", data: {} } as unknown as Parameters<typeof codec.encode>[0];
    expect(() => codec.encode(foreign, "id-3", {})).to.throw(UnknownEventError);
  });
});
