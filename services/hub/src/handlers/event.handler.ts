import type { NormalizedEvent } from '@liandong/contracts';
import type { Handler } from '@liandong/kafka';
import type { EventRepository } from '../adapters/event.repository.ts';
import type { HubMetrics } from '../metrics.ts';

/** events.<dept>.v1: one row per event id (a redelivered event changes nothing). */
export function handleEvent(deps: {
  events: EventRepository;
  metrics: HubMetrics;
}): Handler<NormalizedEvent> {
  return async (event) => {
    const inserted = await deps.events.insert([event]);
    deps.metrics.messages.inc({ kind: 'event', outcome: inserted ? 'applied' : 'repeat' });
  };
}

/** A run of events in one multi-row insert: the projection keeps up with busy feeds. */
export function handleEvents(deps: { events: EventRepository; metrics: HubMetrics }) {
  return async (events: NormalizedEvent[]): Promise<void> => {
    const inserted = await deps.events.insert(events);
    deps.metrics.messages.inc({ kind: 'event', outcome: 'applied' }, inserted);
    deps.metrics.messages.inc({ kind: 'event', outcome: 'repeat' }, events.length - inserted);
  };
}
