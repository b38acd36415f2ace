/** One part of a `multipart/form-data` body. */
export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** The parts of a `multipart/form-data` body, or undefined when it is not well formed. */
export function parseMultipart(body: Buffer, contentType: string): FormPart[] | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!/^multipart\/form-data/i.test(contentType) || !boundary) return undefined;
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const between = Buffer.from(`\r\n${delimiter}`);
  let at = body.indexOf(delimiter);
  if (at === -1) return undefined;
  at += delimiter.length;
  const parts: FormPart[] = [];
  // After each delimiter: "--" closes the body, CRLF starts a part.
  while (body[at] !== 0x2d || body[at + 1] !== 0x2d) {
    if (body[at] !== 0x0d || body[at + 1] !== 0x0a) return undefined;
    const headersEnd = body.indexOf('\r\n\r\n', at + 2);
    if (headersEnd === -1) return undefined;
    const next = body.indexOf(between, headersEnd + 4);
    if (next === -1) return undefined;
    const headers = body.subarray(at + 2, headersEnd).toString('utf8');
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) return undefined;
    parts.push({
      name,
      filename: /;\s*filename="([^"]*)"/i.exec(disposition)?.[1],
      contentType: /^content-type:\s*(.+)$/im.exec(headers)?.[1].trim(),
      data: body.subarray(headersEnd + 4, next),
    });
    at = next + between.length;
  }
  return parts;
}
