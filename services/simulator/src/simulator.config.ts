import { ConfigError, loadConfig } from '@liandong/config';
import { Type, type Static } from '@sinclair/typebox';

export const SimulatorConfig = Type.Object({
  SIM_HOST: Type.String({ default: '127.0.0.1', description: 'host of the ingest services' }),
  PORT: Type.Integer({ default: 8190, minimum: 1, maximum: 65535, description: 'control API port' }),
  SIM_INGEST_PORT_OFFSET: Type.Integer({
    default: 0,
    minimum: 0,
    description: 'added to the registry ports of the ingest services (8101–8106)',
  }),
  SIM_SPEED: Type.Number({
    default: 1,
    minimum: 0.1,
    maximum: 1000,
    description: 'simulated minutes per real minute',
  }),
  SIM_STATUS: Type.Union([Type.Literal('Exercise'), Type.Literal('Test'), Type.Literal('Actual')], {
    default: 'Exercise',
  }),
  SIM_BACKGROUND: Type.Boolean({ default: true }),
  SIM_SCENARIOS: Type.String({
    default: 'all',
    description: 'scenarios played on a schedule: all, none, or a comma list',
  }),
  SIM_SCENARIO_EVERY_MINUTES: Type.Number({
    default: 20,
    minimum: 1,
    description: 'real minutes between scheduled scenarios',
  }),
  SIM_SEED: Type.Integer({ default: 20260601 }),
  SIM_CREDENTIALS_FILE: Type.Optional(
    Type.String({ description: 'demo credentials JSON (keys per department)' }),
  ),
  SIM_KEYS: Type.Optional(
    Type.String({ description: 'JSON object of department keys, instead of the file' }),
  ),
  SIM_CONTROL_TOKEN: Type.Optional(
    Type.String({ minLength: 16, description: 'bearer token the control API requires' }),
  ),
  LOG_LEVEL: Type.String({ default: 'info' }),
});
export type SimulatorConfig = Static<typeof SimulatorConfig>;

/** The only reader of process.env in the simulator; stops with a message naming each bad variable. */
export function loadSimulatorConfig(env: Record<string, string | undefined> = process.env): SimulatorConfig {
  const value = loadConfig(SimulatorConfig, env);
  // Made-up records sent as real (Actual) raise real warnings: never from an open control API.
  if (value.SIM_STATUS === 'Actual' && value.SIM_CONTROL_TOKEN === undefined)
    throw new ConfigError([
      'SIM_STATUS=Actual needs SIM_CONTROL_TOKEN set (the control API is open without it)',
    ]);
  return value;
}
