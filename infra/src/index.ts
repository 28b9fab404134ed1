/** What the other packages take from @liandong/infra — and only that; the rest is the package's own. */
export {
  kafkaAnswers,
  kafkaStatus,
  startKafka,
  startKafkaCluster,
  stopKafka,
  type KafkaCluster,
} from './kafka-launcher.ts';
export { REPO_ROOT, dataDir } from './paths.ts';
export { UsageError, runCommand } from './cli-support.ts';
export { consoleBuildState } from './web-build.ts';
export { ensureDatabase, ensureRolePassword } from './postgres.ts';
