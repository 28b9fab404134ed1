import { v5 as uuidv5 } from 'uuid';

/** Namespace of Liandong event ids (UUID v5); never change it: ids must stay stable forever. */
export const EVENT_ID_NAMESPACE = '2f0d7c8e-4b7a-5c55-9e3a-6c1d0b2a9f41';

/** The deterministic event id of a record: the same department and source id give the same id. */
export function eventIdFor(department: string, sourceId: string): string {
  return uuidv5(`${department}\u001f${sourceId}`, EVENT_ID_NAMESPACE);
}
