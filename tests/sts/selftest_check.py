#!/usr/bin/env python3
"""Assertion helpers for tests/sts/selftest.sh (stdlib only).

Each subcommand exits 0 when the check holds (printing a value where asked)
and 1 with a one-line reason on stderr when it does not.
"""

import base64
import json
import re
import shlex
import socket
import ssl
import sys
import urllib.parse
import xml.etree.ElementTree as ET

NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"


def die(msg):
    print(f"check: {msg}", file=sys.stderr)
    sys.exit(1)


def read(path):
    with open(path, "rb") as fh:
        return fh.read()


def header(hdr_file, name):
    val = None
    for line in read(hdr_file).decode("latin-1").split("\r\n"):
        k, sep, v = line.partition(":")
        if sep and k.strip().lower() == name.lower():
            val = v.strip()
    return val


def cmd_header(hdr_file, name):
    v = header(hdr_file, name)
    if v is None:
        die(f"no {name} header")
    print(v)


def cmd_decode(token):
    """k8s-aws-v1.<base64url no padding> -> URL."""
    prefix = "k8s-aws-v1."
    if not token.startswith(prefix):
        die("token prefix")
    b64 = token[len(prefix):]
    if not re.fullmatch(r"[A-Za-z0-9_-]+", b64):
        die("token is not unpadded base64url")
    url = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)).decode("ascii")
    if base64.urlsafe_b64encode(url.encode()).rstrip(b"=").decode() != b64:
        die("non-canonical base64url")
    print(url)


def cmd_params(url, host, token_expected):
    u = urllib.parse.urlsplit(url)
    if u.scheme != "https" or u.netloc != host or u.path != "/" or u.fragment:
        die(f"unexpected URL shape: {u.scheme}://{u.netloc}{u.path}")
    names = [p.split("=", 1)[0] for p in u.query.split("&")]
    want = ["Action", "Version", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
            "X-Amz-Expires", "X-Amz-Signature", "X-Amz-SignedHeaders"]
    if token_expected == "yes":
        want.append("X-Amz-Security-Token")
    if sorted(names) != sorted(want):
        die(f"parameters {sorted(names)} != {sorted(want)}")
    q = dict(urllib.parse.parse_qsl(u.query, strict_parsing=True))
    for k, v in (("Action", "GetCallerIdentity"), ("Version", "2011-06-15"),
                 ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Expires", "60"),
                 ("X-Amz-SignedHeaders", "host;x-k8s-aws-id")):
        if q[k] != v:
            die(f"{k}={q[k]!r}, want {v!r}")
    if not re.fullmatch(r"[0-9a-f]{64}", q["X-Amz-Signature"]):
        die("signature is not 64 lower-case hex")


def _load_json(path, **kw):
    try:
        return json.loads(read(path).decode("utf-8"), **kw)
    except (ValueError, UnicodeDecodeError) as e:
        die(f"body is not JSON: {e}")


def cmd_gci(body, hdr, arn, userid, account):
    """Exactly the iam-auth.md §4.3 JSON shape."""
    d = _load_json(body)
    if not isinstance(d, dict) or list(d) != ["GetCallerIdentityResponse"]:
        die(f"top level keys {list(d) if isinstance(d, dict) else type(d)}")
    r = d["GetCallerIdentityResponse"]
    if list(r) != ["GetCallerIdentityResult", "ResponseMetadata"]:
        die(f"response keys {list(r)}")
    res = r["GetCallerIdentityResult"]
    want = {"Account": account, "Arn": arn, "UserId": userid}
    if res != want or list(res) != ["Account", "Arn", "UserId"]:
        die(f"result {res} != {want}")
    rid = r["ResponseMetadata"].get("RequestId")
    if list(r["ResponseMetadata"]) != ["RequestId"] or not rid:
        die("ResponseMetadata")
    if header(hdr, "x-amzn-RequestId") != rid:
        die("x-amzn-RequestId header does not match RequestId")


def _xml(body):
    try:
        return ET.fromstring(read(body))
    except ET.ParseError as e:
        die(f"body is not XML: {e}")


