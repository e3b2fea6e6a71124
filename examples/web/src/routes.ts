/**
 * The request handlers. The listener calls `handle` through this module for every request, so
 * a new version of this file serves the next request after an upgrade. Version 1.0.1
 * (versions/1.0.1/src/routes.ts) answers `/hello` differently.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Context {
  /** Requests served by this node, this one included. */
  hits: number;
}

export function handle(req: IncomingMessage, res: ServerResponse, ctx: Context): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET') return json(res, 405, { error: 'only GET' });
  switch (url.pathname) {
    case '/':
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    case '/hello':
      return json(res, 200, { greeting: `hello, ${url.searchParams.get('name') ?? 'world'}` });
    case '/hits':
      return json(res, 200, { hits: ctx.hits });
    default:
      return json(res, 404, { error: `no route for ${url.pathname}` });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A page to try it in a browser: the hit count, and an echo over a WebSocket. */
const PAGE = `<!doctype html>
<title>web</title>
<p>hits: <span id="hits"></span></p>
<form id="f"><input id="text" autofocus> <button>send</button></form>
<pre id="out"></pre>
<script>
  fetch('/hits').then((r) => r.json()).then((j) => (hits.textContent = j.hits));
  const ws = new WebSocket('ws://' + location.host + '/ws');
  ws.onmessage = (e) => (out.textContent += e.data + '\\n');
  f.onsubmit = (e) => { e.preventDefault(); ws.send(text.value); text.value = ''; };
</script>
`;
