// passkeys.mjs: a real browser (Debian's chromium, driven by
// playwright-core) with the DevTools Protocol's virtual authenticator
// (ctap2, internal transport, resident keys, user verification) through
// the passkey pages (issue 17), printing TAP:
//   sign in with the password -> a page under otp_paths is refused (one
//   factor) -> the account page -> "Add a passkey", named -> it is
//   listed -> sign out -> the protected page's sign-in form -> "Sign in
//   with a passkey", no user name -> back on the protected page (UV:
//   two factors) -> listed as used -> signed out again, a bogus
//   signature, no UP, no UV (webauthn_user_verification = required):
//   each refused, the page saying so, no session cookie -> signed in
//   with the password, a wrong password does not remove the passkey;
//   without JavaScript the sign-in page shows no passkey button, the
//   password form still signs in, and the account page's plain removal
//   form refuses a wrong password and removes it with the right one.
// With "code SECRET" after them (webauthn_user_verification = preferred,
// USER with two-factor sign-in on, SECRET its TOTP secret), a passkey
// whose assertions do not verify the user (UV off) instead: password and
// code, add a passkey, sign out, the passkey (no UV) -> the page's code
// form -> a code -> signed in, on the page under otp_paths; signed out,
// the password -> the code page's "Use a passkey" with a bogus signature
// (refused, the page saying so, no session) -> with the passkey -> signed
// in, on the page under otp_paths -> the account page: rename it,
// "Remove with a passkey" with a bogus signature (refused, it stays),
// then with the passkey -> gone.
// Usage: node passkeys.mjs BASE_URL OUTDIR USER PASSWORD [code SECRET]
//   BASE_URL must name the host "localhost" (a passkey's RP id is a
//   domain, never an address).
// Screenshots at 390 and 1280 px wide go to OUTDIR: passkey-login-*.png
// (the sign-in page), passkey-account-*.png (the account page with the
// passkey listed), passkey-refused-*.png (a refused sign-in),
// passkey-code-*.png (the code step after a passkey without UV).
import { content, cspViolations, done, launch, ok, overflows,
    screenshots, totp } from './tap.mjs';

const [base, outdir, user, password, mode, secret] =
    process.argv.slice(2);
const shots = (page, name) => screenshots(page, outdir, name);
const loginForm = 'form[action="/auth/login"]:not(#passkey-step)';
const name = 'Laptop';

// The h1 of the page, once one is there.
async function heading(page) {
	await page.waitForSelector('h1', { timeout: 15000 }).catch(() => {});
	return (await page.locator('h1').first().textContent()
	    .catch(() => '')).trim();
}

// Signs in on the page the browser is on with the password.
async function signIn(page) {
	await page.waitForSelector(loginForm, { timeout: 15000 });
	await page.fill('#username', user);
	await page.fill('#password', password);
	await page.click(`${loginForm} button[type="submit"]`);
	await page.waitForLoadState();
}

// Signs out from the account page (its last form, "Sign out").
async function signOut(page) {
	await page.goto(`${base}/auth/account`);
	await page.locator('button', { hasText: /^Sign out$/ }).click();
	await page.waitForLoadState();
}

// The access cookie of the context, if any.
async function accessCookie(ctx) {
	return (await ctx.cookies()).find((c) => /jwtauth_at$/.test(c.name) &&
	    c.value !== '');
}

// The status line of the passkey section once it says something other
// than "wait" (its text and class).
async function status(page) {
	const s = page.locator('#passkey-status');
	for (let i = 0; i < 150; i++) {
		const cls = await s.getAttribute('class').catch(() => null);
		if (cls === 'error')
			break;
		await page.waitForTimeout(100);
	}
	return { text: (await s.textContent().catch(() => '')).trim(),
	    cls: await s.getAttribute('class').catch(() => null) };
}

// The passkeys listed on the account page, by name.
async function listed(page) {
	await page.goto(`${base}/auth/account`);
	await page.waitForSelector('#passkey-add', { state: 'attached',
	    timeout: 15000 }).catch(() => {});
	return page.locator('.passkeys li strong').allTextContents();
}

// A new browser context whose page has the DevTools Protocol's virtual
// authenticator (ctap2, internal, resident keys, user verification):
// its context, page, the page's CSP violations, the CDP session, the
// authenticator's id, and bits(OVERRIDES), which sets
// WebAuthn.setResponseOverrideBits to OVERRIDES (the others false; {}
// for none).
async function withAuthenticator(browser) {
	const ctx = await browser.newContext();
	const page = await ctx.newPage();
	const violations = cspViolations(page);
	const cdp = await ctx.newCDPSession(page);
	await cdp.send('WebAuthn.enable');
	const { authenticatorId } = await cdp.send(
	    'WebAuthn.addVirtualAuthenticator', { options: {
	    protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
	    hasUserVerification: true, isUserVerified: true } });
	const bits = (b) => cdp.send('WebAuthn.setResponseOverrideBits',
	    Object.assign({ authenticatorId, isBogusSignature: false,
	    isBadUV: false, isBadUP: false }, b));
	return { ctx, page, violations, cdp, authenticatorId, bits };
}

