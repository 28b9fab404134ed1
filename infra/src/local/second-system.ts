import { join } from 'node:path';

/**
 * A second system beside the first (`LIANDONG_PORT_OFFSET`) shares the machine's broker and
 * PostgreSQL server, but nothing else: unless told otherwise it gets its own schema (dedupe
 * ledger, keys, users, audit log), its own topics and consumer groups (a topic prefix) and its
 * own data folder (logs, demo credentials). What it settles is returned, to be said at start.
 */
export function secondSystemDefaults(
  env: NodeJS.ProcessEnv,
  portOffset: number,
  repoRoot: string,
): { env: Record<string, string>; notes: string[] } {
  if (!portOffset) return { env: {}, notes: [] };
  const name = `sys${portOffset}`;
  const settled: Record<string, string> = {};
  const notes: string[] = [];
  if (!env['DATABASE_SCHEMA']) {
    settled['DATABASE_SCHEMA'] = name;
    notes.push(`its own database schema "${name}" (DATABASE_SCHEMA)`);
  }
  if (env['KAFKA_TOPIC_PREFIX'] === undefined) {
    settled['KAFKA_TOPIC_PREFIX'] = `${name}.`;
    notes.push(`its own topics and consumer groups "${name}.*" (KAFKA_TOPIC_PREFIX)`);
  }
  if (!env['LIANDONG_DATA_DIR']) {
    settled['LIANDONG_DATA_DIR'] = join(repoRoot, '.data', name);
    notes.push(`its own logs and demo credentials in .data/${name} (LIANDONG_DATA_DIR)`);
  }
  return { env: settled, notes };
}
