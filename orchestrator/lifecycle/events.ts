/** Progress of long range operations, for the CLI's bars and the server's sockets. */
export type RangeStep = 'plan' | 'images' | 'network' | 'host-rules' | 'container' | 'health' | 'ready' | 'remove';

export interface RangeProgress {
  exercise: string;
  team?: string;
  node?: string;
  step: RangeStep;
  status: 'start' | 'done' | 'failed' | 'info';
  message: string;
  /** units of work finished / planned for this team (or exercise when no team) */
  done?: number;
  total?: number;
  at: string;
}

export type ProgressSink = (p: RangeProgress) => void;

export const noProgress: ProgressSink = () => undefined;
