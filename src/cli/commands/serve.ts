// `ssltrackr serve`: run the API, projectors (and, with later issues, the scheduler) until
// SIGINT/SIGTERM, then shut down gracefully.
import { loadConfig } from "../../config.js";
import { startServer } from "../../app/server.js";

export async function run(): Promise<number> {
  const server = await startServer(loadConfig());
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.close();
  return 0;
}
