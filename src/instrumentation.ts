import type { Middleware } from '@anthropic-ai/sdk';
import {
  InstrumentationBase,
  type InstrumentationConfig,
  InstrumentationNodeModuleDefinition,
} from '@opentelemetry/instrumentation';
import { attemptMiddleware } from './attempt/middleware';
import type { ClaudeOtelConfig } from './config';
import { INSTRUMENTATION_NAME, settingsOf } from './middleware';
import { VERSION } from './version';

export type AnthropicInstrumentationConfig = InstrumentationConfig & ClaudeOtelConfig;

/** The `@anthropic-ai/sdk` releases this instrumentation patches (the ones CI tests). */
export const SUPPORTED_SDK_VERSIONS = ['>=1.13.0 <1.14.0'];

interface ClientPrototype {
  backendMiddleware(): ReadonlyArray<Middleware>;
}

interface SdkModule {
  BaseAnthropic?: { prototype: ClientPrototype };
}

/**
 * Traces every HTTP attempt of every `@anthropic-ai/sdk` client: register it with
 * `new NodeSDK({ instrumentations: [new AnthropicInstrumentation()] })` (or
 * `registerInstrumentations`) before the SDK is loaded. ESM apps also need the OpenTelemetry
 * loader hook (`node --import @opentelemetry/instrumentation/hook.mjs`, or `module.register`).
 */
export class AnthropicInstrumentation extends InstrumentationBase<AnthropicInstrumentationConfig> {
  /** The same per-attempt middleware, for clients built with `new Anthropic({ middleware: [...] })`. */
  readonly middleware: Middleware;

  constructor(config: AnthropicInstrumentationConfig = {}) {
    super(INSTRUMENTATION_NAME, VERSION, config);
    this.middleware = attemptMiddleware(
      settingsOf(config, () => this.tracer),
      () => this.isEnabled(),
    );
  }

  protected init() {
    return new InstrumentationNodeModuleDefinition(
      '@anthropic-ai/sdk',
      SUPPORTED_SDK_VERSIONS,
      (moduleExports: SdkModule) => {
        this.patchClient(moduleExports);
        return moduleExports;
      },
      (moduleExports: SdkModule) => {
        const prototype = moduleExports?.BaseAnthropic?.prototype;
        if (prototype) this._unwrap(prototype, 'backendMiddleware');
      },
    );
  }

  /**
   * Every client gets the attempt middleware through `backendMiddleware()`, the SDK's innermost
   * middleware slot, which it consults on every attempt: clients built before or after
   * registration are covered, and `disable()` takes it away from all of them.
   */
  private patchClient(moduleExports: SdkModule): void {
    const prototype = moduleExports?.BaseAnthropic?.prototype;
    if (!prototype || typeof prototype.backendMiddleware !== 'function') {
      this._diag.warn(
        '@anthropic-ai/sdk has no BaseAnthropic.prototype.backendMiddleware: attempts are not traced',
      );
      return;
    }
    const middleware = this.middleware;
    this._wrap(
      prototype,
      'backendMiddleware',
      (original: () => ReadonlyArray<Middleware>) =>
        function backendMiddleware(this: ClientPrototype): ReadonlyArray<Middleware> {
          return [middleware, ...original.call(this)];
        },
    );
  }
}
