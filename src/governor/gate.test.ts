import { GovernorRejectedError } from './errors';
import { type Admission, Gate, type Pacer } from './gate';

/** A pacer that lets `open` attempts go, then holds the rest until more are opened. */
function countingPacer() {
  const pacer = {
    open: 0,
    admitted: 0,
    delayMs: () => (pacer.open > 0 ? 0 : Number.POSITIVE_INFINITY),
    admit: () => {
      pacer.open--;
      return ++pacer.admitted;
    },
  };
  return pacer satisfies Pacer;
}

describe('Gate', () => {
  it('admits at once without a promise when nobody waits and the pacer says go', () => {
    const pacer = countingPacer();
    pacer.open = 1;
    const gate = new Gate(
      pacer,
      () => 0,
      10,
      60_000,
      () => undefined,
    );
    expect(gate.enter(undefined)).toEqual({ waitedMs: 0, ticket: 1, at: 0 });
    expect(pacer.admitted).toBe(1);
  });

  it('admits waiters in order, one per opening, never more than the pacer allows', async () => {
    const pacer = countingPacer();
    const gate = new Gate(
      pacer,
      () => 0,
      10,
      60_000,
      () => undefined,
    );
    const order: number[] = [];
    const waits = [0, 1, 2].map((i) =>
      (gate.enter(undefined) as Promise<Admission>).then(() => order.push(i)),
    );
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
    const pacer = countingPacer();
    const reasons: string[] = [];
    const gate = new Gate(
      pacer,
      () => 0,
      1,
      60_000,
      (r) => reasons.push(r),
    );
    const first = gate.enter(undefined) as Promise<Admission>;
    const error = await (gate.enter(undefined) as Promise<Admission>).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GovernorRejectedError);
    expect((error as GovernorRejectedError).reason).toBe('queue_full');
    expect(reasons).toEqual(['queue_full']);
    pacer.open = 1;
    gate.pump();
    await first;
  });

  it('removes an aborted waiter at once, and the next one takes its place', async () => {
    const pacer = countingPacer();
    const gate = new Gate(
      pacer,
      () => 0,
      10,
      60_000,
      () => undefined,
    );
    const controller = new AbortController();
    const aborted = (gate.enter(controller.signal) as Promise<Admission>).catch((e: unknown) => e);
    const second = gate.enter(undefined) as Promise<Admission>;
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
    const pacer: Pacer = { delayMs: () => delay, admit: () => 1 };
    const gate = new Gate(
      pacer,
      () => now,
      10,
      3_600_000,
      () => undefined,
    );
    const waiting = gate.enter(undefined) as Promise<Admission>;
    expect((gate as unknown as { timer?: unknown }).timer).toBeDefined();
    now = 2e9;
    delay = 0;
    gate.pump();
    await waiting;
    expect((gate as unknown as { timer?: unknown }).timer).toBeUndefined();
  });

  it('rejects a wait past maxWaitMs with wait_timeout', async () => {
    const gate = new Gate(
      countingPacer(),
      () => 0,
      10,
      20,
      () => undefined,
    );
    const error = await (gate.enter(undefined) as Promise<Admission>).catch((e: unknown) => e);
    expect((error as GovernorRejectedError).reason).toBe('wait_timeout');
    expect(gate.queued).toBe(0);
  });

  it('holds 10,000 waiters and lets them all go in order', async () => {
    const pacer = countingPacer();
    const gate = new Gate(
      pacer,
      () => 0,
      20_000,
      60_000,
      () => undefined,
    );
    const seen: number[] = [];
    const waits = Array.from({ length: 10_000 }, (_, i) =>
      (gate.enter(undefined) as Promise<Admission>).then(() => seen.push(i)),
    );
    pacer.open = 10_000;
    gate.pump();
    await Promise.all(waits);
    expect(seen).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(gate.queued).toBe(0);
  });
});