def cmd_gci_xml(body, arn):
    root = _xml(body)
    if root.tag != NS + "GetCallerIdentityResponse":
        die(f"root {root.tag}")
    got = root.findtext(f"{NS}GetCallerIdentityResult/{NS}Arn")
    if got != arn:
        die(f"Arn {got!r} != {arn!r}")
    if not root.findtext(f"{NS}ResponseMetadata/{NS}RequestId"):
        die("no RequestId")


def cmd_error(body, hdr, code, fmt):
    if fmt == "json":
        d = _load_json(body)
        if list(d) != ["Error", "RequestId"] or list(d["Error"]) != ["Code", "Message", "Type"]:
            die(f"error JSON shape {d}")
        got, rid = d["Error"]["Code"], d["RequestId"]
    else:
        root = _xml(body)
        if root.tag != NS + "ErrorResponse":
            die(f"root {root.tag}")
        got, rid = root.findtext(f"{NS}Error/{NS}Code"), root.findtext(f"{NS}RequestId")
        if root.findtext(f"{NS}Error/{NS}Type") not in ("Sender", "Receiver"):
            die("Error/Type")
    if got != code:
        die(f"error code {got!r} != {code!r}")
    if not rid or header(hdr, "x-amzn-RequestId") != rid:
        die("RequestId missing or different from x-amzn-RequestId")


def cmd_message(body):
    raw = read(body)
    try:
        print(json.loads(raw)["Error"]["Message"])
    except ValueError:
        print(ET.fromstring(raw).findtext(f"{NS}Error/{NS}Message"))


def cmd_xml(body, path):
    root = _xml(body)
    el = root.find(".//" + "/".join(NS + p for p in path.split("/")))
    if el is None or el.text is None:
        die(f"no {path}")
    print(el.text)


def cmd_creds_xml(body):
    """Shell exports for the credentials in an AssumeRole* XML answer."""
    root = _xml(body)
    c = root.find(f".//{NS}Credentials")
    if c is None:
        die("no Credentials")
    vals = {t: c.findtext(NS + t) for t in ("AccessKeyId", "SecretAccessKey", "SessionToken",
                                            "Expiration")}
    if not all(vals.values()) or not vals["AccessKeyId"].startswith("ASIA"):
        die("bad credentials element")
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", vals["Expiration"]):
        die("Expiration format")
    print(f"export AWS_ACCESS_KEY_ID={shlex.quote(vals['AccessKeyId'])} "
          f"AWS_SECRET_ACCESS_KEY={shlex.quote(vals['SecretAccessKey'])} "
          f"AWS_SESSION_TOKEN={shlex.quote(vals['SessionToken'])}")


def cmd_creds(keys_file, akid):
    """Shell exports for a credential of keys.json (no token export when it has none)."""
    for c in json.loads(read(keys_file))["credentials"]:
        if c["access_key_id"] == akid:
            s = (f"export AWS_ACCESS_KEY_ID={shlex.quote(akid)} "
                 f"AWS_SECRET_ACCESS_KEY={shlex.quote(c['secret_access_key'])}")
            if c.get("session_token"):
                s += f" AWS_SESSION_TOKEN={shlex.quote(c['session_token'])}"
            else:
                s += "; unset AWS_SESSION_TOKEN"
            print(s)
            return
    die(f"no credential {akid}")


def cmd_secrets(keys_file, *extra_files):
    """Every secret value (and its percent-encoded form), one per line."""
    doc = json.loads(read(keys_file))
    vals = []
    for c in doc["credentials"]:
        vals.append(c["secret_access_key"])
        if c.get("session_token"):
            vals.append(c["session_token"])
    for r in doc.get("roles", []):
        for t in r.get("web_identity_tokens", []):
            vals.append(t if isinstance(t, str) else t["token"])
    for f in extra_files:
        vals.extend(line for line in read(f).decode().split("\n") if line)
    out = set()
    for v in vals:
        out.add(v)
        out.add(urllib.parse.quote(v, safe=""))
        out.add(urllib.parse.quote(v, safe="").lower())
    for v in sorted(out):
        print(v)


def _dups_hook(pairs):
    seen = {}
    for k, v in pairs:
        seen.setdefault(k, []).append(v)
    return {"__pairs__": pairs, **{k: vs[-1] for k, vs in seen.items()}}


