// `ssltrackr history <domain-id> [--as-of T] [--json|--ndjson]`: exports a domain's history
// (any user's: this is the operator's tool) or its state at a past moment.
import { parseArgs } from "node:util";
import { z } from "zod";
import { DomainHistory } from "../../domains/domainHistory.js";
import { NotFoundError } from "../../shared/errors.js";
import { instantInput } from "../../shared/instant.js";
import { withServices } from "./cliContext.js";

const usage = "usage: ssltrackr history <domain-id> [--as-of <ISO time>] [--json|--ndjson]\n";

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { "as-of": { type: "string" }, json: { type: "boolean" }, ndjson: { type: "boolean" } },
  });
  const id = z.uuid().safeParse(positionals[0]);
  const asOf = values["as-of"] === undefined ? undefined : instantInput().safeParse(values["as-of"]);
  if (!id.success || (asOf && !asOf.success)) {
    process.stderr.write(usage);
    return 2;
  }
  const write = (line: string) => process.stdout.write(line + "\n");
  try {
    return await withServices(async (_services, infra) => {
      const history = new DomainHistory(infra.eventStore);
      if (asOf?.success) {
        write(JSON.stringify(await history.stateAsOf(null, id.data, new Date(asOf.data)), null, values.ndjson ? 0 : 2));
        return 0;
      }
      const entries = [];
      for await (const entry of history.all(id.data)) {
        if (values.ndjson) write(JSON.stringify(entry));
        else entries.push(entry);
      }
      if (values.ndjson) return 0;
      if (entries.length === 0) throw new NotFoundError("Domain not found");
      if (values.json) write(JSON.stringify(entries, null, 2));
      else for (const e of entries) write(`${e.recorded_at}  #${e.revision}  ${e.type.padEnd(18)} user=${e.user_id ?? "-"} key=${e.api_key_id ?? "-"} session=${e.session_id ?? "-"} correlation=${e.correlation_id ?? "-"}`);
      return 0;
    });
  } catch (err) {
    if (err instanceof NotFoundError) {
      process.stderr.write(`ssltrackr: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
