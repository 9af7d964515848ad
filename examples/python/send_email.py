#!/usr/bin/env python3
"""Send one transactional mail through a Mailroom API, signed with SigV4.

    python3 send_email.py --api https://abc123.execute-api.eu-west-1.amazonaws.com/live/ \\
        --to jane@example.org --subject "Your code" --text "482913"

Only the standard library and botocore (``pip install botocore``). The credentials are botocore's
default chain: environment variables, ``~/.aws/credentials`` and ``~/.aws/config`` (profiles, SSO,
assumed roles), container and instance roles. The identity needs the stack's send-only policy
(output ``SendOnlyPolicyArn``) or the admin policy.

Prints the HTTP status and the API's JSON answer. Exit codes: 0 accepted (2xx), 1 the API refused
or could not be reached, 2 a usage error or no credentials (nothing was sent).
"""

import argparse
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

try:
    import botocore.session
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
except ImportError:  # pragma: no cover - depends on the machine
    sys.stderr.write("send_email.py needs botocore: pip install botocore\n")
    sys.exit(2)

# https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/ (or .amazonaws.com.cn in China)
EXECUTE_API_HOST = re.compile(r"^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$")
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


class UsageError(Exception):
    """A problem with the arguments or the environment: nothing was sent."""


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Send one transactional mail through a Mailroom API (POST /v1/emails), SigV4-signed."
    )
    parser.add_argument("--api", required=True, help="the stack's ApiUrl output, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/live/")
    parser.add_argument("--to", required=True, action="append", help="a recipient; repeat for more (at most 50)")
    parser.add_argument("--subject", required=True)
    parser.add_argument("--text", required=True, help="the plain-text body")
    parser.add_argument(
        "--idempotency-key",
        help="reuse the key of an earlier attempt to retry it without sending twice (default: a new UUID)",
    )
    parser.add_argument("--region", help="signing region, needed only when the API is behind a custom domain")
    parser.add_argument("--profile", help="a profile of ~/.aws/config (default: AWS_PROFILE, else the default chain)")
    return parser.parse_args(argv)


def endpoint_of(api):
    """The URL of POST /v1/emails under the API's base URL, which may carry a stage path."""
    parsed = urllib.parse.urlsplit(api)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise UsageError(f"--api must be an http(s) URL such as the stack's ApiUrl output, not {api!r}")
    if parsed.query or parsed.fragment:
        raise UsageError(f"--api must be the API's base URL, without a query or fragment: {api!r}")
    base = api if api.endswith("/") else api + "/"
    return urllib.parse.urljoin(base, "v1/emails"), parsed.hostname


def region_of(host, explicit, session):
    """The signing region: --region, else the one in an execute-api host name, else the profile's."""
    if explicit:
        return explicit
    match = EXECUTE_API_HOST.match(host)
    if match:
        return match.group(1)
    configured = session.get_config_variable("region")
    if configured:
        return configured
    if host in LOOPBACK_HOSTS:
        return "us-east-1"  # local mode accepts any signature
    raise UsageError(f"cannot tell the AWS region from the host {host!r}: pass --region (the stack's region)")


def signed_request(url, body, headers, credentials, region):
    """The request with SigV4 headers (Authorization, X-Amz-Date, X-Amz-Security-Token if any)."""
    request = AWSRequest(method="POST", url=url, data=body, headers=headers)
    SigV4Auth(credentials, "execute-api", region).add_auth(request)
    prepared = request.prepare()
    return urllib.request.Request(prepared.url, data=prepared.body, headers=dict(prepared.headers), method="POST")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        url, host = endpoint_of(args.api)
        try:
            session = botocore.session.Session(profile=args.profile)
            credentials = session.get_credentials()
        except Exception as error:  # botocore's ProfileNotFound, a broken config file, an SSO error
            raise UsageError(f"could not load AWS credentials: {error}") from error
        if credentials is None:
            raise UsageError(
                "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE "
                "(or --profile), or run where a role is available; the identity needs the stack's "
                "send-only policy (SendOnlyPolicyArn)"
            )
        region = region_of(host, args.region, session)
        frozen = credentials.get_frozen_credentials()
    except UsageError as error:
        sys.stderr.write(f"send_email.py: {error}\n")
        return 2

    idempotency_key = args.idempotency_key or str(uuid.uuid4())
    body = json.dumps({"to": args.to, "subject": args.subject, "text": args.text}).encode("utf-8")
    headers = {"Content-Type": "application/json", "Idempotency-Key": idempotency_key}
    request = signed_request(url, body, headers, frozen, region)

    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, answer = response.status, response.read()
    except urllib.error.HTTPError as error:  # 4xx and 5xx: the API's JSON error envelope
        status, answer = error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        sys.stderr.write(f"send_email.py: could not reach {url}: {getattr(error, 'reason', error)}\n")
        sys.stderr.write(f"Idempotency-Key: {idempotency_key} (retry with --idempotency-key to avoid a second mail)\n")
        return 1

    try:
        shown = json.dumps(json.loads(answer), indent=2)
    except ValueError:
        shown = answer.decode("utf-8", "replace")
    print(f"HTTP {status} (Idempotency-Key: {idempotency_key})")
    print(shown)
    return 0 if 200 <= status < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
