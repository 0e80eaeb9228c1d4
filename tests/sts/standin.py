#!/usr/bin/env python3
"""Loopback STS stand-in for the registry's integration tests.

A stateful HTTPS server (Python stdlib only) that answers the STS Query API
the way the registry's outbound client expects real STS to answer it:

* verifies AWS SigV4 itself (presigned GET and header-signed POST) for the
  test keys in a JSON keys file, with STS's error codes;
* GetCallerIdentity (JSON with Accept: application/json, else XML),
  AssumeRole (signed, ExternalId enforced) and AssumeRoleWithWebIdentity
  (unsigned); both mint temporary ASIA credentials that it then accepts;
* misbehaviour modes for the registry's "STS answered something odd" tests,
  switchable at runtime through POST /__control (loopback only);
* one JSON line per request in --log, with signatures, session tokens and
  other secrets redacted.

Only loopback addresses are served.  Run with --help for the options and
see tests/sts/README.md for the control API.  `--check-vectors DIR` runs the
verifier against the AWS SigV4 test suite instead of serving.
"""

from __future__ import annotations

import argparse
import base64
import calendar
import hashlib
import hmac
import http
import http.server
import ipaddress
import json
import os
import re
import secrets
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as _xml_escape

API_VERSION = "2011-06-15"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
ALGORITHM = "AWS4-HMAC-SHA256"
SKEW_SECONDS = 15 * 60
MAX_BODY = 64 * 1024            # STS request bodies
MAX_CONTROL_BODY = 16 * 1024    # /__control bodies
MAX_CONNECTIONS = 64            # concurrent connections; more are dropped
IDLE_TIMEOUT = 15.0             # seconds a connection may sit idle / mid-read
HANDSHAKE_TIMEOUT = 5.0
MAX_MINTED = 2000               # minted credential sets kept in memory
MAX_LOG_VALUE = 1024            # characters per logged header/param value
OVERSIZE_BYTES = 17 * 1024
REDACTED = "REDACTED"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

# ---------------------------------------------------------------------------
# SigV4: canonicalisation, signing, verification (independent implementation)
# ---------------------------------------------------------------------------

_UNRESERVED = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
_HEXDIGITS = frozenset(b"0123456789abcdefABCDEF")
_AMZ_DATE_RE = re.compile(r"^[0-9]{8}T[0-9]{6}Z$")
_HEX64_RE = re.compile(r"^[0-9a-f]{64}$")
_WS_RUN_RE = re.compile(r"[ \t]+")


def uri_encode(data: bytes) -> str:
    """SigV4 UriEncode: unreserved bytes kept, everything else %XX upper-case."""
    return "".join(chr(b) if b in _UNRESERVED else "%%%02X" % b for b in data)


def pct_decode(data: bytes) -> bytes:
    """Strict percent-decoding: only %HH, '+' stays '+'."""
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        c = data[i]
        if c == 0x25:  # '%'
            h = data[i + 1:i + 3]
            if len(h) != 2 or h[0] not in _HEXDIGITS or h[1] not in _HEXDIGITS:
                raise ValueError("bad percent-encoding")
            out.append(int(h, 16))
            i += 3
        else:
            out.append(c)
            i += 1
    return bytes(out)


def parse_query(raw: bytes) -> list[tuple[bytes, bytes]]:
    """Split on '&' and each pair on the first '='; empty pieces skipped."""
    pairs = []
    for piece in raw.split(b"&") if raw else []:
        if not piece:
            continue
        name, _, value = piece.partition(b"=")
        pairs.append((pct_decode(name), pct_decode(value)))
    return pairs


def parse_form(raw: bytes) -> list[tuple[bytes, bytes]]:
    """application/x-www-form-urlencoded: like parse_query, '+' means space."""
    return parse_query(raw.replace(b"+", b"%20"))


def canonical_uri(raw_path: bytes) -> str:
    """Non-S3 rule: normalise the path as sent, then URI-encode each segment."""
    segs: list[bytes] = []
    for s in raw_path.split(b"/"):
        if s in (b"", b"."):
            continue
        if s == b"..":
            if segs:
                segs.pop()
            continue
        segs.append(s)
    path = "/" + "/".join(uri_encode(s) for s in segs)
    if segs and raw_path.endswith(b"/"):
        path += "/"
    return path


def is_secret_name(name: str) -> bool:
    """Parameter/header names whose values are never logged."""
    n = name.lower()
    return ("signature" in n or "token" in n or "secret" in n
            or "password" in n or n in ("authorization", "cookie"))


def canonical_query(pairs, *, skip_signature: bool, redact: bool = False) -> str:
    items = []
    for k, v in pairs:
        if skip_signature and k == b"X-Amz-Signature":
            continue
        items.append((uri_encode(k), uri_encode(v), k))
    items.sort(key=lambda t: (t[0], t[1]))
    out = []
    for ek, ev, k in items:
        if redact and is_secret_name(k.decode("latin-1")):
            ev = REDACTED
        out.append(f"{ek}={ev}")
    return "&".join(out)


def trim_header_value(v: str) -> str:
    return _WS_RUN_RE.sub(" ", v.strip(" \t"))


def header_values(headers, lname: str) -> list[str]:
    return [v for n, v in headers if n.lower() == lname]


def hmac256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    k = hmac256(("AWS4" + secret).encode("utf-8"), date)
    k = hmac256(k, region)
    k = hmac256(k, service)
    return hmac256(k, "aws4_request")


def string_to_sign(amz_date: str, scope: str, creq: str) -> str:
    h = hashlib.sha256(creq.encode("latin-1")).hexdigest()
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{h}"


class AuthError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _sdm(msg: str) -> AuthError:
    return AuthError(403, "SignatureDoesNotMatch", msg)


def _incomplete(msg: str) -> AuthError:
    return AuthError(400, "IncompleteSignature", msg)


MISMATCH_MSG = ("The request signature we calculated does not match the signature you "
                "provided. Check your AWS Secret Access Key and signing method. Consult "
                "the service documentation for details.")
INVALID_TOKEN_MSG = "The security token included in the request is invalid."
EXPIRED_TOKEN_MSG = "The security token included in the request is expired"


@dataclass
class SigReq:
    method: str
    raw_path: bytes
    raw_query: bytes
    headers: list           # [(name, value)] as received, latin-1 str
    body: bytes
    query_pairs: list = field(default_factory=list)


@dataclass
class AuthInfo:
    form: str               # "header" or "query"
    akid: str
    date: str
    region: str
    service: str
    terminator: str
    signed_headers: list
    signature: str
    amz_date: str
    token: str | None

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{self.terminator}"


def _one_query(pairs, name: bytes):
    vals = [v for k, v in pairs if k == name]
    if len(vals) > 1:
        raise _incomplete(f"Duplicate query parameter {name.decode()}")
    return vals[0].decode("utf-8", "replace") if vals else None


