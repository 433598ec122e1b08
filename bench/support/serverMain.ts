// Child-process entry of the API benchmarks: the real server (startServer) on DATABASE_URL with
// fake checkers, so nothing reaches the network, and no background checks. It reports its URL
// to the parent and stops cleanly on "stop" (so --cpu-prof can write its profile).
import { startServer } from "../../src/app/server.js";
import { createLogger } from "../../src/infrastructure/logging/logger.js";
import { systemClock } from "../../src/shared/clock.js";
import { FakeCheckers } from "../../test/support/checkFixtures.js";
import { benchConfig } from "./app.js";

const server = await startServer(
  benchConfig(process.env["DATABASE_URL"]!, Number(process.env["SSLTRACKR_DB_POOL_MAX"] ?? 6), { PORT: "0", HOST: "127.0.0.1" }),
  { checkers: new FakeCheckers(systemClock), logger: createLogger("silent") },
);
process.on("message", (message) => {
  if (message !== "stop") return;
  void server.close().then(() => process.exit(0));
});
process.send!({ url: server.url });
