import type { NormalizedEvent } from '@liandong/contracts';

/** The order events stand on the topics and reach the engine: by receipt, then by id. */
export function byArrival(a: NormalizedEvent, b: NormalizedEvent): number {
  if (a.receivedAt !== b.receivedAt) return a.receivedAt < b.receivedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
