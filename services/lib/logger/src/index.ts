import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths never written to a log: credentials, and personal data of callers and citizens
 * (names, phone numbers, ID numbers, exact addresses), and raw payloads, which may hold any of them.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'key',
  '*.key',
  'apiKey',
  '*.apiKey',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'caller',
  '*.caller',
  'name',
  'phone',
  '*.phone',
  'idNumber',
  '*.idNumber',
  'contact',
  '*.contact',
  'address',
  '*.address',
  'raw',
  '*.raw',
  'payload',
  '*.payload',
  'body',
  '*.body',
  'DATABASE_URL',
  '*.DATABASE_URL',
];

export interface LoggerConfig {
  service: string;
  level?: string;
  /** Where to write; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level ?? 'info',
    base: { service: config.service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}
export { runServiceProcess, type RunningService } from './service-process.ts';
