/**
 * The correlator process: configuration → logger → the correlator (correlator.ts) → listen;
 * SIGTERM/SIGINT close it; SIGHUP reads the rule folder again (as a change in it does).
 */
import { redactConfig } from '@liandong/config';
import { runServiceProcess } from '@liandong/logger';
import { correlatorConfigSchema, loadCorrelatorConfig } from './correlator.config.ts';
import { createCorrelator, type Correlator } from './correlator.ts';

let correlator: Correlator | undefined;
process.on('SIGHUP', () => {
  // The outcome (written, unchanged, refused with file, rule and field) is in the log and in
  // GET /v1/rules; a failure to write the record is logged by the correlator.
  correlator?.reload('signal').catch(() => undefined);
});

// A rule set that fails validation is a refused set-up: it names file, rule and field (exit 78).
await runServiceProcess({
  service: 'correlator',
  loadConfig: loadCorrelatorConfig,
  redacted: (config) => redactConfig(correlatorConfigSchema, config),
  create: async (config, logger) => (correlator = await createCorrelator(config, { logger })),
});
