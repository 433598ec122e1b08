// A DNS lookup function for node:http(s)/net that only ever returns addresses the SSRF guard
// (targets.ts) approved: the name cannot re-resolve elsewhere between check and connect.
import net, { type LookupFunction } from "node:net";

export function pinnedLookup(addresses: readonly string[]): LookupFunction {
  const all = addresses.map((address) => ({ address, family: net.isIP(address) }));
  return (_hostname, options, callback) => {
    const usable = options.family ? all.filter((a) => a.family === options.family) : all;
    const first = usable[0];
    if (!first) {
      callback(Object.assign(new Error("no approved address of the requested family"), { code: "ENOTFOUND" }), "", 0);
    } else if (options.all) callback(null, usable);
    else callback(null, first.address, first.family);
  };
}
