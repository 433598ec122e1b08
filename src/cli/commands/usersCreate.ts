// `ssltrackr users create --email <email> [--password-prompt] [--json]`: registers a user and
// prints their first read+write API key (how a self-hosted install gets its first key); with
// --password-prompt, also sets their dashboard password (read as passwordPrompt.ts says).
// `ssltrackr users set-password --email <email>`: sets or replaces the password of a user and
// signs them out everywhere.
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { z } from "zod";
import { ConflictError, NotFoundError } from "../../shared/errors.js";
import { withServices } from "./cliContext.js";
import { PasswordInputError, readNewPassword } from "./passwordPrompt.js";

const fail = (message: string): number => {
  process.stderr.write(`ssltrackr: ${message}\n`);
  return 1;
};

/** The password first, so a rejected one leaves no user half made. */
const passwordOrExitCode = async (): Promise<string | number> => {
  try {
    return await readNewPassword();
  } catch (err) {
    if (err instanceof PasswordInputError) return fail(`password not accepted: ${err.message}`);
    throw err;
  }
};

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { email: { type: "string" }, "password-prompt": { type: "boolean", default: false }, json: { type: "boolean", default: false } },
  });
  const email = z.email().safeParse(values.email);
  if (!email.success) {
    process.stderr.write("usage: ssltrackr users create --email <email> [--password-prompt] [--json]\n");
    return 2;
  }
  const password = values["password-prompt"] ? await passwordOrExitCode() : undefined;
  if (typeof password === "number") return password;
  try {
    const created = await withServices(async (services) => {
      const user = await services.accounts.registerUser({ correlationId: randomUUID() }, email.data);
      // Make the key usable at once, even before a server's projector runs.
      await services.projections.catchUp();
      if (password !== undefined) await services.signIn.setPassword(email.data, password, new Date());
      return user;
    });
    if (values.json) process.stdout.write(JSON.stringify({ user_id: created.userId, api_key: created.key }) + "\n");
    else process.stdout.write(`Created user ${created.userId}\nAPI key (shown once, store it securely):\n  ${created.key}\n`);
    if (password !== undefined && !values.json) process.stdout.write("Password set: sign in to the dashboard with this e-mail address.\n");
    return 0;
  } catch (err) {
    if (err instanceof ConflictError) return fail(err.message);
    throw err;
  }
}

export async function setPassword(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { email: { type: "string" } } });
  const email = z.email().safeParse(values.email);
  if (!email.success) {
    process.stderr.write("usage: ssltrackr users set-password --email <email>   (the password: typed, or stdin's first line)\n");
    return 2;
  }
  try {
    return await withServices(async (services) => {
      await services.projections.catchUp();
      // Before asking for a password: an unknown address is the problem to report.
      if (!(await services.signIn.isRegistered(email.data))) throw new NotFoundError("No user with this e-mail address");
      const password = await passwordOrExitCode();
      if (typeof password === "number") return password;
      const { sessionsEnded } = await services.signIn.setPassword(email.data, password, new Date());
      process.stdout.write(`Password set for ${email.data}; ${sessionsEnded} session(s) signed out.\n`);
      return 0;
    });
  } catch (err) {
    if (err instanceof NotFoundError) return fail(err.message);
    throw err;
  }
}
