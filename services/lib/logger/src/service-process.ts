import type { Logger } from 'pino';
import { createLogger } from './index.ts';

/** What a long-running Liandong process is to its entry point. */
export interface RunningService {
  start(): Promise<void>;
  close(): Promise<void>;
  port(): number;
}

/**
 * The one way a service process runs: configuration (a bad variable: one message, exit 78) →
 * logger → set-up (a refused set-up, e.g. a rule set that fails validation: exit 78) → start
 * (exit 1 when it cannot) → SIGTERM/SIGINT close it within 15 s.
 */
export async function runServiceProcess<C extends { LOG_LEVEL: string }>(options: {
  service: string;
  loadConfig: () => C;
  /** The configuration as it may be logged (secrets redacted). */
  redacted: (config: C) => unknown;
  create: (config: C, logger: Logger) => Promise<RunningService>;
}): Promise<void> {
  const { service } = options;
  let config: C;
  try {
    config = options.loadConfig();
  } catch (error) {
    console.error(`${service}: ${(error as Error).message}`);
    process.exit(78);
  }
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  logger.info({ config: options.redacted(config) }, 'starting');

  let running: RunningService;
  try {
    running = await options.create(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, `the ${service} could not be set up`);
    console.error(`${service}: ${(error as Error).message}`);
    process.exit(78);
  }
  try {
    await running.start();
  } catch (error) {
    logger.fatal({ err: error }, `the ${service} could not start`);
    await running.close().catch(() => undefined);
    process.exit(1);
  }
  logger.info({ port: running.port() }, `${service} listening`);

  let closing = false;
  async function shutdown(signal: string) {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), 15_000).unref();
    await running.close();
    logger.info('stopped');
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
