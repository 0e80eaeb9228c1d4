#!/usr/bin/env node
// mint-sdk.mjs - interop token minter built on the official AWS SDK v3 signer
// (@smithy/signature-v4 + @aws-crypto/sha256-js). It is the independent client
// implementation the registry must accept, as `aws eks get-token` would.
//
//   node mint-sdk.mjs [options] REGION AUDIENCE
//       Presigns GET https://sts.REGION.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15
//       with the signed header x-k8s-aws-id: AUDIENCE, expiresIn 60, and prints
//       k8s-aws-v1.<base64url, no padding, of the URL>.
//   node mint-sdk.mjs --sign-post BODY [options] REGION
//       Header-signs POST https://HOST/ with the form BODY (e.g.
//       'Action=AssumeRole&Version=2011-06-15&RoleArn=...') and prints the headers
//       to send, one "name: value" per line (for curl -H @file). Not a token.
//
// Credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (optional).
// Options:
//   --host HOST          host to sign for (default sts.REGION.amazonaws.com)
//   --date-offset SECS   sign as if the clock were SECS off (negative: in the past)
//   --expires SECS       X-Amz-Expires (default 60)
//   --url                print the presigned URL instead of the token
// Exit codes: 0 ok, 2 usage, 3 the SDK produced something other than the expected
// parameter set (nothing is stripped after signing: the request is built with
// exactly Action and Version, and the result is checked).

import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest, buildQueryString } from "@smithy/core/protocols";

const AUDIENCE_HEADER = "x-k8s-aws-id";

function usage(msg) {
  if (msg) process.stderr.write(`mint-sdk: ${msg}\n`);
  process.stderr.write(
    "usage: node mint-sdk.mjs [--host H] [--date-offset S] [--expires S] [--url] REGION AUDIENCE\n" +
      "       node mint-sdk.mjs --sign-post BODY [--host H] [--date-offset S] REGION\n",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const o = { host: null, dateOffset: 0, expires: 60, url: false, signPost: null, pos: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--host") o.host = val();
    else if (a === "--date-offset") o.dateOffset = Number(val());
    else if (a === "--expires") o.expires = Number(val());
    else if (a === "--url") o.url = true;
    else if (a === "--sign-post") o.signPost = val();
    else if (a === "-h" || a === "--help") usage();
    else if (a.startsWith("--")) usage(`unknown option ${a}`);
    else o.pos.push(a);
  }
  if (!Number.isFinite(o.dateOffset)) usage("--date-offset must be a number");
  if (!Number.isInteger(o.expires) || o.expires < 1) usage("--expires must be a positive integer");
  return o;
}

function credentials() {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = process.env.AWS_SESSION_TOKEN;
  if (!accessKeyId || !secretAccessKey) usage("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set");
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

function fail(msg) {
  process.stderr.write(`mint-sdk: ${msg}\n`);
  process.exit(3);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const creds = credentials();
  const region = o.pos[0];
  if (!region || !/^[a-z0-9-]+$/.test(region)) usage("REGION missing or malformed");
  const host = o.host ?? `sts.${region}.amazonaws.com`;
  const signer = new SignatureV4({
    credentials: creds,
    region,
    service: "sts",
    sha256: Sha256,
    uriEscapePath: true,
  });
  const signingDate = new Date(Date.now() + o.dateOffset * 1000);

  if (o.signPost !== null) {
    if (o.pos.length !== 1) usage("--sign-post takes exactly one positional argument, REGION");
    const req = new HttpRequest({
      method: "POST",
      protocol: "https:",
      hostname: host,
      path: "/",
      headers: { host, "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: o.signPost,
    });
    const signed = await signer.sign(req, { signingDate });
    for (const [k, v] of Object.entries(signed.headers)) {
      if (k.toLowerCase() === "host") continue; // curl derives Host from the URL
      process.stdout.write(`${k}: ${v}\n`);
    }
    return;
  }

  if (o.pos.length !== 2) usage("expected REGION AUDIENCE");
  const audience = o.pos[1];
  // Built with exactly the two action parameters; the signer adds the X-Amz-* ones.
  const req = new HttpRequest({
    method: "GET",
    protocol: "https:",
    hostname: host,
    path: "/",
    query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
    headers: { host, [AUDIENCE_HEADER]: audience },
  });
  const presigned = await signer.presign(req, { expiresIn: o.expires, signingDate });

  const want = new Set([
    "Action", "Version", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
    "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",
  ]);
  if (creds.sessionToken) want.add("X-Amz-Security-Token");
  const got = Object.keys(presigned.query);
  for (const k of got) {
    if (!want.has(k)) fail(`SDK added an unexpected query parameter: ${k}`);
    if (typeof presigned.query[k] !== "string") fail(`query parameter ${k} is not a single string`);
  }
  for (const k of want) if (!got.includes(k)) fail(`SDK did not produce ${k}`);
  if (presigned.query["X-Amz-SignedHeaders"] !== `host;${AUDIENCE_HEADER}`)
    fail(`unexpected X-Amz-SignedHeaders: ${presigned.query["X-Amz-SignedHeaders"]}`);
  if (presigned.query["X-Amz-Expires"] !== String(o.expires)) fail("unexpected X-Amz-Expires");
  const extraHeaders = Object.keys(presigned.headers).filter(
    (h) => !["host", AUDIENCE_HEADER].includes(h.toLowerCase()),
  );
  if (extraHeaders.length) fail(`SDK added headers that the URL cannot carry: ${extraHeaders.join(",")}`);

  const sorted = {};
  for (const k of Object.keys(presigned.query).sort()) sorted[k] = presigned.query[k];
  const url = `https://${host}/?${buildQueryString(sorted)}`;
  if (o.url) {
    process.stdout.write(url + "\n");
    return;
  }
  process.stdout.write("k8s-aws-v1." + Buffer.from(url, "utf8").toString("base64url") + "\n");
}

main().catch((e) => {
  process.stderr.write(`mint-sdk: ${e && e.message ? e.message : e}\n`);
  process.exit(1);
});
