import { type InvalidRequest, invalid } from './messages';

/** A page of a list, as the API's list endpoints answer (`next_page` for the SDK's cursor pages). */
export interface ListPage<T> {
  data: T[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
  next_page: string | null;
}

/**
 * One page of `items` (newest first) as the API pages its lists: `limit` (1 to 1000, default 20)
 * items after `after_id` (or the cursor `page`), or the `limit` items just before `before_id`.
 */
export function pageOf<T extends { id: string }>(
  items: readonly T[],
  query: URLSearchParams,
): ListPage<T> | InvalidRequest {
  const limitText = query.get('limit');
  const limit = limitText === null ? 20 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    return invalid('limit: Input should be an integer between 1 and 1000');
  const before = query.get('before_id');
  const after = query.get('after_id') ?? query.get('page');
  let start = 0;
  let end = items.length;
  if (before !== null) {
    end = items.findIndex((item) => item.id === before);
    if (end === -1) return invalid(`before_id: no object with id ${before}`);
    start = Math.max(0, end - limit);
  } else if (after !== null) {
    const at = items.findIndex((item) => item.id === after);
    if (at === -1) return invalid(`after_id: no object with id ${after}`);
    start = at + 1;
  }
  const data = items.slice(start, Math.min(end, start + limit));
  const has_more = before !== null ? start > 0 : start + data.length < end;
  const last_id = data.at(-1)?.id ?? null;
  return {
    data,
    has_more,
    first_id: data[0]?.id ?? null,
    last_id,
    next_page: has_more && before === null ? last_id : null,
  };
}
