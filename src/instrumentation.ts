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

interface SdkModule {
  BaseAnthropic?: { prototype: object };
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
        const descriptor = prototype && Object.getOwnPropertyDescriptor(prototype, 'middleware');
        if (descriptor?.set === this.middlewareSetter)
          delete (prototype as { middleware?: unknown }).middleware;
      },
    );
  }

  /**
   * Every client constructed from now on carries the attempt middleware, last of its client-level
   * middleware: the constructor's `this.middleware = [...]` meets a setter on the prototype that
   * stores the list, plus ours, on the instance. Clients keep it after `disable()`, where it passes
   * every request straight through until `enable()`.
   */
  private patchClient(moduleExports: SdkModule): void {
    const prototype = moduleExports?.BaseAnthropic?.prototype;
    if (!prototype || Object.getOwnPropertyDescriptor(prototype, 'middleware')) {
      this._diag.warn('@anthropic-ai/sdk has no BaseAnthropic prototype to patch: attempts are not traced');
      return;
    }
    Object.defineProperty(prototype, 'middleware', {
      configurable: true,
      get: () => undefined,
      set: this.middlewareSetter,
    });
  }

  private readonly middlewareSetter = (() => {
    const instrumentation = this;
    return function setMiddleware(this: object, value: unknown): void {
      const ours = instrumentation.middleware;
      const list = Array.isArray(value) ? value.filter((m) => m !== ours) : [];
      Object.defineProperty(this, 'middleware', {
        value: [...list, ours],
        writable: true,
        enumerable: true,
        configurable: true,
      });
    };
  })();
}
