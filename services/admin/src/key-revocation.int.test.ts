import { createKeyRepository } from '@liandong/keys';
import { testDatabase, type TestDatabase } from '@liandong/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminService } from './admin.service.ts';

/**
 * A key revoked with `pnpm admin keys revoke` while an ingest service holds it in its key cache
 * (on, as in production: 30 s): refused once the cache lifetime has passed, as promised, and at
 * once by the process that revoked it. The harness of the ingest tests turns the cache off, so
 * this is where the cache's side of revocation is tested.
 */
describe('key revocation with the key cache on', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await testDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('given a key an ingest service has cached, when admin revokes it, then it is refused within the cache lifetime and not before the revocation', async () => {
    const admin = createAdminService(db.pool, 'cli:test');
    const { id, key } = await admin.createKey('police', 'revocation test');
    let clock = 1_000_000;
    const ingest = createKeyRepository(db.pool, { ttlMs: 30_000, now: () => clock });
    expect(await ingest.authenticate(key)).toEqual({ keyId: id, department: 'police' });

    expect(await admin.revokeKey(id)).toBe(true);
    clock += 29_000; // still cached in the ingest process: the documented window
    expect(await ingest.authenticate(key)).toEqual({ keyId: id, department: 'police' });
    clock += 1_001; // the cache lifetime has passed
    expect(await ingest.authenticate(key)).toBeUndefined();
    expect((await admin.listKeys('police')).find((k) => k.id === id)?.revokedAt).not.toBeNull();
  });

  it('given a key cached by the process that revokes it, when revoked, then refused at once', async () => {
    const keys = createKeyRepository(db.pool, { ttlMs: 30_000, now: () => 0 });
    const { id, key } = await keys.create('water', 'same process');
    expect(await keys.authenticate(key)).toBeDefined();
    expect(await keys.revoke(id)).toBe(true);
    expect(await keys.authenticate(key)).toBeUndefined();
  });
});
