// A scenario of the future-work bench (the study's future-work list): one record per question, each a list of
// points along one axis (k, m, d, ...). A point is a data setting, the toy model's hidden dims and the SAE's
// dictionary size; the bench (src/experiments/future-work.ts) trains every SAE variant at every point with its
// sparsity knob swept. Adding a scenario = its record (src/scenarios/<name>.ts) and its entry in index.ts.
import type { ExperimentInput } from '../config/schema';

export type DataInput = NonNullable<ExperimentInput['data']>;
export type ToyInput = NonNullable<ExperimentInput['toy']>;

export interface ScenarioPoint {
  /** short, unique in its scenario: part of the experiment names (k4, d3, s16) */
  label: string;
  /** the point's value on the scenario's axis */
  x: number;
  data: DataInput;
  /** the toy model's hidden dims */
  d: number;
  /** the SAE's latents */
  s: number;
  /** the toy model's other settings (absent: trained, as the study); e.g. a fixed random dictionary */
  toy?: Omit<ToyInput, 'd'>;
  /** the L1-style variants' lambda sweep at this point, where the bench's (FW.lambdas) ends above the data's L0 */
  lambdas?: readonly number[];
}

/** The bench's lambda sweep reaching further: at lambda 1 the L1-style variants left L0 above the data's own at
 * these points in the bench's first seed (ReLU 4.65 against 2 with 10 features in d = 4) */
export const WIDER_LAMBDAS = [0.03, 0.1, 0.3, 1, 3, 10] as const;

export interface Scenario {
  /** the letter, part of the experiment names: fw-<letter>-<label>-<variant> */
  letter: string;
  title: string;
  /** the question as the study (or its comments) asked it */
  question: string;
  /** the axis the points move along, for tables and figures */
  axis: string;
  /** what theory expects along the axis, where the kit has an expectation (printed beside the measured switch) */
  expectation?: string;
  points: ScenarioPoint[];
}

/** Features active in a draw on average: the L0 a dictionary of the true features needs (a composed one needs 1 per draw). */
export function trueL0(data: DataInput): number {
  const m = (data.sets ?? [2, 2]).length;
  const pOne = data.p_onehot ?? 0;
  const pEmpty = data.p_set_empty ?? 0;
  return (1 - pOne) * m * (1 - pEmpty) + pOne;
}
