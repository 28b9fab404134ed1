/** The correlator process: configuration → logger → the correlator (correlator.ts) → listen; SIGTERM/SIGINT close it. */
import { redactConfig } from '@liandong/config';
import { runServiceProcess } from '@liandong/logger';
import { correlatorConfigSchema, loadCorrelatorConfig } from './correlator.config.ts';
import { createCorrelator } from './correlator.ts';

// A rule set that fails validation is a refused set-up: it names file, rule and field (exit 78).
await runServiceProcess({
  service: 'correlator',
  loadConfig: loadCorrelatorConfig,
  redacted: (config) => redactConfig(correlatorConfigSchema, config),
  create: (config, logger) => createCorrelator(config, { logger }),
});
