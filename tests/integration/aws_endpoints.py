#!/usr/bin/env python3
"""Loopback stand-ins for the AWS credential endpoints used by t_awscreds.sh.

One plain-HTTP server on 127.0.0.1 (stdlib only) playing:

* the ECS/EKS container credentials endpoint: GET /container/creds, which
  requires the Authorization value given with --container-token;
* EC2 IMDSv2: PUT /latest/api/token (needs x-aws-ec2-metadata-token-ttl-seconds),
  then GET /latest/meta-data/iam/security-credentials/ and .../<role>, both
  refused (401) without the session token from the PUT;
* a minimal STS (POST /, AssumeRole and AssumeRoleWithWebIdentity) that checks
  nothing but --external-id (for --external-id-role) / --webid-token and
  returns the XML.  It is the
  fallback when tests/sts/standin.py cannot be used; it does not verify SigV4.

Every request is logged as one line in --log: method, path, whether an
Authorization / IMDS token header was present, the status.  Values (tokens,
keys, bodies) are never logged.  --print-secrets prints the fixed secrets the
stub hands out so the test can grep for leaks.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import signal
import sys
import threading
import time
import urllib.parse

CONTAINER = {
    "AccessKeyId": "ASIASTUBCONTAINER001",
    "SecretAccessKey": "stubContainerSecret/Key+0000000000000001",
    "Token": "IQoJb3JpZ2luX2VjStubContainerSessionToken0000001",
}
IMDS = {
    "AccessKeyId": "ASIASTUBIMDS00000001",
    "SecretAccessKey": "stubImdsSecret/Key+000000000000000000002",
    "Token": "IQoJb3JpZ2luX2VjStubImdsSessionToken00000000002",
}
STS = {
    "AccessKeyId": "ASIASTUBSTS000000001",
    "SecretAccessKey": "stubStsSecret/Key+0000000000000000000003",
    "Token": "IQoJb3JpZ2luX2VjStubStsSessionToken000000000003",
}
IMDS_SESSION = "stub-imds-session-AQAEAGJ0bG9va3VwSWQ"
ROLE = "stub-role"
NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def sts_creds_xml(action: str, c: dict, exp: str) -> bytes:
    return (f'<{action}Response xmlns="{NS}"><{action}Result><Credentials>'
            f'<AccessKeyId>{c["AccessKeyId"]}</AccessKeyId>'
            f'<SecretAccessKey>{c["SecretAccessKey"]}</SecretAccessKey>'
            f'<SessionToken>{c["Token"]}</SessionToken>'
            f'<Expiration>{exp}</Expiration></Credentials></{action}Result>'
            f'<ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata>'
            f'</{action}Response>\n').encode()


def sts_error_xml(code: str, msg: str) -> bytes:
    return (f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>{code}</Code>'
            f'<Message>{msg}</Message></Error><RequestId>stub</RequestId>'
            f'</ErrorResponse>\n').encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aws-endpoints-stub"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - quiet stderr
        pass

    def _log(self, status: int):
        cfg = self.server.cfg
        line = "%s %s auth=%s imds_token=%s status=%d\n" % (
            self.command, self.path.split("?", 1)[0][:200],
            "yes" if self.headers.get("Authorization") is not None else "no",
            "yes" if self.headers.get("x-aws-ec2-metadata-token") is not None else "no",
            status)
        with cfg["lock"]:
            with open(cfg["log"], "a", encoding="utf-8") as f:
                f.write(line)

    def _send(self, status: int, body: bytes, ctype: str = "application/json"):
        self._log(status)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(n, 65536)) if n > 0 else b""

    def _creds_json(self, c: dict, imds: bool) -> bytes:
        doc = dict(c)
        doc["Expiration"] = iso(time.time() + self.server.cfg["expires_in"])
        if imds:
            doc.update({"Code": "Success", "Type": "AWS-HMAC",
                        "LastUpdated": iso(time.time())})
        else:
            doc["RoleArn"] = "arn:aws:iam::123456789012:role/stub-task-role"
        return json.dumps(doc).encode()

    def _imds_ok(self) -> bool:
        return self.headers.get("x-aws-ec2-metadata-token") == IMDS_SESSION

    def do_GET(self):  # noqa: N802
        cfg = self.server.cfg
        path = self.path.split("?", 1)[0]
        if path == "/container/creds":
            want = cfg["container_token"]
            if want is not None and self.headers.get("Authorization") != want:
                return self._send(401, b'{"message":"bad authorization token"}')
            return self._send(200, self._creds_json(CONTAINER, False))
        if path.startswith("/latest/meta-data/iam/security-credentials/"):
            if not self._imds_ok():
                return self._send(401, b"", "text/plain")
            role = path[len("/latest/meta-data/iam/security-credentials/"):]
            if role == "":
                return self._send(200, ROLE.encode(), "text/plain")
            if role == ROLE:
                return self._send(200, self._creds_json(IMDS, True))
        return self._send(404, b'{"message":"not found"}')

    def do_PUT(self):  # noqa: N802
        if self.path != "/latest/api/token":
            return self._send(404, b"", "text/plain")
        ttl = self.headers.get("x-aws-ec2-metadata-token-ttl-seconds", "")
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self._send(400, b"", "text/plain")
        return self._send(200, IMDS_SESSION.encode(), "text/plain")

    def do_POST(self):  # noqa: N802
        cfg = self.server.cfg
        form = dict(urllib.parse.parse_qsl(self._body().decode("utf-8", "replace"),
                                           keep_blank_values=True))
        action = form.get("Action")
        exp = iso(time.time() + cfg["expires_in"])
        if action == "AssumeRole":
            ext = cfg["external_id"]
            scoped = cfg["external_id_role"] in (None, form.get("RoleArn"))
            if ext is not None and scoped and form.get("ExternalId") != ext:
                return self._send(403, sts_error_xml(
                    "AccessDenied", "User: arn:aws:iam::123456789012:user/ci-bot is not "
                    "authorized to perform: sts:AssumeRole on resource: "
                    + form.get("RoleArn", "")[:200]), "text/xml")
            return self._send(200, sts_creds_xml(action, STS, exp), "text/xml")
        if action == "AssumeRoleWithWebIdentity":
            if form.get("WebIdentityToken") != cfg["webid_token"]:
                return self._send(400, sts_error_xml(
                    "InvalidIdentityToken", "The web identity token is not valid"), "text/xml")
            return self._send(200, sts_creds_xml(action, STS, exp), "text/xml")
        return self._send(400, sts_error_xml("InvalidAction", "unknown action"), "text/xml")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    ap.add_argument("--expires-in", type=int, default=3600)
    ap.add_argument("--container-token")
    ap.add_argument("--external-id", help="ExternalId AssumeRole must carry")
    ap.add_argument("--external-id-role", help="only for this RoleArn (default: every role)")
    ap.add_argument("--webid-token")
    ap.add_argument("--print-secrets", action="store_true")
    a = ap.parse_args()
    if a.print_secrets:
        for c in (CONTAINER, IMDS, STS):
            print(c["SecretAccessKey"])
            print(c["Token"])
        print(IMDS_SESSION)
        return 0
    if not a.port_file or not a.log:
        ap.error("--port-file and --log are required")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.cfg = {"lock": threading.Lock(), "log": a.log, "expires_in": a.expires_in,
               "container_token": a.container_token, "external_id": a.external_id,
               "external_id_role": a.external_id_role,
               "webid_token": a.webid_token}
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=srv.shutdown).start())
    tmp = a.port_file + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(tmp, a.port_file)
    srv.serve_forever(poll_interval=0.2)
    srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
