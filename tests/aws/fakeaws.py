#!/usr/bin/env python3
"""Stateful loopback stand-in for the AWS APIs honua-orchestrator uses.

One HTTP port on 127.0.0.1, routed by X-Amz-Target (ECR and Secrets
Manager, JSON 1.1) or by the form's Action (IAM and STS, query/XML; the
service is the one the request is signed for).  Python 3 stdlib only.

* SigV4 (Authorization-header form) is verified for real against the keys
  in --keys, the IAM access keys it minted and the credentials AssumeRole
  minted: unknown keys, bad signatures, skew > 15 min, a missing or wrong
  session token for ASIA keys are refused with AWS's error codes.
* State lives in memory, per account: ECR repositories (tags, lifecycle
  policy, images), IAM users (path, tags, inline and attached policies, at
  most 2 access keys with their last use), Secrets Manager secrets.
  GET /__state dumps it (secrets redacted).
* Pages are small (--page-size, default 2) for every paged call.
* Faults on request (POST /__faults): throttling, 5xx, dropped connections,
  quota errors, delayed visibility after a create, and "hang" before or
  after applying an action, so a test can SIGKILL the client mid-step.
* The orchestrator's own least-privilege policy is imitated: a mutation of
  an existing resource without the ManagedBy=honua-orchestrator tag, or a
  create without it, is AccessDenied (--no-tag-policy lifts this).
* A JSON-lines request log (--log) without secrets; each line says whether
  the request mutated state and whether its target carried ManagedBy.

Control endpoints (loopback only, not logged): GET /__state, GET
/__secrets (every secret value the fake knows, for the tests' leak grep),
POST /__faults, GET /__faults, POST /__release, POST /__reset,
POST /__seed, GET /__health.  See tests/aws/README.md.
"""

from __future__ import annotations

import argparse
import base64
import calendar
import hashlib
import hmac
import http.server
import json
import os
import re
import secrets
import signal
import socketserver
import sys
import threading
import time
import uuid
from urllib.parse import quote, unquote_to_bytes
from xml.sax.saxutils import escape as xesc

ALGO = "AWS4-HMAC-SHA256"
SKEW = 15 * 60
MANAGED_KEY = "ManagedBy"
MANAGED_VAL = "honua-orchestrator"
ECR_PREFIX = "AmazonEC2ContainerRegistry_V20150921."
SM_PREFIX = "secretsmanager."
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
MAX_BODY = 1 << 20
HANG_LIMIT = 300.0

IAM_STATUS = {
    "NoSuchEntity": 404, "EntityAlreadyExists": 409, "DeleteConflict": 409,
    "LimitExceeded": 409, "ConcurrentModification": 409,
    "MalformedPolicyDocument": 400, "InvalidInput": 400, "ServiceFailure": 500,
    "Throttling": 400, "AccessDenied": 403, "InvalidClientTokenId": 403,
    "SignatureDoesNotMatch": 403, "IncompleteSignature": 400,
    "MissingAuthenticationToken": 403, "InvalidAction": 400,
    "ServiceUnavailable": 503, "ExpiredToken": 403,
}


class ApiError(Exception):
    def __init__(self, code, message, status=None):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class Drop(Exception):
    """Close the connection without an answer."""


def now():
    return time.time()


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def rand_id(prefix, n=16):
    alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return prefix + "".join(secrets.choice(alpha) for _ in range(n))


# ---------------------------------------------------------------- SigV4 ----

_UNRES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def uenc(b: bytes) -> str:
    return "".join(chr(c) if c in _UNRES else "%%%02X" % c for c in b)


def parse_pairs(raw: bytes, form: bool):
    out = []
    if form:
        raw = raw.replace(b"+", b"%20")
    for piece in raw.split(b"&") if raw else []:
        if not piece:
            continue
        k, _, v = piece.partition(b"=")
        out.append((unquote_to_bytes(k), unquote_to_bytes(v)))
    return out


def canonical_uri(path: bytes) -> str:
    segs = []
    for s in path.split(b"/"):
        if s in (b"", b"."):
            continue
        if s == b"..":
            if segs:
                segs.pop()
            continue
        segs.append(unquote_to_bytes(s))
    p = "/" + "/".join(uenc(s) for s in segs)
    if segs and path.endswith(b"/"):
        p += "/"
    return p


