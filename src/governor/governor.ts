import type { AttemptFacts, VetoReason } from '../facts/attempt-facts';
import { advisedWaitMs } from '../facts/sdk-rules';
import { ConcurrencyLimit } from './concurrency';
import type { ResolvedGovernorConfig } from './config';
import { CubicRate } from './cubic-rate';
import { GovernorRejectedError, type RejectReason } from './errors';
import type { FleetLink, FleetRecorder } from './fleet/fleet-link';
import { FleetPace, type FleetState } from './fleet/fleet-pace';
import { type Admission, Gate, type Pacer, type Tickets } from './gate';
import { HeaderCap } from './header-cap';
import { LoadResponse } from './load-response';
import { OverloadSteps } from './overload-steps';
import { LocalPace, type Pace } from './pace';
import { Ramp } from './ramp';
import { countedInput, type TokenCost } from './request-cost';
import { RetryBudget } from './retry-budget';
import { LocalSignals, type SignalSource, type Signals } from './signals';
import { TokenBudget } from './token-budget';

/** Where the governor reports what it did (the prom-client metrics). */
export interface GovernorRecorder extends FleetRecorder {
  waited(ms: number): void;
  rejected(reason: RejectReason): void;
  vetoed(reason: VetoReason): void;
  /** A retry-after started a pause (`started`) or lengthened one; `addedMs` of pause were added. */
  paused(addedMs: number, started: boolean): void;
}

/** How often the combined rate is recomputed at most, ms (events recompute it at once). */
const RATE_REFRESH_MS = 100;
/** Load shedding needs this many attempts in the signal window: two 529s in a row are not an overload. */
const SHED_MIN_ATTEMPTS = 20;
/** A burst of 429s or 529s within this is one signal for the rate and the concurrency limit. */
const HOLD_MS = 500;

/** Which of the API's limits a governor paces: a model group's standard limits, or its fast mode's. */
export interface LimitLane {
  /** Fast mode: its token limits are read from `anthropic-fast-*`. Default false. */
  fast?: boolean;
}

/**
 * One limit's traffic governor (an organization's model group at one speed, on one base URL; see
 * `limit-groups.ts`). Every attempt passes `enter()`;
 * every finished attempt is fed back through `ended()`; `verdict()` decides whether the SDK may
 * retry an error response. See "The governor" in the README.
 */
export class Governor implements Pacer {
  private readonly gate: Gate;
  /** Hands out the sends at the rate decided here: this process's bucket, or the fleet's. */
  private readonly pace: Pace;
  private readonly cubic: CubicRate;
  private readonly ramp: Ramp;
  private readonly headerCap: HeaderCap;
  /** The group's input- and output-token limits, each request priced against them. */
  private readonly tokens: TokenBudget;
  private readonly concurrency: ConcurrencyLimit;
  private readonly budget: RetryBudget | undefined;
  /** Slows down for 529s and timeouts, step by judged step. */
  private readonly overload: OverloadSteps;
  /** Judges each rate cut (or ramp arming) for 429s by whether they became rarer. */
  private readonly rateLimitResponse: LoadResponse;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private rateAt = Number.NEGATIVE_INFINITY;
  private shedProbability = 0;
  private readonly loop: NodeJS.Timeout;
  private reading = false;

  constructor(
    private readonly config: ResolvedGovernorConfig,
    private readonly signals: SignalSource,
    private readonly recorder: GovernorRecorder | undefined,
    private readonly clock: () => number = () => performance.now(),
    private readonly random: () => number = Math.random,
    private readonly fleet?: FleetLink,
    private readonly lane: LimitLane = {},
  ) {
    const now = clock();
    this.ramp = new Ramp(config.ramp, now);
    if (fleet) {
      const pump = () => this.gate.pump();
      this.pace = new FleetPace(
        fleet,
        config.burst,
        config.coldStartPerSecond,
        now,
        clock,
        pump,
        (count, at) => this.ramp.recordOthers(count, at),
      );
      fleet.attach({ paused: (ms, ramp) => this.pausedByFleet(ms, ramp), changed: pump });
    } else this.pace = new LocalPace(config.burst, config.coldStartPerSecond, now);
    this.cubic = new CubicRate(0.7, 0.4, config.minRatePerSecond);
    this.headerCap = new HeaderCap(config.headroom, 10_000);
    this.tokens = new TokenBudget(config.headroom);
    const { min, max, decrease } = config.concurrency;
    this.concurrency = new ConcurrencyLimit(min, max, decrease);
    this.budget = config.retryBudget ? new RetryBudget(config.retryBudget, now) : undefined;
    this.overload = new OverloadSteps(now, config.minRatePerSecond, this.concurrency, HOLD_MS);
    this.rateLimitResponse = new LoadResponse(now);
    this.gate = new Gate(this, clock, config.maxQueue, config.maxWaitMs, (reason) =>
      this.recorder?.rejected(reason),
    );
    this.loop = setInterval(() => this.steer(), config.controlIntervalMs);
    this.loop.unref();
  }

