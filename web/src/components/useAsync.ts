import { useCallback, useEffect, useState } from 'react';

/** Loads a value, with its error and a reload; `deps` restart it. */
export function useAsync<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { value?: T; error?: string; reload: () => void } {
  const [state, setState] = useState<{ value?: T; error?: string }>({});
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ value: s.value }));
    load().then(
      (value) => {
        if (live) setState({ value });
      },
      (e: unknown) => {
        if (live) setState({ error: e instanceof Error ? e.message : String(e) });
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { ...state, reload };
}
