/** Craft events → store: client sessions, the intercept queue, mock responders and their misses, sequence progress. */
import type { EngineApi } from '../../../shared/api/contract';
import type { AppStore } from './store';

export function bindCraftEvents(store: AppStore, api: EngineApi): () => void {
  const offs = [
    api.on('craft.status', (craftSessions) => store.setState({ craftSessions })),
    api.on('intercept.changed', ({ held }) => store.getState().applyHeld(held.filter((h) => h.state === 'held'))),
    api.on('mock.status', (mocks) => store.setState({ mocks })),
    api.on('mock.unanswered', ({ requests }) => store.getState().addUnanswered(requests)),
    api.on('sequence.progress', ({ runs }) => store.getState().applyRuns(runs)),
  ];
  return () => offs.forEach((off) => off());
}
