/** The browser terminal's socket.io namespace and its typed events, shared with the web UI. */
export const TERMINAL_NAMESPACE = '/terminal';

/** Sent in the socket.io handshake (`io(url + '/terminal', { auth })`). */
export interface TerminalAuth {
  token: string;
  exercise: string;
  team: string;
  node: string;
  user?: string;
  cols?: number;
  rows?: number;
}

export interface TerminalServerEvents {
  /** the shell's output (tty: stdout and stderr together) */
  output: (data: Uint8Array) => void;
  /** the shell ended; the server disconnects right after */
  exit: (code: number) => void;
}

export interface TerminalClientEvents {
  input: (data: string) => void;
  resize: (size: { cols: number; rows: number }) => void;
}

/** connect_error messages the namespace uses (err.message), so clients can explain them. */
export const TERMINAL_ERRORS = ['unauthorised', 'forbidden', 'not-found', 'bad-request'] as const;
export type TerminalError = (typeof TERMINAL_ERRORS)[number];
