import { diag } from '@opentelemetry/api';

/** The oldest `@anthropic-ai/sdk` with the `middleware` client option, which claude-otel runs in. */
export const OLDEST_SDK = '0.101.0';
/** The oldest SDK that starts its own call span, the parent of the attempt spans. */
export const SDK_CALL_SPAN_SINCE = '0.134.0';
/** The newest SDK release CI tests (the newest pin in test/compat/matrix.json). */
export const NEWEST_TESTED_SDK = '1.17.0';

/** What this package says about an SDK version, or nothing when it is tested and complete. */
export interface SdkNotice {
  code:
    | 'CLAUDE_OTEL_SDK_TOO_OLD'
    | 'CLAUDE_OTEL_SDK_UNTESTED'
    | 'CLAUDE_OTEL_SDK_NEWER_RELEASE'
    | 'CLAUDE_OTEL_SDK_NO_CALL_SPAN'
    | 'CLAUDE_OTEL_SDK_UNPATCHABLE'
    | 'CLAUDE_OTEL_ALREADY_INSTRUMENTED';
  /** Whether the attempts of this SDK are traced, counted and governed. */
  instrumented: boolean;
  message: string;
}

/** `1.2.3-beta.1` -> [1, 2, 3]; anything unreadable -> undefined. */
function parse(version: string): [number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** <0, 0 or >0 as release `a` comes before, with or after `b` (pre-release tags ignored). */
function compare(a: [number, number, number], b: string): number {
  const other = parse(b) as [number, number, number];
  return a[0] - other[0] || a[1] - other[1] || a[2] - other[2];
}

/** What to say about the SDK version the instrumentation met (undefined: a tested release with a call span). */
export function sdkNotice(version: string | undefined): SdkNotice | undefined {
  const parsed = version === undefined ? undefined : parse(version);
  if (!parsed) {
    return {
      code: 'CLAUDE_OTEL_SDK_UNTESTED',
      instrumented: true,
      message: `claude-otel could not read the @anthropic-ai/sdk version (${version ?? 'none'}); it instruments it as if it were ${NEWEST_TESTED_SDK}, the newest release it is tested with (>= ${OLDEST_SDK}).`,
    };
  }
  if (compare(parsed, OLDEST_SDK) < 0) {
    return {
      code: 'CLAUDE_OTEL_SDK_TOO_OLD',
      instrumented: false,
      message: `@anthropic-ai/sdk ${version} has no \`middleware\` option, so claude-otel cannot trace, count or govern its attempts. It needs @anthropic-ai/sdk >= ${OLDEST_SDK}: run "npm install @anthropic-ai/sdk@latest".`,
    };
  }
  // The SDK ships a minor release every few days, and keeps its middleware within a major: a
  // newer release of the tested major is said only to diag (every user on the latest SDK would
  // otherwise see a warning that asks nothing of them); a newer major is a warning.
  if (compare(parsed, NEWEST_TESTED_SDK) > 0 && parsed[0] === (parse(NEWEST_TESTED_SDK) as number[])[0]) {
    return {
      code: 'CLAUDE_OTEL_SDK_NEWER_RELEASE',
      instrumented: true,
      message: `@anthropic-ai/sdk ${version} is newer than ${NEWEST_TESTED_SDK}, the newest release claude-otel is tested with; its attempts are traced, counted and governed as usual (the SDK keeps its middleware within a major release).`,
    };
  }
  if (compare(parsed, NEWEST_TESTED_SDK) > 0) {
    return {
      code: 'CLAUDE_OTEL_SDK_UNTESTED',
      instrumented: true,
      message: `@anthropic-ai/sdk ${version} is newer than the releases claude-otel is tested with (${OLDEST_SDK} to ${NEWEST_TESTED_SDK}); its attempts are traced, counted and governed as usual. If something looks wrong, please report it with this version.`,
    };
  }
  if (compare(parsed, SDK_CALL_SPAN_SINCE) < 0) {
    return {
      code: 'CLAUDE_OTEL_SDK_NO_CALL_SPAN',
      instrumented: true,
      message: `@anthropic-ai/sdk ${version} starts no call span of its own (that came in ${SDK_CALL_SPAN_SINCE}), so each attempt span is a root span unless your code has a span active around the call.`,
    };
  }
  return undefined;
}

const said = new Set<string>();
/** Notices that leave every attempt traced and ask nothing of the user: diag, not every user's console. */
const DIAG_ONLY = new Set<SdkNotice['code']>([
  'CLAUDE_OTEL_SDK_NO_CALL_SPAN',
  'CLAUDE_OTEL_ALREADY_INSTRUMENTED',
  'CLAUDE_OTEL_SDK_NEWER_RELEASE',
]);

/**
 * Says a notice once per process and SDK version, to OpenTelemetry's diag; a version that is
 * untested or too old is also a process warning, which shows without any diag logger.
 */
export function sayOnce(notice: SdkNotice, version: string | undefined): void {
  const key = `${notice.code} ${version}`;
  if (said.has(key)) return;
  said.add(key);
  diag.warn(notice.message);
  if (!DIAG_ONLY.has(notice.code)) {
    process.emitWarning(notice.message, { type: 'ClaudeOtelWarning', code: notice.code });
  }
}