def cmd_mode(name, body):
    raw = read(body)
    if name == "dup-keys":
        d = json.loads(raw, object_pairs_hook=_dups_hook)
        res = d["GetCallerIdentityResponse"]["GetCallerIdentityResult"]
        keys = [k for k, _ in res["__pairs__"]]
        if keys.count("Arn") != 2:
            die(f"result keys {keys}")
    elif name == "extra-top":
        keys = list(json.loads(raw))
        if keys != ["AssumeRoleWithWebIdentityResponse", "GetCallerIdentityResponse"]:
            die(f"top keys {keys}")
    elif name == "nested":
        res = json.loads(raw)["GetCallerIdentityResponse"]["GetCallerIdentityResult"]
        if list(res) != ["GetCallerIdentityResult"] or "Arn" not in res["GetCallerIdentityResult"]:
            die(f"result {res}")
    elif name in ("arn-number", "arn-null", "arn-empty"):
        arn = json.loads(raw)["GetCallerIdentityResponse"]["GetCallerIdentityResult"]["Arn"]
        ok = {"arn-number": isinstance(arn, int) and not isinstance(arn, bool),
              "arn-null": arn is None, "arn-empty": arn == ""}[name]
        if not ok:
            die(f"Arn {arn!r}")
    elif name == "trailing-garbage":
        try:
            json.loads(raw)
            die("body parsed as one JSON document")
        except ValueError:
            pass
        obj, end = json.JSONDecoder().raw_decode(raw.decode())
        if "GetCallerIdentityResponse" not in obj or not raw[end:].strip():
            die("no valid prefix or no garbage")
    elif name == "json-string-xml":
        s = json.loads(raw)
        if not isinstance(s, str) or "<GetCallerIdentityResponse" not in s:
            die("not a JSON string holding the XML answer")
    elif name == "oversize":
        if len(raw) != 17 * 1024:
            die(f"size {len(raw)} != {17 * 1024}")
        if "Arn" not in json.loads(raw)["GetCallerIdentityResponse"]["GetCallerIdentityResult"]:
            die("no Arn")
    elif name == "valid":
        json.loads(raw)["GetCallerIdentityResponse"]["GetCallerIdentityResult"]["Arn"]
    else:
        die(f"unknown mode check {name}")


def cmd_field(body, *keys):
    """JSON-encoded GetCallerIdentityResult[key] for each key (or <missing>), space-separated."""
    res = json.loads(read(body))["GetCallerIdentityResponse"]["GetCallerIdentityResult"]
    print(" ".join(json.dumps(res[k]) if k in res else "<missing>" for k in keys))


def cmd_jget(body, *path):
    d = json.loads(read(body))
    for p in path:
        d = d[int(p)] if isinstance(d, list) else d.get(p)
    print(json.dumps(d) if not isinstance(d, str) else d)


def cmd_log(path, fields):
    """Every line is a JSON object with the given fields; prints the line count."""
    n = 0
    for line in read(path).decode("utf-8").splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            die(f"log line {n + 1} is not JSON")
        for f in fields.split(","):
            if f not in e:
                die(f"log line {n + 1} lacks {f}")
        n += 1
    print(n)


def cmd_raw(port, cafile, payload_hex):
    """Send raw bytes over TLS (SNI sts.us-east-1.amazonaws.com); print the status line."""
    ctx = ssl.create_default_context(cafile=cafile)
    with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as s:
        with ctx.wrap_socket(s, server_hostname="sts.us-east-1.amazonaws.com") as t:
            t.sendall(bytes.fromhex(payload_hex))
            data = b""
            try:
                while b"\r\n" not in data and len(data) < 4096:
                    chunk = t.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except (socket.timeout, ssl.SSLError, ConnectionError):
                pass
    print(data.split(b"\r\n", 1)[0].decode("latin-1"))


def main():
    if len(sys.argv) < 2:
        die("usage")
    fn = globals().get("cmd_" + sys.argv[1].replace("-", "_"))
    if fn is None:
        die(f"unknown subcommand {sys.argv[1]}")
    try:
        fn(*sys.argv[2:])
    except (KeyError, TypeError, IndexError, ValueError, AttributeError) as e:
        die(f"{sys.argv[1]}: {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
