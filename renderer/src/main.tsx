/**
 * The entry: picks the transport to the engine — Electron's IPC bridge when the preload exposed one as
 * `window.framescope`, else a WebSocket to the `framescope serve` that served this page — builds the store, binds
 * engine events to it, renders. Everything below the transport is the same in both.
 */
import { StrictMode } from 'react';
import type { EngineApi } from '../../shared/api/contract';
import { createRoot } from 'react-dom/client';
import { apiUrl, WsTransport } from './api/ws-transport';
import { App } from './app';
import { bindEngineEvents } from './stores/bind-events';
import { createAppStore, ServicesContext, StoreContext } from './stores/store';
import type { Services } from './stores/services';
import { copyText } from './lib/clipboard';
import { createDecodeWorker, DecodeClient } from './workers/decode-client';
import './styles/app.css';

// The token has been traded for a cookie by the page load: take it out of the address bar and the history.
if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', location.pathname);

const bridge = (window as unknown as { framescope?: EngineApi }).framescope;
const socket = bridge ? undefined : new WsTransport(apiUrl(location));
const transport: EngineApi = bridge ?? socket!;
const services: Services = {
  api: transport,
  decoder: new DecodeClient(transport, createDecodeWorker()),
  storage: window.localStorage,
  copy: copyText,
};
const store = createAppStore(services);
bindEngineEvents(store, transport);
// IPC to the engine in the same app cannot drop; only the WebSocket reports its state.
if (socket) socket.onStatus((state) => store.getState().setTransport(state));
else store.getState().setTransport('open');
void store.getState().init();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <ServicesContext.Provider value={services}>
        <App />
      </ServicesContext.Provider>
    </StoreContext.Provider>
  </StrictMode>,
);
