// Stream partitions of the log: every stream in exactly one partition of n, by a hash that
// never changes (partitions built by different processes and versions must agree).
import { expect } from "chai";
import { hashInPartition, inPartition, parsePartition, streamHash, WHOLE_LOG } from "../../../src/infrastructure/projections/partition.js";

const streams = Array.from({ length: 200 }, (_, i) => `domain-${i.toString(16).padStart(8, "0")}-${"x".repeat(i % 7)}`);

describe("stream partitions (unit)", () => {
  it("hashes stream names with FNV-1a (32 bit), as published test vectors give", () => {
    expect(streamHash("")).to.equal(0x811c9dc5);
    expect(streamHash("a")).to.equal(0xe40c292c);
    expect(streamHash("foobar")).to.equal(0xbf9cf968);
  });

  it("puts every stream in exactly one partition of n, the same by name and by hash", () => {
    for (const count of [1, 2, 3, 4, 8]) {
      const partitions = Array.from({ length: count }, (_, index) => ({ index, count }));
      for (const stream of streams) {
        const byName = partitions.filter((p) => inPartition(stream, p));
        expect(byName, `${stream} in ${count}`).to.have.length(1);
        expect(partitions.filter((p) => hashInPartition(streamHash(stream), p))).to.deep.equal(byName);
      }
      // Streams spread over every partition.
      expect(new Set(streams.map((s) => partitions.findIndex((p) => inPartition(s, p)))).size).to.equal(count);
    }
    expect(streams.every((s) => inPartition(s, WHOLE_LOG))).to.equal(true);
  });

  it("takes k/n with 0 <= k < n <= 64 and refuses anything else", () => {
    expect(parsePartition("1/2")).to.deep.equal({ index: 1, count: 2 });
    for (const bad of ["2/2", "0/0", "0/65", "-1/2", "1", "a/b", "1/2/3"]) expect(() => parsePartition(bad), bad).to.throw(/expected k\/n/);
  });
});
