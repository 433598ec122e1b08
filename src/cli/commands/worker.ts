// `ssltrackr worker`: run check workers (and the scheduler, projectors) without the HTTP API
// until SIGINT/SIGTERM, then finish the checks in flight and stop.
import { loadConfig } from "../../config.js";
import { startWorker } from "../../app/worker.js";
import { runUntilSignalled } from "./cliContext.js";

export async function run(): Promise<number> {
  return runUntilSignalled(await startWorker(loadConfig()));
}
