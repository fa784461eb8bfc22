/** Engine events → store: totals and view refreshes (batched by the engine, about 20 a second), proxies, notices. */
import type { EngineApi } from '../../../shared/api/contract';
import { bindCraftEvents } from './bind-craft-events';
import type { AppStore } from './store';

export function bindEngineEvents(store: AppStore, api: EngineApi): () => void {
  const offs = [
    api.on('session.changed', ({ frames, connections }) => {
      store.setState({ frames, connections });
      if (store.getState().ready) void store.getState().refreshView();
    }),
    api.on('proxy.status', (proxies) => store.setState({ proxies })),
    api.on('capture.status', (capture) => store.setState({ capture })),
    api.on('notice', ({ severity, message }) => store.getState().notify(severity, message)),
    bindCraftEvents(store, api),
  ];
  return () => offs.forEach((off) => off());
}
