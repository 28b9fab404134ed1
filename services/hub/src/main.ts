/** The hub process: configuration → logger → the hub (hub.ts) → listen; SIGTERM/SIGINT close it. */
import { redactConfig } from '@liandong/config';
import { createLogger } from '@liandong/logger';
import { hubConfigSchema, loadHubConfig, type HubConfig } from './hub.config.ts';
import { createHub } from './hub.ts';

let config: HubConfig;
try {
  config = loadHubConfig();
} catch (error) {
  console.error(`hub: ${(error as Error).message}`);
  process.exit(78);
}
const logger = createLogger({ service: 'hub', level: config.LOG_LEVEL });
logger.info({ config: redactConfig(hubConfigSchema, config) }, 'starting');

const hub = await createHub(config, { logger });
try {
  await hub.start();
} catch (error) {
  logger.fatal({ err: error }, 'the hub could not start');
  await hub.close().catch(() => undefined);
  process.exit(1);
}
logger.info({ port: hub.port() }, 'hub listening');

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  logger.info({ signal }, 'shutting down');
  setTimeout(() => process.exit(1), 15_000).unref();
  await hub.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
