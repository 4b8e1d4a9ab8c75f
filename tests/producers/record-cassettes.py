"""Records tests/fixtures/vcr/: vcrpy and Betamax (both from PyPI) record `requests`
calls to a loopback test server (Python's http.server on 127.0.0.1) as JSON cassettes.

usage: python record-cassettes.py OUTPUT_DIR   (needs `pip install -r requirements-cassettes.txt`;
`cargo xtask fixtures` provisions it in target/producers-venv)

The server answers the error shapes real APIs send: 403 with the reason in a JSON body, 422
field errors, a 503 whose JSON body is gzip-encoded (Content-Encoding: gzip), and a 200.
"""
import gzip
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import betamax
import requests
import vcr


def body(obj):
    return json.dumps(obj).encode()


ROUTES = {
    ("GET", "/v1/projects/42"): (200, {}, body({"id": 42, "name": "warehouse"})),
    ("DELETE", "/v1/projects/42"): (403, {}, body({
        "error": {"code": "forbidden", "message": "Token scope projects:read does not allow deleting projects."},
    })),
    ("POST", "/v1/users"): (422, {}, body({
        "message": "Validation failed",
        "errors": {"email": ["is not a valid address"], "name": ["can't be blank"]},
    })),
    ("GET", "/v1/exports/weekly"): (503, {"Content-Encoding": "gzip", "Retry-After": "120"}, gzip.compress(body({
        "error": {"message": "Export service is under maintenance until 10:00 UTC."},
    }), mtime=0)),
}


class Handler(BaseHTTPRequestHandler):
    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        status, headers, payload = ROUTES.get(
            (self.command, self.path), (404, {}, body({"message": "No such route"}))
        )
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args):
        pass


def calls(session, base):
    headers = {"Authorization": "Bearer ghp_TestTokenNotARealSecret0123456789"}
    session.get(f"{base}/v1/projects/42", headers=headers)
    session.delete(f"{base}/v1/projects/42", headers=headers)
    session.post(f"{base}/v1/users", json={"name": "", "email": "lena.fischer@"}, headers=headers)
    session.get(f"{base}/v1/exports/weekly", headers=headers)


def main():
    out = os.path.abspath(sys.argv[1])
    os.makedirs(out, exist_ok=True)
    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    # vcrpy: `interactions[]`; the Authorization header is filtered out as vcrpy users do.
    path = os.path.join(out, "vcrpy-errors.json")
    if os.path.exists(path):
        os.remove(path)
    recorder = vcr.VCR(serializer="json", decode_compressed_response=False,
                       filter_headers=["authorization"])
    with recorder.use_cassette(path):
        calls(requests.Session(), base)

    # Betamax: `http_interactions[]`; a gzip body is kept exactly as `base64_string`.
    name = "betamax-errors"
    path = os.path.join(out, name + ".json")
    if os.path.exists(path):
        os.remove(path)
    with betamax.Betamax.configure() as config:
        config.cassette_library_dir = out
        config.default_cassette_options["serialize_with"] = "json"
    session = requests.Session()
    with betamax.Betamax(session).use_cassette(name, record="all", preserve_exact_body_bytes=True):
        calls(session, base)
    server.shutdown()


if __name__ == "__main__":
    main()
