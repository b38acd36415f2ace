import { GovernorRejectedError } from './errors';
import { type Admission, Gate, type Pacer } from './gate';

const NO_TOKENS = { input: { reserved: 0, returned: 0 }, output: { reserved: 0, returned: 0 } };

/** A pacer that lets `open` attempts go, then holds the rest until more are opened. */
function countingPacer() {
  const pacer = {
    open: 0,
    admitted: 0,
    delayMs: () => (pacer.open > 0 ? 0 : Number.POSITIVE_INFINITY),
    admit: () => {
      pacer.open--;
      return { ticket: ++pacer.admitted, tokens: NO_TOKENS };
    },
  };
  return pacer satisfies Pacer;
}

/** A gate over a counting pacer (or `pacer`), with a fixed clock unless one is given. */
function gateWith<P extends Pacer = ReturnType<typeof countingPacer>>(
  options: {
    pacer?: P;
    clock?: () => number;
    maxQueue?: number;
    maxWaitMs?: number;
    onReject?: (reason: string) => void;
  } = {},
) {
  const pacer = (options.pacer ?? countingPacer()) as P;
  const gate = new Gate(
    pacer,
    options.clock ?? (() => 0),
    options.maxQueue ?? 10,
    options.maxWaitMs ?? 60_000,
    options.onReject ?? (() => undefined),
  );
  return { pacer, gate };
}

/** An entry that must wait. */
const waitAt = (gate: Gate, signal?: AbortSignal) => gate.enter(signal) as Promise<Admission>;

describe('Gate', () => {
  it('admits at once without a promise when nobody waits and the pacer says go', () => {
    const { pacer, gate } = gateWith();
    pacer.open = 1;
    expect(gate.enter(undefined)).toEqual({
      waitedMs: 0,
      ticket: 1,
      tokens: NO_TOKENS,
      at: 0,
      cost: undefined,
    });
    expect(pacer.admitted).toBe(1);
  });

  it('admits waiters in order, one per opening, never more than the pacer allows', async () => {
    const { pacer, gate } = gateWith();
    const order: number[] = [];
    const waits = [0, 1, 2].map((i) => waitAt(gate).then(() => order.push(i)));
    expect(gate.queued).toBe(3);
    pacer.open = 2;
    gate.pump();
    await Promise.all(waits.slice(0, 2));
    expect(order).toEqual([0, 1]);
    expect(pacer.admitted).toBe(2);
    expect(gate.queued).toBe(1);
    pacer.open = 1;
    gate.pump();
    await waits[2];
    expect(order).toEqual([0, 1, 2]);
  });

  it('fails fast past maxQueue, and reports the reason', async () => {
    const reasons: string[] = [];
    const { pacer, gate } = gateWith({ maxQueue: 1, onReject: (r) => reasons.push(r) });
    const first = waitAt(gate);
    const error = await waitAt(gate).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GovernorRejectedError);
    expect((error as GovernorRejectedError).reason).toBe('queue_full');
    expect(reasons).toEqual(['queue_full']);
    pacer.open = 1;
    gate.pump();
    await first;
  });

  it('removes an aborted waiter at once, and the next one takes its place', async () => {
    const { pacer, gate } = gateWith();
    const controller = new AbortController();
    const aborted = waitAt(gate, controller.signal).catch((e: unknown) => e);
    const second = waitAt(gate);
    controller.abort();
    expect(((await aborted) as Error).name).toBe('AbortError');
    expect(gate.queued).toBe(1);
    pacer.open = 1;
    gate.pump();
    await second;
    expect(pacer.admitted).toBe(1);
  });

  it('keeps no timer once nobody waits, so it never holds a process open', async () => {
    let now = 0;
    let delay = 1e9;
    const { gate } = gateWith({
      pacer: { delayMs: () => delay, admit: () => ({ ticket: 1, tokens: NO_TOKENS }) },
      clock: () => now,
      maxWaitMs: 3_600_000,
    });
    const waiting = waitAt(gate);
    expect((gate as unknown as { timer?: unknown }).timer).toBeDefined();
    now = 2e9;
    delay = 0;
    gate.pump();
    await waiting;
    expect((gate as unknown as { timer?: unknown }).timer).toBeUndefined();
  });

  it('rejects a wait past maxWaitMs with wait_timeout', async () => {
    const { gate } = gateWith({ maxWaitMs: 20 });
    const error = await waitAt(gate).catch((e: unknown) => e);
    expect((error as GovernorRejectedError).reason).toBe('wait_timeout');
    expect(gate.queued).toBe(0);
  });

  it('holds 10,000 waiters and lets them all go in order', async () => {
    const { pacer, gate } = gateWith({ maxQueue: 20_000 });
    const seen: number[] = [];
    const waits = Array.from({ length: 10_000 }, (_, i) => waitAt(gate).then(() => seen.push(i)));
    pacer.open = 10_000;
    gate.pump();
    await Promise.all(waits);
    expect(seen).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(gate.queued).toBe(0);
  });
});

