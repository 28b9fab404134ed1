/** The hub process: configuration → logger → the hub (hub.ts) → listen; SIGTERM/SIGINT close it. */
import { redactConfig } from '@liandong/config';
import { runServiceProcess } from '@liandong/logger';
import { hubConfigSchema, loadHubConfig } from './hub.config.ts';
import { createHub } from './hub.ts';

await runServiceProcess({
  service: 'hub',
  loadConfig: loadHubConfig,
  redacted: (config) => redactConfig(hubConfigSchema, config),
  create: (config, logger) => createHub(config, { logger }),
});
