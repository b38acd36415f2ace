import { modelGroupOf } from './model-groups';
import type { Provider } from './platform';
import { requestFactsOf } from './request-facts';

describe('modelGroupOf: the rate-limit group of a model, however the platform spells its id', () => {
  it.each([
    ['claude-sonnet-4-5', 'sonnet-4'],
    ['claude-sonnet-4-5-20250929', 'sonnet-4'],
    ['claude-opus-4-1', 'opus-4'],
    ['claude-haiku-4-5-latest', 'haiku-4.5'],
    ['claude-opus-5-5', 'opus-5.5'],
    ['claude-3-5-haiku-20241022', 'haiku-3.5'],
    // Bedrock: cross-region prefixes, the provider, the version suffix; inference-profile ARNs
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'sonnet-4'],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'sonnet-4'],
    ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'haiku-4.5'],
    [
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-1-20250805-v1:0',
      'opus-4',
    ],
    // Vertex AI: `@date`
    ['claude-sonnet-4-5@20250929', 'sonnet-4'],
    ['claude-opus-5@20260301', 'opus-5'],
  ])('%s -> %s', (model, group) => {
    expect(modelGroupOf(model)).toBe(group);
  });

  it("takes the user's override first", () => {
    expect(modelGroupOf('claude-sonnet-4-5', { 'claude-sonnet-4-5': 'my-sonnet' })).toBe('my-sonnet');
  });
});

describe('on Bedrock and Vertex AI, each model has its own quota', () => {
  it('a request there is grouped by its model id, not by the Claude API family', () => {
    const body = (model: string) => ({ body: { model, max_tokens: 8, messages: [] } });
    const on = (provider: Provider, model: string) =>
      requestFactsOf(body(model), '{}', undefined, provider).modelGroup;
    expect(on('anthropic', 'claude-sonnet-4-5')).toBe('sonnet-4');
    expect(on('anthropic', 'claude-sonnet-4-0')).toBe('sonnet-4');
    expect(on('gcp.vertex_ai', 'claude-sonnet-4-5@20250929')).toBe('claude-sonnet-4-5@20250929');
    expect(on('gcp.vertex_ai', 'claude-sonnet-4@20250514')).toBe('claude-sonnet-4@20250514');
    expect(on('aws.bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe(
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    );
  });
});
