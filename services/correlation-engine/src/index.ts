/**
 * @liandong/correlation-engine: the correlation engine as a pure library. Rules are data (validated
 * against the schemas in @liandong/contracts); the engine takes normalized events and gives
 * warnings, deterministic for the same input, with its state serializable for restarts.
 */
export {
  createEngine,
  restoreEngine,
  reloadEngine,
  evaluationOrder,
  DEFAULT_ALLOWED_LATENESS_MINUTES,
  type Engine,
  type EngineOptions,
  type EngineSnapshot,
  type EngineStats,
  type CorrelationOutput,
  type RuleStats,
  type RuleChanges,
} from './domain/correlation.engine.ts';
export type { Decision, Outcome } from './domain/episode.model.ts';
export { WARNING_ID_NAMESPACE } from './domain/episode.model.ts';
export type { RuleSet } from './domain/rule-set.model.ts';
export { TEMPLATE_VARIABLES } from './domain/text.template.ts';
export {
  parseRuleSet,
  describeIssue,
  RuleSetError,
  type RuleFileText,
  type RuleSetIssue,
} from './rules/rule-set.parser.ts';
export {
  loadRuleSet,
  readRuleFiles,
  ruleFilesFingerprint,
  DEFAULT_RULES_DIR,
} from './rules/rule-set.loader.ts';
export { runBacktest, type BacktestResult } from './cli/backtest.runner.ts';
export { byArrival } from './domain/arrival.order.ts';
