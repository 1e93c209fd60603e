// accounts.mjs: a real browser (Debian's chromium, driven by
// playwright-core) through the accounts that run themselves (issue 16),
// the mails read from the SMTP sink's maildir, printing TAP:
//   sign up -> the verification mail -> its link -> the one button ->
//   sign in; another browser signed in too -> forgot password -> the
//   mail -> a new password -> the other browser is signed out, the old
//   password refused, the new one signs in; a user with two-factor
//   sign-in: the reset page asks for a code, refuses a wrong one, takes
//   one from oathtool; "Keep me signed in" unticked gives browser-session
//   cookies, ticked persistent ones.
// Usage: node accounts.mjs BASE_URL MAILDIR OUTDIR TOTP_USER TOTP_PASSWORD
//   TOTP_SECRET
// Screenshots at 390 and 1280 px wide go to OUTDIR: signup-*.png,
// signup-sent-*.png, verify-*.png, forgot-*.png, reset-*.png,
// reset-code-*.png, unticked-*.png (the page after an unticked sign-in).
import { readdirSync, readFileSync } from 'node:fs';
import { content, cspViolations, done, launch, ok, overflows, screenshots,
    totp } from './tap.mjs';

const [base, maildir, outdir, totpUser, totpPassword, totpSecret] =
    process.argv.slice(2);
const shots = (page, name) => screenshots(page, outdir, name);
const loginForm = 'form[action="/auth/login"]';
const user = 'walter', address = 'walter@example.org';
const password = 'walter password 1', newPassword = 'walter password 2';

// The mails in the sink now, by file name.
function mails() {
	const m = new Map();
	for (const f of readdirSync(`${maildir}/new`)) {
		const text = readFileSync(`${maildir}/new/${f}`, 'utf8');
		m.set(f, {
			to: (text.match(/^To: (.*?)\r?$/m) || [])[1],
			subject: (text.match(/^Subject: (.*?)\r?$/m) || [])[1],
			link: (text.match(/^(https?:\/\/\S+?)\r?$/m) || [])[1],
		});
	}
	return m;
}

// The first mail to `to` that was not in `before` (a mails() map),
// waiting up to 10 s; undefined if none came.
async function mailTo(before, to) {
	for (let i = 0; i < 100; i++) {
		for (const [f, m] of mails())
			if (!before.has(f) && m.to === to)
				return m;
		await new Promise((r) => setTimeout(r, 100));
	}
	return undefined;
}

// Signs in on the page the browser is on with name and pw.
async function signIn(page, name, pw) {
	await page.waitForSelector(loginForm, { timeout: 15000 });
	await page.fill('#username', name);
	await page.fill('#password', pw);
	await page.click(`${loginForm} button[type="submit"]`);
	await page.waitForLoadState();
}

// The h1 of the page, once one is there.
async function heading(page) {
	await page.waitForSelector('h1', { timeout: 15000 }).catch(() => {});
	return (await page.locator('h1').first().textContent()
	    .catch(() => '')).trim();
}

// Forgot password from the sign-in page, for login; returns the link
// of the mail that came (undefined: none).
async function forgot(page, login, to, name) {
	await page.goto(`${base}/auth/login`);
	await page.click('a[href="/auth/reset"]');
	ok(await heading(page) === 'Forgot your password?',
	    `${name}: the sign-in page links to the reset form`,
	    await content(page));
	if (name === user)
		await shots(page, 'forgot');
	const before = mails();
	await page.fill('#login', login);
	await page.click('form[action="/auth/reset"] button[type="submit"]');
	ok(await heading(page) === 'Check your email',
	    `${name}: the request says to check the mail`, await content(page));
	const mail = await mailTo(before, to);
	ok(mail && mail.subject === 'Reset your password' &&
	    /\/auth\/reset\?token=/.test(mail.link || ''),
	    `${name}: the reset mail arrives with its link`, JSON.stringify(mail));
	return mail && mail.link;
}

