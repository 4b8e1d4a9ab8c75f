// A local test API for recording fixtures: answers the error shapes real APIs send.
// Listens on 127.0.0.1 only. `node server.js` prints "listening <port>" once ready.
// The port is PORT, else 48617, else any free one (a fixed port keeps re-recorded fixtures stable).
'use strict';
const http = require('http');
const zlib = require('zlib');
const fs = require('fs');
const path = require('path');

const json = (status, body, headers = {}) => ({
  status,
  headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});
const html = (status, body, headers = {}) => ({
  status,
  headers: { 'Content-Type': 'text/html; charset=utf-8', ...headers },
  body,
});

// method + path -> response. Bodies copy the wording and shape of the APIs they imitate.
const routes = {
  'POST /3.0/lists/4ca5becb8d/members': () => ({
    status: 400,
    headers: {
      'Content-Type': 'application/problem+json; charset=utf-8',
      'X-Request-Id': '2f6b7a1e-58c4-4b7e-a0f4-3c9d2e1b6a70',
    },
    body: JSON.stringify({
      type: 'https://mailchimp.com/developer/marketing/docs/errors/',
      title: 'Member Exists',
      status: 400,
      detail: 'lena.fischer@example.com is already a list member. Use PUT to insert or update list members.',
      instance: '2f6b7a1e-58c4-4b7e-a0f4-3c9d2e1b6a70',
    }),
  }),
  'GET /user': () => json(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }, {
    'WWW-Authenticate': 'Bearer realm="api", error="invalid_token", error_description="The access token expired"',
  }),
  'GET /admin/settings': () => json(403, {
    error: { code: 'forbidden', message: 'The API key does not have the admin:settings scope.' },
  }),
  'GET /repos/acme/missing-repo': () => json(404, {
    message: 'Not Found',
    documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository',
    status: '404',
  }),
  'PUT /orders/1042': () => json(409, {
    error: 'conflict',
    error_description: 'Order 1042 was modified by another request (version 7, you sent version 6).',
  }),
  'POST /users': () => json(422, {
    message: 'Validation Failed',
    errors: [
      { resource: 'User', field: 'email', code: 'invalid', message: 'email is not a valid address' },
      { resource: 'User', field: 'birth_date', code: 'missing_field', message: 'birth_date is required' },
    ],
  }),
  'GET /search': () => json(429, { message: 'API rate limit exceeded for 203.0.113.7.' }, {
    'Retry-After': '30',
    'X-RateLimit-Limit': '60',
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-Reset': '1795000000',
  }),
  'GET /reports/weekly': () => html(500, [
    '<!DOCTYPE html>',
    '<html><head><title>500 Internal Server Error</title></head>',
    '<body><h1>Internal Server Error</h1>',
    '<p>The server encountered an unexpected condition: database connection pool exhausted.</p>',
    '</body></html>',
  ].join('\n')),
  'GET /gateway/status': () => html(502, [
    '<html>',
    '<head><title>502 Bad Gateway</title></head>',
    '<body>',
    '<center><h1>502 Bad Gateway</h1></center>',
    '<hr><center>nginx/1.24.0</center>',
    '</body>',
    '</html>',
  ].join('\r\n'), { Server: 'nginx/1.24.0' }),
  'POST /graphql': () => json(200, {
    data: { createIssue: null },
    errors: [{
      message: "Could not resolve to a Repository with the name 'acme/missing-repo'.",
      locations: [{ line: 2, column: 3 }],
      path: ['createIssue'],
      extensions: { code: 'NOT_FOUND' },
    }],
  }),
  'POST /api/chat.postMessage': () => json(200, { ok: false, error: 'channel_not_found' }),
  'GET /exports/contacts.csv.gz': () => ({
    status: 200,
    headers: { 'Content-Type': 'application/gzip', 'Content-Disposition': 'attachment; filename="contacts.csv.gz"' },
    // A fixed mtime-free gzip so re-recorded fixtures do not change.
    body: zlib.gzipSync('email,first_name\nlena.fischer@example.com,Lena\n', { level: 9 }),
  }),
  'GET /exports/failed': () => ({
    status: 503,
    headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Retry-After': '120' },
    body: zlib.gzipSync(JSON.stringify({ error: { message: 'Export service is under maintenance.' } })),
  }),
  'DELETE /items/7': () => ({ status: 204, headers: {}, body: '' }),
  'GET /v1/old-path': () => ({ status: 301, headers: { Location: '/v2/new-path' }, body: '' }),
  'GET /v2/new-path': () => json(200, { moved: true }),
};

function handle(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(fs.readFileSync(path.join(__dirname, 'page.html')));
    return;
  }
  if (url.pathname === '/favicon.ico') {
    res.writeHead(204);
    res.end();
    return;
  }
  if (url.pathname === '/failures.html') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(fs.readFileSync(path.join(__dirname, 'failures.html')));
    return;
  }
  // Calls that get no response: the socket is closed without an answer, or never answered
  // (the client's timeout or abort ends it).
  if (url.pathname === '/hang-up') {
    req.socket.destroy();
    return;
  }
  if (url.pathname === '/stall') {
    return;
  }
  const route = routes[`${req.method} ${url.pathname}`];
  // Drain the request body before answering, as a real server does.
  req.resume();
  req.on('end', () => {
    const r = route ? route() : json(404, { message: 'No such route in the test server' });
    res.writeHead(r.status, { ...r.headers, 'Cache-Control': 'no-store' });
    res.end(r.body);
  });
}

function listen(port) {
  const server = http.createServer(handle);
  server.on('error', (err) => {
    if (err.code === 'EADDRINUSE' && port !== 0) listen(0);
    else throw err;
  });
  server.listen(port, '127.0.0.1', () => {
    process.stdout.write(`listening ${server.address().port}\n`);
  });
}

listen(process.env.PORT ? Number(process.env.PORT) : 48617);
