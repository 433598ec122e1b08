// Who is acting: the authenticated API key and its user. Carried into every command.
import type { Permission } from "./events.js";

export interface Actor {
  readonly userId: string;
  readonly keyId: string;
  readonly permissions: readonly Permission[];
}
