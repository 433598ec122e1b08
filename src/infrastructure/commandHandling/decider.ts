// A decider is the pure heart of a concept: decide(command, state) -> events and
// evolve(state, event) -> state, with no I/O and no clock of its own.
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export const fold = <Event, State>(
  decider: Pick<Decider<unknown, Event, State>, "evolve">,
  state: State,
  events: Iterable<Event>,
): State => {
  let s = state;
  for (const e of events) s = decider.evolve(s, e);
  return s;
};
