// Demo data for a running server: a demo user (its API key is printed) and N domains added
// through the HTTP API, as a person would add them.
//
//   DATABASE_URL=postgres://... node --import tsx scripts/seed-demo.ts [--url http://127.0.0.1:3000] [--domains 20] [--email demo@example.com]
//   node --import tsx scripts/seed-demo.ts --key <api key> [--url ...] [--domains 20]
//
// Without --key the user is created with `ssltrackr users create` (there is no sign-up
// endpoint), so DATABASE_URL must name the server's database (unset: the embedded one, as for
// the server). The first domains are well-known public sites, the rest demo-<n>.example.com
// (which do not resolve: they show how failed checks look). A hostname already monitored by
// the user is skipped, so the script can run again with the same key.
import { parseArgs } from "node:util";
import { $ } from "zx";

const WELL_KNOWN = ["example.com", "example.org", "wikipedia.org", "mozilla.org", "letsencrypt.org", "nodejs.org", "postgresql.org", "debian.org", "kernel.org", "github.com"];

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:3000" },
    domains: { type: "string", default: "20" },
    email: { type: "string", default: `demo-${Date.now()}@example.com` },
    key: { type: "string" },
  },
});
$.verbose = false;

async function createUser(email: string): Promise<string> {
  const out = await $`node --import tsx src/cli/main.ts users create --email ${email} --json`;
  const { user_id, api_key } = JSON.parse(out.stdout) as { user_id: string; api_key: string };
  process.stdout.write(`Created user ${user_id} <${email}>\nAPI key: ${api_key}\n`);
  return api_key;
}

async function main(): Promise<number> {
  const count = Number(values.domains);
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    process.stderr.write("--domains must be an integer from 1 to 1000\n");
    return 2;
  }
  const key = values.key ?? (await createUser(values.email));
  let added = 0;
  for (let i = 0; i < count; i++) {
    const hostname = WELL_KNOWN[i] ?? `demo-${i - WELL_KNOWN.length + 1}.example.com`;
    const res = await fetch(`${values.url}/api/v1/domains`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ hostname, tags: ["demo"] }),
    });
    if (res.status === 201) added++;
    else if (res.status !== 409) {
      process.stderr.write(`POST /domains ${hostname}: ${res.status} ${await res.text()}\n`);
      return 1;
    }
  }
  process.stdout.write(`Added ${added} domains (${count - added} already there) at ${values.url}\n`);
  return 0;
}

process.exitCode = await main();
