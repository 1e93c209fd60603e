// passkey.js: the one script of the service's pages, served from our own
// origin at BASE/passkey.js (route.c) under the pages' CSP (script-src
// 'self', connect-src 'self': response.c).  It drives the passkey
// buttons of the sign-in page, the code page and the account page (html_passkey.c)
// with navigator.credentials.create()/get() and the JSON routes of
// BASE/passkey/... (W3C WebAuthn Level 3 §5.1.8, §5.1.9, §5.4, §5.5).
// Progressive enhancement: every passkey control is in the page hidden
// and stays so unless window.PublicKeyCredential exists; the password
// forms do not need this script.  Each request carries the page's form
// token ("csrf"), which also tells BASE/passkey/login to end a sign-in
// with the session cookies (answer.c, ANSWER_SCRIPT).  Messages go to
// the section's aria-live status line.
'use strict';
(() => {
	const box = document.querySelector('[data-passkey-base]');
	if (box === null)
		return;
	const base = box.getAttribute('data-passkey-base');
	const status = document.getElementById('passkey-status');

	// Says text in the status line; error: as an error.
	function say(text, error) {
		status.textContent = text;
		status.className = error ? 'error' : 'notice';
	}

	for (const e of document.querySelectorAll('[data-passkey-nojs]'))
		e.hidden = true;
	if (!window.PublicKeyCredential || !navigator.credentials) {
		const none = document.getElementById('passkey-none');
		if (none !== null)
			none.hidden = false;
		return;
	}
	for (const e of document.querySelectorAll('[data-passkey]'))
		e.hidden = false;

	// base64url (RFC 4648 §5, no padding) of an ArrayBuffer, and back.
	function enc(buf) {
		let s = '';
		for (const c of new Uint8Array(buf))
			s += String.fromCharCode(c);
		return btoa(s).replace(/\+/g, '-').replace(/\//g, '_')
		    .replace(/=+$/, '');
	}
	function dec(text) {
		const s = atob(text.replace(/-/g, '+').replace(/_/g, '/') +
		    '==='.slice((text.length + 3) % 4));
		return Uint8Array.from(s, (c) => c.charCodeAt(0)).buffer;
	}
	const decIds = (list) => (list || []).map((c) =>
	    Object.assign({}, c, { id: dec(c.id) }));

	// The options of §5.4 / §5.5 from their JSON forms.
	function createOptions(pk) {
		if (PublicKeyCredential.parseCreationOptionsFromJSON)
			return PublicKeyCredential.parseCreationOptionsFromJSON(pk);
		return Object.assign({}, pk, {
			challenge: dec(pk.challenge),
			user: Object.assign({}, pk.user, { id: dec(pk.user.id) }),
			excludeCredentials: decIds(pk.excludeCredentials),
		});
	}
	function getOptions(pk) {
		if (PublicKeyCredential.parseRequestOptionsFromJSON)
			return PublicKeyCredential.parseRequestOptionsFromJSON(pk);
		return Object.assign({}, pk, {
			challenge: dec(pk.challenge),
			allowCredentials: decIds(pk.allowCredentials),
		});
	}

	// A credential in its JSON form (RegistrationResponseJSON or
	// AuthenticationResponseJSON, §5.1.8, §5.1.9).
	function credentialJSON(cred) {
		if (typeof cred.toJSON === 'function')
			return cred.toJSON();
		const r = cred.response;
		const j = { id: cred.id, rawId: enc(cred.rawId), type: cred.type,
		    clientExtensionResults: cred.getClientExtensionResults(),
		    response: { clientDataJSON: enc(r.clientDataJSON) } };
		if (r.attestationObject !== undefined) {
			j.response.attestationObject = enc(r.attestationObject);
			if (typeof r.getTransports === 'function')
				j.response.transports = r.getTransports();
		} else {
			j.response.authenticatorData = enc(r.authenticatorData);
			j.response.signature = enc(r.signature);
			if (r.userHandle)
				j.response.userHandle = enc(r.userHandle);
		}
		return j;
	}

	// The page's form token, the field every form of it carries.
	function csrf() {
		const f = document.querySelector('input[name="csrf"]');
		return f !== null ? f.value : '';
	}

	// POSTs body as JSON to BASE + path; the status and the JSON answer
	// ({} for none).
	async function post(path, body) {
		body.csrf = csrf();
		const res = await fetch(base + path, { method: 'POST',
		    credentials: 'same-origin', headers: {
		    'Content-Type': 'application/json',
		    'Accept': 'application/json' },
		    body: JSON.stringify(body) });
		let json = {};
		if (res.status !== 204)
			json = await res.json().catch(() => ({}));
		return { status: res.status, json };
	}

	// What went wrong, in words: a refusal's own, or the browser's.
	function why(e, fallback) {
		if (e && e.name === 'NotAllowedError')
			return 'The passkey request was cancelled or timed out. ' +
			    'Try again.';
		if (e && e.name === 'InvalidStateError')
			return 'This device already holds a passkey for your ' +
			    'account.';
		if (e && e.json && e.json.error_description)
			return e.json.error_description;
		return fallback;
	}

	// Runs step with the button disabled, saying its failure.
	function guard(button, busy, step, fallback) {
		return async (ev) => {
			ev.preventDefault();
			button.disabled = true;
			say(busy, false);
			try {
				await step();
			} catch (e) {
				say(why(e, fallback), true);
			} finally {
				button.disabled = false;
			}
		};
	}

	// An answer other than want is thrown, for why().
	function expect(res, want) {
		if (res.status !== want)
			throw res;
		return res.json;
	}

	// A passkey without UV, for a user with two-factor sign-in on: the
	// page's code form takes the second step, as after a password.
	function codeStep(token) {
		const step = document.getElementById('passkey-step');
		step.querySelector('input[name="mfa_token"]').value = token;
		for (const f of document.querySelectorAll('form'))
			f.hidden = f !== step;
		login.parentNode.hidden = true;
		step.hidden = false;
		say('This passkey did not verify you (no PIN or fingerprint): ' +
		    'enter the code from your authenticator app.', false);
		document.getElementById('passkey-code').focus();
	}

	// Signed in (the session cookies are set): on to the next field the
	// server rendered, else the account page.
	function signedIn() {
		say('Signed in.', false);
		const next = document.querySelector('input[name="next"]');
		location.assign(next !== null && next.value !== '' ?
		    next.value : base + '/account');
	}

	// Sign in (usernameless: a discoverable credential, §5.5).
	const login = document.getElementById('passkey-login');
	if (login !== null)
		login.addEventListener('click', guard(login,
		    'Waiting for your passkey...', async () => {
			const opt = expect(await post('/passkey/login/options',
			    {}), 200);
			const cred = await navigator.credentials.get({
			    publicKey: getOptions(opt.publicKey) });
			const body = { credential: credentialJSON(cred),
			    attempt: opt.attempt };
			const keep = document.querySelector(
			    'input[name="remember"]');
			if (keep !== null)
				body.remember = keep.checked;
			const res = await post('/passkey/login', body);
			if (res.status === 401 && res.json.error === 'mfa_required')
				return codeStep(res.json.mfa_token);
			expect(res, 204);
			signedIn();
		}, 'The sign-in with a passkey failed. Try again.'));

	// The second step after a password, on the code page: the page's
	// mfa_token with a passkey of its user in place of a code.
	const mfa = document.getElementById('passkey-mfa');
	if (mfa !== null)
		mfa.addEventListener('click', guard(mfa,
		    'Waiting for your passkey...', async () => {
			const token = document.querySelector(
			    'input[name="mfa_token"]').value;
			const opt = expect(await post('/passkey/login/options',
			    { mfa_token: token }), 200);
			const cred = await navigator.credentials.get({
			    publicKey: getOptions(opt.publicKey) });
			expect(await post('/passkey/login', { mfa_token: token,
			    credential: credentialJSON(cred) }), 204);
			signedIn();
		}, 'The passkey could not be used. Try again, or enter a ' +
		    'code.'));

	// Add a passkey, named (§5.4).
	const add = document.getElementById('passkey-add');
	if (add !== null)
		add.addEventListener('submit', guard(add.querySelector('button'),
		    'Follow your browser to make the passkey...', async () => {
			const name = document.getElementById('passkey-name').value;
			const opt = expect(await post(
			    '/passkey/register/options', {}), 200);
			const cred = await navigator.credentials.create({
			    publicKey: createOptions(opt.publicKey) });
			expect(await post('/passkey/register', {
			    credential: credentialJSON(cred), name }), 201);
			location.assign(base + '/account?m=passkey_added');
		}, 'The passkey could not be added. Try again.'));

	// Rename one.
	for (const form of document.querySelectorAll('form.passkey-rename'))
		form.addEventListener('submit', guard(form.querySelector('button'),
		    'Renaming the passkey...', async () => {
			expect(await post('/passkey/rename', {
			    id: form.getAttribute('data-id'),
			    name: form.querySelector('input').value }), 204);
			location.assign(base + '/account?m=passkey_renamed');
		}, 'The passkey could not be renamed. Try again.'));

	// Remove one, the current password confirming it, or one of the
	// user's passkeys (an assertion over a "confirm" challenge).
	for (const form of document.querySelectorAll('form.passkey-remove')) {
		const id = form.getAttribute('data-id');
		form.addEventListener('submit', guard(form.querySelector(
		    'button[type="submit"]'), 'Removing the passkey...',
		    async () => {
			expect(await post('/passkey/remove', { id,
			    password: form.querySelector('input[type="password"]')
			    .value }), 204);
			location.assign(base + '/account?m=passkey_removed');
		}, 'The passkey could not be removed. Try again.'));
		const confirm = form.querySelector('button.passkey-confirm');
		confirm.addEventListener('click', guard(confirm,
		    'Waiting for your passkey...', async () => {
			const opt = expect(await post('/passkey/login/options',
			    { purpose: 'confirm' }), 200);
			const cred = await navigator.credentials.get({
			    publicKey: getOptions(opt.publicKey) });
			expect(await post('/passkey/remove', { id,
			    credential: credentialJSON(cred) }), 204);
			location.assign(base + '/account?m=passkey_removed');
		}, 'The passkey could not be removed. Try again.'));
	}
})();
