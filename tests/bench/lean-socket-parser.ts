/**
 * The server benchmark's socket.io packet parser (socket.io-client's `parser` option). The server
 * and its clients share the benchmark's 2 cores; with the stock parser the clients' JSON.parse of
 * every batch (a staff client's holds every team's events) cost about as much CPU as the server
 * spent producing it. This one speaks the same wire format (socket.io protocol 5, text packets of
 * the default namespace: what the benchmark's clients use) but hands a `batch` event to its
 * handler as the packet's text, and `scoreDeltasIn` parses only the score deltas out of it: what
 * the benchmark times. Every other packet (connect, acks, errors) is parsed in full.
 */

/** socket.io packet types (protocol 5) */
const EVENT = 2;
const BINARY_EVENT = 5;
const BINARY_ACK = 6;

interface Packet {
  type: number;
  nsp: string;
  data?: unknown;
  id?: number;
}

type Listener = (packet: Packet) => void;

class Encoder {
  encode(p: Packet): string[] {
    if (p.type === BINARY_EVENT || p.type === BINARY_ACK) throw new Error('the benchmark sends no binary packets');
    const nsp = p.nsp && p.nsp !== '/' ? `${p.nsp},` : '';
    return [`${p.type}${nsp}${p.id ?? ''}${p.data === undefined ? '' : JSON.stringify(p.data)}`];
  }
}

class Decoder {
  private listeners: Listener[] = [];

  on(event: string, l: Listener): this {
    if (event === 'decoded') this.listeners.push(l);
    return this;
  }

  off(event?: string, l?: Listener): this {
    if (event === undefined || event === 'decoded') this.listeners = l ? this.listeners.filter((x) => x !== l) : [];
    return this;
  }

  removeListener(event: string, l: Listener): this {
    return this.off(event, l);
  }

  destroy(): void {
    this.listeners = [];
  }

  add(obj: unknown): void {
    if (typeof obj !== 'string') throw new Error('the benchmark expects no binary packets');
    const type = obj.charCodeAt(0) - 48;
    let i = 1;
    let nsp = '/';
    if (obj[i] === '/') {
      const comma = obj.indexOf(',', i);
      nsp = obj.slice(i, comma < 0 ? obj.length : comma);
      i = comma < 0 ? obj.length : comma + 1;
    }
    let id: number | undefined;
    const digits = /^\d+/.exec(obj.slice(i, i + 20));
    if (digits) {
      id = Number(digits[0]);
      i += digits[0].length;
    }
    const rest = obj.slice(i);
    let data: unknown;
    if (type === EVENT && rest.startsWith('["batch",')) data = ['batch', rest];
    else data = rest ? JSON.parse(rest) : undefined;
    const packet: Packet = { type, nsp, ...(data !== undefined ? { data } : {}), ...(id !== undefined ? { id } : {}) };
    for (const l of this.listeners) l(packet);
  }
}

export const leanParser = { protocol: 5, Encoder, Decoder };

/**
 * The score deltas of a batch packet's text (`["batch",[["event",…],["score",{…}],…]]`), parsed
 * one by one: each `["score",{` starts one, which ends where its brackets close (strings skipped).
 * Event payloads are not parsed; in the benchmark they hold ids and addresses, never that text.
 */
export function* scoreDeltasIn<T>(text: string): Generator<T> {
  const mark = '["score",';
  for (let at = text.indexOf(mark); at >= 0; at = text.indexOf(mark, at + 1)) {
    let depth = 0;
    let end = -1;
    for (let j = at; j < text.length && end < 0; j++) {
      const c = text.charCodeAt(j);
      if (c === 0x22) {
        // a string: to its closing quote
        for (j++; j < text.length && text.charCodeAt(j) !== 0x22; j++) if (text.charCodeAt(j) === 0x5c) j++;
      } else if (c === 0x5b || c === 0x7b) depth++;
      else if ((c === 0x5d || c === 0x7d) && --depth === 0) end = j + 1;
    }
    if (end < 0) throw new Error('a score delta without its end in a batch');
    yield (JSON.parse(text.slice(at, end)) as [string, T])[1];
    at = end - 1;
  }
}
