import type { SharedCapacity } from './config';
import type { Random } from './random';

const SLOT_MS = 100;

/**
 * An overload that responds to load: the API's backend serves `capacityPerSecond` for all its
 * tenants together, and when this client's arrivals plus the other tenants' exceed it, the
 * arrivals it cannot serve are answered 529. Sending less lowers the share; nothing else does.
 * With `rejectionCost` k > 0 each rejection uses k of a served request's work, so the backend
 * serves S = (C - kL) / (1 - k) of an offered L > C: past capacity, more load means fewer
 * requests served in all (congestion collapse).
 */
export class SharedBackend {
  private readonly slots: Int32Array;
  private lastSlot: number;

  constructor(
    private readonly config: SharedCapacity,
    now: number,
  ) {
    this.slots = new Int32Array(Math.max(1, Math.round(config.windowMs / SLOT_MS)));
    this.lastSlot = Math.floor(now / SLOT_MS);
  }

  /** This client's arrival rate over the window, requests per second (the arrival at `now` included). */
  private arrivals(now: number): number {
    const slot = Math.floor(now / SLOT_MS);
    const steps = Math.min(slot - this.lastSlot, this.slots.length);
    for (let i = 1; i <= steps; i++) this.slots[(this.lastSlot + i) % this.slots.length] = 0;
    if (slot > this.lastSlot) this.lastSlot = slot;
    this.slots[slot % this.slots.length]++;
    let total = 0;
    for (const count of this.slots) total += count;
    return total / (this.config.windowMs / 1000);
  }

  /** The share of arrivals the backend cannot serve now: 0 under capacity. */
  overloadShare(ours: number): number {
    const { capacityPerSecond: capacity, otherTenantsPerSecond, rejectionCost: k } = this.config;
    const offered = ours + otherTenantsPerSecond;
    if (offered <= capacity) return 0;
    if (k >= 1) return 1;
    const served = Math.max(0, (capacity - k * offered) / (1 - k));
    return 1 - served / offered;
  }

  /** Records an arrival and says whether it is answered 529. */
  overloaded(now: number, random: Random): boolean {
    const share = this.overloadShare(this.arrivals(now));
    return share > 0 && random.chance(share);
  }
}