  /** Waits for this attempt's turn: its admission at once when it may go, else a promise of it. */
  enter(signal: AbortSignal | undefined, isRetry: boolean, cost?: TokenCost): Admission | Promise<Admission> {
    if (this.shedProbability > 0 && this.random() < this.shedProbability) {
      this.recorder?.rejected('overloaded');
      throw new GovernorRejectedError('overloaded');
    }
    this.budget?.record(isRetry, this.clock());
    const entered = this.gate.enter(signal, cost);
    if (!(entered instanceof Promise)) {
      this.recorder?.waited(0);
      return entered;
    }
    return entered.then((admission) => {
      this.recorder?.waited(admission.waitedMs);
      return admission;
    });
  }

  /** Pacer: ms until the next attempt may go (paused, out of requests or tokens, or `Infinity`: at the concurrency limit). */
  delayMs(now: number, cost: TokenCost | undefined): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    if (this.concurrency.full()) return Number.POSITIVE_INFINITY;
    if (now - this.rateAt >= RATE_REFRESH_MS) this.refreshRate(now);
    const ramp = this.ramp.waitMs(now);
    if (ramp > 0) return ramp;
    const tokens = this.tokens.waitMs(cost, now);
    return tokens > 0 ? tokens : this.pace.waitMs(now);
  }

  /** Pacer: the next attempt goes now. */
  admit(now: number, cost: TokenCost | undefined): Tickets {
    this.pace.take(now);
    this.concurrency.inFlight++;
    this.ramp.record(now);
    return { ticket: this.pace.sent, tokens: this.tokens.take(cost) };
  }

  /** Rate cuts and ramp arming that did not make 429s rarer. */
  private readonly undoRateCuts = () => {
    this.cubic.reset();
    this.ramp.disarm();
  };

  /** An attempt that went through `enter()` ended (response read, failed, or abandoned). */
  ended(facts: AttemptFacts, admission: Admission): void {
    const now = this.clock();
    if (facts.status !== undefined) this.pace.answered();
    this.headerCap.update(facts.rateLimits, admission);
    const limits = facts.rateLimits;
    const input = this.lane.fast ? limits?.fast_input_tokens : limits?.input_tokens;
    const output = this.lane.fast ? limits?.fast_output_tokens : limits?.output_tokens;
    // A reply's reading holds its own reservation (settled after it); a refused request's does not.
    const usedTokens = used(facts);
    this.tokens.read(
      input,
      output,
      admission.tokens,
      admission.at,
      admission.cost,
      usedTokens !== undefined,
      facts.durationMs,
    );
    this.tokens.settle(admission.cost, usedTokens, admission.tokens, now);
    // A token limit that held less than this request needed: the modelled buckets now hold each
    // request until it fits, so neither a pause nor a rate cut is due (smaller requests may go).
    const tokenLimited = facts.status === 429 && this.tokens.short(admission.cost, input, output);
    const { outcome } = facts;
    const advised = advisedWaitMs(facts.retryAfterMs);
    // A 429's retry-after pauses every sender of the limit, never earlier than advised, unless
    // slowing down for 429s was just seen not to help, or it says when a larger request than
    // others would fit; a 529's only while a step down for 529s is in place and not seen to fail.
    // Otherwise only its own call waits, as with the SDK alone. One longer than any call may wait
    // fails its own call (the verdict) and freezes nobody.
    const pausesOthers =
      facts.status === 429
        ? !tokenLimited && !this.rateLimitResponse.quiet(now)
        : facts.status === 529 && this.overload.pausesOthers(now);
    const rampLimited = outcome.errorCode === 'ramp_limit_exceeded';
    if (rampLimited && !this.rateLimitResponse.quiet(now)) this.ramp.hit(now);
    if (advised !== undefined && advised <= this.config.maxWaitMs && pausesOthers) {
      this.pauseFor(advised, rampLimited, now);
      this.fleet?.pause(advised, rampLimited);
    }
    if (this.signals instanceof LocalSignals) this.signals.record(facts, now);
    if (facts.status === 429 || facts.status === 529) this.ramp.rejected(admission.at, now);
    else if (facts.status !== undefined && facts.status < 300) this.ramp.accepted(admission.at, now);
    // Slow down only where it can be judged, and only while slowing down has been seen to help.
    const succeeded = facts.status !== undefined && !outcome.failed;
    const rateLimited = facts.status === 429 && outcome.retryable !== false && !tokenLimited;
    this.rateLimitResponse.record(rateLimited, now, succeeded);
    if (rateLimited && this.rateLimitResponse.mayCut(now)) {
      // The ramp limiter (armed above, on the API's own word, from the first one) needs no rate
      // cut; a 429 with headroom left is merely suspected of it (the metrics count it as a spike).
      if (!rampLimited)
        this.cubic.throttled(now, this.pace.ratePerSecond, this.pace.sendingPerSecond(now), HOLD_MS);
      this.rateLimitResponse.cut(now, this.undoRateCuts);
    } else if (rampLimited && !this.rateLimitResponse.quiet(now)) {
      // Too few attempts yet to judge by: armed all the same, judged once there are.
      this.rateLimitResponse.cut(now, this.undoRateCuts);
    }
    const overloaded = outcome.errorType === 'overloaded_error' || outcome.errorType === 'timeout';
    this.overload.record(overloaded, succeeded, now, this.pace.ratePerSecond);
    if (!overloaded && !outcome.failed) this.concurrency.succeeded();
    // Counted in flight until here, so the limit's use is judged with this attempt in it.
    this.concurrency.inFlight = Math.max(0, this.concurrency.inFlight - 1);
    this.refreshRate(now);
    this.gate.pump();
  }

  /** An admitted attempt that will not report `ended()` (its telemetry failed to start). */
  released(): void {
    this.concurrency.inFlight = Math.max(0, this.concurrency.inFlight - 1);
    this.gate.pump();
  }

  /** Whether the SDK should be stopped from retrying this error response, and why. */
  verdict(facts: AttemptFacts, sdkWouldRetry: boolean): VetoReason | undefined {
    if (!sdkWouldRetry) return undefined;
    let reason: VetoReason | undefined;
    if (facts.outcome.retryable === false) reason = 'not_retryable';
    else if ((advisedWaitMs(facts.retryAfterMs) ?? 0) > this.config.maxWaitMs)
      reason = 'retry_after_too_long';
    // A 429's retry waits at the gate (paused, paced), so it cannot amplify: the budget is for the rest.
    else if (facts.status !== 429 && this.budget && !this.budget.allows(this.clock())) reason = 'budget';
    if (reason) this.recorder?.vetoed(reason);
    return reason;
  }

  /**
   * Whether an ended 429 came from a token limit this governor models (the bucket held less than
   * the request needed, and the limit is read now): its retry may wait at the gate, which wakes
   * as replies give tokens back, rather than sleep a retry-after computed from the refill alone.
   */
  waitsAtGate(facts: AttemptFacts, admission: Admission): boolean {
    if (facts.status !== 429 || facts.outcome.retryable === false) return false;
    const limits = facts.rateLimits;
    const input = this.lane.fast ? limits?.fast_input_tokens : limits?.input_tokens;
    const output = this.lane.fast ? limits?.fast_output_tokens : limits?.output_tokens;
    return this.tokens.short(admission.cost, input, output);
  }

  /** What the governor is doing now, for the gauges and the demo. */
  state(): GovernorState {
    const now = this.clock();
    if (now - this.rateAt >= RATE_REFRESH_MS) this.refreshRate(now);
    return {
      // The ramp limiter counts sends in each second itself (a paced rate would fall behind it).
      allowedRatePerSecond: Math.min(this.pace.ratePerSecond, this.ramp.cap(now)),
      concurrencyLimit: this.concurrency.current,
      inFlight: this.concurrency.inFlight,
      queued: this.gate.queued,
      paused: now < this.pausedUntil,
      rampArmed: this.ramp.armed(now),
      shedProbability: this.shedProbability,
      fleet: this.pace instanceof FleetPace ? this.pace.state(now) : undefined,
    };
  }

  /** Nothing waits for it and nothing it let through is in flight: it can be closed unnoticed. */
  idle(): boolean {
    return this.gate.queued === 0 && this.concurrency.inFlight === 0;
  }

  close(): void {
    clearInterval(this.loop);
    this.gate.close();
    if (this.pace instanceof FleetPace) this.pace.close();
  }

  /**
   * Holds every sender of the limit for `advisedMs` and a jitter in proportion (a 1 ms
   * retry-after is not a reason to hold every sender 250 ms); after an acceleration limit none:
   * the ramp limiter spreads the sends that follow, one by one.
   */
  private pauseFor(advisedMs: number, rampLimited: boolean, now: number): void {
    const jitter = rampLimited ? 0 : this.random() * Math.min(this.config.pauseJitterMs, advisedMs);
    const until = now + advisedMs + jitter;
    if (until > this.pausedUntil) {
      const started = now >= this.pausedUntil;
      this.recorder?.paused(until - Math.max(now, this.pausedUntil), started);
      this.pausedUntil = until;
    }
  }

  /** Another process of the fleet saw a retry-after: it holds here too. */
  private pausedByFleet(ms: number, rampLimited: boolean): void {
    const now = this.clock();
    if (rampLimited && !this.rateLimitResponse.quiet(now)) this.ramp.hit(now);
    this.pauseFor(Math.min(ms, this.config.maxWaitMs), rampLimited, now);
  }

  private refreshRate(now: number): void {
    this.rateAt = now;
    // The headers' cap is what the API allows everyone the pace counts (in a fleet, the fleet);
    // the 429 and 529 curves are this process's own reactions, judged on its own sends (in a
    // fleet, one process's step is not compounded by another's).
    const measured = this.pace.sendingPerSecond(now);
    const own = Math.min(this.cubic.rate(now, measured), this.overload.rate(now, measured));
    const shared = this.headerCap.cap(now, this.pace.sent);
    const floor = this.config.minRatePerSecond;
    this.pace.setRate(Math.max(shared, floor), Math.max(own, floor), this.config.burst, now);
  }

  /** The slow loop: signals from the metrics (or a fleet source) arm the ramp and set load shedding. */
  private steer(): void {
    if (this.reading) return;
    this.reading = true;
    Promise.resolve()
      .then(() => this.signals.read())
      .then(
        (signals) => this.apply(signals),
        () => this.apply(undefined),
      )
      .finally(() => {
        this.reading = false;
      });
  }

  private apply(signals: Signals | undefined): void {
    if (!signals) {
      this.shedProbability = 0;
      return;
    }
    const now = this.clock();
    if (signals.accelerationLimited > 0 && this.rateLimitResponse.mayCut(now)) {
      this.ramp.hit(now);
      this.rateLimitResponse.cut(now, this.undoRateCuts);
    }
    const k = this.config.overloadSheddingK;
    // SRE adaptive throttling, on counts over the signal window.
    const attempts = signals.attempts * signals.windowSeconds;
    const accepted = attempts - signals.overloaded * signals.windowSeconds;
    this.shedProbability =
      k > 0 && signals.overloaded > 0 && attempts >= SHED_MIN_ATTEMPTS
        ? Math.max(0, Math.min(0.9, (attempts - k * accepted) / (attempts + 1)))
        : 0;
    this.gate.pump();
  }
}

/** What an attempt took of the token limits: its reply's usage; nothing for an error the API refused before any work. */
function used(facts: AttemptFacts): { input?: number; output?: number } | undefined {
  const usage = facts.reply?.usage;
  if (usage) return { input: countedInput(usage), output: usage.output };
  // A 4xx was refused whole; a 5xx or a lost connection may have been counted: keep its reservation.
  if (facts.status !== undefined && facts.status >= 400 && facts.status < 500) return undefined;
  return {};
}

export interface GovernorState {
  /** `Infinity` while nothing limits the rate. */
  allowedRatePerSecond: number;
  /** `Infinity` while the API has not reported overload. */
  concurrencyLimit: number;
  inFlight: number;
  queued: number;
  paused: boolean;
  rampArmed: boolean;
  shedProbability: number;
  /** In fleet mode: whether Redis answers, the members, this process's share of the sends. */
  fleet: FleetState | undefined;
}
