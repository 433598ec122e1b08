// Entry point of the `ssltrackr` command. Each sub-command lives in src/cli/commands/ and
// is loaded only when used, so `check-ssl` does not start a database and `--help` loads
// nothing but this file (the CLI starts in well under 300 ms, bench workload 11).

type CommandModule = { run(args: string[]): Promise<number> };

const commands: Record<string, () => Promise<CommandModule>> = {
  serve: () => import("./commands/serve.js"),
  worker: () => import("./commands/worker.js"),
  history: () => import("./commands/history.js"),
  "users create": () => import("./commands/usersCreate.js"),
  "users set-password": () => import("./commands/usersCreate.js").then((m) => ({ run: m.setPassword })),
  "projections status": () => import("./commands/projections.js").then((m) => ({ run: m.status })),
  "projections rebuild": () => import("./commands/projections.js").then((m) => ({ run: m.rebuild })),
  "scheduler status": () => import("./commands/schedulerStatus.js"),
  "check-whois": () => import("./commands/checkWhois.js"),
  "check-ssl": () => import("./commands/checkSsl.js"),
  domains: () => import("./commands/domains.js").then((m) => ({ run: m.runUsage })),
  "domains import": () => import("./commands/domains.js").then((m) => ({ run: m.runImport })),
  "domains export": () => import("./commands/domains.js").then((m) => ({ run: m.runExport })),
  backup: () => import("./commands/backup.js").then((m) => ({ run: m.backup })),
  restore: () => import("./commands/backup.js").then((m) => ({ run: m.restore })),
};

function usage(): string {
  return `usage: ssltrackr <command> [options]\n\ncommands:\n${Object.keys(commands)
    .sort()
    .map((c) => `  ${c}`)
    .join("\n")}\n`;
}

const isParseArgsError = (err: unknown): err is Error => err instanceof TypeError && String((err as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS_");

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  // "users create", "projections status": two-word commands are keyed "users create".
  const twoWord = rest[0] && commands[`${name} ${rest[0]}`] ? `${name} ${rest[0]}` : undefined;
  const load = commands[twoWord ?? name];
  if (!load) {
    process.stderr.write(`ssltrackr: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const mod = await load();
  return mod.run(twoWord ? rest.slice(1) : rest);
}

// Output piped into a command that stops reading (`| head`) is not an error of ours.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
  process.exit(process.exitCode ?? 0);
});

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  // A command that failed on its configuration has loaded the config module already.
  const { ConfigError } = await import("../config.js");
  if (err instanceof ConfigError) {
    process.stderr.write(`ssltrackr: ${err.message}\n`);
    process.exitCode = 2;
  } else if (isParseArgsError(err)) {
    // node:util parseArgs refusing an option or argument: a usage error, not a crash.
    process.stderr.write(`ssltrackr: ${err.message}\n\n${usage()}`);
    process.exitCode = 2;
  } else {
    throw err;
  }
}
