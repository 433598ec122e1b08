// `ssltrackr serve`: run the API, projectors, scheduler and (SSLTRACKR_WORKERS) check workers
// until SIGINT/SIGTERM, then shut down gracefully.
import { loadConfig } from "../../config.js";
import { startServer } from "../../app/server.js";
import { runUntilSignalled } from "./cliContext.js";

export async function run(): Promise<number> {
  return runUntilSignalled(await startServer(loadConfig()));
}
