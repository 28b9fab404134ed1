import type { TSchema } from '@sinclair/typebox';
import { publishable } from '@liandong/contracts';

const cache = new WeakMap<TSchema, TSchema>();

/**
 * A contract schema for a route: the same shape without `$id`s (fastify compiles every route's
 * schemas into one validator, where an id may appear once; contracts embed shared parts often).
 * The static type stays the contract's.
 */
export function plain<T extends TSchema>(schema: T): T {
  let copy = cache.get(schema);
  if (!copy) {
    copy = publishable(schema, false) as T;
    cache.set(schema, copy);
  }
  return copy as T;
}
