// Who is acting: a user, through one of their API keys or through a dashboard session (a
// person signed in with their password). Carried into every command; the events' metadata
// names the key or the session (the history API's api_key_id / session_id).
import type { Permission } from "./events.js";

export type Actor =
  | {
      readonly kind: "apiKey";
      readonly userId: string;
      readonly keyId: string;
      readonly permissions: readonly Permission[];
    }
  | {
      readonly kind: "session";
      readonly userId: string;
      readonly sessionId: string;
      /** A person signed in holds all of their account's permissions. */
      readonly permissions: readonly Permission[];
    };

export type ApiKeyActor = Extract<Actor, { kind: "apiKey" }>;
