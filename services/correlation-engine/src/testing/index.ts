/** Test support: build contract-valid events and reproducible load. */
export {
  buildEvent,
  scenarioEventId,
  SCENARIO_EVENT_NAMESPACE,
  SOURCE_SYSTEMS,
  type EventSpec,
} from './event.builder.ts';
export { backgroundStream, type StreamOptions } from './load.generator.ts';
export { Random } from './random.source.ts';
export { replay, ruleSetOf, type Replay } from './replay.helper.ts';
export { at, near, gaugeReading, T0, GUICHENG } from './event.fixture.ts';
