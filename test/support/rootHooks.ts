// Mocha root hooks: stop the embedded test server (if one was started) after the run.
import { stopEmbeddedServer } from "./database.js";

export const mochaHooks = {
  async afterAll() {
    await stopEmbeddedServer();
  },
};