// The walk of "code" mode (see the top).
async function codeWalk(browser) {
	const { ctx, page, violations, bits } = await withAuthenticator(browser);

	await page.goto(`${base}/auth/login?next=/auth/account`);
	await signIn(page);
	await page.waitForSelector('#code', { timeout: 15000 }).catch(() => {});
	await page.fill('#code', totp(secret, 0));
	await page.click(`${loginForm} button[type="submit"]`);
	ok(await heading(page) === 'Your account',
	    'code mode: password and code sign in', await content(page));
	await page.fill('#passkey-name', 'Key without UV');
	await page.click('#passkey-add button[type="submit"]');
	await page.waitForURL(/m=passkey_added/, { timeout: 15000 })
	    .catch(() => {});
	ok(JSON.stringify(await listed(page)) === '["Key without UV"]',
	    'code mode: a passkey is added', await content(page));
	await signOut(page);
	// From now on its assertions say the user was not verified.
	await bits({ isBadUV: true });
	await page.goto(`${base}/app/whoami.cgi`);
	await page.waitForSelector('#passkey-login', { state: 'visible',
	    timeout: 15000 }).catch(() => {});
	await page.click('#passkey-login');
	await page.waitForSelector('#passkey-step', { state: 'visible',
	    timeout: 15000 }).catch(() => {});
	ok(await page.locator('#passkey-step').isVisible() &&
	    !(await page.locator('#password').isVisible()),
	    'code mode: the passkey without UV leads to the code form, the ' +
	    'password form put away', await content(page));
	ok(await accessCookie(ctx) === undefined,
	    'code mode: no session before the code');
	await shots(page, 'passkey-code');
	await page.fill('#passkey-code', totp(secret, 30));
	await page.click('#passkey-step button[type="submit"]');
	await page.waitForSelector('#signed-in', { timeout: 15000 })
	    .catch(() => {});
	ok(await page.locator('#signed-in').textContent().catch(() => '') ===
	    user, 'code mode: passkey and code sign in, back on the page ' +
	    'under otp_paths', await content(page));

	// The passkey as the second factor after the password, on the code
	// page: first a bogus signature (refused, said, no session), then
	// the passkey (UV does not matter for a second factor).
	await signOut(page);
	await bits({ isBogusSignature: true });
	await page.goto(`${base}/app/whoami.cgi`);
	await signIn(page);
	await page.waitForSelector('#passkey-mfa', { state: 'visible',
	    timeout: 15000 }).catch(() => {});
	ok(await page.locator('#code').isVisible() &&
	    await page.locator('#passkey-mfa').isVisible(),
	    'code mode: after the password the code page offers "Use a ' +
	    'passkey"', await content(page));
	await page.click('#passkey-mfa');
	const s = await status(page);
	ok(s.cls === 'error' && /could not be verified/.test(s.text),
	    `code mode: a bogus signature as the second factor is refused ` +
	    `and the page says so: "${s.text}"`, await content(page));
	ok(await accessCookie(ctx) === undefined,
	    'code mode: the refused second factor made no session');
	ok(await heading(page) === 'Enter your code',
	    'code mode: the page stays on the code step', await content(page));
	await bits({});
	await page.click('#passkey-mfa');
	await page.waitForURL(`${base}/app/whoami.cgi`, { timeout: 15000 })
	    .catch(() => {});
	await page.waitForSelector('#signed-in', { timeout: 15000 })
	    .catch(() => {});
	ok(await page.locator('#signed-in').textContent().catch(() => '') ===
	    user, 'code mode: password and passkey sign in, back on the ' +
	    'page under otp_paths', await content(page));

	// Rename it on the account page; remove it with a passkey (a bogus
	// signature first: refused, said, the passkey stays).
	await listed(page);
	await page.locator('form.passkey-rename input').first().fill('Phone');
	await page.locator('form.passkey-rename button').first().click();
	await page.waitForURL(/m=passkey_renamed/, { timeout: 15000 })
	    .catch(() => {});
	ok(/The passkey is renamed/.test(await page.locator('.notice')
	    .first().textContent().catch(() => '')),
	    'code mode: renaming it on the account page says so',
	    await content(page));
	ok(JSON.stringify(await listed(page)) === '["Phone"]',
	    'code mode: it is listed by its new name', await content(page));
	await bits({ isBogusSignature: true });
	await page.locator('button.passkey-confirm').first().click();
	const bad = await status(page);
	ok(bad.cls === 'error' && /could not be verified/.test(bad.text),
	    `code mode: "Remove with a passkey" with a bogus signature is ` +
	    `refused: "${bad.text}"`, await content(page));
	ok(JSON.stringify(await listed(page)) === '["Phone"]',
	    'code mode: and the passkey stays', await content(page));
	await bits({});
	await page.locator('button.passkey-confirm').first().click();
	await page.waitForURL(/m=passkey_removed/, { timeout: 15000 })
	    .catch(() => {});
	ok(/The passkey is removed/.test(await page.locator('.notice')
	    .first().textContent().catch(() => '')),
	    'code mode: "Remove with a passkey" removes it and says so',
	    await content(page));
	ok((await listed(page)).length === 0 &&
	    await accessCookie(ctx) !== undefined,
	    'code mode: it is gone from the list, the session stays',
	    await content(page));
	ok(violations.length === 0,
	    'code mode: no Content-Security-Policy violations',
	    violations.join('\n'));
}

