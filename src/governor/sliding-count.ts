/** A count of events over a trailing window, kept in fixed slots: O(1) to add, O(slots) to sum. */
export class SlidingCount {
  private readonly slots: Float64Array;
  private lastSlot: number;

  constructor(
    readonly windowMs: number,
    private readonly slotMs: number,
    now: number,
  ) {
    this.slots = new Float64Array(Math.max(1, Math.ceil(windowMs / slotMs)));
    this.lastSlot = Math.floor(now / slotMs);
  }

  add(now: number, amount = 1): void {
    this.advance(now);
    this.slots[this.lastSlot % this.slots.length] += amount;
  }

  /** Takes back `amount` counted at `at` (ignored once `at` has left the window). */
  remove(at: number, now: number, amount = 1): void {
    this.advance(now);
    const slot = Math.floor(at / this.slotMs);
    if (slot > this.lastSlot || this.lastSlot - slot >= this.slots.length) return;
    this.slots[slot % this.slots.length] -= amount;
  }

  /** The sum over the trailing window (the current, partly filled slot included). */
  total(now: number): number {
    this.advance(now);
    let sum = 0;
    for (const value of this.slots) sum += value;
    return sum;
  }

  /** The sum over the trailing `ms` (at most the window), in whole slots. */
  recent(now: number, ms: number): number {
    this.advance(now);
    const count = Math.min(this.slots.length, Math.max(1, Math.round(ms / this.slotMs)));
    let sum = 0;
    for (let i = 0; i < count; i++)
      sum += this.slots[(this.lastSlot - i + this.slots.length) % this.slots.length];
    return sum;
  }

  /** The rate over the trailing `ms` (at most the window), per second of the time those slots span. */
  perSecond(now: number, ms: number): number {
    const count = Math.min(this.slots.length, Math.max(1, Math.round(ms / this.slotMs)));
    const spanMs = (count - 1) * this.slotMs + (now - Math.floor(now / this.slotMs) * this.slotMs);
    return (this.recent(now, ms) * 1000) / Math.max(spanMs, this.slotMs);
  }

  private advance(now: number): void {
    const slot = Math.floor(now / this.slotMs);
    if (slot <= this.lastSlot) return;
    const steps = Math.min(slot - this.lastSlot, this.slots.length);
    for (let i = 1; i <= steps; i++) this.slots[(this.lastSlot + i) % this.slots.length] = 0;
    this.lastSlot = slot;
  }
}
