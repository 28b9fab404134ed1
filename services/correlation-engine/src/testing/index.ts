/** Test support: contract-valid events, short-hand fixtures and a replay helper. */
export {
  buildEvent,
  scenarioEventId,
  SCENARIO_EVENT_NAMESPACE,
  SOURCE_SYSTEMS,
  type EventSpec,
} from './event.builder.ts';
export { replay, ruleSetOf, fireRuleYaml, type Replay } from './replay.helper.ts';
export { at, near, gaugeReading, T0, GUICHENG } from './event.fixture.ts';
