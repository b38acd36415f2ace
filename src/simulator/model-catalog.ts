import { InvalidRequest } from './messages';
import { type ListPage, pageOf } from './pages';

/** Listed when the config names no models (any `claude-` name is still served). */
const DEFAULT_MODELS = ['claude-opus-4-5', 'claude-sonnet-4-5', 'claude-haiku-4-5'];

interface ModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
}

const info = (id: string): ModelInfo => ({
  type: 'model',
  id,
  display_name: id.replace(/^claude-/, 'Claude ').replaceAll('-', ' '),
  created_at: '2025-01-01T00:00:00Z',
});

/** The Models API: list and retrieve, from the models the simulator serves. */
export class ModelCatalog {
  constructor(private readonly models: readonly string[] | null) {}

  list(query: URLSearchParams): ListPage<ModelInfo> | InvalidRequest {
    return pageOf((this.models ?? DEFAULT_MODELS).map(info), query);
  }

  retrieve(id: string, knows: (model: string) => boolean): ModelInfo | InvalidRequest {
    return knows(id) ? info(id) : new InvalidRequest(404, 'not_found_error', `model: ${id}`);
  }
}
