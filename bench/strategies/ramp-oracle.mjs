// The ramp oracle: knows the simulator's acceleration limit exactly (short window, baseline
// window, growth, floor) and counts its own sends in the simulator's 100 ms slots, so every send
// goes the moment the limit would admit it and none is turned away: as fast as the ramp allows.
const SLOT_MS = 100;
/** A send this close to a slot's end waits for the next: it may reach the simulator after the edge. */
const EDGE_MS = 5;

export function rampOracleMiddleware(limit) {
  const shortSlots = Math.round(limit.shortWindowMs / SLOT_MS);
  const baselineSlots = Math.round(limit.baselineWindowMs / SLOT_MS);
  const counts = new Map();
  const sum = (from, n) => {
    let total = 0;
    for (let i = 0; i < n; i++) total += counts.get(from - i) ?? 0;
    return total;
  };
  const admits = (now) => {
    const slot = Math.floor(now / SLOT_MS);
    const baseline = sum(slot - shortSlots, baselineSlots) / (limit.baselineWindowMs / 1000);
    const allowed = Math.max(limit.floorPerSecond, (1 + limit.growth) * baseline);
    return (sum(slot, shortSlots) + 1) / (limit.shortWindowMs / 1000) <= allowed;
  };
  let tail = Promise.resolve();
  const turn = () => {
    const mine = tail.then(async () => {
      for (;;) {
        const now = performance.now();
        const toEdge = SLOT_MS - (now % SLOT_MS);
        if (toEdge > EDGE_MS && admits(now)) {
          const slot = Math.floor(now / SLOT_MS);
          counts.set(slot, (counts.get(slot) ?? 0) + 1);
          return slot;
        }
        await new Promise((resolve) => setTimeout(resolve, toEdge + 1));
      }
    });
    tail = mine.then(
      () => undefined,
      () => undefined,
    );
    return mine;
  };
  return async (request, next) => {
    const slot = await turn();
    const response = await next(request);
    // Not expected; if the simulator did turn it away, it does not count for the limit either.
    if (response.status === 429 || response.status === 529) counts.set(slot, counts.get(slot) - 1);
    return response;
  };
}
