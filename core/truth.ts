/**
 * Ground truth of a scenario for one team: what a defender can find, and the checks that
 * prove containment and recovery. Produced by the attacker from a scenario and the team's
 * facts; read by the checker (runs the checks in the range) and the scoring rules.
 */
import type { IndicatorType } from '../protocol/index.js';

export interface Indicator {
  type: IndicatorType;
  value: string;
  note?: string;
}

export interface CheckSpec {
  id: string;
  kind: 'containment' | 'recovery' | 'availability';
  /** the attack step this check counters or repairs (none for availability) */
  step?: string;
  title: { ja: string; en: string };
  /** node of the team's range the command runs in */
  node: string;
  /** shell command run in that node; exit status 0 means the check passes */
  command: string;
  /** optional user to run as */
  user?: string;
}

export interface Hint {
  id: string;
  text: { ja: string; en: string };
  cost: number;
}

export interface StepTruth {
  id: string;
  title: { ja: string; en: string };
  technique: string;
  tactic: string;
  /** the step harms the organisation: its first success starts the report deadline */
  impact: boolean;
  indicators: Indicator[];
  containment: CheckSpec[];
  recovery: CheckSpec[];
  hints: Hint[];
}

export interface GroundTruth {
  scenario: string;
  team: string;
  steps: StepTruth[];
  /** business services that must keep answering (a team that breaks them loses points) */
  availability: CheckSpec[];
}
