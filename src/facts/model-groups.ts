/**
 * Which rate-limit group a model belongs to. The API keeps its limits per model group (models
 * pooled by family and generation: "you can use different models up to their respective limits
 * simultaneously"), and the headers on a response describe the group of its model. No header names
 * the group, so it comes from this table, kept as Anthropic publishes it (the Rate Limits API,
 * `GET /v1/organizations/rate_limits`, lists an organization's own groups; they can differ).
 */

/** Families and generations pooled into one group; any other model is a group of its own. */
const PUBLISHED: { family: string; major: number; minor?: number; group: string }[] = [
  // Opus 4.x (4, 4.1, 4.5 ... 4.8) share one group; so do Sonnet 4.x.
  { family: 'opus', major: 4, group: 'opus-4' },
  { family: 'sonnet', major: 4, group: 'sonnet-4' },
  { family: 'haiku', major: 4, minor: 5, group: 'haiku-4.5' },
  { family: 'opus', major: 5, minor: 0, group: 'opus-5' },
  { family: 'opus', major: 5, minor: 5, group: 'opus-5.5' },
  { family: 'sonnet', major: 5, minor: 0, group: 'sonnet-5' },
  { family: 'sonnet', major: 5, minor: 5, group: 'sonnet-5.5' },
  { family: 'haiku', major: 5, minor: 5, group: 'haiku-5.5' },
  { family: 'fable', major: 5, group: 'fable-5' },
];

/** `family major minor` of a Claude model id, or undefined for an id of another shape. */
export function modelVersion(model: string): { family: string; major: number; minor: number } | undefined {
  const bare = model
    .replace(/^.*\//, '') // an inference-profile ARN: the profile id after its last `/`
    .replace(/^(?:[a-z]{2,6}\.)?anthropic\./, '') // Bedrock: `us.anthropic.`, `anthropic.`
    .replace(/@\d{8}$/, '') // Vertex AI: `@20250929`
    .replace(/-v\d+(:\d+)?$/, '') // Bedrock: `-v1:0`
    .replace(/^claude-/, '')
    .replace(/-(\d{8}|latest)$/, '');
  // Current ids: `opus-4-5`, `sonnet-5`; older ones put the version first: `3-5-sonnet`.
  const current = /^([a-z]+)-(\d+)(?:-(\d{1,2}))?$/.exec(bare);
  if (current) return { family: current[1], major: Number(current[2]), minor: Number(current[3] ?? 0) };
  const older = /^(\d+)(?:-(\d{1,2}))?-([a-z]+)$/.exec(bare);
  if (older) return { family: older[3], major: Number(older[1]), minor: Number(older[2] ?? 0) };
  return undefined;
}

/** Most groups of models no table knows; past it they share the group `other`. */
export const MAX_UNLISTED_GROUPS = 64;
const unlisted = new Set<string>();
/** Groups found, by model id (bounded: cleared when full, as ids are few in practice). */
const found = new Map<string, string>();

/**
 * The quota group of a model on Bedrock or Vertex AI, which keep their quotas per model (and
 * account or project, and region): the model id itself, bounded like unknown models' groups.
 */
export function platformModelGroupOf(
  model: string | undefined,
  overrides?: Readonly<Record<string, string>>,
): string {
  if (model === undefined) return 'unknown';
  return overrides?.[model] ?? unlistedGroup(model);
}

/** A group no table knows, while there is room for one more; else `other`. */
function unlistedGroup(group: string): string {
  if (unlisted.has(group)) return group;
  if (unlisted.size >= MAX_UNLISTED_GROUPS) return 'other';
  unlisted.add(group);
  return group;
}

/**
 * The rate-limit group of `model`: the user's override, else the published table, else the model
 * itself (`family-major.minor`, or the id without its date). Bounded: a caller inventing model
 * names cannot make groups without end.
 */
export function modelGroupOf(
  model: string | undefined,
  overrides?: Readonly<Record<string, string>>,
): string {
  if (model === undefined) return 'unknown';
  const override = overrides?.[model];
  if (override !== undefined) return override;
  let group = found.get(model);
  if (group !== undefined) return group;
  const version = modelVersion(model);
  const row =
    version &&
    PUBLISHED.find(
      (r) =>
        r.family === version.family &&
        r.major === version.major &&
        (r.minor === undefined || r.minor === version.minor),
    );
  if (row) group = row.group;
  else
    group = unlistedGroup(
      version
        ? `${version.family}-${version.major}${version.minor ? `.${version.minor}` : ''}`
        : model.replace(/-(\d{8}|latest)$/, ''),
    );
  if (found.size >= 1024) found.clear();
  found.set(model, group);
  return group;
}
