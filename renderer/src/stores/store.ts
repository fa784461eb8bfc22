/**
 * The renderer's one store, built from slices (zustand). Components select the narrowest value they need; the frame
 * rows themselves live in a RowCache outside React state, with a version number that tells the list to re-read it.
 */
import { createContext, useContext } from 'react';
import { createStore, useStore, type StoreApi } from 'zustand';
import { createCraftSlice, type CraftSlice } from './craft-slice';
import { createDetailSlice, type DetailSlice } from './detail-slice';
import { createFilterSlice, type FilterSlice } from './filter-slice';
import type { Services } from './services';
import { createSessionSlice, type SessionSlice } from './session-slice';
import { createUiSlice, type UiSlice } from './ui-slice';
import { createViewSlice, type ViewSlice } from './view-slice';

export type AppState = SessionSlice & ViewSlice & FilterSlice & DetailSlice & UiSlice & CraftSlice;
export type AppStore = StoreApi<AppState>;
export type SliceCreator<T> = (set: AppStore['setState'], get: AppStore['getState'], services: Services) => T;

export function createAppStore(services: Services): AppStore {
  return createStore<AppState>()((set, get) => ({
    ...createSessionSlice(set, get, services),
    ...createViewSlice(set, get, services),
    ...createFilterSlice(set, get, services),
    ...createDetailSlice(set, get, services),
    ...createUiSlice(set, get, services),
    ...createCraftSlice(set, get, services),
  }));
}

export const StoreContext = createContext<AppStore | null>(null);
export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside <ServicesContext.Provider>');
  return services;
}

export function useAppStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useApp outside <StoreContext.Provider>');
  return store;
}

/** The narrowest value a component needs. */
export function useApp<T>(selector: (state: AppState) => T): T {
  return useStore(useAppStore(), selector);
}
