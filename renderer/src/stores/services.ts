/** What the store's actions use besides the state: the engine, the decoder, persistence and the clipboard. */
import type { EngineApi } from '../../../shared/api/contract';
import type { DecodeClient } from '../workers/decode-client';

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface Services {
  api: EngineApi;
  decoder: DecodeClient;
  storage?: KeyValueStorage;
  copy(text: string): Promise<void>;
}

export function loadJson<T>(storage: KeyValueStorage | undefined, key: string, fallback: T): T {
  try {
    const text = storage?.getItem(key);
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

export function saveJson(storage: KeyValueStorage | undefined, key: string, value: unknown): void {
  try {
    storage?.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: history is a convenience, never a failure.
  }
}
