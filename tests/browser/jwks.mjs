// jwks.mjs: checks jwtauth's access tokens with jose, a JWT implementation
// independent of ours, given only the JWK Set the service publishes
// (RFC 7517), and makes tokens that jwtauth must refuse.  Run by
// tests/e2e/68-keys-jwks.t:
//
//   node tests/browser/jwks.mjs JWKS_URL ISSUER KEY_PEM TOKEN...
//
// For each TOKEN: verified with the JWK Set fetched from JWKS_URL and
// nothing else (algorithms RS256 and ES256 only, the issuer required).
// Then, from the claims of the first token, three tokens signed by jose:
// "own_key" with our signing key (KEY_PEM, PKCS#8; a control: jwtauth
// must accept it), "same_kid" with a key jose made, under our kid and
// algorithm, and "unknown_kid" with that key under a kid we never had.
// Prints one JSON object: {"verified":[{"ok":true,"payload":{...}} or
// {"ok":false,"error":"..."}], "own_key":..., "same_kid":...,
// "unknown_kid":...}.
import { readFileSync } from 'node:fs';
import {
	createLocalJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair,
	importPKCS8, jwtVerify, SignJWT,
} from 'jose';

const [url, issuer, keyFile, ...tokens] = process.argv.slice(2);
if (!url || !issuer || !keyFile || tokens.length === 0) {
	console.error('usage: node jwks.mjs JWKS_URL ISSUER KEY_PEM TOKEN...');
	process.exit(2);
}

const res = await fetch(url);
if (!res.ok) {
	console.error(`GET ${url}: ${res.status}`);
	process.exit(1);
}
const jwks = createLocalJWKSet(await res.json());

const verified = [];
for (const token of tokens) {
	try {
		const { payload } = await jwtVerify(token, jwks, {
			issuer, algorithms: ['RS256', 'ES256'], typ: 'JWT',
		});
		verified.push({ ok: true, payload });
	} catch (e) {
		verified.push({ ok: false, error: e.code ?? String(e) });
	}
}

const { alg, kid } = decodeProtectedHeader(tokens[0]);
const claims = decodeJwt(tokens[0]);
const sign = (key, k) => new SignJWT(claims)
	.setProtectedHeader({ alg, kid: k, typ: 'JWT' }).sign(key);
const own = await importPKCS8(readFileSync(keyFile, 'utf8'), alg);
const { privateKey } = await generateKeyPair(alg);

console.log(JSON.stringify({
	verified,
	own_key: await sign(own, kid),
	same_kid: await sign(privateKey, kid),
	unknown_kid: await sign(privateKey, 'not-our-kid'),
}));
