/** A minimal typed event emitter (no DOM dependency, so the same code runs in a page, a worker and Node). */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(v: never) => void>>();

  on<K extends keyof Events>(event: K, fn: (value: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as (v: never) => void);
    return () => set.delete(fn as (v: never) => void);
  }

  protected emit<K extends keyof Events>(event: K, value: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of set) (fn as (v: Events[K]) => void)(value);
  }
}
