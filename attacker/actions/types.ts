import type { z } from 'zod';
import type { RangeView } from '../run/range-view.js';

import type { Outcome } from '../../protocol/index.js';

export type { Outcome };

/** What the runner keeps between steps of one team (implants, keys the exercise holds). */
export interface SharedState {
  /** node → implant on it */
  implants: Map<string, ImplantInfo>;
  /** "node:port" → C2 listener there (pid empty when it is the attacker role's own) */
  c2: Map<string, { port: number; pid: string }>;
  /** every implant id used, so cleanup can remove their tasks */
  implantIds: Set<string>;
}

export interface ImplantInfo {
  id: string;
  node: string;
  user: string;
  c2Node: string;
  c2Address: string;
  port: number;
  path: string;
  seq: number;
}

export interface ActionContext {
  range: RangeView;
  /** the node the step acts from */
  node: string;
  step: string;
  shared: SharedState;
  /** directory of the scenario file, for relative paths (atomic files) */
  baseDir: string;
  signal: AbortSignal;
}

/** What a cleanup is rebuilt from: the step's node and id, the range and the team's shared state. */
export type CleanupContext = Omit<ActionContext, 'signal'>;

export interface Cleanup {
  label: string;
  run: () => Promise<void>;
}

export interface ActionResult {
  outcome: Outcome;
  reason?: string;
  /** short human digest of what happened */
  evidence: string;
  /** full output captures are matched against */
  output?: string;
  /** undoes what the action left behind; run on stop/reset in reverse order */
  cleanup?: Cleanup;
}

export interface ActionDef<S extends z.ZodTypeAny = z.ZodTypeAny> {
  kind: string;
  summary: string;
  params: S;
  run(ctx: ActionContext, params: z.output<S>): Promise<ActionResult>;
  /**
   * The cleanup `run` registers, rebuilt from the step's parameters and its recorded evidence alone:
   * a server restarted after a crash takes over the steps an earlier one ran, and must still be able
   * to undo them on stop. `run` uses the same function, so the two cannot drift apart.
   */
  cleanupOf?(ctx: CleanupContext, params: z.output<S>, evidence: string): Cleanup | undefined;
}

export function defineAction<S extends z.ZodTypeAny>(def: ActionDef<S>): ActionDef<S> {
  return def;
}
