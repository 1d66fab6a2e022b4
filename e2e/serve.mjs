// Serves a built checkout of the original frontend (its `dist/`) and proxies the API to a
// genascope server, as the deployment's reverse proxy does (contract §1.1 and §4):
// - `/api/...` and `/openapi.json` go to the API;
// - `/ai-chat/...` goes to the API unless the browser navigates there (`Accept: text/html`),
//   in which case the single-page app answers;
// - anything else is a file of `dist/`, or `index.html` (client-side routes).
// Node's standard library only. Usage: node serve.mjs DIST_DIR PORT API_ORIGIN
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const [distDir, portArg, apiOrigin] = process.argv.slice(2);
if (!distDir || !portArg || !apiOrigin) {
  console.error('usage: node serve.mjs DIST_DIR PORT API_ORIGIN');
  process.exit(2);
}
const api = new URL(apiOrigin);
const root = path.resolve(distDir);
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json',
  '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.map': 'application/json',
};

function toApi(req, res) {
  const upstream = http.request(
    { host: api.hostname, port: api.port, method: req.method, path: req.url,
      headers: { ...req.headers, host: api.host } },
    (up) => { res.writeHead(up.statusCode, up.headers); up.pipe(res); },
  );
  upstream.on('error', () => { res.writeHead(502); res.end('{"detail":"API unreachable"}'); });
  req.pipe(upstream);
}

function toFile(req, res) {
  const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  let file = path.join(root, pathname);
  if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    file = path.join(root, 'index.html');
  }
  res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
}

http.createServer((req, res) => {
  const url = req.url ?? '/';
  const html = (req.headers.accept ?? '').includes('text/html');
  if (url.startsWith('/api/') || url === '/api' || url.startsWith('/openapi.json')
      || (url.startsWith('/ai-chat') && !html)) {
    toApi(req, res);
  } else {
    toFile(req, res);
  }
}).listen(Number(portArg), '127.0.0.1', () => console.log(`frontend on http://127.0.0.1:${portArg}`));
