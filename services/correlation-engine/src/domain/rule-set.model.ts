import type { NamedPlace, Region, River, Rule } from '@liandong/contracts';

/** A validated rule set: the rules in evaluation order and the geography they refer to. */
export interface RuleSet {
  readonly rules: readonly Rule[];
  readonly rivers: ReadonlyMap<string, River>;
  readonly places: readonly NamedPlace[];
  readonly region: Region;
  /** The file each rule came from. */
  readonly origins: ReadonlyMap<string, string>;
}
