/** A small path router over the History API (the hub serves index.html for every console path). */
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(path: string) {
  if (path === location.pathname + location.search) return;
  history.pushState(null, '', path);
  listeners.forEach((l) => l());
}

/** Changes the query of the current entry (a screen's own state, kept in the link) without a step in history. */
export function replaceSearch(search: string) {
  const next = location.pathname + search;
  if (next === location.pathname + location.search) return;
  history.replaceState(null, '', next);
  listeners.forEach((l) => l());
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => void listeners.delete(l);
};

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}

export function useSearch(): string {
  return useSyncExternalStore(subscribe, () => location.search);
}

export type Route =
  | { screen: 'queue' }
  | { screen: 'map' }
  | { screen: 'feeds' }
  | { screen: 'reports' }
  | { screen: 'warning'; id: string }
  | { screen: 'warningReport'; id: string };

export function routeOf(path: string): Route {
  const report = /^\/warnings\/([^/]+)\/report$/.exec(path);
  if (report?.[1]) return { screen: 'warningReport', id: decodeURIComponent(report[1]) };
  const warning = /^\/warnings\/(.+)$/.exec(path);
  if (warning?.[1]) return { screen: 'warning', id: decodeURIComponent(warning[1]) };
  if (path.startsWith('/map')) return { screen: 'map' };
  if (path.startsWith('/feeds')) return { screen: 'feeds' };
  if (path.startsWith('/reports')) return { screen: 'reports' };
  return { screen: 'queue' };
}

export const warningPath = (id: string) => `/warnings/${encodeURIComponent(id)}`;
export const warningReportPath = (id: string) => `/warnings/${encodeURIComponent(id)}/report`;
