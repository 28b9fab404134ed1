import { describe, expect, it } from 'vitest';
import { isAppError } from '@liandong/errors';
import { assertJsonDepth, MAX_JSON_DEPTH } from './media.ts';

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('assertJsonDepth', () => {
  it('given a body nested 100,000 deep, then a 400 naming the limit and where', () => {
    const error = thrown(() => assertJsonDepth('['.repeat(100_000) + ']'.repeat(100_000)));
    expect(isAppError(error) && error.status).toBe(400);
    expect((error as Error).message).toContain(
      `deeper than ${MAX_JSON_DEPTH} levels at line 1, column ${MAX_JSON_DEPTH + 1}`,
    );
  });

  it('given brackets inside strings (escaped quotes too), then they do not count', () => {
    expect(() => assertJsonDepth(JSON.stringify({ a: '[[[[{{{{"\\"'.repeat(100) }))).not.toThrow();
  });

  it('given a record as deep as the limit, then it passes', () => {
    expect(() => assertJsonDepth('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).not.toThrow();
  });
});
