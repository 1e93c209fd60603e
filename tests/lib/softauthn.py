#!/usr/bin/env python3
"""softauthn.py: a software authenticator for the passkey tests.

Reads one JSON request on standard input and writes one JSON answer,
built by hand as an authenticator and a browser would (W3C WebAuthn
Level 3): no WebAuthn library, only python3-cryptography for the keys.

  {"op": "new", "kind": "es256"|"ed25519"|"rs256"}
      -> {"priv": PEM, "cose": b64url, "cred_id": b64url}
  {"op": "create", "key": <new's answer>, "challenge", "origin", "rp_id",
   "flags", "count", "type", "fmt", "cross_origin", "cose", "truncate",
   "pad"}
      -> a RegistrationResponseJSON
  {"op": "get", "key": ..., "challenge", "origin", "rp_id", "flags",
   "count", "type", "user_handle", "bad_sig", "authdata_len"}
      -> an AuthenticationResponseJSON

Each optional member changes one thing, so that a test can break one
check at a time: flags (UP 0x01, UV 0x04, BE 0x08, BS 0x10, AT 0x40),
fmt, a foreign cose key, truncate (bytes cut off the attestation
object), pad (an attestation object grown past the server's bound),
bad_sig (a bit of the signature flipped), authdata_len (authenticator
data cut to that length).
"""
import base64
import hashlib
import json
import os
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    if n < 0x100:
        return bytes([major << 5 | 24, n])
    if n < 0x10000:
        return bytes([major << 5 | 25]) + struct.pack(">H", n)
    return bytes([major << 5 | 26]) + struct.pack(">I", n)


def cbor(v):
    """CBOR (RFC 8949) of ints, bytes, str, lists and dicts, in order."""
    if isinstance(v, bool):
        return b"\xf5" if v else b"\xf4"
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        return head(3, len(v.encode())) + v.encode()
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        return head(5, len(v)) + b"".join(cbor(k) + cbor(x)
                                         for k, x in v.items())
    raise TypeError(v)


def new(req):
    if req["kind"] == "es256":
        k = ec.generate_private_key(ec.SECP256R1())
        n = k.public_key().public_numbers()
        cose = cbor({1: 2, 3: -7, -1: 1, -2: n.x.to_bytes(32, "big"),
                     -3: n.y.to_bytes(32, "big")})
    elif req["kind"] == "rs256":
        # RFC 8230 §4: kty 3 (RSA), alg -257, n and e big-endian.
        k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        n = k.public_key().public_numbers()
        cose = cbor({1: 3, 3: -257, -1: n.n.to_bytes(256, "big"),
                     -2: n.e.to_bytes(3, "big")})
    else:
        k = ed25519.Ed25519PrivateKey.generate()
        raw = k.public_key().public_bytes(serialization.Encoding.Raw,
                                          serialization.PublicFormat.Raw)
        cose = cbor({1: 1, 3: -8, -1: 6, -2: raw})
    pem = k.private_bytes(serialization.Encoding.PEM,
                          serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption()).decode()
    return {"priv": pem, "cose": b64(cose), "cred_id": b64(os.urandom(16)),
            "kind": req["kind"]}


def client_data(req, default_type):
    cd = {"type": req.get("type", default_type),
          "challenge": req["challenge"], "origin": req["origin"]}
    if "cross_origin" in req:
        cd["crossOrigin"] = req["cross_origin"]
    return json.dumps(cd, separators=(",", ":")).encode()


def auth_head(req, flags):
    rp = hashlib.sha256(req["rp_id"].encode()).digest()
    return rp + bytes([req.get("flags", flags)]) + struct.pack(
        ">I", req.get("count", 0))


def create(req):
    key = req["key"]
    cred = unb64(key["cred_id"])
    cose = unb64(req.get("cose", key["cose"]))
    ad = auth_head(req, 0x45) + bytes(16) + struct.pack(">H", len(cred)) + \
        cred + cose
    att = cbor({"fmt": req.get("fmt", "none"), "attStmt": {}, "authData": ad})
    if req.get("truncate"):
        att = att[:-req["truncate"]]
    if req.get("pad"):
        att = cbor({"fmt": "none", "attStmt": {"x": bytes(req["pad"])},
                    "authData": ad})
    return {"id": key["cred_id"], "rawId": key["cred_id"],
            "type": "public-key",
            "response": {"clientDataJSON": b64(client_data(
                req, "webauthn.create")), "attestationObject": b64(att)}}


def get(req):
    key = req["key"]
    cd = client_data(req, "webauthn.get")
    ad = auth_head(req, 0x05)
    k = serialization.load_pem_private_key(key["priv"].encode(), None)
    msg = ad + hashlib.sha256(cd).digest()
    if key["kind"] == "es256":
        sig = k.sign(msg, ec.ECDSA(hashes.SHA256()))
    elif key["kind"] == "rs256":
        sig = k.sign(msg, padding.PKCS1v15(), hashes.SHA256())
    else:
        sig = k.sign(msg)
    if req.get("bad_sig"):
        sig = sig[:-1] + bytes([sig[-1] ^ 1])
    if "authdata_len" in req:
        ad = ad[:req["authdata_len"]]
    resp = {"clientDataJSON": b64(cd), "authenticatorData": b64(ad),
            "signature": b64(sig)}
    if "user_handle" in req:
        resp["userHandle"] = b64(req["user_handle"].encode())
    return {"id": key["cred_id"], "rawId": key["cred_id"],
            "type": "public-key", "response": resp}


def main():
    req = json.load(sys.stdin)
    out = {"new": new, "create": create, "get": get}[req["op"]](req)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
