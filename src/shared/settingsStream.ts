// A user's settings document on a stream of its own, replaced whole by each change: a change
// that alters nothing records nothing. Alert settings and digest settings are such streams.
import type { Decider } from "../infrastructure/commandHandling/decider.js";

export interface ChangeSettings<S> {
  readonly type: string;
  readonly userId: string;
  readonly settings: S;
  readonly now: Date;
}

export interface SettingsChanged<T extends string, Stored> {
  readonly type: T;
  readonly data: { readonly userId: string; readonly settings: Stored; readonly changedAt: string };
}

/**
 * The decider of such a stream: `eventType` records a change, `read` turns stored settings
 * into the current ones (defaults for what an older event lacks).
 */
export function settingsDecider<T extends string, S extends Stored, Stored>(
  eventType: T,
  initial: S,
  read: (stored: Stored) => S,
): Decider<ChangeSettings<S>, SettingsChanged<T, Stored>, S> {
  return {
    initialState: () => initial,
    decide: (command, current) =>
      JSON.stringify(current) === JSON.stringify(command.settings)
        ? []
        : [{ type: eventType, data: { userId: command.userId, settings: command.settings, changedAt: command.now.toISOString() } }],
    evolve: (_state, event) => read(event.data.settings),
  };
}
