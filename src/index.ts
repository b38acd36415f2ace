export type { Classification } from './attempt/classify';
export type { RateLimitResource } from './attempt/headers';
export type { ClaudeOtelConfig } from './config';
export {
  AnthropicInstrumentation,
  type AnthropicInstrumentationConfig,
  SUPPORTED_SDK_VERSIONS,
} from './instrumentation';
export { claudeMiddleware } from './middleware';
export { VERSION } from './version';
