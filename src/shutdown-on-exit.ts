/**
 * OpenTelemetry exports spans in batches, over the network: a process that ends without
 * `sdk.shutdown()` loses the last batch, and an app that dies of an uncaught error (an
 * `OverloadedError` after the SDK's retries) loses exactly the attempts that explain why. This
 * flushes on every way out Node leaves open: the normal end, SIGTERM and SIGINT, an uncaught
 * exception and an unhandled rejection, where nothing else handles them: it flushes, then ends
 * the process as Node would have (the error printed and exit code 1, or the signal's own end).
 * It changes nothing the app decides: where the app handles a signal or an uncaught error itself,
 * the app's handler decides whether the process ends, and should call `sdk.shutdown()` if it
 * does. A `process.exit()` call is synchronous: nothing can flush there.
 */

interface Shutdown {
  shutdown(): Promise<unknown>;
}

export interface ShutdownOnExitOptions {
  /** The longest a flush may hold the process's end (an exporter that is down). Default: 5000 ms. */
  timeoutMs?: number;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Shuts `sdk` (a `NodeSDK`, a provider: anything with `shutdown()`) down before the process ends,
 * however it ends. Call it once, after `sdk.start()`.
 */
export function shutdownOnExit(sdk: Shutdown, options: ShutdownOnExitOptions = {}): void {
  const timeoutMs = options.timeoutMs ?? 5000;
  let flushing: Promise<void> | undefined;
  const flush = (): Promise<void> => {
    flushing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref?.();
      sdk.shutdown().then(
        () => resolve(),
        (error: unknown) => {
          console.error('OpenTelemetry shutdown failed:', error);
          resolve();
        },
      );
    }).then(() => undefined);
    return flushing;
  };

  process.once('beforeExit', () => void flush());

  for (const signal of SIGNALS) {
    const onSignal = () => {
      // The app handles it: the app decides (a drain may go on serving, and tracing).
      if (process.listenerCount(signal) > 0) return;
      void flush().then(() => process.kill(process.pid, signal));
    };
    process.once(signal, onSignal);
  }

  // A listener for these stops Node's own crash, so where the app has none, the crash is ours to
  // finish: the error printed, exit code 1, as Node does.
  const onCrash = (kind: 'uncaughtException' | 'unhandledRejection') => (error: unknown) => {
    if (process.listenerCount(kind) > 1) return;
    console.error(kind === 'unhandledRejection' ? 'Unhandled rejection:' : 'Uncaught exception:', error);
    process.exitCode = 1;
    void flush().then(() => process.exit(1));
  };
  process.on('uncaughtException', onCrash('uncaughtException'));
  process.on('unhandledRejection', onCrash('unhandledRejection'));
}