def hmac256(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def verify_sigv4(method, raw_path, raw_query, headers, body, service, lookup,
                 clock):
    """headers: list of (lower name, value).  Returns (akid, entry, region)."""
    def hv(n):
        return [v for k, v in headers if k == n]

    auth = hv("authorization")
    if not auth:
        raise ApiError("MissingAuthenticationToken",
                       "Request is missing Authentication Token", 403)
    algo, _, rest = auth[0].strip().partition(" ")
    if algo != ALGO:
        raise ApiError("IncompleteSignature", "Unsupported algorithm", 400)
    comps = {}
    for part in rest.split(","):
        k, eq, v = part.strip().partition("=")
        if not eq:
            raise ApiError("IncompleteSignature", "Authorization header is malformed", 400)
        comps[k] = v
    try:
        cred, sh, sig = comps["Credential"], comps["SignedHeaders"], comps["Signature"]
        akid, date, region, svc, term = cred.split("/")
    except (KeyError, ValueError):
        raise ApiError("IncompleteSignature", "Authorization header is malformed", 400)
    dates = hv("x-amz-date")
    if len(dates) != 1:
        raise ApiError("IncompleteSignature", "X-Amz-Date is required", 400)
    amz = dates[0].strip()
    entry = lookup(akid)
    if entry is None:
        raise ApiError("InvalidClientTokenId",
                       "The security token included in the request is invalid.", 403)
    toks = hv("x-amz-security-token")
    want = entry.get("token")
    if want is None and toks:
        raise ApiError("InvalidClientTokenId",
                       "The security token included in the request is invalid.", 403)
    if want is not None and (not toks or not hmac.compare_digest(toks[0].encode(), want.encode())):
        raise ApiError("InvalidClientTokenId",
                       "The security token included in the request is invalid.", 403)
    if akid.startswith("ASIA") and want is None:
        raise ApiError("InvalidClientTokenId", "session credentials need a token", 403)
    if term != "aws4_request" or svc != service:
        raise ApiError("SignatureDoesNotMatch",
                       "Credential should be scoped to correct service: '%s'." % service, 403)
    if service == "iam" and region != "us-east-1":
        raise ApiError("SignatureDoesNotMatch",
                       "Credential should be scoped to a valid region.", 403)
    try:
        t = calendar.timegm(time.strptime(amz, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        raise ApiError("IncompleteSignature", "bad X-Amz-Date", 400)
    if date != amz[:8]:
        raise ApiError("SignatureDoesNotMatch", "Date in Credential scope does not match", 403)
    if abs(clock - t) > SKEW:
        raise ApiError("SignatureDoesNotMatch", "Signature expired: %s" % amz, 403)
    signed = sh.split(";")
    if "host" not in signed or "x-amz-date" not in signed:
        raise ApiError("SignatureDoesNotMatch", "host and x-amz-date must be signed", 403)
    if want is not None and "x-amz-security-token" not in signed:
        raise ApiError("SignatureDoesNotMatch", "the security token must be signed", 403)
    ch = ""
    for n in signed:
        vals = hv(n)
        if not vals:
            raise ApiError("SignatureDoesNotMatch", "signed header %s missing" % n, 403)
        ch += n + ":" + ",".join(re.sub(r"[ \t]+", " ", v.strip(" \t")) for v in vals) + "\n"
    q = parse_pairs(raw_query, False)
    cq = "&".join("%s=%s" % (a, b) for a, b in sorted((uenc(k), uenc(v)) for k, v in q))
    creq = "\n".join([method, canonical_uri(raw_path), cq, ch, sh,
                      hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/%s/aws4_request" % (date, region, svc)
    sts = "%s\n%s\n%s\n%s" % (ALGO, amz, scope,
                              hashlib.sha256(creq.encode("latin-1")).hexdigest())
    k = hmac256(("AWS4" + entry["secret"]).encode(), date)
    k = hmac256(k, region)
    k = hmac256(k, svc)
    k = hmac256(k, "aws4_request")
    good = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(good, sig):
        raise ApiError("SignatureDoesNotMatch",
                       "The request signature we calculated does not match the "
                       "signature you provided.", 403)
    if entry.get("expires") is not None and clock >= entry["expires"]:
        raise ApiError("ExpiredToken", "The security token included in the request is expired", 403)
    return akid, entry, region


# ---------------------------------------------------------------- state ----

class Repo:
    def __init__(self, account, region, name, tags, created=None):
        self.account, self.region, self.name = account, region, name
        self.tags = list(tags)
        self.created = created if created is not None else now()
        self.mutability = "MUTABLE"
        self.scan = False
        self.encryption = "AES256"
        self.lifecycle = None
        self.images = []

    @property
    def arn(self):
        return "arn:aws:ecr:%s:%s:repository/%s" % (self.region, self.account, self.name)

    def uri(self):
        return "%s.dkr.ecr.%s.amazonaws.com/%s" % (self.account, self.region, self.name)

    def json(self):
        return {"repositoryArn": self.arn, "registryId": self.account,
                "repositoryName": self.name, "repositoryUri": self.uri(),
                "createdAt": self.created, "imageTagMutability": self.mutability,
                "imageScanningConfiguration": {"scanOnPush": self.scan},
                "encryptionConfiguration": {"encryptionType": self.encryption}}


class User:
    def __init__(self, account, name, path, tags, created=None):
        self.account, self.name, self.path = account, name, path
        self.tags = list(tags)
        self.created = created if created is not None else now()
        self.user_id = rand_id("AIDA")
        self.policies = {}
        self.attached = []
        self.keys = []
        self.invisible = 0
        self.extra_attachments = []  # e.g. "LoginProfile": not removable here

    @property
    def arn(self):
        return "arn:aws:iam::%s:user%s%s" % (self.account, self.path, self.name)


class Key:
    def __init__(self, user, akid=None, secret=None, created=None):
        self.user = user
        self.akid = akid or rand_id("AKIA")
        self.secret = secret or base64.b64encode(secrets.token_bytes(30)).decode()
        self.status = "Active"
        self.created = created if created is not None else now()
        self.last_used = None  # (time, service, region)
        self.invisible = 0


class Account:
    def __init__(self, acct):
        self.id = acct
        self.repos = {}   # (region, name) -> Repo
        self.users = {}   # lower(name) -> User
        self.secrets = {}  # name -> str


def tag_val(tags, key):
    for t in tags:
        if t.get("Key") == key:
            return t.get("Value")
    return None


def managed(tags):
    return tag_val(tags, MANAGED_KEY) == MANAGED_VAL


class Fake:
    def __init__(self, args):
        self.lock = threading.RLock()
        self.args = args
        self.page = args.page_size
        self.accounts = {}
        self.static_keys = {}
        self.roles = {}
        self.assumed = {}
        self.faults = []
        self.visibility = 0
        self.hung = []
        self.release_ev = threading.Event()
        self.seq = 0
        self.log_fh = open(args.log, "a", buffering=1) if args.log else None
        self.tag_policy = not args.no_tag_policy
        self.ecr_password = args.ecr_password or secrets.token_urlsafe(24)
        with open(args.keys) as fh:
            kd = json.load(fh)
        for akid, e in kd.get("keys", {}).items():
            self.static_keys[akid] = {"secret": e["secret"], "token": e.get("token"),
                                      "account": e["account"], "arn": e["arn"],
                                      "kind": "admin"}
        self.roles = kd.get("roles", {})
        self.default_account = kd.get("default_account", "123456789012")
        for spec in args.secret or []:
            name, _, val = spec.partition("=")
            self.acct(self.default_account).secrets[name] = val
        if args.seed:
            with open(args.seed) as fh:
                self.seed(json.load(fh))

    def acct(self, a):
        if a not in self.accounts:
            self.accounts[a] = Account(a)
        return self.accounts[a]

    # -- seeding ------------------------------------------------------------
    def seed(self, doc):
        with self.lock:
            for a, ad in doc.get("accounts", {}).items():
                acc = self.acct(a)
                for r in ad.get("repositories", []):
                    region = r.get("region", "us-east-1")
                    key = (region, r["name"])
                    repo = acc.repos.get(key)
                    if repo is None:
                        repo = Repo(a, region, r["name"], r.get("tags", []))
                        acc.repos[key] = repo
                    if "tags" in r:
                        repo.tags = list(r["tags"])
                    if "createdAt" in r:
                        repo.created = float(r["createdAt"])
                    if "images" in r:
                        repo.images = list(r["images"])
                for u in ad.get("users", []):
                    user = acc.users.get(u["name"].lower())
                    if user is None:
                        user = User(a, u["name"], u.get("path", "/"), u.get("tags", []))
                        acc.users[u["name"].lower()] = user
                    if "tags" in u:
                        user.tags = list(u["tags"])
                    if "createDate" in u:
                        user.created = float(u["createDate"])
                    for pn, pd in u.get("policies", {}).items():
                        user.policies[pn] = pd
                    if "attached" in u:
                        user.attached = list(u["attached"])
                    if "extra" in u:
                        user.extra_attachments = list(u["extra"])
                    for k in u.get("keys", []):
                        key = Key(user, k.get("id"), k.get("secret"), k.get("created"))
                        user.keys.append(key)
                for name, val in ad.get("secrets", {}).items():
                    acc.secrets[name] = val
                for akid, lu in ad.get("key_last_used", {}).items():
                    k = self.find_key(akid)
                    if k is not None:
                        k.last_used = (float(lu["date"]), lu.get("service", "ecr"),
                                       lu.get("region", "us-east-1"))
                for akid, created in ad.get("key_created", {}).items():
                    k = self.find_key(akid)
                    if k is not None:
                        k.created = float(created)
                for name, created in ad.get("user_created", {}).items():
                    uu = acc.users.get(name.lower())
                    if uu is not None:
                        uu.created = float(created)

    def find_key(self, akid):
        for acc in self.accounts.values():
            for u in acc.users.values():
                for k in u.keys:
                    if k.akid == akid:
                        return k
        return None

    def lookup(self, akid):
        e = self.static_keys.get(akid)
        if e is not None:
            return e
        e = self.assumed.get(akid)
        if e is not None:
            return e
        k = self.find_key(akid)
        if k is None:
            return None
        return {"secret": k.secret, "token": None, "account": k.user.account,
                "arn": k.user.arn, "kind": "user", "key": k}

    # -- faults ---------------------------------------------------------------
    def take_fault(self, action):
        with self.lock:
            for f in self.faults:
                if f.get("action") not in (action, "*"):
                    continue
                if f.get("skip", 0) > 0:
                    f["skip"] -= 1
                    continue
                if f["count"] <= 0:
                    continue
                f["count"] -= 1
                return dict(f)
        return None

    def set_faults(self, doc):
        items = doc.get("faults", [doc]) if isinstance(doc, dict) else doc
        with self.lock:
            for f in items:
                kind = f.get("kind")
                if kind == "visibility":
                    self.visibility = int(f.get("count", 1))
                    continue
                if kind not in ("throttle", "error", "quota", "drop", "hang"):
                    raise ValueError("unknown fault kind %r" % kind)
                if "action" not in f:
                    raise ValueError("fault needs an action")
                self.faults.append({"action": f["action"], "kind": kind,
                                    "count": int(f.get("count", 1)),
                                    "skip": int(f.get("skip", 0)),
                                    "status": int(f.get("status", 500)),
                                    "retry_after": f.get("retry_after"),
                                    "when": f.get("when", "before")})
            self.release_ev.clear()

    def hang(self, action, when):
        with self.lock:
            self.hung.append({"action": action, "when": when, "time": now()})
        self.release_ev.wait(HANG_LIMIT)
        raise Drop()

    # -- log ------------------------------------------------------------------
    def log(self, rec):
        if self.log_fh is None:
            return
        with self.lock:
            self.seq += 1
            rec["seq"] = self.seq
            self.log_fh.write(json.dumps(rec, sort_keys=True) + "\n")

    # -- dumps ----------------------------------------------------------------
    def state(self):
        with self.lock:
            out = {}
            for a, acc in self.accounts.items():
                out[a] = {
                    "repositories": {
                        "%s/%s" % k: {"tags": r.tags, "createdAt": r.created,
                                      "images": len(r.images),
                                      "lifecyclePolicy": r.lifecycle is not None,
                                      "imageTagMutability": r.mutability,
                                      "scanOnPush": r.scan,
                                      "managed": managed(r.tags)}
                        for k, r in sorted(acc.repos.items())},
                    "users": {
                        u.name: {"path": u.path, "tags": u.tags, "managed": managed(u.tags),
                                 "policies": {n: json.loads(d) for n, d in u.policies.items()},
                                 "attached": u.attached,
                                 "keys": [{"id": k.akid, "status": k.status,
                                           "created": k.created} for k in u.keys]}
                        for u in acc.users.values()},
                    "secrets": sorted(acc.secrets),
                }
            return {"accounts": out, "hung": list(self.hung),
                    "faults": [f for f in self.faults if f["count"] > 0]}

    def secret_values(self):
        with self.lock:
            vals = [self.ecr_password]
            for e in self.static_keys.values():
                vals.append(e["secret"])
                if e.get("token"):
                    vals.append(e["token"])
            for e in self.assumed.values():
                vals += [e["secret"], e["token"]]
            for acc in self.accounts.values():
                vals += list(acc.secrets.values())
                for u in acc.users.values():
                    vals += [k.secret for k in u.keys]
            vals += getattr(self, "retired_secrets", [])
            return sorted(set(v for v in vals if v))


# ------------------------------------------------------------ handlers ----

class Ctx:
    """One API request after authentication."""

    def __init__(self, fake, service, action, account, caller, region, params):
        self.fake, self.service, self.action = fake, service, action
        self.account, self.caller, self.region = account, caller, region
        self.params = params
        self.acc = fake.acct(account)
        self.mutating = False
        self.target = None
        self.target_managed = None

    def touch(self, kind, name, tags):
        self.target = "%s:%s" % (kind, name)
        self.target_managed = managed(tags)


def ecr_error(code, msg):
    return ApiError(code, msg, 400)


def require_managed(ctx, tags, what):
    if ctx.fake.tag_policy and ctx.caller.get("kind") != "user" and not managed(tags):
        raise ApiError("AccessDeniedException" if ctx.service in ("ecr", "secretsmanager")
                       else "AccessDenied",
                       "User: %s is not authorized to perform: %s:%s on resource: %s "
                       "because no identity-based policy allows it (aws:ResourceTag/%s)"
                       % (ctx.caller["arn"], ctx.service, ctx.action, what, MANAGED_KEY),
                       400 if ctx.service == "ecr" else 403)


def ecr_repo(ctx, name):
    r = ctx.acc.repos.get((ctx.region, name))
    if r is None:
        raise ecr_error("RepositoryNotFoundException",
                        "The repository with name '%s' does not exist in the registry "
                        "with id '%s'" % (name, ctx.account))
    return r


def page(items, token, limit, size):
    start = 0
    if token:
        try:
            start = int(base64.b64decode(token).decode())
        except Exception:
            raise ecr_error("InvalidParameterException", "Invalid parameter: nextToken")
    n = min(limit or size, size)
    chunk = items[start:start + n]
    nxt = None
    if start + n < len(items):
        nxt = base64.b64encode(str(start + n).encode()).decode()
    return chunk, nxt


def ecr_op(ctx, body):
    a = ctx.action
    fake = ctx.fake
    p = body
    if a == "GetAuthorizationToken":
        if ctx.caller.get("kind") == "user" and not user_allows(ctx.caller["key"].user,
                                                               "ecr:GetAuthorizationToken"):
            raise ApiError("AccessDeniedException",
                           "User: %s is not authorized to perform: ecr:GetAuthorizationToken"
                           % ctx.caller["arn"], 400)
        tok = base64.b64encode(("AWS:" + fake.ecr_password).encode()).decode()
        ep = fake.args.ecr_proxy_endpoint or "https://%s.dkr.ecr.%s.amazonaws.com" % (
            ctx.account, ctx.region)
        return {"authorizationData": [{"authorizationToken": tok,
                                       "expiresAt": now() + 43200, "proxyEndpoint": ep}]}
    if ctx.caller.get("kind") == "user" and a not in ("DescribeImages",):
        raise ApiError("AccessDeniedException",
                       "User: %s is not authorized to perform: ecr:%s" % (ctx.caller["arn"], a),
                       400)
    if a == "CreateRepository":
        name = p.get("repositoryName", "")
        if not re.fullmatch(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*",
                            name) or not 2 <= len(name) <= 256:
            raise ecr_error("InvalidParameterException", "Invalid parameter: repositoryName")
        tags = p.get("tags", [])
        ctx.mutating = True
        ctx.target, ctx.target_managed = "repository:" + name, managed(tags)
        if fake.tag_policy and not managed(tags):
            raise ecr_error("AccessDeniedException",
                            "not authorized to perform: ecr:CreateRepository without "
                            "aws:RequestTag/ManagedBy")
        if (ctx.region, name) in ctx.acc.repos:
            r = ctx.acc.repos[(ctx.region, name)]
            ctx.target_managed = managed(r.tags)
            raise ecr_error("RepositoryAlreadyExistsException",
                            "The repository with name '%s' already exists in the registry "
                            "with id '%s'" % (name, ctx.account))
        r = Repo(ctx.account, ctx.region, name, tags)
        r.mutability = p.get("imageTagMutability", "MUTABLE")
        r.scan = bool(p.get("imageScanningConfiguration", {}).get("scanOnPush", False))
        r.encryption = p.get("encryptionConfiguration", {}).get("encryptionType", "AES256")
        ctx.acc.repos[(ctx.region, name)] = r
        return {"repository": r.json()}
    if a == "PutLifecyclePolicy":
        r = ecr_repo(ctx, p.get("repositoryName", ""))
        ctx.mutating = True
        ctx.touch("repository", r.name, r.tags)
        require_managed(ctx, r.tags, r.arn)
        txt = p.get("lifecyclePolicyText", "")
        if not 100 <= len(txt) <= 30720:
            raise ecr_error("InvalidParameterException",
                            "Invalid parameter at 'lifecyclePolicyText' failed to satisfy "
                            "constraint: 'Member must have length greater than or equal to 100'")
        try:
            json.loads(txt)
        except ValueError:
            raise ecr_error("InvalidParameterException", "lifecyclePolicyText is not JSON")
        r.lifecycle = txt
        return {"registryId": ctx.account, "repositoryName": r.name,
                "lifecyclePolicyText": txt}
    if a == "DescribeRepositories":
        names = p.get("repositoryNames")
        if names is not None:
            if "nextToken" in p:
                raise ecr_error("InvalidParameterException",
                                "Cannot specify nextToken with repositoryNames")
            return {"repositories": [ecr_repo(ctx, n).json() for n in names]}
        items = sorted((r for (rg, _), r in ctx.acc.repos.items() if rg == ctx.region),
                       key=lambda r: r.name)
        chunk, nxt = page(items, p.get("nextToken"), p.get("maxResults"), fake.page)
        out = {"repositories": [r.json() for r in chunk]}
        if nxt:
            out["nextToken"] = nxt
        return out
    if a in ("ListTagsForResource", "TagResource", "UntagResource"):
        arn = p.get("resourceArn", "")
        m = re.fullmatch(r"arn:aws:ecr:([a-z0-9-]+):(\d{12}):repository/(.+)", arn)
        if not m or m.group(2) != ctx.account:
            raise ecr_error("InvalidParameterException", "Invalid parameter: resourceArn")
        r = ctx.acc.repos.get((m.group(1), m.group(3)))
        if r is None:
            raise ecr_error("RepositoryNotFoundException",
                            "The repository with name '%s' does not exist" % m.group(3))
        if a == "ListTagsForResource":
            return {"tags": r.tags}
        ctx.mutating = True
        ctx.touch("repository", r.name, r.tags)
        require_managed(ctx, r.tags, arn)
        if a == "TagResource":
            new = p.get("tags", [])
            for t in new:
                r.tags = [x for x in r.tags if x["Key"] != t["Key"]] + [t]
            if len(r.tags) > 50:
                raise ecr_error("TooManyTagsException", "too many tags")
        else:
            r.tags = [x for x in r.tags if x["Key"] not in p.get("tagKeys", [])]
        return {}
    if a == "DescribeImages":
        r = ecr_repo(ctx, p.get("repositoryName", ""))
        items = sorted(r.images, key=lambda i: i.get("imagePushedAt", 0))
        chunk, nxt = page(items, p.get("nextToken"), p.get("maxResults"), fake.page)
        out = {"imageDetails": [dict(i, registryId=ctx.account, repositoryName=r.name)
                                for i in chunk]}
        if nxt:
            out["nextToken"] = nxt
        return out
    if a == "DeleteRepository":
        r = ecr_repo(ctx, p.get("repositoryName", ""))
        ctx.mutating = True
        ctx.touch("repository", r.name, r.tags)
        require_managed(ctx, r.tags, r.arn)
        if r.images and not p.get("force"):
            raise ecr_error("RepositoryNotEmptyException",
                            "The repository with name '%s' cannot be deleted because it "
                            "still contains images" % r.name)
        del ctx.acc.repos[(ctx.region, r.name)]
        return {"repository": r.json()}
    raise ApiError("UnknownOperationException", "unknown operation %s" % a, 400)


def user_allows(user, action):
    for doc in user.policies.values():
        try:
            d = json.loads(doc)
        except ValueError:
            continue
        for st in d.get("Statement", []):
            acts = st.get("Action", [])
            if isinstance(acts, str):
                acts = [acts]
            if st.get("Effect") == "Allow" and action in acts:
                return True
    return False


def sm_op(ctx, body):
    if ctx.action != "GetSecretValue":
        raise ApiError("UnknownOperationException", "unknown operation", 400)
    if ctx.caller.get("kind") == "user":
        raise ApiError("AccessDeniedException", "not authorized", 400)
    sid = body.get("SecretId", "")
    ctx.target = "secret:" + sid
    if sid not in ctx.acc.secrets:
        raise ApiError("ResourceNotFoundException",
                       "Secrets Manager can't find the specified secret.", 400)
    return {"ARN": "arn:aws:secretsmanager:%s:%s:secret:%s-AbCdEf" % (ctx.region, ctx.account, sid),
            "Name": sid, "SecretString": ctx.acc.secrets[sid],
            "VersionId": str(uuid.uuid4()), "VersionStages": ["AWSCURRENT"],
            "CreatedDate": now()}


def x(tag, val):
    return "<%s>%s</%s>" % (tag, xesc(str(val)), tag)


def user_xml(u, with_tags=True):
    s = x("Path", u.path) + x("UserName", u.name) + x("UserId", u.user_id) + \
        x("Arn", u.arn) + x("CreateDate", iso(u.created))
    if with_tags and u.tags:
        s += "<Tags>" + "".join("<member>%s%s</member>" % (x("Key", t["Key"]), x("Value", t["Value"]))
                                for t in u.tags) + "</Tags>"
    return s


def list_tags_param(params, prefix="Tags"):
    tags, i = [], 1
    while "%s.member.%d.Key" % (prefix, i) in params:
        tags.append({"Key": params["%s.member.%d.Key" % (prefix, i)],
                     "Value": params.get("%s.member.%d.Value" % (prefix, i), "")})
        i += 1
    return tags


def iam_page(ctx, items):
    marker = ctx.params.get("Marker")
    start = 0
    if marker:
        try:
            start = int(marker.split("-", 1)[1])
        except (IndexError, ValueError):
            raise ApiError("InvalidInput", "Invalid Marker", 400)
    mi = ctx.params.get("MaxItems")
    n = ctx.fake.page
    if mi:
        n = min(n, int(mi))
    chunk = items[start:start + n]
    trunc = start + n < len(items)
    tail = x("IsTruncated", "true" if trunc else "false")
    if trunc:
        tail += x("Marker", "m-%d" % (start + n))
    return chunk, tail


def iam_user(ctx, name=None):
    name = name if name is not None else ctx.params.get("UserName", "")
    u = ctx.acc.users.get(name.lower())
    if u is None:
        raise ApiError("NoSuchEntity", "The user with name %s cannot be found." % name, 404)
    if u.invisible > 0:
        u.invisible -= 1
        raise ApiError("NoSuchEntity", "The user with name %s cannot be found." % name, 404)
    ctx.target, ctx.target_managed = "user:" + u.name, managed(u.tags)
    return u


def iam_key(u, akid):
    for k in u.keys:
        if k.akid == akid:
            return k
    raise ApiError("NoSuchEntity", "The Access Key with id %s cannot be found." % akid, 404)


def iam_op(ctx):
    a, p, fake = ctx.action, ctx.params, ctx.fake
    if ctx.caller.get("kind") == "user":
        raise ApiError("AccessDenied", "User: %s is not authorized to perform: iam:%s"
                       % (ctx.caller["arn"], a), 403)
    mut = a.startswith(("Create", "Put", "Delete", "Update", "Tag", "Untag", "Detach", "Attach"))
    ctx.mutating = mut
    if a == "CreateUser":
        name = p.get("UserName", "")
        path = p.get("Path", "/")
        tags = list_tags_param(p)
        ctx.target, ctx.target_managed = "user:" + name, managed(tags)
        if not re.fullmatch(r"[\w+=,.@-]{1,64}", name) or not re.fullmatch(r"/(?:[!-~]*/)?", path):
            raise ApiError("InvalidInput", "invalid user name or path", 400)
        if fake.tag_policy and not managed(tags):
            raise ApiError("AccessDenied", "iam:CreateUser requires aws:RequestTag/ManagedBy", 403)
        if name.lower() in ctx.acc.users:
            ctx.target_managed = managed(ctx.acc.users[name.lower()].tags)
            raise ApiError("EntityAlreadyExists", "User with name %s already exists." % name, 409)
        u = User(ctx.account, name, path, tags)
        u.invisible = fake.visibility
        ctx.acc.users[name.lower()] = u
        return "<CreateUserResult><User>%s</User></CreateUserResult>" % user_xml(u)
    if a == "ListUsers":
        prefix = p.get("PathPrefix", "/")
        items = sorted((u for u in ctx.acc.users.values() if u.path.startswith(prefix)),
                       key=lambda u: u.name.lower())
        chunk, tail = iam_page(ctx, items)
        return "<ListUsersResult><Users>%s</Users>%s</ListUsersResult>" % (
            "".join("<member>%s</member>" % user_xml(u, False) for u in chunk), tail)
    if a == "GetAccessKeyLastUsed":
        k = fake.find_key(p.get("AccessKeyId", ""))
        if k is None or k.user.account != ctx.account:
            raise ApiError("AccessDenied", "not authorized", 403)
        if k.last_used:
            lu = x("LastUsedDate", iso(k.last_used[0])) + x("ServiceName", k.last_used[1]) + \
                x("Region", k.last_used[2])
        else:
            lu = x("ServiceName", "N/A") + x("Region", "N/A")
        return ("<GetAccessKeyLastUsedResult>%s<AccessKeyLastUsed>%s</AccessKeyLastUsed>"
                "</GetAccessKeyLastUsedResult>" % (x("UserName", k.user.name), lu))
    u = iam_user(ctx)
    if mut:
        require_managed(ctx, u.tags, u.arn)
    if a == "GetUser":
        return "<GetUserResult><User>%s</User></GetUserResult>" % user_xml(u)
    if a == "ListUserTags":
        chunk, tail = iam_page(ctx, u.tags)
        return "<ListUserTagsResult><Tags>%s</Tags>%s</ListUserTagsResult>" % (
            "".join("<member>%s%s</member>" % (x("Key", t["Key"]), x("Value", t["Value"]))
                    for t in chunk), tail)
    if a == "TagUser":
        for t in list_tags_param(p):
            u.tags = [y for y in u.tags if y["Key"] != t["Key"]] + [t]
        return ""
    if a == "UntagUser":
        keys, i = [], 1
        while "TagKeys.member.%d" % i in p:
            keys.append(p["TagKeys.member.%d" % i])
            i += 1
        u.tags = [y for y in u.tags if y["Key"] not in keys]
        return ""
    if a == "PutUserPolicy":
        doc = p.get("PolicyDocument", "")
        try:
            json.loads(doc)
        except ValueError:
            raise ApiError("MalformedPolicyDocument", "Syntax errors in policy.", 400)
        u.policies[p.get("PolicyName", "")] = doc
        return ""
    if a == "GetUserPolicy":
        pn = p.get("PolicyName", "")
        if pn not in u.policies:
            raise ApiError("NoSuchEntity", "The user policy with name %s cannot be found." % pn, 404)
        return "<GetUserPolicyResult>%s%s%s</GetUserPolicyResult>" % (
            x("UserName", u.name), x("PolicyName", pn),
            x("PolicyDocument", quote(u.policies[pn], safe="")))
    if a == "ListUserPolicies":
        chunk, tail = iam_page(ctx, sorted(u.policies))
        return "<ListUserPoliciesResult><PolicyNames>%s</PolicyNames>%s</ListUserPoliciesResult>" % (
            "".join(x("member", n) for n in chunk), tail)
    if a == "DeleteUserPolicy":
        pn = p.get("PolicyName", "")
        if pn not in u.policies:
            raise ApiError("NoSuchEntity", "The user policy with name %s cannot be found." % pn, 404)
        del u.policies[pn]
        return ""
    if a == "ListAttachedUserPolicies":
        chunk, tail = iam_page(ctx, u.attached)
        return ("<ListAttachedUserPoliciesResult><AttachedPolicies>%s</AttachedPolicies>%s"
                "</ListAttachedUserPoliciesResult>" % (
                    "".join("<member>%s%s</member>" % (x("PolicyName", q.rsplit("/", 1)[-1]),
                                                       x("PolicyArn", q)) for q in chunk), tail))
    if a == "DetachUserPolicy":
        arn = p.get("PolicyArn", "")
        if arn not in u.attached:
            raise ApiError("NoSuchEntity", "Policy %s was not found." % arn, 404)
        u.attached.remove(arn)
        return ""
    if a == "CreateAccessKey":
        if len(u.keys) >= 2:
            raise ApiError("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)
        k = Key(u)
        k.invisible = fake.visibility
        u.keys.append(k)
        return ("<CreateAccessKeyResult><AccessKey>%s%s%s%s%s</AccessKey></CreateAccessKeyResult>"
                % (x("UserName", u.name), x("AccessKeyId", k.akid), x("Status", k.status),
                   x("SecretAccessKey", k.secret), x("CreateDate", iso(k.created))))
    if a == "ListAccessKeys":
        chunk, tail = iam_page(ctx, u.keys)
        return ("<ListAccessKeysResult><AccessKeyMetadata>%s</AccessKeyMetadata>%s"
                "</ListAccessKeysResult>" % ("".join(
                    "<member>%s%s%s%s</member>" % (x("UserName", u.name), x("AccessKeyId", k.akid),
                                                   x("Status", k.status), x("CreateDate", iso(k.created)))
                    for k in chunk), tail))
    if a == "UpdateAccessKey":
        k = iam_key(u, p.get("AccessKeyId", ""))
        st = p.get("Status", "")
        if st not in ("Active", "Inactive"):
            raise ApiError("InvalidInput", "bad Status", 400)
        k.status = st
        return ""
    if a == "DeleteAccessKey":
        k = iam_key(u, p.get("AccessKeyId", ""))
        u.keys.remove(k)
        fake.retired_secrets = getattr(fake, "retired_secrets", []) + [k.secret]
        return ""
    if a == "DeleteUser":
        what = []
        if u.keys:
            what.append("access keys")
        if u.policies:
            what.append("policies")
        if u.attached:
            what.append("attached policies")
        if u.extra_attachments:
            what.append(", ".join(u.extra_attachments))
        if what:
            raise ApiError("DeleteConflict", "Cannot delete entity, must delete %s first."
                           % what[0], 409)
        del ctx.acc.users[u.name.lower()]
        return ""
    raise ApiError("InvalidAction", "Could not find operation %s for version 2010-05-08" % a, 400)


def sts_op(ctx):
    a, p, fake = ctx.action, ctx.params, ctx.fake
    if a == "GetCallerIdentity":
        c = ctx.caller
        uid = c.get("user_id") or (c["key"].user.user_id if c.get("kind") == "user"
                                   else "AIDAFAKEADMIN0000001")
        return "<GetCallerIdentityResult>%s%s%s</GetCallerIdentityResult>" % (
            x("Arn", c["arn"]), x("UserId", uid), x("Account", c["account"]))
    if a == "AssumeRole":
        arn = p.get("RoleArn", "")
        role = fake.roles.get(arn)
        if role is None:
            raise ApiError("AccessDenied", "User: %s is not authorized to perform: "
                           "sts:AssumeRole on resource: %s" % (ctx.caller["arn"], arn), 403)
        pr = role.get("principals", ["*"])
        if "*" not in pr and ctx.caller["arn"] not in pr:
            raise ApiError("AccessDenied", "User: %s is not authorized to perform: "
                           "sts:AssumeRole on resource: %s" % (ctx.caller["arn"], arn), 403)
        if role.get("external_id") is not None and p.get("ExternalId") != role["external_id"]:
            raise ApiError("AccessDenied", "User: %s is not authorized to perform: "
                           "sts:AssumeRole on resource: %s" % (ctx.caller["arn"], arn), 403)
        sess = p.get("RoleSessionName", "")
        if not re.fullmatch(r"[\w+=,.@-]{2,64}", sess):
            raise ApiError("ValidationError", "bad RoleSessionName", 400)
        dur = int(p.get("DurationSeconds", "3600") or 3600)
        m = re.fullmatch(r"arn:aws:iam::(\d{12}):role/(.+)", arn)
        acct, rname = m.group(1), m.group(2).rsplit("/", 1)[-1]
        akid = rand_id("ASIA")
        ent = {"secret": base64.b64encode(secrets.token_bytes(30)).decode(),
               "token": base64.b64encode(secrets.token_bytes(60)).decode(),
               "account": acct, "kind": "assumed",
               "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, rname, sess),
               "user_id": "AROAFAKEROLE00000001:" + sess, "expires": now() + dur}
        with fake.lock:
            fake.assumed[akid] = ent
        return ("<AssumeRoleResult><Credentials>%s%s%s%s</Credentials><AssumedRoleUser>%s%s"
                "</AssumedRoleUser></AssumeRoleResult>" % (
                    x("AccessKeyId", akid), x("SecretAccessKey", ent["secret"]),
                    x("SessionToken", ent["token"]), x("Expiration", iso(ent["expires"])),
                    x("AssumedRoleId", ent["user_id"]), x("Arn", ent["arn"])))
    raise ApiError("InvalidAction", "Could not find operation %s" % a, 400)


# -------------------------------------------------------------- server ----

LOG_PARAMS = ("repositoryName", "resourceArn", "UserName", "AccessKeyId", "PolicyName",
              "PolicyArn", "PathPrefix", "SecretId", "RoleArn", "Status", "force",
              "Marker", "nextToken", "repositoryNames")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakeaws/1"
    sys_version = ""

    def log_message(self, fmt, *a):
        pass

    def send(self, status, body: bytes, ctype, extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        rid = str(uuid.uuid4())
        self.send_header("x-amzn-RequestId", rid)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def sendj(self, status, obj):
        self.send(status, json.dumps(obj).encode(), "application/json")

    @property
    def fake(self) -> Fake:
        return self.server.fake

    # -- control -------------------------------------------------------------
    def control(self, body):
        f = self.fake
        p = self.path.split("?", 1)[0]
        if p == "/__health":
            return self.sendj(200, {"ok": True})
        if p == "/__state":
            return self.sendj(200, f.state())
        if p == "/__secrets":
            return self.sendj(200, {"secrets": f.secret_values()})
        if p == "/__faults" and self.command == "GET":
            with f.lock:
                return self.sendj(200, {"faults": f.faults, "hung": f.hung,
                                        "visibility": f.visibility})
        if p == "/__faults":
            try:
                f.set_faults(json.loads(body or b"{}"))
            except (ValueError, TypeError, KeyError) as e:
                return self.sendj(400, {"error": str(e)})
            return self.sendj(200, {"ok": True})
        if p == "/__release":
            f.release_ev.set()
            return self.sendj(200, {"ok": True})
        if p == "/__reset":
            with f.lock:
                f.faults, f.hung, f.visibility = [], [], 0
                f.release_ev.set()
            return self.sendj(200, {"ok": True})
        if p == "/__seed":
            try:
                f.seed(json.loads(body or b"{}"))
            except (ValueError, TypeError, KeyError) as e:
                return self.sendj(400, {"error": str(e)})
            return self.sendj(200, {"ok": True})
        return self.sendj(404, {"error": "no such control endpoint"})

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def dispatch(self):
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            n = -1
        if n < 0 or n > MAX_BODY:
            return self.sendj(413, {"error": "body too large"})
        body = self.rfile.read(n) if n else b""
        path, _, query = self.path.partition("?")
        if path.startswith("/__"):
            return self.control(body)
        try:
            self.api(path, query, body)
        except Drop:
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass

    def api(self, path, query, body):
        f = self.fake
        t0 = now()
        hdrs = [(k.lower(), v) for k, v in self.headers.items()]
        target = self.headers.get("X-Amz-Target", "")
        params = {}
        if target.startswith(ECR_PREFIX):
            service, action, proto = "ecr", target[len(ECR_PREFIX):], "json"
        elif target.startswith(SM_PREFIX):
            service, action, proto = "secretsmanager", target[len(SM_PREFIX):], "json"
        else:
            proto = "query"
            params = {k.decode("utf-8", "replace"): v.decode("utf-8", "replace")
                      for k, v in parse_pairs(body, True)}
            action = params.get("Action", "")
            m = re.search(r"Credential=[^/]+/\d{8}/[a-z0-9-]+/([a-z0-9]+)/",
                          self.headers.get("Authorization", ""))
            service = m.group(1) if m else ("sts" if action in ("GetCallerIdentity", "AssumeRole")
                                            else "iam")
        jbody = {}
        rec = {"time": iso(t0), "service": service, "action": action, "method": self.command,
               "path": path}
        ctx = None
        fault = None
        status, code = 200, None
        try:
            if self.command != "POST" or path != "/":
                raise ApiError("InvalidAction", "only POST / is served", 400)
            if proto == "json":
                try:
                    jbody = json.loads(body or b"{}")
                    if not isinstance(jbody, dict):
                        raise ValueError
                except ValueError:
                    raise ApiError("SerializationException", "body is not a JSON object", 400)
                ct = self.headers.get("Content-Type", "")
                if ct != "application/x-amz-json-1.1":
                    raise ApiError("UnknownOperationException", "bad content type", 400)
                rec["params"] = {k: jbody[k] for k in LOG_PARAMS if k in jbody}
            else:
                if params.get("Version") not in ("2010-05-08", "2011-06-15"):
                    raise ApiError("InvalidAction", "bad Version", 400)
                rec["params"] = {k: params[k] for k in LOG_PARAMS if k in params}
            with f.lock:
                akid, caller, region = verify_sigv4(
                    self.command, path.encode(), query.encode(), hdrs, body, service,
                    f.lookup, now())
                rec["akid"] = akid
                rec["caller"] = caller["arn"]
                rec["account"] = caller["account"]
                key = caller.get("key")
                if key is not None:
                    if key.status != "Active":
                        raise ApiError("InvalidClientTokenId",
                                       "The security token included in the request is invalid.",
                                       403)
                    if key.invisible > 0:
                        key.invisible -= 1
                        raise ApiError("InvalidClientTokenId",
                                       "The security token included in the request is invalid.",
                                       403)
                    key.last_used = (now(), service, region)
            fault = f.take_fault(action)
            if fault is not None:
                rec["fault"] = fault["kind"]
                k = fault["kind"]
                if k == "drop":
                    raise Drop()
                if k == "hang" and fault["when"] == "before":
                    f.hang(action, "before")
                if k == "throttle":
                    raise ApiError("Throttling" if proto == "query" else
                                   "com.amazon.coral.availability#ThrottlingException",
                                   "Rate exceeded", 400 if proto == "query" else 400)
                if k == "error":
                    st = fault["status"]
                    raise ApiError({"ecr": "ServerException", "iam": "ServiceFailure",
                                    "sts": "InternalFailure",
                                    "secretsmanager": "InternalServiceError"}[service]
                                   if st == 500 else "ServiceUnavailable",
                                   "We encountered an internal error. Please try again.", st)
                if k == "quota":
                    if proto == "json":
                        raise ApiError("LimitExceededException",
                                       "The operation did not succeed because it would cause a "
                                       "service limit to be exceeded.", 400)
                    raise ApiError("LimitExceeded", "Cannot exceed quota for UsersPerAccount: 5000",
                                   409)
            with f.lock:
                ctx = Ctx(f, service, action, rec["account"], caller, region, params)
                if service == "ecr":
                    out = ecr_op(ctx, jbody)
                elif service == "secretsmanager":
                    out = sm_op(ctx, jbody)
                elif service == "iam":
                    out = iam_op(ctx)
                elif service == "sts":
                    out = sts_op(ctx)
                else:
                    raise ApiError("InvalidAction", "unknown service", 400)
            if fault is not None and fault["kind"] == "hang" and fault["when"] == "after":
                self.note(rec, ctx, 200, None, t0, applied=True)
                f.hang(action, "after")
            if proto == "json":
                self.send(200, json.dumps(out).encode(), "application/x-amz-json-1.1")
            else:
                ns = IAM_NS if service == "iam" else STS_NS
                xml = ('<%sResponse xmlns="%s">%s<ResponseMetadata><RequestId>%s</RequestId>'
                       '</ResponseMetadata></%sResponse>' % (action, ns, out, uuid.uuid4(), action))
                self.send(200, xml.encode(), "text/xml")
        except ApiError as e:
            status = e.status or (IAM_STATUS.get(e.code, 400) if proto == "query" else 400)
            code = e.code
            extra = {}
            if fault is not None and fault.get("retry_after") is not None:
                extra["Retry-After"] = str(fault["retry_after"])
            if proto == "json":
                extra["x-amzn-ErrorType"] = "%s:http://internal.amazon.com/coral/com.amazonaws.ecr/" % (
                    e.code.rsplit("#", 1)[-1])
                self.send(status, json.dumps({"__type": e.code, "message": e.message}).encode(),
                          "application/x-amz-json-1.1", extra)
            else:
                ns = IAM_NS if service == "iam" else STS_NS
                xml = ('<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code>'
                       '<Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>'
                       % (ns, "Receiver" if status >= 500 else "Sender", xesc(e.code),
                          xesc(e.message), uuid.uuid4()))
                self.send(status, xml.encode(), "text/xml", extra)
        except Drop:
            status, code = 0, "dropped"
            self.note(rec, ctx, status, code, t0)
            raise
        self.note(rec, ctx, status, code, t0)

    def note(self, rec, ctx, status, code, t0, applied=None):
        if rec.get("_noted"):
            return
        rec["status"] = status
        if code:
            rec["error"] = code.rsplit("#", 1)[-1]
        if ctx is not None:
            rec["mutating"] = ctx.mutating
            if ctx.target:
                rec["target"] = ctx.target
                rec["target_managed"] = ctx.target_managed
        if applied is not None:
            rec["applied_then_hung"] = True
        rec["duration_ms"] = int((now() - t0) * 1000)
        self.fake.log(dict(rec))
        rec["_noted"] = True


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--pid-file")
    ap.add_argument("--keys", required=True)
    ap.add_argument("--seed")
    ap.add_argument("--log")
    ap.add_argument("--page-size", type=int, default=2)
    ap.add_argument("--ecr-password")
    ap.add_argument("--ecr-proxy-endpoint")
    ap.add_argument("--secret", action="append", metavar="NAME=VALUE")
    ap.add_argument("--no-tag-policy", action="store_true")
    args = ap.parse_args()
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        ap.error("only loopback hosts are served")
    fake = Fake(args)
    srv = Server((args.host, args.port), Handler)
    srv.fake = fake

    def stop(*_):
        fake.release_ev.set()
        threading.Thread(target=srv.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    port = srv.server_address[1]
    if args.pid_file:
        with open(args.pid_file, "w") as fh:
            fh.write("%d\n" % os.getpid())
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as fh:
            fh.write("%d\n" % port)
        os.rename(tmp, args.port_file)
    sys.stderr.write("fakeaws: listening on %s:%d\n" % (args.host, port))
    srv.serve_forever()
    srv.server_close()
    for p in (args.port_file, args.pid_file):
        if p:
            try:
                os.unlink(p)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
