// Just enough DER to read what Node's X509Certificate does not expose (the signature
// algorithm, CRLs, OCSP messages) and to write an OCSP request. Not a general ASN.1 parser:
// definite lengths only, which DER guarantees.
import { utcDate } from "../../shared/instant.js";

export interface DerElement {
  tag: number;
  /** The element's contents (without tag and length). */
  value: Buffer;
  /** Offset just past this element in the buffer it was read from. */
  end: number;
  /** The whole element, tag and length included (what a signature covers). */
  raw: Buffer;
}

export class DerError extends Error {
  override readonly name = "DerError";
}

/** Reads the element starting at `offset`. */
export function readElement(buf: Buffer, offset = 0): DerElement {
  const tag = buf[offset];
  let lengthByte = buf[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new DerError("truncated DER element");
  let pos = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4) throw new DerError("unsupported DER length");
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = buf[pos++];
      if (lengthByte === undefined) throw new DerError("truncated DER length");
      length = length * 256 + lengthByte;
    }
  }
  if (pos + length > buf.length) throw new DerError("DER element overruns its buffer");
  return { tag, value: buf.subarray(pos, pos + length), end: pos + length, raw: buf.subarray(offset, pos + length) };
}

/** The elements inside a constructed element's contents, in order. */
export function children(value: Buffer): DerElement[] {
  const out: DerElement[] = [];
  for (let offset = 0; offset < value.length; ) {
    const el = readElement(value, offset);
    out.push(el);
    offset = el.end;
  }
  return out;
}

/** Dotted form of an OBJECT IDENTIFIER's contents, e.g. "1.2.840.113549.1.1.11". */
export function decodeOid(value: Buffer): string {
  const arcs: number[] = [];
  let acc = 0;
  for (const byte of value) {
    acc = acc * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(acc);
      acc = 0;
    }
  }
  const [first, ...rest] = arcs;
  if (first === undefined) throw new DerError("empty OID");
  // The first sub-identifier packs the first two arcs as 40 * a + b (a is at most 2).
  const top = Math.min(Math.floor(first / 40), 2);
  return [top, first - top * 40, ...rest].join(".");
}

/** One DER element: `tag`, the definite length, then the contents. */
export function encodeElement(tag: number, ...contents: Buffer[]): Buffer {
  const value = Buffer.concat(contents);
  const n = value.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : n < 0x10000 ? Buffer.from([0x82, n >> 8, n & 0xff]) : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, value]);
}

/**
 * A UTCTime (0x17; years 50-99 are 19xx, RFC 5280 §4.1.2.5.1) or GeneralizedTime (0x18) as a
 * Date; DER times are UTC ("Z") with whole seconds.
 */
export function decodeTime(el: DerElement): Date {
  const text = el.value.toString("latin1");
  const m = el.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : el.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(text) : null;
  if (!m) throw new DerError(`not a DER time: ${text}`);
  const year = el.tag === 0x17 ? (+m[1]! >= 50 ? 1900 : 2000) + +m[1]! : +m[1]!;
  return utcDate(year, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}