// The walk (see the top).
async function walk(browser) {
	const { ctx, page, violations, cdp, authenticatorId, bits } =
	    await withAuthenticator(browser);

	// The sign-in page: the passkey button beside the password form.
	const res = await page.goto(`${base}/auth/login`);
	const csp = res.headers()['content-security-policy'] || '';
	ok(/script-src 'self'/.test(csp) && !/unsafe-inline/.test(csp),
	    'the sign-in page allows our own script and no inline one', csp);
	await page.waitForSelector('#passkey-login', { state: 'visible',
	    timeout: 15000 }).catch(() => {});
	ok(await page.locator('#passkey-login').isVisible(),
	    'the sign-in page shows "Sign in with a passkey"',
	    await content(page));
	await page.setViewportSize({ width: 390, height: 844 });
	ok(!(await overflows(page)), 'the sign-in page fits 390 px');
	await shots(page, 'passkey-login');
	const js = await page.request.get(`${base}/auth/passkey.js`);
	ok(js.status() === 200 && /javascript/.test(js.headers()['content-type'])
	    && /max-age=86400/.test(js.headers()['cache-control'] || ''),
	    'BASE/passkey.js is served as a script, cached a day',
	    JSON.stringify(js.headers()));

	// The password, then a page under otp_paths: one factor is not
	// enough there.
	await signIn(page);
	ok(await accessCookie(ctx) !== undefined, 'the password signs in');
	await page.goto(`${base}/app/whoami.cgi`);
	ok(await page.locator('#signed-in').count() === 0,
	    'with the password alone the page under otp_paths is refused',
	    await content(page));

	// Add a passkey, named.
	ok((await listed(page)).length === 0, 'no passkeys listed at first');
	ok(await page.locator('#passkey-add').isVisible(),
	    'the account page offers "Add a passkey"', await content(page));
	await page.fill('#passkey-name', name);
	await page.click('#passkey-add button[type="submit"]');
	await page.waitForURL(/m=passkey_added/, { timeout: 15000 })
	    .catch(() => {});
	ok(/The passkey is added/.test(await page.locator('.notice')
	    .first().textContent().catch(() => '')),
	    'adding it says so', await content(page));
	const creds = (await cdp.send('WebAuthn.getCredentials',
	    { authenticatorId })).credentials;
	ok(creds.length === 1 && creds[0].isResidentCredential,
	    'the authenticator holds one discoverable credential',
	    JSON.stringify(creds.map((c) => c.isResidentCredential)));
	ok(JSON.stringify(await listed(page)) === JSON.stringify([name]),
	    'the passkey is listed by its name', await content(page));
	ok(/never used/.test(await page.locator('.passkeys li').first()
	    .textContent()), 'listed as never used yet');

	// Sign out; the protected page's sign-in form; the passkey alone.
	await signOut(page);
	ok(await accessCookie(ctx) === undefined, 'signed out');
	await page.goto(`${base}/app/whoami.cgi`);
	await page.waitForSelector('#passkey-login', { state: 'visible',
	    timeout: 15000 }).catch(() => {});
	ok(await page.locator('input[name="next"]').first().inputValue()
	    .catch(() => '') === '/app/whoami.cgi',
	    'the protected page asks to sign in and leads back to it');
	await page.click('#passkey-login');
	await page.waitForURL(`${base}/app/whoami.cgi`, { timeout: 15000 })
	    .catch(() => {});
	await page.waitForSelector('#signed-in', { timeout: 15000 })
	    .catch(() => {});
	ok(await page.locator('#signed-in').textContent().catch(() => '') ===
	    user, 'the passkey signs in with no user name and passes ' +
	    'otp_paths (UV: two factors)', await content(page));
	const c = await accessCookie(ctx);
	ok(c !== undefined && c.httpOnly, 'the sign-in set the HttpOnly ' +
	    'session cookie');
	ok(/last used/.test(await (async () => { await listed(page);
	    return page.locator('.passkeys li').first().textContent(); })()),
	    'the list says when it was last used');
	await shots(page, 'passkey-account');

	// Refused: a bogus signature, no UP, no UV (UV required).
	await signOut(page);
	const refusals = [
		[{ isBogusSignature: true }, 'a bogus signature'],
		[{ isBadUP: true }, 'an assertion without UP'],
		[{ isBadUV: true }, 'an assertion without UV'],
	];
	for (const [b, what] of refusals) {
		await bits(b);
		await page.goto(`${base}/auth/login`);
		await page.waitForSelector('#passkey-login', { state: 'visible',
		    timeout: 15000 }).catch(() => {});
		await page.click('#passkey-login');
		const s = await status(page);
		ok(s.cls === 'error' && /could not be verified/.test(s.text),
		    `${what} is refused and the page says so: "${s.text}"`,
		    await content(page));
		ok(await accessCookie(ctx) === undefined,
		    `${what}: no session cookie`);
		ok(new URL(page.url()).pathname === '/auth/login',
		    `${what}: the page stays on the sign-in form`, page.url());
		if (what === 'a bogus signature')
			await shots(page, 'passkey-refused');
	}
	await bits({});

	// Remove it: a wrong password does not (the script; without it below).
	await page.goto(`${base}/auth/login`);
	await signIn(page);
	await listed(page);
	const form = page.locator('form.passkey-remove').first();
	await form.locator('input[type="password"]').fill('not the password');
	await form.locator('button[type="submit"]').click();
	const wrong = await status(page);
	ok(wrong.cls === 'error' &&
	    /current password is not right/.test(wrong.text), `a wrong password is refused: "${wrong.text}"`,
	    await content(page));
	ok(JSON.stringify(await listed(page)) === JSON.stringify([name]),
	    'and the passkey stays');

	// Without JavaScript: no passkey button, the password form works,
	// and the removal is a plain form (303 back to the account page).
	const off = await browser.newContext({ javaScriptEnabled: false });
	const p2 = await off.newPage();
	await p2.goto(`${base}/auth/login`);
	ok(!(await p2.locator('#passkey-login').isVisible()),
	    'without JavaScript the sign-in page shows no passkey button');
	await signIn(p2);
	await p2.goto(`${base}/auth/account`);
	ok(await heading(p2) === 'Your account' &&
	    await p2.locator('[data-passkey-nojs]').isVisible(),
	    'and the password signs in; the account page says passkeys need ' +
	    'JavaScript', await content(p2));
	const plain = p2.locator('form.passkey-remove').first();
	ok(await plain.isVisible() && !(await p2.locator(
	    'button.passkey-confirm').first().isVisible()),
	    'without JavaScript the removal form is there, "Remove with a ' +
	    'passkey" is not', await content(p2));
	await plain.locator('input[type="password"]').fill('not the password');
	await plain.locator('button[type="submit"]').click();
	await p2.waitForLoadState();
	ok(/current password is not right/.test(await p2.locator('.error')
	    .first().textContent().catch(() => '')) &&
	    JSON.stringify(await p2.locator('.passkeys li strong')
	    .allTextContents()) === JSON.stringify([name]),
	    'without JavaScript a wrong password is refused on the account ' +
	    'page and the passkey stays', await content(p2));
	await p2.locator('form.passkey-remove input[type="password"]').first()
	    .fill(password);
	await p2.locator('form.passkey-remove button[type="submit"]').first()
	    .click();
	await p2.waitForURL(/m=passkey_removed/, { timeout: 15000 })
	    .catch(() => {});
	ok(/The passkey is removed/.test(await p2.locator('.notice')
	    .first().textContent().catch(() => '')) &&
	    await p2.locator('.passkeys li').count() === 0,
	    'without JavaScript the password removes it (303 back to the ' +
	    'account page, which says so)', await content(p2));
	ok((await listed(page)).length === 0 &&
	    await accessCookie(ctx) !== undefined,
	    'it is gone from the list; removing a passkey ended no session');
	ok(violations.length === 0, 'no Content-Security-Policy violations',
	    violations.join('\n'));
}

const browser = await launch();
try {
	await (mode === 'code' ? codeWalk(browser) : walk(browser));
} catch (e) {
	ok(false, 'the walk ran to the end', e.stack);
} finally {
	await browser.close();
}
done();
