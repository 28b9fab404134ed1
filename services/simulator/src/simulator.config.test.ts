import { describe, expect, it } from 'vitest';
import { loadSimulatorConfig } from './simulator.config.ts';

describe('simulator configuration', () => {
  it('given no variables, then drills (Exercise) at real time with every scenario', () => {
    expect(loadSimulatorConfig({})).toMatchObject({
      SIM_STATUS: 'Exercise',
      SIM_SPEED: 1,
      SIM_SCENARIOS: 'all',
    });
  });

  it('given SIM_STATUS=Actual without a control token, then refused naming the variable', () => {
    expect(() => loadSimulatorConfig({ SIM_STATUS: 'Actual' })).toThrow(
      /SIM_STATUS=Actual needs SIM_CONTROL_TOKEN/,
    );
    expect(
      loadSimulatorConfig({ SIM_STATUS: 'Actual', SIM_CONTROL_TOKEN: 'a-long-enough-token-0123' }).SIM_STATUS,
    ).toBe('Actual');
  });

  it('given a bad value, then refused naming the variable', () => {
    expect(() => loadSimulatorConfig({ SIM_SPEED: 'fast' })).toThrow(/SIM_SPEED/);
  });
});
