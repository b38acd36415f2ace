import type { Middleware } from '@anthropic-ai/sdk';
import {
  InstrumentationBase,
  type InstrumentationConfig,
  InstrumentationNodeModuleDefinition,
  InstrumentationNodeModuleFile,
} from '@opentelemetry/instrumentation';
import { bindToClient, isBindingOf, tapBackend } from './attempt/client-bond';
import { attemptMiddleware } from './attempt/middleware';
import type { ClaudeOtelConfig } from './config';
import { INSTRUMENTATION_NAME, settingsOf } from './middleware';
import { checkOptions } from './option-rules';
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

/** Marks the prototype setter of a claude-otel instrumentation (there may be more than one). */
const CLAUDE_OTEL_SETTER = Symbol.for('claude-otel.middleware-setter');

/**
 * The SDK's files that define `BaseAnthropic`: the platform clients (Bedrock, Vertex AI) load it
 * from `@anthropic-ai/sdk/client`, never from the package's main entry.
 */
const CLIENT_FILES = ['@anthropic-ai/sdk/client.js', '@anthropic-ai/sdk/client.mjs'];

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
    checkOptions(config, true);
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
    const patch = (moduleExports: SdkModule, moduleVersion?: string) => {
      const notice = sdkNotice(moduleVersion);
      if (notice) sayOnce(notice, moduleVersion);
      if (notice?.instrumented !== false) this.patchClient(moduleExports, moduleVersion);
      return moduleExports;
    };
    const unpatch = (moduleExports: SdkModule) => {
      const prototype = moduleExports?.BaseAnthropic?.prototype;
      const descriptor = prototype && Object.getOwnPropertyDescriptor(prototype, 'middleware');
      if (descriptor?.set === this.middlewareSetter)
        delete (prototype as { middleware?: unknown }).middleware;
    };
    // The main entry and the client file export the same class: whichever loads first patches it.
    const definition = new InstrumentationNodeModuleDefinition(
      '@anthropic-ai/sdk',
      ['*'],
      patch,
      unpatch,
      CLIENT_FILES.map((file) => new InstrumentationNodeModuleFile(file, ['*'], patch, unpatch)),
    );
    // A pre-release (2.0.0-beta.1) too: semver's `*` alone passes it over without a word.
    return Object.assign(definition, { includePrerelease: true });
  }

  /**
   * Every client constructed from now on carries the attempt middleware, last of its client-level
   * middleware: the constructor's `this.middleware = [...]` meets a setter on the prototype that
   * stores the list, plus ours, on the instance. Clients keep it after `disable()`, where it passes
   * every request straight through until `enable()`.
   */
  private patchClient(moduleExports: SdkModule, moduleVersion: string | undefined): void {
    const prototype = moduleExports?.BaseAnthropic?.prototype;
    const descriptor = prototype && Object.getOwnPropertyDescriptor(prototype, 'middleware');
    if (descriptor?.set === this.middlewareSetter) return;
    if (descriptor?.set && CLAUDE_OTEL_SETTER in descriptor.set) {
      // Another instance (two libraries each registering one): its middleware traces every
      // attempt once; a second would trace each twice.
      sayOnce(
        {
          code: 'CLAUDE_OTEL_ALREADY_INSTRUMENTED',
          instrumented: true,
          message: `@anthropic-ai/sdk ${moduleVersion ?? ''} is already instrumented by another AnthropicInstrumentation; its attempts are traced, counted and governed once, with that instance's options, not this one's.`,
        },
        moduleVersion,
      );
      return;
    }
    if (!prototype || descriptor) {
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
    const setter = function setMiddleware(this: object, value: unknown): void {
      const ours = instrumentation.middleware;
      // A copy of a client (`withOptions`) is given the original's list, with its binding.
      const list = Array.isArray(value) ? value.filter((m) => !isBindingOf(m, ours)) : [];
      Object.defineProperty(this, 'middleware', {
        value: [...list, bindToClient(ours, this)],
        writable: true,
        enumerable: true,
        configurable: true,
      });
      tapBackend(this);
    };
    return Object.assign(setter, { [CLAUDE_OTEL_SETTER]: true });
  })();
}
