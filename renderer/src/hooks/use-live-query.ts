/**
 * Data that follows the session (connections, statistics, a followed connection): fetched on mount and again
 * when the session changes, at most once per interval, so a busy proxy does not flood the engine.
 */
import { useEffect, useRef, useState } from 'react';
import { useApp } from '../stores/store';

export function useLiveQuery<T>(fetch: () => Promise<T>, deps: readonly unknown[], intervalMs = 1000): { data?: T; error?: string } {
  const frames = useApp((s) => s.frames);
  const connections = useApp((s) => s.connections);
  const generation = useApp((s) => s.generation);
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;

  // Inputs changed (a different connection): fetch at once.
  useEffect(() => {
    let live = true;
    last.current = Date.now();
    fetchRef.current().then((data) => live && setState({ data }), (e: Error) => live && setState({ error: e.message }));
    return () => { live = false; };
  }, [...deps, generation]);

  // The session grew: fetch again, throttled.
  useEffect(() => {
    if (timer.current) return;
    const wait = Math.max(0, intervalMs - (Date.now() - last.current));
    timer.current = setTimeout(() => {
      timer.current = undefined;
      last.current = Date.now();
      fetchRef.current().then((data) => setState({ data }), (e: Error) => setState({ error: e.message }));
    }, wait);
  }, [frames, connections, intervalMs]);

  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);
  return state;
}
