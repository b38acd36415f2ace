import type { Middleware } from '@anthropic-ai/sdk';
import {
  InstrumentationBase,
  type InstrumentationConfig,
  InstrumentationNodeModuleDefinition,
} from '@opentelemetry/instrumentation';
import { attemptMiddleware } from './attempt/middleware';
import type { ClaudeOtelConfig } from './config';
import { INSTRUMENTATION_NAME, settingsOf } from './middleware';
import { NEWEST_TESTED_SDK, OLDEST_SDK, sayOnce, sdkNotice } from './sdk-versions';
import { VERSION } from './version';

export type AnthropicInstrumentationConfig = InstrumentationConfig & ClaudeOtelConfig;

/** The `@anthropic-ai/sdk` releases this instrumentation supports: every one with the `middleware` option. */
export const SUPPORTED_SDK_VERSIONS = [`>=${OLDEST_SDK}`];
/** The releases CI tests (test/compat/matrix.json); a newer one is instrumented with a warning. */
export const TESTED_SDK_VERSIONS = [`>=${OLDEST_SDK} <=${NEWEST_TESTED_SDK}`];

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
      settingsOf(
        config,
        () => this.tracer,
        () => this.meter,
      ),
      () => this.isEnabled(),
    );
  }

  protected init() {
    // Every version reaches the patch, so that none is passed over without a word.
    return new InstrumentationNodeModuleDefinition(
      '@anthropic-ai/sdk',
      ['*'],
      (moduleExports: SdkModule, moduleVersion?: string) => {
        const notice = sdkNotice(moduleVersion);
        if (notice) sayOnce(notice, moduleVersion);
        if (notice?.instrumented !== false) this.patchClient(moduleExports, moduleVersion);
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
  private patchClient(moduleExports: SdkModule, moduleVersion: string | undefined): void {
    const prototype = moduleExports?.BaseAnthropic?.prototype;
    if (!prototype || Object.getOwnPropertyDescriptor(prototype, 'middleware')) {
      const message = `@anthropic-ai/sdk ${moduleVersion ?? ''} has no BaseAnthropic class claude-otel can patch, so its attempts are not traced, counted or governed; pass the middleware yourself: new Anthropic({ middleware: [claudeMiddleware()] }).`;
      sayOnce({ code: 'CLAUDE_OTEL_SDK_UNPATCHABLE', instrumented: false, message }, moduleVersion);
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
