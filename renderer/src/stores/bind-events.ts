/** Engine events → store: totals and view refreshes (batched by the engine, about 20 a second), proxies, notices. */
import type { EngineApi } from '../../../shared/api/contract';
import { bindCraftEvents } from './bind-craft-events';
import type { AppStore } from './store';

export function bindEngineEvents(store: AppStore, api: EngineApi): () => void {
  const offs = [
    api.on('session.changed', ({ frames, unsaved, connections, file }) => {
      // The session may have been replaced elsewhere (the desktop menu's Clear or Open, another browser window).
      store.setState({ frames, savedFrames: frames - unsaved, connections, file });
      if (store.getState().ready) void store.getState().refreshView();
    }),
    api.on('proxy.status', (proxies) => store.setState({ proxies })),
    api.on('capture.status', (capture) => store.setState({ capture })),
    api.on('notice', ({ severity, message }) => store.getState().notify(severity, message)),
    bindCraftEvents(store, api),
  ];
  return () => offs.forEach((off) => off());
}