def _split_credential(cred: str):
    parts = cred.split("/")
    if len(parts) != 5 or not all(parts):
        raise _incomplete("Credential is malformed; expecting "
                          "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
    return parts


def auth_form(req: SigReq) -> str:
    """'header', 'query' or 'none'."""
    has_hdr = bool(header_values(req.headers, "authorization"))
    names = {k for k, _ in req.query_pairs}
    has_q = bool(names & {b"X-Amz-Algorithm", b"X-Amz-Credential", b"X-Amz-Signature"})
    if has_hdr and has_q:
        raise AuthError(400, "InvalidRequest",
                        "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
                        "parameter or the Authorization header should be specified")
    return "header" if has_hdr else ("query" if has_q else "none")


def extract_auth(req: SigReq) -> AuthInfo:
    form = auth_form(req)
    if form == "none":
        raise AuthError(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
    if form == "header":
        vals = header_values(req.headers, "authorization")
        if len(vals) != 1:
            raise _incomplete("Multiple Authorization headers")
        algo, _, rest = vals[0].strip().partition(" ")
        if algo != ALGORITHM:
            raise _incomplete(f"Unsupported AWS 'algorithm': '{algo[:40]}'")
        comps = {}
        for part in rest.split(","):
            k, eq, v = part.strip().partition("=")
            if not eq or k in comps:
                raise _incomplete("Authorization header is malformed")
            comps[k] = v
        if set(comps) != {"Credential", "SignedHeaders", "Signature"}:
            raise _incomplete("Authorization header requires 'Credential', 'SignedHeaders' "
                              "and 'Signature' parameters")
        cred, sh, sig = comps["Credential"], comps["SignedHeaders"], comps["Signature"]
        dates = header_values(req.headers, "x-amz-date")
        if len(dates) != 1:
            raise _incomplete("Authorization header requires existence of exactly one "
                              "'X-Amz-Date' header")
        amz_date = dates[0].strip()
        toks = header_values(req.headers, "x-amz-security-token")
        if len(toks) > 1:
            raise _incomplete("Multiple X-Amz-Security-Token headers")
        token = toks[0].strip() if toks else None
    else:
        q = req.query_pairs
        algo = _one_query(q, b"X-Amz-Algorithm")
        cred = _one_query(q, b"X-Amz-Credential")
        sh = _one_query(q, b"X-Amz-SignedHeaders")
        sig = _one_query(q, b"X-Amz-Signature")
        amz_date = _one_query(q, b"X-Amz-Date")
        token = _one_query(q, b"X-Amz-Security-Token")
        if None in (algo, cred, sh, sig, amz_date):
            raise _incomplete("AWS query-string parameters must include 'X-Amz-Algorithm', "
                              "'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date' and "
                              "'X-Amz-SignedHeaders'")
        if algo != ALGORITHM:
            raise _incomplete(f"Unsupported AWS 'algorithm': '{algo[:40]}'")
    akid, date, region, service, term = _split_credential(cred)
    signed = [h.lower() for h in sh.split(";")]
    if not sh or any(not h for h in signed):
        raise _incomplete("SignedHeaders is malformed")
    return AuthInfo(form, akid, date, region, service, term, signed, sig, amz_date, token)


def build_canonical(req: SigReq, auth: AuthInfo, *, redact: bool = False) -> str:
    lines = [req.method, canonical_uri(req.raw_path),
             canonical_query(req.query_pairs, skip_signature=(auth.form == "query"),
                             redact=redact)]
    ch = []
    for name in auth.signed_headers:
        vals = header_values(req.headers, name)
        if redact and is_secret_name(name):
            v = REDACTED
        else:
            v = ",".join(trim_header_value(x) for x in vals)
        ch.append(f"{name}:{v}\n")
    lines.append("".join(ch))
    lines.append(";".join(auth.signed_headers))
    lines.append(hashlib.sha256(req.body).hexdigest())
    return "\n".join(lines)


def parse_amz_date(s: str) -> int:
    if not _AMZ_DATE_RE.match(s):
        raise ValueError("bad date")
    return calendar.timegm(time.strptime(s, "%Y%m%dT%H%M%SZ"))


def fmt_amz(t: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


_STS_REGIONAL_RE = re.compile(r"^sts\.([a-z]{2}(?:-[a-z]+)+-[0-9]+)\.amazonaws\.com$")


def region_for_host(host: str | None) -> str | None:
    """Region a request to this Host must be scoped to; None = not checked."""
    if not host:
        return None
    h = host.strip().lower()
    if not h.startswith("[") and h.count(":") == 1:
        h = h.split(":", 1)[0]
    if h in ("sts.amazonaws.com", "iam.amazonaws.com"):
        return "us-east-1"
    m = _STS_REGIONAL_RE.match(h)
    return m.group(1) if m else None


@dataclass
class VerifyOpts:
    now: float
    service: str = "sts"
    check_clock: bool = True
    check_region: bool = True
    check_token: bool = True
    presign_required: tuple = ("host", "x-k8s-aws-id")
    header_required: tuple = ("host", "x-amz-date")


def verify(req: SigReq, lookup, opts: VerifyOpts):
    """Return (AuthInfo, key entry) or raise AuthError.  lookup(akid) -> entry|None."""
    auth = extract_auth(req)
    entry = lookup(auth.akid)
    if entry is None:
        raise AuthError(403, "InvalidClientTokenId", INVALID_TOKEN_MSG)
    if opts.check_token:
        want = entry.get("session_token")
        if want is None:
            if auth.token is not None:
                raise AuthError(403, "InvalidClientTokenId", INVALID_TOKEN_MSG)
        elif auth.token is None or not hmac.compare_digest(
                auth.token.encode("utf-8"), want.encode("utf-8")):
            raise AuthError(403, "InvalidClientTokenId", INVALID_TOKEN_MSG)
    if auth.terminator != "aws4_request":
        raise _sdm(f"Credential should be scoped with a valid terminator: 'aws4_request', "
                   f"not '{auth.terminator[:40]}'. ")
    if auth.service != opts.service:
        raise _sdm(f"Credential should be scoped to correct service: '{opts.service}'. ")
    if opts.check_region:
        hosts = header_values(req.headers, "host")
        want_region = region_for_host(hosts[0] if len(hosts) == 1 else None)
        if want_region is not None and auth.region != want_region:
            raise _sdm(f"Credential should be scoped to a valid region, "
                       f"not '{auth.region[:40]}'. ")
    try:
        t = parse_amz_date(auth.amz_date)
    except ValueError:
        raise _incomplete("X-Amz-Date must be in the ISO8601 basic format yyyyMMdd'T'HHmmss'Z'")
    if auth.date != auth.amz_date[:8]:
        raise _sdm(f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                   f"of date from HTTP: '{auth.date[:40]}' != '{auth.amz_date[:8]}', "
                   f"from '{auth.amz_date}'.")
    if opts.check_clock:
        now = int(opts.now)
        if now - t > SKEW_SECONDS:
            raise _sdm(f"Signature expired: {auth.amz_date} is now earlier than "
                       f"{fmt_amz(now - SKEW_SECONDS)} ({fmt_amz(now)} - 15 min.)")
        if t - now > SKEW_SECONDS:
            raise _sdm(f"Signature expired: {auth.amz_date} is now later than "
                       f"{fmt_amz(now + SKEW_SECONDS)} ({fmt_amz(now)} + 15 min.)")
    required = opts.presign_required if auth.form == "query" else opts.header_required
    for h in required:
        if h and h not in auth.signed_headers:
            raise _sdm(f"'{h}' must be a signed header of this request (SignedHeaders="
                       f"{';'.join(auth.signed_headers)[:200]})")
    for h in auth.signed_headers:
        if not header_values(req.headers, h):
            raise _sdm(f"Signed header '{h[:64]}' is missing from the request")
    if not _HEX64_RE.match(auth.signature):
        raise _sdm(MISMATCH_MSG)
    creq = build_canonical(req, auth)
    sts = string_to_sign(auth.amz_date, auth.scope, creq)
    key = signing_key(entry["secret_access_key"], auth.date, auth.region, auth.service)
    good = hmac.new(key, sts.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(good, auth.signature):
        raise _sdm(MISMATCH_MSG)
    exp = entry.get("expires_at")
    if entry.get("expired") or (exp is not None and opts.now >= exp):
        raise AuthError(403, "ExpiredToken", EXPIRED_TOKEN_MSG)
    return auth, entry


# ---------------------------------------------------------------------------
# SigV4 test-suite check (--check-vectors)
# ---------------------------------------------------------------------------

def parse_sreq(data: bytes) -> tuple[SigReq, list]:
    """Parse a test-suite .sreq; also return per-line (start, end, header name|kind)."""
    lines, spans, pos = data.split(b"\n"), [], 0
    for ln in lines:
        spans.append((pos, pos + len(ln)))
        pos += len(ln) + 1
    reqline = lines[0]
    sp1, sp2 = reqline.index(b" "), reqline.rindex(b" ")
    method = reqline[:sp1].decode("latin-1")
    target = reqline[sp1 + 1:sp2]
    raw_path, _, raw_query = target.partition(b"?")
    headers, kinds, i = [], [("reqline", sp2)], 1
    while i < len(lines) and lines[i] != b"":
        ln = lines[i].decode("latin-1")
        if ln[:1] in (" ", "\t") and headers:
            # The suite's convention for obsolete line folding: each continuation
            # line is another value of the same header.
            headers.append((headers[-1][0], ln))
        else:
            name, _, value = ln.partition(":")
            headers.append((name, value))
        kinds.append(("header", headers[-1][0].lower()))
        i += 1
    body = data[spans[i][1] + 1:] if i < len(lines) else b""
    kinds.append(("blank", None))
    req = SigReq(method, raw_path, raw_query, headers, body, parse_query(raw_query))
    return req, list(zip(spans, kinds))


def _mutate_char(b: int) -> int | None:
    for lo, hi in ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)):
        if lo <= b <= hi:
            return lo if b == hi else b + 1
    return None


def check_vectors(root: str) -> int:
    secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    keys = {"AKIDEXAMPLE": {"secret_access_key": secret}}
    opts = VerifyOpts(now=parse_amz_date("20150830T123600Z"), service="service",
                      check_region=False, check_token=False, presign_required=(),
                      header_required=("host",))
    cases = fails = mutations = neutral = 0
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if not f.endswith(".sreq"):
                continue
            base = os.path.join(d, f[:-5])
            name = os.path.relpath(base, root)
            cases += 1
            with open(base + ".sreq", "rb") as fh:
                data = fh.read()
            with open(base + ".creq", "rb") as fh:
                want_creq = fh.read().decode("latin-1")
            with open(base + ".sts", "rb") as fh:
                want_sts = fh.read().decode("latin-1")
            try:
                req, layout = parse_sreq(data)
                auth = extract_auth(req)
                creq = build_canonical(req, auth)
                if creq != want_creq:
                    raise AssertionError("canonical request differs from .creq")
                if string_to_sign(auth.amz_date, auth.scope, creq) != want_sts:
                    raise AssertionError("string to sign differs from .sts")
                verify(req, keys.get, opts)
            except (AuthError, AssertionError, ValueError) as e:
                fails += 1
                print(f"FAIL vector {name}: {e}")
                continue
            signed = set(auth.signed_headers) | {"authorization"}
            accepted = []
            for (start, end), (kind, hname) in layout:
                if kind == "reqline":
                    end = start + hname          # method and target, not the version
                elif kind == "header" and hname not in signed:
                    continue
                for p in range(start, end):
                    m = _mutate_char(data[p])
                    if m is None:
                        continue
                    mutations += 1
                    mut = data[:p] + bytes([m]) + data[p + 1:]
                    try:
                        mreq, _ = parse_sreq(mut)
                        verify(mreq, keys.get, opts)
                    except (AuthError, ValueError):
                        continue
                    # Accepting is right only when the mutation is invisible to SigV4:
                    # same canonical request (e.g. a path segment removed by "..")
                    # and the same Authorization value.
                    if build_canonical(mreq, extract_auth(mreq)) == creq and \
                            header_values(mreq.headers, "authorization") == \
                            header_values(req.headers, "authorization"):
                        neutral += 1
                        continue
                    accepted.append(p)
            if accepted:
                fails += 1
                print(f"FAIL vector {name}: {len(accepted)} one-byte mutation(s) accepted "
                      f"(offsets {accepted[:8]})")
    print(f"vectors: {cases} cases, {mutations} one-byte mutations checked "
          f"({neutral} canonically neutral), {fails} failures")
    return 0 if cases and not fails else 1


# ---------------------------------------------------------------------------
# Keys file and server state
# ---------------------------------------------------------------------------

_ROLE_ARN_RE = re.compile(r"^arn:(aws[a-z-]*):iam::([0-9]{12}):role/(?:[!-~]+/)?([\w+=,.@-]{1,64})$",
                          re.ASCII)
_SESSION_RE = re.compile(r"^[\w+=,.@-]{2,64}$", re.ASCII)
_EXTERNAL_ID_RE = re.compile(r"^[\w+=,.@:/-]{2,1224}$", re.ASCII)
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class ConfigError(Exception):
    pass


def _req_str(obj, key, where):
    v = obj.get(key)
    if not isinstance(v, str) or not v:
        raise ConfigError(f"{where}: '{key}' must be a non-empty string")
    return v


def load_keys(path: str):
    with open(path, "r", encoding="utf-8") as fh:
        doc = json.load(fh)
    if not isinstance(doc, dict):
        raise ConfigError("keys file: top level must be an object")
    creds, roles = {}, {}
    for i, c in enumerate(doc.get("credentials", [])):
        where = f"credentials[{i}]"
        akid = _req_str(c, "access_key_id", where)
        if akid in creds:
            raise ConfigError(f"{where}: duplicate access_key_id")
        ident = c.get("identity")
        if not isinstance(ident, dict) or not all(
                isinstance(ident.get(k), str) for k in ("Arn", "UserId", "Account")):
            raise ConfigError(f"{where}: identity needs string Arn, UserId, Account")
        tok = c.get("session_token")
        if akid.startswith("ASIA") and not tok:
            raise ConfigError(f"{where}: ASIA keys need a session_token")
        creds[akid] = {
            "access_key_id": akid,
            "secret_access_key": _req_str(c, "secret_access_key", where),
            "session_token": tok or None,
            "expired": bool(c.get("expired", False)),
            "identity": {k: ident[k] for k in ("Arn", "UserId", "Account")},
        }
    for i, r in enumerate(doc.get("roles", [])):
        where = f"roles[{i}]"
        arn = _req_str(r, "arn", where)
        m = _ROLE_ARN_RE.match(arn)
        if not m:
            raise ConfigError(f"{where}: bad role arn")
        toks = []
        for t in r.get("web_identity_tokens", []):
            if isinstance(t, str):
                t = {"token": t}
            toks.append({"token": _req_str(t, "token", where + ".web_identity_tokens"),
                         "expired": bool(t.get("expired", False)),
                         "subject": t.get("subject"), "provider": t.get("provider"),
                         "audience": t.get("audience")})
        roles[arn] = {
            "arn": arn, "partition": m.group(1), "account": m.group(2), "name": m.group(3),
            "role_id": _req_str(r, "role_id", where),
            "max_session_duration": int(r.get("max_session_duration", 3600)),
            "external_id": r.get("external_id"),
            "assume_role_principals": r.get("assume_role_principals"),
            "web_identity_tokens": toks,
        }
    default = doc.get("default_identity")
    if default is not None and default not in creds:
        raise ConfigError("default_identity must name an access_key_id in credentials")
    if not creds:
        raise ConfigError("keys file has no credentials")
    default_ident = creds[default or next(iter(creds))]["identity"]
    return creds, roles, default_ident


class Logger:
    def __init__(self, path: str | None):
        self.lock = threading.Lock()
        self.fh = open(path, "a", encoding="utf-8") if path else None

    def write(self, entry: dict):
        if self.fh is None:
            return
        line = json.dumps(entry, separators=(",", ":"), ensure_ascii=True)
        with self.lock:
            self.fh.write(line + "\n")
            self.fh.flush()

    def close(self):
        with self.lock:
            if self.fh:
                self.fh.close()
                self.fh = None


class State:
    def __init__(self, creds, roles, default_identity, audience_header: str):
        self.lock = threading.Lock()
        self.static = creds
        self.minted: dict = {}
        self.roles = roles
        self.default_identity = default_identity
        self.audience_header = audience_header
        self.mode: dict | None = None
        self.remaining: int | None = None
        self.clock_offset = 0.0
        self.stop = threading.Event()
        self.seq = 0
        self._reset_counters()

    def _reset_counters(self):
        self.counters = {"total": 0, "by_action": {}, "by_status": {}, "by_verify": {},
                         "by_mode": {}}

    def now(self) -> float:
        return time.time() + self.clock_offset

    def lookup(self, akid: str):
        with self.lock:
            return self.static.get(akid) or self.minted.get(akid)

    def add_minted(self, entry):
        with self.lock:
            if len(self.minted) >= MAX_MINTED:
                oldest = min(self.minted.values(), key=lambda e: e["expires_at"])
                del self.minted[oldest["access_key_id"]]
            self.minted[entry["access_key_id"]] = entry

    def set_mode(self, mode: dict | None, count: int | None):
        with self.lock:
            self.mode = mode
            self.remaining = count if mode else None

    def take_mode(self):
        with self.lock:
            m = self.mode
            if m is not None and self.remaining is not None:
                self.remaining -= 1
                if self.remaining <= 0:
                    self.mode, self.remaining = None, None
            return m

    def count(self, entry: dict):
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            c = self.counters
            c["total"] += 1
            for key, val in (("by_action", entry.get("action")),
                             ("by_status", entry.get("status")),
                             ("by_verify", entry.get("verify")),
                             ("by_mode", entry.get("mode"))):
                if val is not None:
                    c[key][str(val)] = c[key].get(str(val), 0) + 1

    def snapshot(self):
        with self.lock:
            return {"mode": self.mode, "remaining": self.remaining,
                    "clock_offset": self.clock_offset,
                    "minted_credentials": len(self.minted)}

    def requests(self):
        with self.lock:
            return json.loads(json.dumps(self.counters))

    def reset(self):
        with self.lock:
            self.mode, self.remaining, self.clock_offset = None, None, 0.0
            self._reset_counters()


# ---------------------------------------------------------------------------
# Misbehaviour modes
# ---------------------------------------------------------------------------

MODES = ("redirect", "content-type", "dup-keys", "extra-top", "nested", "arn-number",
         "arn-null", "arn-empty", "trailing-garbage", "json-string-xml", "oversize", "hang",
         "drop", "delay", "throttle", "status", "identity")
MODE_KEYS = {"mode", "count", "status", "code", "message", "content_type", "location",
             "seconds", "preset", "Arn", "UserId", "Account", "garbage"}
DEFAULT_ERROR_CODES = {400: "InvalidParameterValue", 403: "AccessDenied", 404: "NotFound",
                       500: "InternalFailure", 503: "ServiceUnavailable"}
ERROR_MESSAGES = {
    "InternalFailure": "The request processing has failed because of an unknown error, "
                       "exception or failure.",
    "ServiceUnavailable": "The request has failed due to a temporary failure of the server.",
    "ExpiredToken": EXPIRED_TOKEN_MSG,
    "AccessDenied": "User is not authorized to perform this action.",
    "InvalidClientTokenId": INVALID_TOKEN_MSG,
    "SignatureDoesNotMatch": MISMATCH_MSG,
    "Throttling": "Rate exceeded",
}


def identity_presets(base: dict) -> dict:
    """Named §8 E 25 identities, derived from the default (assumed-role) identity."""
    acct = base["Account"]
    other = "210987654321" if acct != "210987654321" else "123456789012"
    m = re.match(r"^arn:[^:]*:sts::[0-9]{12}:assumed-role/([^/]+)/([^/]+)$", base["Arn"])
    role, sess = (m.group(1), m.group(2)) if m else ("tf-publisher", "ci-session")
    rid = base["UserId"].split(":", 1)[0] if ":" in base["UserId"] else "AROAEXAMPLEID1234567"
    ar = f"arn:aws:sts::{acct}:assumed-role"
    uid = f"{rid}:{sess}"
    return {
        "account-mismatch": {"Arn": f"{ar}/{role}/{sess}", "UserId": uid, "Account": other},
        "other-partition": {"Arn": f"arn:aws-cn:sts::{acct}:assumed-role/{role}/{sess}",
                            "UserId": uid, "Account": acct},
        "root": {"Arn": f"arn:aws:iam::{acct}:root", "UserId": acct, "Account": acct},
        "federated-user": {"Arn": f"arn:aws:sts::{acct}:federated-user/Bob",
                           "UserId": f"{acct}:Bob", "Account": acct},
        "user": {"Arn": f"arn:aws:iam::{acct}:user/ci-bot", "UserId": "AIDAEXAMPLEUSERID0001",
                 "Account": acct},
        "assumed-role-2": {"Arn": f"{ar}/{role}", "UserId": uid, "Account": acct},
        "assumed-role-4": {"Arn": f"{ar}/platform/{role}/{sess}", "UserId": uid,
                           "Account": acct},
        "assumed-role-5": {"Arn": f"{ar}/Org/Team/Admin/{sess}", "UserId": uid,
                           "Account": acct},
        "instance-profile": {"Arn": f"arn:aws:iam::{acct}:instance-profile/{role}",
                             "UserId": "AIPAEXAMPLEPROFILE001", "Account": acct},
        "group": {"Arn": f"arn:aws:iam::{acct}:group/{role}", "UserId": "AGPAEXAMPLEGROUP0001",
                  "Account": acct},
        "role-arn": {"Arn": f"arn:aws:iam::{acct}:role/{role}", "UserId": rid, "Account": acct},
        "upper-arn": {"Arn": f"ARN:aws:sts::{acct}:assumed-role/{role}/{sess}", "UserId": uid,
                      "Account": acct},
        "region-set": {"Arn": f"arn:aws:sts:us-east-1:{acct}:assumed-role/{role}/{sess}",
                       "UserId": uid, "Account": acct},
        "seven-fields": {"Arn": f"{ar}/{role}/{sess}:extra", "UserId": uid, "Account": acct},
        "star-name": {"Arn": f"{ar}/tf-*/{sess}", "UserId": uid, "Account": acct},
        "space-name": {"Arn": f"{ar}/tf publisher/{sess}", "UserId": uid, "Account": acct},
        "pct-name": {"Arn": f"{ar}/tf%2Fpublisher/{sess}", "UserId": uid, "Account": acct},
        "role-case": {"Arn": f"{ar}/{role.upper()}/{sess}", "UserId": uid, "Account": acct},
        "userid-no-colon": {"Arn": f"{ar}/{role}/{sess}", "UserId": rid, "Account": acct},
        "userid-not-aroa": {"Arn": f"{ar}/{role}/{sess}", "UserId": f"AIDAEXAMPLEID1234567:{sess}",
                            "Account": acct},
        "account-short": {"Arn": f"arn:aws:sts::{acct[:11]}:assumed-role/{role}/{sess}",
                          "UserId": uid, "Account": acct[:11]},
        "missing-arn": {"UserId": uid, "Account": acct},
        "missing-userid": {"Arn": f"{ar}/{role}/{sess}", "Account": acct},
        "missing-account": {"Arn": f"{ar}/{role}/{sess}", "UserId": uid},
        "account-number": {"Arn": f"{ar}/{role}/{sess}", "UserId": uid, "Account": int(acct)},
        "long-arn": {"Arn": f"{ar}/{role}/" + "s" * 2100, "UserId": uid, "Account": acct},
        "control-char": {"Arn": f"{ar}/{role}/{sess}\n", "UserId": uid, "Account": acct},
    }


def validate_mode(doc, default_identity) -> tuple[dict | None, int | None]:
    """Validate a control document; return (mode dict or None, count or None)."""
    if isinstance(doc, str):
        doc = {"mode": doc}
    if not isinstance(doc, dict):
        raise ValueError("control body must be a JSON object")
    unknown = set(doc) - MODE_KEYS - {"clock_offset"}
    if unknown:
        raise ValueError(f"unknown keys: {sorted(unknown)}")
    name = doc.get("mode")
    if name in (None, "none", "normal"):
        return None, None
    if name not in MODES:
        raise ValueError(f"unknown mode {name!r}; modes: {', '.join(MODES)}")
    count = doc.get("count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool)
                              or count < 0 or count > 1_000_000):
        raise ValueError("count must be an integer >= 0 (0 or absent: until reset)")
    mode = {k: v for k, v in doc.items() if k not in ("count", "clock_offset")}
    st = mode.get("status")
    if st is not None and (not isinstance(st, int) or isinstance(st, bool) or not 100 <= st <= 599):
        raise ValueError("status must be an integer 100..599")
    for k in ("code", "message", "location", "garbage", "preset"):
        if k in mode and not isinstance(mode[k], str):
            raise ValueError(f"{k} must be a string")
    if "content_type" in mode and mode["content_type"] is not None \
            and not isinstance(mode["content_type"], str):
        raise ValueError("content_type must be a string or null (null: no header)")
    for k in ("code", "message", "location", "content_type"):
        v = mode.get(k)
        if isinstance(v, str) and any(ord(ch) < 0x20 or ord(ch) > 0x7e for ch in v):
            raise ValueError(f"{k} must be printable ASCII")
    sec = mode.get("seconds")
    if sec is not None and (not isinstance(sec, (int, float)) or isinstance(sec, bool)
                            or not 0 <= sec <= 300):
        raise ValueError("seconds must be a number 0..300")
    if name == "redirect" and mode.get("status", 302) not in (301, 302, 303, 307, 308):
        raise ValueError("redirect status must be 301, 302, 303, 307 or 308")
    if name == "status" and "status" not in mode:
        raise ValueError("mode 'status' needs \"status\"")
    if name == "identity":
        preset = mode.get("preset")
        presets = identity_presets(default_identity)
        if preset is not None and preset not in presets:
            raise ValueError(f"unknown preset {preset!r}; presets: {', '.join(presets)}")
        if preset is None and not ({"Arn", "UserId", "Account"} & set(mode)):
            raise ValueError("mode 'identity' needs a preset or Arn/UserId/Account")
    return mode, (count or None)


def resolve_identity(mode: dict, default_identity: dict) -> dict:
    """Preset (or the default identity), then explicit Arn/UserId/Account verbatim."""
    ident = dict(identity_presets(default_identity)[mode["preset"]]) if mode.get("preset") \
        else dict(default_identity)
    for k in ("Arn", "UserId", "Account"):
        if k in mode:
            ident[k] = mode[k]
    return ident


# ---------------------------------------------------------------------------
# Response bodies
# ---------------------------------------------------------------------------

def _x(v) -> str:
    return _xml_escape("" if v is None else str(v))


def _j(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


def gci_result(identity: dict) -> dict:
    res = {k: identity[k] for k in ("Account", "Arn", "UserId") if k in identity}
    res.update({k: v for k, v in identity.items() if k not in res})
    return res


def gci_json(identity: dict, rid: str) -> bytes:
    return _j({"GetCallerIdentityResponse": {"GetCallerIdentityResult": gci_result(identity),
                                             "ResponseMetadata": {"RequestId": rid}}})


def gci_xml(identity: dict, rid: str) -> bytes:
    inner = "".join(f"    <{k}>{_x(identity[k])}</{k}>\n"
                    for k in ("Arn", "UserId", "Account") if k in identity)
    return (f'<GetCallerIdentityResponse xmlns="{STS_NS}">\n'
            f"  <GetCallerIdentityResult>\n{inner}  </GetCallerIdentityResult>\n"
            f"  <ResponseMetadata>\n    <RequestId>{rid}</RequestId>\n  </ResponseMetadata>\n"
            f"</GetCallerIdentityResponse>\n").encode("utf-8")


def error_body(want_json: bool, status: int, code: str, message: str, rid: str):
    typ = "Receiver" if status >= 500 else "Sender"
    if want_json:
        return _j({"Error": {"Code": code, "Message": message, "Type": typ},
                   "RequestId": rid}), "application/json"
    return (f'<ErrorResponse xmlns="{STS_NS}">\n'
            f"  <Error>\n    <Type>{typ}</Type>\n    <Code>{_x(code)}</Code>\n"
            f"    <Message>{_x(message)}</Message>\n  </Error>\n"
            f"  <RequestId>{rid}</RequestId>\n</ErrorResponse>\n").encode("utf-8"), "text/xml"


def iso8601(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def assume_body(action: str, want_json: bool, cred: dict, extra: dict, rid: str):
    ident = cred["identity"]
    arn, role_id = ident["Arn"], ident["UserId"]
    if want_json:
        result = {"AssumedRoleUser": {"Arn": arn, "AssumedRoleId": role_id},
                  "Credentials": {"AccessKeyId": cred["access_key_id"],
                                  "Expiration": float(int(cred["expires_at"])),
                                  "SecretAccessKey": cred["secret_access_key"],
                                  "SessionToken": cred["session_token"]},
                  "PackedPolicySize": None, "SourceIdentity": None}
        result.update(extra)
        return _j({f"{action}Response": {f"{action}Result": result,
                                         "ResponseMetadata": {"RequestId": rid}}}), \
            "application/json"
    extra_xml = "".join(f"    <{k}>{_x(v)}</{k}>\n" for k, v in extra.items() if v is not None)
    body = (f'<{action}Response xmlns="{STS_NS}">\n  <{action}Result>\n{extra_xml}'
            f"    <Credentials>\n"
            f"      <AccessKeyId>{cred['access_key_id']}</AccessKeyId>\n"
            f"      <SecretAccessKey>{_x(cred['secret_access_key'])}</SecretAccessKey>\n"
            f"      <SessionToken>{_x(cred['session_token'])}</SessionToken>\n"
            f"      <Expiration>{iso8601(cred['expires_at'])}</Expiration>\n"
            f"    </Credentials>\n"
            f"    <AssumedRoleUser>\n      <AssumedRoleId>{_x(role_id)}</AssumedRoleId>\n"
            f"      <Arn>{_x(arn)}</Arn>\n    </AssumedRoleUser>\n"
            f"  </{action}Result>\n"
            f"  <ResponseMetadata>\n    <RequestId>{rid}</RequestId>\n  </ResponseMetadata>\n"
            f"</{action}Response>\n")
    return body.encode("utf-8"), "text/xml"


def mint_credentials(role: dict, session: str, duration: int, now: float) -> dict:
    akid = "ASIA" + "".join(secrets.choice(_B32) for _ in range(16))
    secret = base64.b64encode(secrets.token_bytes(30)).decode()
    token = "IQoJb3JpZ2luX2VjE" + base64.b64encode(secrets.token_bytes(120)).decode()
    return {
        "access_key_id": akid, "secret_access_key": secret, "session_token": token,
        "expires_at": now + duration, "expired": False, "minted": True,
        "identity": {
            "Arn": f"arn:{role['partition']}:sts::{role['account']}:assumed-role/"
                   f"{role['name']}/{session}",
            "UserId": f"{role['role_id']}:{session}",
            "Account": role["account"],
        },
    }


def _jwt_claims(token: str) -> dict:
    try:
        seg = token.split(".")[1]
        seg += "=" * (-len(seg) % 4)
        claims = json.loads(base64.urlsafe_b64decode(seg))
        return claims if isinstance(claims, dict) else {}
    except (IndexError, ValueError):
        return {}


# ---------------------------------------------------------------------------
# HTTP handler
# ---------------------------------------------------------------------------

class StsError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _cap(s: str) -> str:
    return s if len(s) <= MAX_LOG_VALUE else s[:MAX_LOG_VALUE] + "...(truncated)"


_AUTHZ_LOG_RE = re.compile(r"^(AWS4-HMAC-SHA256 Credential=[A-Za-z0-9/_.-]{1,200}, ?"
                           r"SignedHeaders=[a-z0-9;_.-]{1,500}, ?Signature=)[^,\s]*$")


def redact_header(name: str, value: str) -> str:
    if name.lower() == "authorization":
        # Keep only a well-formed SigV4 value, without its signature.
        m = _AUTHZ_LOG_RE.match(value.strip())
        return m.group(1) + REDACTED if m else REDACTED
    if is_secret_name(name):
        return REDACTED
    return _cap(value)


def redact_pairs(raw: bytes, plus_is_space=False) -> list:
    """Query/form pairs for the log; never fails, never shows secret values."""
    out = []
    for piece in raw.split(b"&") if raw else []:
        if not piece:
            continue
        name, eq, value = piece.partition(b"=")
        try:
            if plus_is_space:
                name, value = name.replace(b"+", b" "), value.replace(b"+", b" ")
            dn = pct_decode(name).decode("utf-8", "replace")
            dv = pct_decode(value).decode("utf-8", "replace")
        except ValueError:
            dn, dv = name.decode("latin-1"), value.decode("latin-1")
        if is_secret_name(dn) or is_secret_name(name.decode("latin-1")):
            dv = REDACTED
        out.append([_cap(dn), _cap(dv)] if eq else [_cap(dn)])
    return out


def accepts_json(values) -> bool:
    for v in values:
        for part in v.split(","):
            if part.split(";", 1)[0].strip().lower() == "application/json":
                return True
    return False


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sts-standin/1"
    sys_version = ""
    timeout = IDLE_TIMEOUT

    # --- connection setup: TLS handshake in the connection's own thread ----
    def setup(self):
        self.request.settimeout(HANDSHAKE_TIMEOUT)
        self.request.do_handshake()
        super().setup()

    def version_string(self):
        return self.server_version

    # The default access log prints the request line (signature, token): never.
    def log_message(self, format, *args):  # noqa: A002
        pass

    def parse_request(self):
        ok = super().parse_request()
        if not ok:
            self._log_malformed()
        return ok

    def _log_malformed(self):
        # The request line is not logged: it may hold a signature or token.
        entry = {"time": _now_iso(), "client": self.client_address[0],
                 "method": None, "path": None, "query": None, "headers": None,
                 "action": None, "auth": None, "verify": None, "akid": None,
                 "request_id": None, "error": "malformed request",
                 "status": getattr(self, "malformed_status", None)}
        self.server.state.count(entry)
        self.server.logger.write(entry)

    def send_error(self, code, message=None, explain=None):
        """http.server's own errors (bad request line, headers, method): an STS-style
        XML error that never echoes the request line (it may hold secrets)."""
        self.malformed_status = code
        self.close_connection = True
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.1"
        try:
            phrase = http.HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        rid = str(uuid.uuid4())
        body, ctype = error_body(False, code, "InvalidRequest" if code < 500 else
                                 "NotImplemented" if code == 501 else "InternalFailure",
                                 phrase, rid)
        self.send_response(code, phrase)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", rid)
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _dispatch(self):
        st: State = self.server.state
        self.rid = str(uuid.uuid4())
        self.responded = False
        self.entry = None
        raw = self.path.encode("latin-1", "replace")
        raw_path, _, raw_query = raw.partition(b"?")
        if raw_path.startswith(b"/__"):
            return self._control(raw_path.decode("latin-1"))
        t0 = time.monotonic()
        self.entry = {
            "time": _now_iso(), "client": self.client_address[0], "method": self.command,
            "path": _cap(raw_path.decode("latin-1")), "query": redact_pairs(raw_query),
            "headers": [[_cap(n), redact_header(n, v)] for n, v in self.headers.items()],
            "action": None, "auth": None, "verify": None, "akid": None,
            "request_id": self.rid,
        }
        try:
            self._sts(raw_path, raw_query)
        except (ConnectionError, TimeoutError, socket.timeout, ssl.SSLError) as e:
            self.close_connection = True
            self.entry["exception"] = type(e).__name__
        except Exception as e:  # a bad request must never kill the server
            self.entry["exception"] = type(e).__name__
            self.close_connection = True
            if not self.responded:
                try:
                    self._error(500, "InternalFailure", "stand-in internal error")
                except Exception:
                    pass
            print(f"sts-standin: internal error handling request: {type(e).__name__}",
                  file=sys.stderr, flush=True)
        finally:
            self.entry["duration_ms"] = int((time.monotonic() - t0) * 1000)
            st.count(self.entry)
            self.server.logger.write(self.entry)

    def handle_one_request(self):
        """Like http.server's, but every method goes to _dispatch (logged, 405 there)."""
        self.malformed_status = None
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline, self.request_version, self.command = "", "", ""
                self.send_error(414)
                self._log_malformed()
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self._dispatch()
            self.wfile.flush()
        except (TimeoutError, socket.timeout):
            self.close_connection = True

    # --- low-level responses -------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str | None, headers=(),
              content_length: int | None = None):
        self.send_response(status)
        if ctype is not None:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if content_length is None
                                               else content_length))
        self.send_header("x-amzn-RequestId", self.rid)
        for k, v in headers:
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.responded = True
        if self.entry is not None:
            self.entry["status"] = status
        if self.command != "HEAD" and body:
            self.wfile.write(body)
        self.wfile.flush()

    def _error(self, status, code, message, want_json=None):
        if want_json is None:
            want_json = accepts_json(self.headers.get_all("Accept") or [])
        body, ctype = error_body(want_json, status, code, message, self.rid)
        if self.entry is not None:
            self.entry["error"] = code
        self._send(status, body, ctype)

    def _json(self, status, obj):
        self._send(status, json.dumps(obj, indent=None).encode() + b"\n", "application/json")

    def _read_body(self, limit: int) -> bytes:
        if self.headers.get_all("Transfer-Encoding"):
            self.close_connection = True
            raise StsError(411, "MissingContentLength",
                           "Transfer-Encoding is not supported; send Content-Length")
        cls = self.headers.get_all("Content-Length") or []
        if not cls:
            return b""
        if len(cls) != 1 or not cls[0].strip().isdigit() or len(cls[0].strip()) > 12:
            self.close_connection = True
            raise StsError(400, "InvalidRequest", "Invalid Content-Length")
        n = int(cls[0].strip())
        if n > limit:
            self.close_connection = True
            raise StsError(413, "RequestEntityTooLarge",
                           f"Request body of {n} bytes exceeds the {limit} byte limit")
        data = self.rfile.read(n)
        if len(data) != n:
            self.close_connection = True
            raise ConnectionError("short body")
        return data

    # --- control API ---------------------------------------------------------
    def _control(self, path: str):
        st: State = self.server.state
        ip = self.client_address[0]
        try:
            loop = ipaddress.ip_address(ip.split("%", 1)[0]).is_loopback
        except ValueError:
            loop = False
        try:
            if not loop or ip not in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
                return self._json(403, {"error": "control API is loopback-only"})
            body = self._read_body(MAX_CONTROL_BODY)
            if path == "/__health" and self.command == "GET":
                return self._json(200, {"ok": True})
            if path == "/__requests" and self.command == "GET":
                return self._json(200, st.requests())
            if path == "/__control" and self.command == "GET":
                return self._json(200, dict(st.snapshot(), modes=list(MODES),
                                            presets=sorted(identity_presets(
                                                st.default_identity))))
            if path == "/__reset" and self.command == "POST":
                st.reset()
                return self._json(200, {"ok": True})
            if path == "/__control" and self.command == "POST":
                try:
                    doc = json.loads(body.decode("utf-8"))
                    if isinstance(doc, dict) and "clock_offset" in doc:
                        off = doc["clock_offset"]
                        if not isinstance(off, (int, float)) or isinstance(off, bool) \
                                or abs(off) > 10 * 365 * 86400:
                            raise ValueError("clock_offset must be a number of seconds")
                    mode, count = validate_mode(doc, st.default_identity)
                except (ValueError, UnicodeDecodeError) as e:
                    return self._json(400, {"error": str(e)})
                if isinstance(doc, dict) and "clock_offset" in doc:
                    with st.lock:
                        st.clock_offset = float(doc["clock_offset"])
                if not (isinstance(doc, dict) and set(doc) == {"clock_offset"}):
                    st.set_mode(mode, count)
                print(f"sts-standin: control: mode={mode['mode'] if mode else None} "
                      f"count={count}", file=sys.stderr, flush=True)
                return self._json(200, dict(st.snapshot(), ok=True))
            return self._json(404, {"error": "unknown control endpoint",
                                    "endpoints": ["GET /__health", "GET /__requests",
                                                  "GET /__control", "POST /__control",
                                                  "POST /__reset"]})
        except StsError as e:
            return self._json(e.status, {"error": e.message})

    # --- STS -----------------------------------------------------------------
    def _sts(self, raw_path: bytes, raw_query: bytes):
        st: State = self.server.state
        want_json = accepts_json(self.headers.get_all("Accept") or [])
        try:
            body = self._read_body(MAX_BODY)
            if raw_path != b"/":
                raise StsError(404, "NotFound", "The stand-in serves STS on path / only")
            if self.command not in ("GET", "POST"):
                raise StsError(405, "MethodNotAllowed", f"Method {self.command} not allowed")
            try:
                qpairs = parse_query(raw_query)
            except ValueError:
                raise StsError(400, "MalformedQueryString", "Bad percent-encoding in query")
            form = []
            ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
            if self.command == "POST" and ctype == "application/x-www-form-urlencoded":
                self.entry["params"] = redact_pairs(body, plus_is_space=True)
                try:
                    form = parse_form(body)
                except ValueError:
                    raise StsError(400, "MalformedQueryString", "Bad percent-encoding in body")
            params: dict[str, str] = {}
            for k, v in [p for p in qpairs if not p[0].startswith(b"X-Amz-")] + form:
                try:
                    ks, vs = k.decode("utf-8"), v.decode("utf-8")
                except UnicodeDecodeError:
                    raise StsError(400, "MalformedQueryString", "Parameters must be UTF-8")
                if ks in params:
                    raise StsError(400, "MalformedQueryString", f"Duplicate parameter {ks[:64]}")
                params[ks] = vs
            action = params.get("Action")
            self.entry["action"] = _cap(action) if action is not None else None
            req = SigReq(self.command, raw_path, raw_query, list(self.headers.items()), body,
                         qpairs)
            try:
                self.entry["auth"] = auth_form(req)
            except AuthError:
                self.entry["auth"] = "ambiguous"

            if action == "AssumeRoleWithWebIdentity":
                self.entry["verify"] = "skipped"
                return self._web_identity(params, want_json)

            auth_err = None
            caller = None
            try:
                opts = VerifyOpts(now=st.now(), presign_required=("host", st.audience_header))
                auth, caller = verify(req, st.lookup, opts)
                self.entry["akid"] = auth.akid
                self.entry["verify"] = "ok"
                self.entry["identity"] = _cap(str(caller["identity"].get("Arn")))
            except AuthError as e:
                auth_err = e
                self.entry["verify"] = e.code
                self.entry["verify_message"] = e.message
                try:
                    a = extract_auth(req)
                    self.entry["akid"] = _cap(a.akid)
                    if e.code == "SignatureDoesNotMatch":
                        self.entry["canonical_request_redacted"] = _cap(
                            build_canonical(req, a, redact=True))
                except AuthError:
                    pass

            if action == "GetCallerIdentity":
                mode = st.take_mode()
                if mode is not None:
                    self.entry["mode"] = mode["mode"]
                    ident = caller["identity"] if caller else st.default_identity
                    return self._misbehave(mode, ident, want_json)
            if auth_err is not None:
                raise StsError(auth_err.status, auth_err.code, auth_err.message)
            version = params.get("Version")
            if action is None:
                raise StsError(400, "MissingAction", "Missing Action")
            if action not in ("GetCallerIdentity", "AssumeRole") or version != API_VERSION:
                raise StsError(400, "InvalidAction",
                               f"Could not find operation {action[:64]} for version "
                               f"{(version or '')[:32]}")
            if action == "GetCallerIdentity":
                ident = caller["identity"]
                if want_json:
                    return self._send(200, gci_json(ident, self.rid), "application/json")
                return self._send(200, gci_xml(ident, self.rid), "text/xml")
            return self._assume_role(params, caller, want_json)
        except StsError as e:
            self._error(e.status, e.code, e.message, want_json)

    def _duration(self, params, role) -> int:
        raw = params.get("DurationSeconds", "3600")
        if not raw.isdigit() or len(raw) > 6 or not 900 <= int(raw) <= 43200:
            raise StsError(400, "ValidationError",
                           "1 validation error detected: Value at 'durationSeconds' failed to "
                           "satisfy constraint: Member must have value between 900 and 43200")
        if int(raw) > role["max_session_duration"]:
            raise StsError(400, "ValidationError", "The requested DurationSeconds exceeds the "
                           "MaxSessionDuration set for this role.")
        return int(raw)

    def _common_role_params(self, params):
        for p in ("RoleArn", "RoleSessionName"):
            if p not in params:
                raise StsError(400, "ValidationError",
                               f"1 validation error detected: Value null at "
                               f"'{p[0].lower() + p[1:]}' failed to satisfy constraint: "
                               f"Member must not be null")
        if not _SESSION_RE.match(params["RoleSessionName"]):
            raise StsError(400, "ValidationError",
                           "1 validation error detected: Value at 'roleSessionName' failed to "
                           "satisfy constraint: Member must satisfy regular expression pattern:"
                           " [\\w+=,.@-]*, length 2..64")
        if not 20 <= len(params["RoleArn"]) <= 2048:
            raise StsError(400, "ValidationError", "1 validation error detected: Value at "
                           "'roleArn' failed to satisfy constraint: length 20..2048")
        return params["RoleArn"], params["RoleSessionName"]

    def _assume_role(self, params, caller, want_json):
        st: State = self.server.state
        role_arn, session = self._common_role_params(params)
        caller_arn = caller["identity"]["Arn"]
        denied = StsError(403, "AccessDenied",
                          f"User: {caller_arn} is not authorized to perform: sts:AssumeRole "
                          f"on resource: {role_arn[:256]}")
        role = st.roles.get(role_arn)
        self.entry["role"] = _cap(role_arn)
        if role is None:
            raise denied
        principals = role["assume_role_principals"]
        if principals is not None and "*" not in principals and caller_arn not in principals:
            raise denied
        ext = params.get("ExternalId")
        if ext is not None and not _EXTERNAL_ID_RE.match(ext):
            raise StsError(400, "ValidationError", "1 validation error detected: Value at "
                           "'externalId' failed to satisfy constraint")
        want_ext = role["external_id"]
        if want_ext is not None and (ext is None or not hmac.compare_digest(
                ext.encode(), want_ext.encode())):
            self.entry["external_id_ok"] = False
            raise denied
        duration = self._duration(params, role)
        cred = mint_credentials(role, session, duration, st.now())
        st.add_minted(cred)
        self.entry["minted_akid"] = cred["access_key_id"]
        body, ctype = assume_body("AssumeRole", want_json, cred, {}, self.rid)
        self._send(200, body, ctype)

    def _web_identity(self, params, want_json):
        st: State = self.server.state
        if params.get("Version") != API_VERSION:
            raise StsError(400, "InvalidAction",
                           f"Could not find operation AssumeRoleWithWebIdentity for version "
                           f"{params.get('Version', '')[:32]}")
        role_arn, session = self._common_role_params(params)
        token = params.get("WebIdentityToken")
        if token is None or not 4 <= len(token) <= 20000:
            raise StsError(400, "ValidationError", "1 validation error detected: Value at "
                           "'webIdentityToken' failed to satisfy constraint: length 4..20000")
        role = st.roles.get(role_arn)
        self.entry["role"] = _cap(role_arn)
        if role is None or not role["web_identity_tokens"]:
            raise StsError(403, "AccessDenied",
                           "Not authorized to perform sts:AssumeRoleWithWebIdentity")
        match = None
        for t in role["web_identity_tokens"]:
            if hmac.compare_digest(t["token"].encode(), token.encode()):
                match = t
        if match is None:
            raise StsError(400, "InvalidIdentityToken",
                           "The web identity token is not valid for this role")
        if match["expired"]:
            raise StsError(400, "ExpiredTokenException", "Token expired")
        duration = self._duration(params, role)
        cred = mint_credentials(role, session, duration, st.now())
        st.add_minted(cred)
        self.entry["minted_akid"] = cred["access_key_id"]
        claims = _jwt_claims(token)
        aud = claims.get("aud")
        extra = {"SubjectFromWebIdentityToken": match["subject"] or claims.get("sub") or "unknown",
                 "Audience": match["audience"] or (aud if isinstance(aud, str) else None)
                 or "sts.amazonaws.com",
                 "Provider": match["provider"] or claims.get("iss") or "standin.example"}
        body, ctype = assume_body("AssumeRoleWithWebIdentity", want_json, cred, extra, self.rid)
        self._send(200, body, ctype)

    # --- misbehaviour --------------------------------------------------------
    def _misbehave(self, mode: dict, ident: dict, want_json: bool):
        st: State = self.server.state
        name, rid = mode["mode"], self.rid
        ok_ctype = mode.get("content_type", "application/json")
        good = gci_json(ident, rid)
        acct = json.dumps(ident.get("Account"))
        arn = json.dumps(ident.get("Arn"))
        uid = json.dumps(ident.get("UserId"))
        evil = json.dumps(f"arn:aws:sts::{ident.get('Account')}:assumed-role/Admin/evil-session")
        meta = '"ResponseMetadata":{"RequestId":"%s"}' % rid

        def res(arn_json):
            return '{"Account":%s,"Arn":%s,"UserId":%s}' % (acct, arn_json, uid)

        if name == "redirect":
            return self._send(mode.get("status", 302), good, "application/json",
                              [("Location", mode.get("location", "http://evil.example/"))])
        if name == "content-type":
            return self._send(200, good, mode.get("content_type"))
        if name == "dup-keys":
            body = ('{"GetCallerIdentityResponse":{"GetCallerIdentityResult":'
                    '{"Account":%s,"Arn":%s,"Arn":%s,"UserId":%s},%s}}'
                    % (acct, arn, evil, uid, meta))
            return self._send(200, body.encode(), ok_ctype)
        if name == "extra-top":
            body = ('{"AssumeRoleWithWebIdentityResponse":{"AssumeRoleWithWebIdentityResult":'
                    '{"AssumedRoleUser":{"Arn":%s,"AssumedRoleId":"AROAEVILEXAMPLE00001:evil"}}'
                    ',%s},"GetCallerIdentityResponse":{"GetCallerIdentityResult":%s,%s}}'
                    % (evil, meta, res(arn), meta))
            return self._send(200, body.encode(), ok_ctype)
        if name == "nested":
            body = ('{"GetCallerIdentityResponse":{"GetCallerIdentityResult":'
                    '{"GetCallerIdentityResult":%s},%s}}' % (res(arn), meta))
            return self._send(200, body.encode(), ok_ctype)
        if name in ("arn-number", "arn-null", "arn-empty"):
            val = {"arn-number": "123456789012", "arn-null": "null", "arn-empty": '""'}[name]
            body = '{"GetCallerIdentityResponse":{"GetCallerIdentityResult":%s,%s}}' % (
                res(val), meta)
            return self._send(200, body.encode(), ok_ctype)
        if name == "trailing-garbage":
            garbage = mode.get("garbage")
            if garbage is None:
                garbage = ('\n{"GetCallerIdentityResponse":{"GetCallerIdentityResult":%s,%s}}'
                           % (res(evil), meta))
            return self._send(200, good + garbage.encode(), ok_ctype)
        if name == "json-string-xml":
            body = json.dumps(gci_xml(ident, rid).decode()).encode()
            return self._send(200, body, ok_ctype)
        if name == "oversize":
            head = ('{"GetCallerIdentityResponse":{"GetCallerIdentityResult":%s,'
                    '"ResponseMetadata":{"RequestId":"%s","Padding":"' % (res(arn), rid))
            tail = '"}}}'
            pad = OVERSIZE_BYTES - len(head) - len(tail)
            body = (head + "x" * max(pad, 0) + tail).encode()
            return self._send(200, body, ok_ctype)
        if name == "hang":
            seconds = float(mode.get("seconds", 30))
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(good)))
            self.send_header("x-amzn-RequestId", rid)
            self.end_headers()
            self.responded = True
            self.entry["status"] = 200
            self.wfile.write(good[:len(good) // 2])
            self.wfile.flush()
            st.stop.wait(seconds)
            return None
        if name == "drop":
            self.close_connection = True
            self.responded = True
            self.entry["status"] = None
            return None
        if name == "delay":
            st.stop.wait(float(mode.get("seconds", 3)))
            return self._send(200, good if want_json else gci_xml(ident, rid),
                              "application/json" if want_json else "text/xml")
        if name == "throttle":
            return self._error(400, "Throttling", mode.get("message", "Rate exceeded"),
                               want_json)
        if name == "status":
            status = mode["status"]
            code = mode.get("code") or DEFAULT_ERROR_CODES.get(status, "InternalFailure")
            msg = mode.get("message") or ERROR_MESSAGES.get(code, code)
            return self._error(status, code, msg, want_json)
        if name == "identity":
            fake = resolve_identity(mode, st.default_identity)
            if want_json:
                return self._send(200, gci_json(fake, rid), ok_ctype)
            return self._send(200, gci_xml(fake, rid), "text/xml")
        raise StsError(500, "InternalFailure", "unknown mode")


def _now_iso() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int(t % 1 * 1000)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, ctx, state, logger, verbose=False):
        self.ssl_ctx, self.state, self.logger, self.verbose = ctx, state, logger, verbose
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        family = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        self.address_family = family
        super().__init__(addr, Handler)

    def server_bind(self):
        # HTTPServer.server_bind would call socket.getfqdn(): no DNS look-ups here.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def get_request(self):
        sock, addr = self.socket.accept()
        return self.ssl_ctx.wrap_socket(sock, server_side=True,
                                        do_handshake_on_connect=False), addr

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ssl.SSLError, ConnectionError, TimeoutError, socket.timeout, OSError)):
            if self.verbose:
                print(f"sts-standin: connection closed: {type(exc).__name__}",
                      file=sys.stderr, flush=True)
            return
        print(f"sts-standin: connection error: {type(exc).__name__}", file=sys.stderr,
              flush=True)


