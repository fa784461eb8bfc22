/**
 * The renderer's side of decoding: fetches a frame's detail from the engine, has the worker decode it, and keeps
 * both in an LRU so stepping back and forth through frames costs nothing. Keys carry the session generation: frame
 * numbers restart when the session is cleared or a file is opened.
 */
import type { EngineApi } from '../../../shared/api/contract';
import type { FrameDetail } from '../../../shared/model/session';
import { Lru } from '../lib/lru';
import type { DecodedView } from './decode-frame';
import type { DecodeRequest, DecodeResponse } from './decode-worker';

export interface DecodedFrameView {
  detail: FrameDetail;
  view: DecodedView;
}

/** What the client needs of a worker (a real Worker in the browser; a direct call in tests). */
export interface DecodeWorkerLike {
  postMessage(message: DecodeRequest): void;
  onmessage: ((event: MessageEvent<DecodeResponse>) => void) | null;
  terminate?(): void;
}

export class DecodeClient {
  private readonly cache: Lru<string, Promise<DecodedFrameView>>;
  private readonly waiting = new Map<number, { resolve(v: DecodedView): void; reject(e: Error): void }>();
  private nextId = 1;

  constructor(private readonly api: EngineApi, private readonly worker: DecodeWorkerLike, capacity = 256) {
    this.cache = new Lru(capacity);
    worker.onmessage = (event) => {
      const msg = event.data;
      const w = this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id);
      if ('error' in msg) w.reject(new Error(msg.error));
      else w.resolve(msg.view);
    };
  }

  /** The frame's detail and decoded tree (cached). */
  frame(generation: number, number: number): Promise<DecodedFrameView> {
    const key = `${generation}:${number}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const promise = (async () => {
      const detail = await this.api.call('frame.detail', { number });
      return { detail, view: await this.decode(detail) };
    })();
    this.cache.set(key, promise);
    promise.catch(() => this.cache.delete(key)); // a failure is not cached
    return promise;
  }

  decode(detail: FrameDetail): Promise<DecodedView> {
    const id = this.nextId++;
    return new Promise<DecodedView>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, detail });
    });
  }

  clear(): void {
    this.cache.clear();
  }
}

/** The browser's worker, bundled by Vite as its own file (the CSP allows workers from 'self' only). */
export function createDecodeWorker(): DecodeWorkerLike {
  return new Worker(new URL('./decode-worker.ts', import.meta.url), { type: 'module', name: 'decode' }) as unknown as DecodeWorkerLike;
}
