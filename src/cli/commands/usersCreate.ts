// `ssltrackr users create --email <email> [--json]`: registers a user and prints their first
// read+write API key. This is how a self-hosted install gets its first key.
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { z } from "zod";
import { ConflictError } from "../../shared/errors.js";
import { withServices } from "./cliContext.js";

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { email: { type: "string" }, json: { type: "boolean", default: false } } });
  const email = z.email().safeParse(values.email);
  if (!email.success) {
    process.stderr.write("usage: ssltrackr users create --email <email> [--json]\n");
    return 2;
  }
  try {
    const created = await withServices(async (services) => {
      const user = await services.accounts.registerUser({ correlationId: randomUUID() }, email.data);
      // Make the key usable at once, even before a server's projector runs.
      await services.projections.catchUp();
      return user;
    });
    if (values.json) process.stdout.write(JSON.stringify({ user_id: created.userId, api_key: created.key }) + "\n");
    else process.stdout.write(`Created user ${created.userId}\nAPI key (shown once, store it securely):\n  ${created.key}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConflictError) {
      process.stderr.write(`ssltrackr: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