describe('Gate timers', () => {
  it('a delay beyond what a timer can hold is clamped: no overflow warning, no 1 ms re-arming', async () => {
    const warnings: string[] = [];
    const listener = (warning: Error) => warnings.push(warning.name);
    process.on('warning', listener);
    try {
      const pacer = { delayMs: () => 2 ** 40, admit: () => ({ ticket: 1, tokens: NO_TOKENS }) };
      const { gate } = gateWith({ pacer, maxWaitMs: 2 ** 40 });
      const controller = new AbortController();
      const waiting = waitAt(gate, controller.signal).catch((error: Error) => error.name);
      await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort();
      expect(await waiting).toBe('AbortError');
      gate.close();
    } finally {
      process.off('warning', listener);
    }
    expect(warnings).toEqual([]);
  });
});

describe('Gate, requests of different sizes', () => {
  /** A pacer with a token budget: a request goes when the budget holds its input. */
  function budgetPacer(budget: number) {
    const pacer = {
      budget,
      admitted: [] as number[],
      delayMs: (_now: number, cost: { input: number; output: number } | undefined) =>
        (cost?.input ?? 0) <= pacer.budget ? 0 : 1000,
      admit: (_now: number, cost: { input: number; output: number } | undefined) => {
        pacer.budget -= cost?.input ?? 0;
        pacer.admitted.push(cost?.input ?? 0);
        return { ticket: pacer.admitted.length, tokens: NO_TOKENS };
      },
    };
    return pacer;
  }
  const cost = (input: number) => ({ input, output: 0 });
  /** A gate whose larger heads let smaller requests by for 10 s. */
  const sizedGate = (pacer: Pacer, clock: () => number) =>
    new Gate(pacer, clock, 10, 60_000, () => undefined, 10_000);

  it('lets a smaller request that fits go ahead of a larger one at the head, for a while', async () => {
    let now = 0;
    const pacer = budgetPacer(100);
    const gate = sizedGate(pacer, () => now);
    const big = gate.enter(undefined, cost(500)) as Promise<Admission>;
    const small = gate.enter(undefined, cost(50));
    await small;
    expect(pacer.admitted).toEqual([50]);
    // Past the bypass window the head keeps its turn: a small one waits behind it.
    now = 10_000;
    const later = gate.enter(undefined, cost(10)) as Promise<Admission>;
    gate.pump();
    expect(pacer.admitted).toEqual([50]);
    pacer.budget = 1000;
    gate.pump();
    await Promise.all([big, later]);
    expect(pacer.admitted).toEqual([50, 500, 10]);
    gate.close();
  });

  it('lets no request of about the head size ahead of it (that only swaps the two)', async () => {
    // Measured: an 8,000-token request priced 3 tokens under the head passed it, and the head
    // then waited out the whole bypass window (34 s against 5 s).
    const pacer = budgetPacer(120);
    const gate = sizedGate(pacer, () => 0);
    const head = gate.enter(undefined, cost(130)) as Promise<Admission>;
    const alike = gate.enter(undefined, cost(110)) as Promise<Admission>;
    const half = gate.enter(undefined, cost(65)) as Promise<Admission>;
    await half;
    expect(pacer.admitted).toEqual([65]);
    pacer.budget = 1000;
    gate.pump();
    await Promise.all([head, alike]);
    expect(pacer.admitted).toEqual([65, 130, 110]);
    gate.close();
  });

  it('lets nobody ahead while what holds the head holds everyone (a pause, the rate)', async () => {
    let paused = true;
    const pacer = budgetPacer(100);
    const inner = pacer.delayMs;
    pacer.delayMs = (now, c) => (paused ? 1000 : inner(now, c));
    const gate = sizedGate(pacer, () => 0);
    const big = gate.enter(undefined, cost(50)) as Promise<Admission>;
    const small = gate.enter(undefined, cost(10)) as Promise<Admission>;
    gate.pump();
    expect(pacer.admitted).toEqual([]);
    paused = false;
    gate.pump();
    await Promise.all([big, small]);
    expect(pacer.admitted).toEqual([50, 10]);
    gate.close();
  });
});
