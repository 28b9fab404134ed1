import { describe, expect, it } from 'vitest';
import { testKafka } from './index.ts';

describe('testkit against the real broker', () => {
  it('deletes the topics of a test when it closes, and only those: a broker that carries every run of the day does not fill up', async () => {
    const [mine, other] = await Promise.all([testKafka(), testKafka()]);
    const admin = mine.kafka.admin();
    await admin.connect();
    try {
      const under = async (prefix: string) => (await admin.listTopics()).filter((t) => t.startsWith(prefix));
      expect((await under(mine.prefix)).length).toBeGreaterThan(5);
      await mine.close();
      await expect.poll(() => under(mine.prefix), { timeout: 20_000 }).toEqual([]);
      expect((await under(other.prefix)).length).toBeGreaterThan(5);
    } finally {
      await admin.disconnect();
      await other.close();
    }
  });
});
