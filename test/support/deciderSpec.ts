// given(events) / when(command) / then(events or error) for pure deciders: no database, no
// clock, no I/O, so every business rule is a millisecond test.
import { fold, type Decider } from "../../src/infrastructure/commandHandling/decider.js";

export function deciderSpec<Command, Event, State>(decider: Decider<Command, Event, State>) {
  return {
    given: (events: readonly Event[]) => {
      const state = fold(decider, decider.initialState(), events);
      return {
        state,
        /** The events the decider decides; throws what the decider throws. */
        when: (command: Command): Event[] => decider.decide(command, state),
      };
    },
  };
}
