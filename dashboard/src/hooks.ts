import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again now. */
  reload(): void;
  /** Loads again soon: a burst of live changes becomes one request. */
  refresh(): void;
}

/** 300 ms: a drain of many commands refreshes a page a few times a second at most. */
const REFRESH_DELAY_MS = 300;

/**
 * Data a page shows, loaded by `load` and loaded again when `key` changes.
 * An answer to an older request never overwrites a newer one.
 */
export function useResource<T>(load: () => Promise<T>, key: string): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const reload = useCallback(() => {
    const request = ++latest.current;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (request !== latest.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (request !== latest.current) return;
        setError(failure);
        setLoading(false);
      },
    );
  }, []);

  const refresh = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      reload();
    }, REFRESH_DELAY_MS);
  }, [reload]);

  // `key` names what to load (`load` itself is a new function at every render).
  useEffect(() => {
    reload();
  }, [key, reload]);

  useEffect(() => () => clearTimeout(timer.current), []);

  return { data, error, loading, reload, refresh };
}

/** `value`, once it has stopped changing for `delayMs` (typing in a filter). */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
