/** The renderer's services over an in-process Engine: the real commands and events, without a socket in between. */
import type { EngineApi, EventName, Events } from '../../../../shared/api/contract';
import type { Direction } from '../../../../shared/codec/protocol';
import { Engine } from '../../../../electron/engine/api/engine';
import { decodeFrame } from '../../../../renderer/src/workers/decode-frame';
import { DecodeClient, type DecodeWorkerLike } from '../../../../renderer/src/workers/decode-client';
import type { DecodeRequest, DecodeResponse } from '../../../../renderer/src/workers/decode-worker';
import type { KeyValueStorage, Services } from '../../../../renderer/src/stores/services';
import { loadFixtures } from '../../../support/fixtures';

export function engineApi(engine: Engine): EngineApi {
  return {
    call: (command, params) => engine.call(command, params),
    on: <E extends EventName>(event: E, listener: (data: Events[E]) => void) => engine.on((e, data) => { if (e === event) listener(data as Events[E]); }),
  };
}

/** The decode worker's code, run on the next tick instead of in a thread. */
export function inlineWorker(): DecodeWorkerLike & { decoded: number } {
  const w: DecodeWorkerLike & { decoded: number } = {
    decoded: 0,
    onmessage: null,
    postMessage(req: DecodeRequest) {
      setTimeout(() => {
        w.decoded++;
        const data: DecodeResponse = { id: req.id, view: decodeFrame(req.detail) };
        w.onmessage?.({ data } as MessageEvent<DecodeResponse>);
      }, 0);
    },
  };
  return w;
}

export function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => { data.set(k, v); } };
}

export function services(engine: Engine): Services & { copied: string[]; worker: ReturnType<typeof inlineWorker> } {
  const api = engineApi(engine);
  const worker = inlineWorker();
  const copied: string[] = [];
  return { api, decoder: new DecodeClient(api, worker), storage: memoryStorage(), copy: async (t) => { copied.push(t); }, copied, worker };
}

/** A flyer conversation recorded into the engine's session as a proxy would: `rounds` × (ShakeHand → response). */
export function recordFlyer(engine: Engine, rounds: number, port = 20180): number {
  const fx = loadFixtures('flyer');
  const request = fx.find((f) => f.file === '03-shake-hand.json')!;
  const response = fx.find((f) => f.file === '04-shake-hand-response.json')!;
  const s = engine.session;
  const id = s.openConnection({ source: 'proxy', client: { host: '127.0.0.1', port: 50000 + rounds }, server: { host: '127.0.0.1', port }, protocol: 'flyer' });
  for (let i = 0; i < rounds; i++) {
    s.data(id, 'c2s' as Direction, request.bytes);
    s.data(id, 's2c' as Direction, response.bytes);
  }
  return id;
}
