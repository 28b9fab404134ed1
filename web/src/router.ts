/** A small path router over the History API (the hub serves index.html for every console path). */
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(path: string) {
  if (path === location.pathname + location.search) return;
  history.pushState(null, '', path);
  listeners.forEach((l) => l());
}

export function usePath(): string {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => location.pathname,
  );
}

export type Route =
  { screen: 'queue' } | { screen: 'map' } | { screen: 'feeds' } | { screen: 'warning'; id: string };

export function routeOf(path: string): Route {
  const warning = /^\/warnings\/(.+)$/.exec(path);
  if (warning?.[1]) return { screen: 'warning', id: decodeURIComponent(warning[1]) };
  if (path.startsWith('/map')) return { screen: 'map' };
  if (path.startsWith('/feeds')) return { screen: 'feeds' };
  return { screen: 'queue' };
}

export const warningPath = (id: string) => `/warnings/${encodeURIComponent(id)}`;
