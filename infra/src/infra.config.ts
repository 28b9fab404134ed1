import { databaseRolesEnv, loadConfig, loadConfigOrExit } from '@liandong/config';
import { Type, type Static } from '@sinclair/typebox';

/** What the local launchers read from the environment: the only reader of it in infra. */
export const infraConfigSchema = Type.Object({
  ...databaseRolesEnv,
  KAFKA_BROKERS: Type.Optional(
    Type.String({
      pattern: '^[^,\\s]+:\\d+(,[^,\\s]+:\\d+)*$',
      description: 'a running broker (host:port list); when unset, pnpm start starts the local one',
    }),
  ),
  KAFKA_PORT: Type.Integer({ minimum: 1, maximum: 65534, default: 9092 }),
  KAFKA_HEAP: Type.String({
    default: '768m',
    pattern: '^\\d+[kKmMgG]$',
    description: 'a JVM heap size, e.g. 768m',
  }),
  LIANDONG_PORT_OFFSET: Type.Integer({
    minimum: 0,
    maximum: 50_000,
    default: 0,
    description: 'added to every service port, to run a second system beside the first',
  }),
  LIANDONG_DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  LIANDONG_CACHE_DIR: Type.Optional(Type.String({ minLength: 1 })),
  XDG_CACHE_HOME: Type.Optional(Type.String({ minLength: 1 })),
});
export type InfraConfig = Static<typeof infraConfigSchema>;

export function loadInfraConfig(env: Record<string, string | undefined> = process.env): InfraConfig {
  return loadConfig(infraConfigSchema, env);
}

/** The same, for command lines: a bad variable ends the process with a message naming it. */
export function loadInfraConfigOrExit(): InfraConfig {
  return loadConfigOrExit(infraConfigSchema);
}
