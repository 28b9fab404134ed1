/** The correlator process: configuration → logger → the correlator (correlator.ts) → listen; SIGTERM/SIGINT close it. */
import { redactConfig } from '@liandong/config';
import { createLogger } from '@liandong/logger';
import { correlatorConfigSchema, loadCorrelatorConfig, type CorrelatorConfig } from './correlator.config.ts';
import { createCorrelator } from './correlator.ts';

let config: CorrelatorConfig;
try {
  config = loadCorrelatorConfig();
} catch (error) {
  console.error(`correlator: ${(error as Error).message}`);
  process.exit(78);
}
const logger = createLogger({ service: 'correlator', level: config.LOG_LEVEL });
logger.info({ config: redactConfig(correlatorConfigSchema, config) }, 'starting');

let correlator: Awaited<ReturnType<typeof createCorrelator>>;
try {
  correlator = await createCorrelator(config, { logger });
} catch (error) {
  // A rule set that fails validation names file, rule and field.
  logger.fatal({ err: error }, 'the correlator could not be set up');
  console.error(`correlator: ${(error as Error).message}`);
  process.exit(78);
}
try {
  await correlator.start();
} catch (error) {
  logger.fatal({ err: error }, 'the correlator could not start');
  await correlator.close().catch(() => undefined);
  process.exit(1);
}
logger.info({ port: correlator.port() }, 'correlator listening');

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  logger.info({ signal }, 'shutting down');
  setTimeout(() => process.exit(1), 15_000).unref();
  await correlator.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
