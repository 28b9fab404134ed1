import pg from 'pg';
import { AppError } from '@liandong/errors';

export interface PoolConfig {
  url: string;
  /** Schema every connection works in (search_path); tests give each test its own. */
  schema?: string;
  max?: number;
  applicationName?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

export function createPool(config: PoolConfig): pg.Pool {
  const schema = config.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.max ?? 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    application_name: config.applicationName ?? 'liandong',
    options: `-c search_path=${schema} -c timezone=UTC`,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor a client checked out between two queries (e.g. inside a transaction): with no
  // listener its 'error' event is thrown and ends the process. Its next query fails instead (a
  // 503), and the pool discards it when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '40P01', // deadlock detected: the transaction was rolled back, a retry succeeds
  '40001', // serialization failure, likewise
  '57P01',
  '57P03',
  '53300',
]);

/** Maps a driver error to the one error type: connection trouble is retriable. */
export function toDatabaseError(error: unknown): AppError {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? String(error);
  if ((code && UNAVAILABLE_CODES.has(code)) || /timeout|terminat|Connection/i.test(message)) {
    return new AppError('dependency_unavailable', `PostgreSQL is unavailable: ${message}`, {
      cause: error,
      retryAfterSeconds: 5,
    });
  }
  return new AppError('internal', `database error: ${message}`, { cause: error });
}

export async function pingDatabase(pool: pg.Pool): Promise<{ ok: boolean; detail?: string }> {
  try {
    await pool.query('SELECT 1');
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}

export type { Pool, PoolClient } from 'pg';
