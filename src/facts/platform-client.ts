/**
 * What a platform client (`AnthropicBedrock`, `AnthropicVertex`) says about its requests before
 * they are sent: the platform, as the SDK's own span names it, and the quota unit its requests
 * count against. The platforms sign after every middleware, so the request alone cannot tell two
 * AWS accounts or two Google Cloud projects apart; the client that sends it can.
 */

import { GEN_AI_PROVIDER_AWS_BEDROCK, GEN_AI_PROVIDER_GCP_VERTEX_AI } from '../semconv';
import type { Provider } from './platform';

export interface PlatformRequest {
  provider: Provider;
  /**
   * The account (Bedrock) or project (Vertex AI) and region the request counts against, as an
   * opaque key (it may hold a credential: never shown, only hashed into a governor's name);
   * undefined where it cannot be told (a proxy that signs for the client: `skipAuth`).
   */
  quotaUnit: string | undefined;
}

/** The fields of the platform clients read here (public properties of both packages). */
interface PlatformClient {
  _genAIProviderName?: unknown;
  // Bedrock
  awsRegion?: unknown;
  awsAccessKey?: unknown;
  apiKey?: unknown;
  providerChainResolver?: unknown;
  skipAuth?: unknown;
  // Vertex AI
  region?: unknown;
  projectId?: unknown;
}

const ids = new WeakMap<object, number>();
let lastId = 0;

/** A process-local name for an object (a credential resolver, a client): its identity, not its content. */
function idOf(object: object): number {
  let id = ids.get(object);
  if (id === undefined) {
    id = ++lastId;
    ids.set(object, id);
  }
  return id;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The platform and quota unit of a request sent by `client`; undefined for the Claude API's own client. */
export function platformRequestOf(client: object): PlatformRequest | undefined {
  const c = client as PlatformClient;
  const named = c._genAIProviderName;
  if (named === GEN_AI_PROVIDER_AWS_BEDROCK || (named === undefined && 'awsRegion' in c))
    return { provider: GEN_AI_PROVIDER_AWS_BEDROCK, quotaUnit: bedrockUnit(c) };
  if (named === GEN_AI_PROVIDER_GCP_VERTEX_AI || (named === undefined && 'projectId' in c))
    return { provider: GEN_AI_PROVIDER_GCP_VERTEX_AI, quotaUnit: vertexUnit(c) };
  return undefined;
}

/**
 * Bedrock keeps quotas per account, region and model. The account is the credential's: a Bedrock
 * API key, an access key, a credential resolver of the client's own, or else the process's default
 * AWS credentials (environment, profile or role: one identity for every client that uses them).
 */
function bedrockUnit(c: PlatformClient): string | undefined {
  if (c.skipAuth === true) return undefined;
  const region = text(c.awsRegion) ?? '';
  const apiKey = text(c.apiKey);
  if (apiKey) return `aws ${region} key ${apiKey}`;
  const accessKey = text(c.awsAccessKey);
  if (accessKey) return `aws ${region} access-key ${accessKey}`;
  const resolver = c.providerChainResolver;
  if (typeof resolver === 'function') return `aws ${region} resolver#${idOf(resolver)}`;
  return `aws ${region} default-credentials`;
}

/**
 * Vertex AI keeps quotas per project, region and model. A client not told its project learns it
 * from its credentials at its first request; until then it stands for itself.
 */
function vertexUnit(c: PlatformClient): string | undefined {
  const region = text(c.region) ?? '';
  const project = text(c.projectId);
  return project ? `gcp ${region} project ${project}` : `gcp ${region} client#${idOf(c as object)}`;
}
