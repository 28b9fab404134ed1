import { describe, expect, it } from 'vitest';
import { newClusterId } from './kafka-launcher.ts';

describe('KRaft cluster ids', () => {
  it('are 16 bytes in base64url and never start with "-" (the storage tool would read it as an option)', () => {
    for (let i = 0; i < 10_000; i++) {
      const id = newClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });
});
