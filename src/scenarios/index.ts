// The future-work bench's scenarios, one record each (src/scenarios/<name>.ts), in the order.
// (f), the hierarchy, needs a data generator the toy path does not have yet.
import { correlatedPair } from './correlated-pair';
import { dictionarySize } from './dictionary-size';
import { kGrows } from './k-grows';
import { messy } from './messy';
import { moreSets } from './more-sets';
import type { Scenario } from './scenario';
import { zipf } from './zipf';

export type { DataInput, Scenario, ScenarioPoint } from './scenario';
export { trueL0 } from './scenario';

export const SCENARIOS: readonly Scenario[] = [kGrows, moreSets, messy, zipf, correlatedPair, dictionarySize];
