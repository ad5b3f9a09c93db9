/** A team's scenario clock: scenario seconds advance at `speed` × wall time while running. */
export class ScenarioClock {
  private base = 0;
  private since: number | undefined;
  constructor(
    private speedFactor: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get speed(): number {
    return this.speedFactor;
  }

  get running(): boolean {
    return this.since !== undefined;
  }

  /** scenario seconds since start */
  elapsed(): number {
    return this.base + (this.since === undefined ? 0 : ((this.now() - this.since) / 1000) * this.speedFactor);
  }

  /** Sets the clock to `t` scenario seconds (a resumed attack goes on from where it stood). */
  seek(t: number): void {
    this.base = t;
    if (this.since !== undefined) this.since = this.now();
  }

  start(): void {
    if (this.since === undefined) this.since = this.now();
  }

  pause(): void {
    this.base = this.elapsed();
    this.since = undefined;
  }

  setSpeed(x: number): void {
    if (!(x > 0) || !Number.isFinite(x)) throw new RangeError('speed must be a positive number');
    const running = this.running;
    this.pause();
    this.speedFactor = x;
    if (running) this.start();
  }

  /** wall milliseconds until the clock shows `t` (Infinity while paused) */
  wallMsUntil(t: number): number {
    if (!this.running) return Infinity;
    return Math.max(0, ((t - this.elapsed()) / this.speedFactor) * 1000);
  }
}

/** Scenario seconds as events carry them: to the millisecond. */
export const round3 = (n: number): number => Math.round(n * 1000) / 1000;

export function formatOffset(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h ? `${h}:` : ''}${String(m).padStart(h ? 2 : 1, '0')}:${String(sec).padStart(2, '0')}`;
}