def _write_atomic(path: str, text: str):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write(text)
    os.replace(tmp, path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Loopback STS stand-in (HTTPS, SigV4-verifying).")
    ap.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=0, help="TCP port (0: pick a free one)")
    ap.add_argument("--port-file", help="write the bound port here once listening")
    ap.add_argument("--pid-file", help="write the process id here")
    ap.add_argument("--cert", help="server certificate (PEM)")
    ap.add_argument("--key", help="server private key (PEM)")
    ap.add_argument("--keys", help="test identities (JSON, see keys.json)")
    ap.add_argument("--log", help="append one JSON line per request here")
    ap.add_argument("--mode", help="initial misbehaviour: a mode name or a /__control JSON document")
    ap.add_argument("--audience-header", default="x-k8s-aws-id",
                    help="header a presigned request must sign besides host ('' to not require)")
    ap.add_argument("--verbose", action="store_true", help="report closed connections on stderr")
    ap.add_argument("--check-vectors", metavar="DIR",
                    help="verify the AWS SigV4 test suite in DIR and exit (no server)")
    args = ap.parse_args(argv)

    if args.check_vectors:
        return check_vectors(args.check_vectors)
    for req in ("cert", "key", "keys"):
        if not getattr(args, req):
            ap.error(f"--{req} is required")
    try:
        if not ipaddress.ip_address(args.host).is_loopback:
            ap.error("--host must be a loopback address")
    except ValueError:
        ap.error("--host must be a loopback IP address")
    if not 0 <= args.port <= 65535:
        ap.error("bad --port")
    try:
        creds, roles, default_ident = load_keys(args.keys)
    except (OSError, ValueError, ConfigError) as e:
        print(f"sts-standin: keys file: {e}", file=sys.stderr)
        return 2
    state = State(creds, roles, default_ident, args.audience_header.lower())
    if args.mode:
        try:
            doc = json.loads(args.mode) if args.mode.lstrip().startswith("{") else args.mode
            mode, count = validate_mode(doc, default_ident)
            state.set_mode(mode, count)
            if isinstance(doc, dict) and "clock_offset" in doc:
                state.clock_offset = float(doc["clock_offset"])
        except ValueError as e:
            print(f"sts-standin: --mode: {e}", file=sys.stderr)
            return 2

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(args.cert, args.key)
    except (OSError, ssl.SSLError) as e:
        print(f"sts-standin: cannot load certificate/key: {type(e).__name__}", file=sys.stderr)
        return 2
    logger = Logger(args.log)
    try:
        server = Server((args.host, args.port), ctx, state, logger, args.verbose)
    except OSError as e:
        print(f"sts-standin: cannot listen on {args.host}:{args.port}: {e.strerror}",
              file=sys.stderr)
        return 2
    port = server.server_address[1]

    stop = threading.Event()

    def _on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              daemon=True)
    thread.start()
    if args.pid_file:
        _write_atomic(args.pid_file, f"{os.getpid()}\n")
    if args.port_file:
        _write_atomic(args.port_file, f"{port}\n")
    print(f"sts-standin: listening on https://{args.host}:{port}/ (pid {os.getpid()})",
          file=sys.stderr, flush=True)
    while not stop.wait(0.5):
        if not thread.is_alive():
            break
    state.stop.set()
    server.shutdown()
    server.server_close()
    logger.close()
    for f in (args.port_file, args.pid_file):
        if f:
            try:
                os.unlink(f)
            except OSError:
                pass
    print("sts-standin: stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
