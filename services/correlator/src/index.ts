export { createCorrelator, type Correlator } from './correlator.ts';
export { correlatorConfigSchema, loadCorrelatorConfig, type CorrelatorConfig } from './correlator.config.ts';
export { SEQUENCE_TOPIC } from './adapters/sequence.topic.ts';