const browser = await launch();
try {
	const main = await browser.newContext();
	const page = await main.newPage();
	const violations = cspViolations(page);

	// Sign up from the sign-in page.
	await page.goto(`${base}/auth/login`);
	await page.click('a[href="/auth/signup"]');
	ok(await heading(page) === 'Create an account',
	    'the sign-in page links to the sign-up form', await content(page));
	await page.setViewportSize({ width: 390, height: 844 });
	ok(!(await overflows(page)), 'the sign-up form fits 390 px');
	await shots(page, 'signup');
	let before = mails();
	await page.fill('#username', user);
	await page.fill('#email', address);
	await page.fill('#password', password);
	await page.click('form[action="/auth/signup"] button[type="submit"]');
	ok(await heading(page) === 'Check your email',
	    'signing up says to check the mail', await content(page));
	await shots(page, 'signup-sent');

	// The verification mail, its link, the one button.
	const mail = await mailTo(before, address);
	ok(mail && /\/auth\/verify\?token=/.test(mail.link || ''),
	    'the verification mail arrives by SMTP with its link',
	    JSON.stringify(mail));
	const res = await page.goto(mail.link);
	ok(res.headers()['referrer-policy'] === 'strict-origin',
	    'the link\'s page has Referrer-Policy: strict-origin (the token '
	    + 'leaves in no Referer, the form\'s POST keeps our Origin)');
	ok(await heading(page) === 'Confirm your email address',
	    'opening the link shows a page with one button',
	    await content(page));
	await shots(page, 'verify');
	const early = await main.newPage();
	await early.goto(`${base}/auth/login`);
	await signIn(early, user, password);
	await early.waitForSelector('[role="alert"]', { timeout: 15000 })
	    .catch(() => {});
	ok(await early.locator('[role="alert"]').count() === 1 &&
	    await early.locator('#secret').count() === 0,
	    'before the button, signing in is refused with a message',
	    await content(early));
	await early.close();
	await page.click('form[action="/auth/verify"] button[type="submit"]');
	ok(await heading(page) === 'Address confirmed',
	    'the button confirms the address', await content(page));

	// Sign in, here and in another browser.
	await page.goto(`${base}/app/`);
	await signIn(page, user, password);
	await page.waitForSelector('#secret', { timeout: 15000 })
	    .catch(() => {});
	ok(await page.locator('#secret').count() === 1,
	    'the new account signs in and reaches the protected page',
	    await content(page));
	const other = await browser.newContext();
	const page2 = await other.newPage();
	await page2.goto(`${base}/app/`);
	await signIn(page2, user, password);
	await page2.waitForSelector('#secret', { timeout: 15000 })
	    .catch(() => {});
	ok(await page2.locator('#secret').count() === 1,
	    'another browser is signed in too');

	// Forgot password, signed out.
	await page.click('.bar form[action="/auth/logout"] button');
	await page.waitForURL(`${base}/auth/login`);
	const link = await forgot(page, user, address, user);
	await page.goto(link);
	ok(await heading(page) === 'Choose a new password',
	    'the reset link shows the new-password form', await content(page));
	ok(await page.locator('#code').count() === 0,
	    'without two-factor sign-in it asks for no code');
	await shots(page, 'reset');
	await page.fill('#new', newPassword);
	await page.click('form[action="/auth/reset/confirm"] button[type="submit"]');
	ok(await heading(page) === 'Password set',
	    'the new password is set', await content(page));
	await page2.goto(`${base}/app/`).catch(() => {});
	const ended = await page2.waitForSelector(loginForm,
	    { timeout: 15000 }).then(() => true, () => false);
	ok(ended && await page2.locator('#secret').count() === 0,
	    'the other browser\'s session ended with the reset',
	    await content(page2));
	await other.close();
	await page.goto(`${base}/auth/login`);
	await signIn(page, user, password);
	await page.waitForSelector('[role="alert"]', { timeout: 15000 })
	    .catch(() => {});
	ok(await page.locator('[role="alert"]').count() === 1,
	    'the old password is refused', await content(page));
	await page.goto(`${base}/app/`);
	await signIn(page, user, newPassword);
	await page.waitForSelector('#secret', { timeout: 15000 })
	    .catch(() => {});
	ok(await page.locator('#secret').count() === 1,
	    'the new password signs in', await content(page));

	// With two-factor sign-in the reset asks for a code.
	const ctx3 = await browser.newContext();
	const page3 = await ctx3.newPage();
	const link3 = await forgot(page3, totpUser, `${totpUser}@example.org`,
	    totpUser);
	await page3.goto(link3);
	ok(await page3.locator('#code').count() === 1,
	    'with two-factor sign-in on, the reset form asks for a code',
	    await content(page3));
	await shots(page3, 'reset-code');
	ok(await page3.locator('#code[required]').count() === 1,
	    'the code is a required field');
	await page3.fill('#new', `${totpPassword} changed`);
	await page3.fill('#code', '000000');
	await page3.click('form[action="/auth/reset/confirm"] button[type="submit"]');
	await page3.waitForSelector('[role="alert"]', { timeout: 15000 })
	    .catch(() => {});
	ok(await page3.locator('[role="alert"]').count() === 1 &&
	    await heading(page3) !== 'Password set',
	    'with a wrong code the new password is refused',
	    await content(page3));
	await page3.fill('#new', `${totpPassword} changed`);
	// The next step's code: the one of this step may have turned
	// two-factor on (a code is good once), and the server takes the
	// step after as well (clock skew).
	await page3.fill('#code', totp(totpSecret, 30));
	await page3.click('form[action="/auth/reset/confirm"] button[type="submit"]');
	ok(await heading(page3) === 'Password set',
	    'with a code from oathtool it is set', await content(page3));
	await ctx3.close();

	// Keep me signed in: unticked, the cookies end with the browser;
	// ticked, they persist.
	for (const keep of [false, true]) {
		const ctx = await browser.newContext();
		const p = await ctx.newPage();
		await p.goto(`${base}/auth/login`);
		const box = p.locator(`${loginForm} input[name="remember"]`);
		ok(await box.count() === 1 && !(await box.isChecked()),
		    'the sign-in form offers "Keep me signed in", unticked');
		if (keep)
			await box.check();
		await p.fill('#username', user);
		await p.fill('#password', newPassword);
		await p.click(`${loginForm} button[type="submit"]`);
		await p.waitForLoadState();
		const jar = (await ctx.cookies()).filter((c) =>
		    c.name === 'jwtauth_at' || c.name === 'jwtauth_rt');
		ok(jar.length === 2 && jar.every((c) => keep ? c.expires > 0 :
		    c.expires === -1), keep ?
		    'ticked, the sign-in cookies persist (an expiry)' :
		    'unticked, the sign-in cookies are browser-session cookies',
		    JSON.stringify(jar.map((c) => [c.name, c.expires])));
		if (!keep)
			await screenshots(p, outdir, 'unticked');
		await ctx.close();
	}

	ok(violations.length === 0, 'no Content-Security-Policy violation',
	    violations.join('\n'));
} catch (e) {
	ok(false, 'the walk ran to the end', e.stack);
} finally {
	await browser.close();
}
done();
