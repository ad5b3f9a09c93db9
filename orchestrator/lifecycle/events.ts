/** Progress of long range operations, for the CLI's bars and the server's sockets (the shape is the protocol's). */
import type { RangeProgress, RangeStep } from '../../protocol/index.js';

export type { RangeProgress, RangeStep };

export type ProgressSink = (p: RangeProgress) => void;

export const noProgress: ProgressSink = () => undefined;
