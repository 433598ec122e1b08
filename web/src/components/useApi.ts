import { useCallback, useEffect, useState } from "react";

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | null;
  /**
   * True from the render whose dependencies changed until their answer arrives: `data` may
   * still be the previous dependencies' answer (kept, so the page does not blank), and a
   * table showing it says so (aria-busy) rather than passing it off as the new filter's.
   */
  readonly loading: boolean;
  reload(): void;
}

/**
 * Runs `load` when its dependencies change (and on reload()); the last answer wins, an older
 * one arriving late is dropped. `load` returns the data or throws an Error with the message.
 */
export function useApi<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const wanted = [...deps, tick];
  // Which dependencies the shown answer (or error) belongs to; compared during render, so
  // `loading` turns true in the very render that changes a filter, not an effect later.
  const [answered, setAnswered] = useState<readonly unknown[] | null>(null);
  useEffect(() => {
    let current = true;
    load().then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(null);
        setAnswered(wanted);
      },
      (e: Error) => {
        if (!current) return;
        setError(e.message);
        setAnswered(wanted);
      },
    );
    return () => {
      current = false;
    };
    // `load` is a new closure each render; the caller names what it depends on in `deps`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, wanted);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const loading = answered === null || answered.length !== wanted.length || answered.some((d, i) => !Object.is(d, wanted[i]));
  return { data, error, loading, reload };
}
