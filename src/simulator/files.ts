import { InvalidRequest, invalid } from './messages';
import { parseMultipart } from './multipart';
import { type ListPage, pageOf } from './pages';

interface StoredFile {
  id: string;
  type: 'file';
  filename: string;
  mime_type: string;
  size_bytes: number;
  created_at: string;
  /** Only files a tool made can be downloaded; uploaded ones cannot (as the API says). */
  downloadable: boolean;
}

const notFound = (id: string) => new InvalidRequest(404, 'not_found_error', `File not found: ${id}`);

/** The Files API: upload (multipart), list, metadata, download, delete. Keeps metadata, not contents. */
export class FileStore {
  private readonly files = new Map<string, StoredFile>();

  constructor(private readonly nextId: (prefix: string) => string) {}

  clear(): void {
    this.files.clear();
  }

  upload(body: Buffer, contentType: string): StoredFile | InvalidRequest {
    const parts = parseMultipart(body, contentType);
    if (!parts) return invalid('The request body must be multipart/form-data with a file part.');
    const file = parts.find((part) => part.name === 'file' && part.filename !== undefined);
    if (!file) return invalid('file: Field required');
    const stored: StoredFile = {
      id: this.nextId('file_'),
      type: 'file',
      filename: file.filename as string,
      mime_type: file.contentType ?? 'application/octet-stream',
      size_bytes: file.data.length,
      created_at: new Date().toISOString(),
      downloadable: false,
    };
    this.files.set(stored.id, stored);
    return stored;
  }

  list(query: URLSearchParams): ListPage<StoredFile> | InvalidRequest {
    return pageOf([...this.files.values()].reverse(), query);
  }

  retrieve(id: string): StoredFile | InvalidRequest {
    return this.files.get(id) ?? notFound(id);
  }

  delete(id: string): object | InvalidRequest {
    if (!this.files.delete(id)) return notFound(id);
    return { id, type: 'file_deleted' };
  }

  download(id: string): InvalidRequest {
    const file = this.files.get(id);
    if (!file) return notFound(id);
    return invalid(
      `File ${id} is not downloadable: only files created by skills or the code execution tool are.`,
    );
  }
}
