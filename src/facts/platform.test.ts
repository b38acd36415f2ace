import { bedrockErrorType, providerOf, vertexErrorType } from './platform';

describe('the platform of a URL (gen_ai.provider.name)', () => {
  it.each([
    ['https://api.anthropic.com/v1/messages', 'anthropic'],
    ['http://127.0.0.1:4000/v1/messages', 'anthropic'],
    // The platform's hosts, before the client rewrites the path
    ['https://bedrock-runtime.us-east-1.amazonaws.com/v1/messages', 'aws.bedrock'],
    ['https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com/v1/messages', 'aws.bedrock'],
    ['https://us-east5-aiplatform.googleapis.com/v1/v1/messages', 'gcp.vertex_ai'],
    ['https://aiplatform.googleapis.com/v1/v1/messages', 'gcp.vertex_ai'],
    ['https://aiplatform.eu.rep.googleapis.com/v1/v1/messages', 'gcp.vertex_ai'],
    // The rewritten paths, on any host (a gateway, the simulator)
    ['http://127.0.0.1:4000/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke', 'aws.bedrock'],
    [
      'http://gw.internal/bedrock/model/anthropic.claude-haiku-4-5/invoke-with-response-stream',
      'aws.bedrock',
    ],
    [
      'http://127.0.0.1:4000/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict',
      'gcp.vertex_ai',
    ],
    [
      'http://127.0.0.1:4000/v1/projects/p/locations/global/publishers/anthropic/models/claude-sonnet-4-5:streamRawPredict',
      'gcp.vertex_ai',
    ],
    // Look-alikes are not
    ['https://bedrock-runtime.us-east-1.amazonaws.com.evil.example/v1/messages', 'anthropic'],
    ['http://127.0.0.1:4000/v1/models/invoke', 'anthropic'],
  ])('%s -> %s', (url, provider) => {
    expect(providerOf(url)).toBe(provider);
  });
});

describe("the platforms' errors, in the Claude API's error types", () => {
  it.each([
    ['ThrottlingException', 'rate_limit_error'],
    ['ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/', 'rate_limit_error'],
    ['ServiceUnavailableException', 'overloaded_error'],
    ['ModelNotReadyException', 'overloaded_error'],
    ['ModelTimeoutException', 'timeout_error'],
    ['ValidationException', 'invalid_request_error'],
    ['AccessDeniedException', 'permission_error'],
    ['SomethingNewException', undefined],
    ['', undefined],
  ])('Bedrock x-amzn-errortype %s -> %s', (header, type) => {
    expect(bedrockErrorType(header)).toBe(type);
  });

  it.each([
    ['RESOURCE_EXHAUSTED', 'rate_limit_error'],
    ['UNAVAILABLE', 'overloaded_error'],
    ['INTERNAL', 'api_error'],
    ['INVALID_ARGUMENT', 'invalid_request_error'],
    ['UNAUTHENTICATED', 'authentication_error'],
    ['SOMETHING_NEW', undefined],
    [429, undefined],
  ])('Vertex error.status %s -> %s', (status, type) => {
    expect(vertexErrorType(status)).toBe(type);
  });
});
