// The future-work bench's scenarios, one record each (src/scenarios/<name>.ts), in the order.
import { correlatedPair } from './correlated-pair';
import { dictionarySize } from './dictionary-size';
import { hierarchy } from './hierarchy';
import { kGrows } from './k-grows';
import { messy } from './messy';
import { moreSets } from './more-sets';
import type { Scenario } from './scenario';
import { zipf } from './zipf';

export type { DataInput, Scenario, ScenarioPoint } from './scenario';
export { trueL0, WIDER_LAMBDAS } from './scenario';

export const SCENARIOS: readonly Scenario[] = [kGrows, moreSets, messy, zipf, correlatedPair, hierarchy, dictionarySize];
