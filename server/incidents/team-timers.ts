/** One pending timer per exercise and team: setting it again replaces the old one. */
export class TeamTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  constructor(private readonly fire: (exercise: string, team: string) => void) {}

  set(exercise: string, team: string, inMs: number | undefined): void {
    const key = `${exercise}\n${team}`;
    const old = this.timers.get(key);
    if (old) clearTimeout(old);
    this.timers.delete(key);
    if (inMs === undefined) return;
    const t = setTimeout(
      () => {
        this.timers.delete(key);
        this.fire(exercise, team);
      },
      // at most a day: setTimeout's limit, and a check once a day costs nothing
      Math.min(Math.max(inMs, 0) + 50, 86_400_000),
    );
    t.unref();
    this.timers.set(key, t);
  }

  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
