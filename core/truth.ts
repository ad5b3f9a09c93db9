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

/**
 * What a check looks at, typed so that the checker can look without leaving a trace in the
 * team's range: processes and files are read by the engine from outside the node, network
 * probes run in a one-shot container that shares only the node's network namespace (own
 * processes) and mark their packets so the range FW drops them without logging, account
 * probes are local read-only lookups. Node fields are node names of the team's range.
 */
export type Probe =
  /** no process of `node` has a command line matching `pattern` (a regular expression) */
  | { kind: 'process-absent'; node: string; pattern: string }
  /** `path` does not exist in `node`; with `name` (a glob): no file under the folder `path` is named like it */
  | { kind: 'file-absent'; node: string; path: string; name?: string }
  /** a file at or under `path` has a line matching `pattern` */
  | { kind: 'file-contains'; node: string; path: string; pattern: string }
  /** no file at or under `path` has a line matching `pattern` (a missing path passes) */
  | { kind: 'file-lacks'; node: string; path: string; pattern: string }
  /** a TCP connection from `from` to `to` (an address) on `port` is not answered */
  | { kind: 'tcp-blocked'; from: string; to: string; port: number }
  /** ICMP echo from `from` to `to` gets no reply */
  | { kind: 'icmp-blocked'; from: string; to: string }
  /** the proxy in `node` (listening on `port`) does not fetch `url` for its clients */
  | { kind: 'proxy-blocked'; node: string; port: number; url: string }
  /** something in `node` listens on TCP `port` */
  | { kind: 'tcp-listening'; node: string; port: number }
  /**
   * `user` can no longer sign in with `password` at `service` in `node` (account disabled, locked,
   * removed or password changed): `samba` (the node's Samba password database, standalone or AD)
   * `orders` (the order system's users) or `unix` (the node's own accounts and sshd)
   */
  | { kind: 'login-refused'; node: string; service: 'samba' | 'orders' | 'unix'; user: string; password: string };

export interface CheckSpec {
  id: string;
  kind: 'containment' | 'recovery' | 'availability';
  /**
   * the attack step this check counters or repairs (none for availability): the check runs only
   * once that step has succeeded
   */
  step?: string;
  title: { ja: string; en: string };
  /** node of the team's range the check is about (the first probe's node) */
  node: string;
  /** typed probes, all of which must pass; a check has these or a `command` */
  probes?: Probe[];
  /**
   * legacy: a shell command run in that node (exit status 0 passes). It shows in the node's
   * processes while it runs; shipped scenarios use `probes`.
   */
  command?: string;
  /** optional user to run the command as */
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
