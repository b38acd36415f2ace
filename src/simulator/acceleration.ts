import type { AccelerationLimit } from './config';

const SLOT_MS = 100;

/**
 * The acceleration ("ramp") limit: admitted requests over the short window may not exceed
 * (1 + growth) times the rate over the trailing baseline window, unless they stay under the floor.
 */
export class AccelerationGuard {
  private readonly slots: Int32Array;
  private readonly slotCount: number;
  private lastSlot: number;

  constructor(
    private readonly limit: AccelerationLimit,
    now: number,
  ) {
    this.slotCount = Math.ceil((limit.shortWindowMs + limit.baselineWindowMs) / SLOT_MS) + 1;
    this.slots = new Int32Array(this.slotCount);
    this.lastSlot = Math.floor(now / SLOT_MS);
  }

  private advance(now: number): number {
    const slot = Math.floor(now / SLOT_MS);
    const steps = Math.min(slot - this.lastSlot, this.slotCount);
    for (let i = 1; i <= steps; i++) this.slots[(this.lastSlot + i) % this.slotCount] = 0;
    if (slot > this.lastSlot) this.lastSlot = slot;
    return slot;
  }

  private sum(fromSlot: number, count: number): number {
    let total = 0;
    for (let i = 0; i < count; i++) total += this.slots[(fromSlot - i + this.slotCount * 2) % this.slotCount];
    return total;
  }

  /** The highest request rate (per second) the short window may reach now. */
  allowedRate(now: number): number {
    const slot = this.advance(now);
    const shortSlots = Math.round(this.limit.shortWindowMs / SLOT_MS);
    const baselineSlots = Math.round(this.limit.baselineWindowMs / SLOT_MS);
    const baseline = this.sum(slot - shortSlots, baselineSlots) / (this.limit.baselineWindowMs / 1000);
    return Math.max(this.limit.floorPerSecond, (1 + this.limit.growth) * baseline);
  }

  /** Whether one more request now would push the short-window rate over the allowed rate. */
  wouldExceed(now: number): boolean {
    const allowed = this.allowedRate(now);
    const shortSlots = Math.round(this.limit.shortWindowMs / SLOT_MS);
    const shortRate = (this.sum(this.lastSlot, shortSlots) + 1) / (this.limit.shortWindowMs / 1000);
    return shortRate > allowed;
  }

  record(now: number): void {
    const slot = this.advance(now);
    this.slots[slot % this.slotCount]++;
  }
}
