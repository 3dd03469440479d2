import { createServer, type IncomingHttpHeaders } from 'node:http';
import { closeServer, listen } from '../../../../local/servers';

export interface CapturedRequest {
  method: string;
  /** Path and query exactly as sent (still percent-encoded). */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ScriptedReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * An HTTP server that records every request and answers from a script (one reply per request, the last
 * one repeated), standing in for OpenSearch where a test needs to see the wire or make it fail.
 */
export async function startCaptureServer(script: (request: CapturedRequest) => ScriptedReply) {
  const requests: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const reply = script(request);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
  });
  const url = await listen(server);
  return { url, requests, close: () => closeServer(server) };
}

/** What OpenSearch answers to a successful index request. */
export function indexed(index: string, id: string, result: 'created' | 'updated' = 'created'): ScriptedReply {
  return {
    status: result === 'created' ? 201 : 200,
    body: { _index: index, _id: id, _version: 1, result, _shards: { total: 2, successful: 1, failed: 0 } },
  };
}

export function openSearchError(status: number, type: string): ScriptedReply {
  return { status, body: { error: { root_cause: [{ type, reason: type }], type, reason: type }, status } };
}
