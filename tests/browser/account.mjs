// account.mjs: a real browser (Debian's chromium, driven by
// playwright-core) through the account page and two-factor sign-in,
// printing TAP:
//   sign in -> account page -> turn on two-factor (the QR step; codes
//   from oathtool) -> sign out -> sign in with password and code -> a
//   recovery code signs in another browser once (a second use fails) ->
//   end that other session from the account page and see it refused ->
//   sign out.
// Usage: node account.mjs BASE_URL USER PASSWORD OUTDIR
// Screenshots at 390 and 1280 px wide go to OUTDIR: account-*.png,
// qr-*.png, code-*.png, protected-*.png.
import { content, cspViolations, done, launch, ok, overflows, screenshots,
    totp } from './tap.mjs';

const [base, user, password, outdir] = process.argv.slice(2);
const shots = (page, name) => screenshots(page, outdir, name);

const loginForm = 'form[action="/auth/login"]';

// The password step of a sign-in on the page the browser is on.
async function passwordStep(page) {
	await page.waitForSelector(loginForm, { timeout: 15000 });
	await page.fill('#username', user);
	await page.fill('#password', password);
	await page.click(`${loginForm} button[type="submit"]`);
	await page.waitForLoadState();
}

const browser = await launch();
try {
	const main = await browser.newContext();
	const page = await main.newPage();
	const violations = cspViolations(page);

	// Sign in, then the account page.
	await page.goto(`${base}/app/`);
	await passwordStep(page);
	await page.waitForSelector('#secret', { timeout: 15000 }).catch(() => {});
	ok(await page.locator('#secret').count() === 1,
	    'signed in with the password, on the protected page',
	    await content(page));
	await page.goto(`${base}/auth/account`);
	ok(await page.locator('h1').textContent() === 'Your account',
	    'the account page is shown', await content(page));
	ok(await page.locator('.session .badge').count() === 1,
	    'this session is marked as this device');
	ok(/Chromium on Linux|Chrome on Linux/.test(
	    await page.locator('.session strong').first().textContent()),
	    'the session is named in words');
	await page.setViewportSize({ width: 390, height: 844 });
	ok(!(await overflows(page)), 'the account page fits 390 px');
	await page.setViewportSize({ width: 1280, height: 800 });
	await shots(page, 'account');

	// Visible focus: the focused button draws an outline.
	await page.focus('form[action="/auth/2fa/setup"] button');
	const outline = await page.evaluate(() =>
	    getComputedStyle(document.activeElement).outlineStyle);
	ok(outline !== 'none', 'a focused button shows a visible outline',
	    outline);

	// Turn on two-factor sign-in: the QR step.
	await page.fill('#on-password', password);
	await page.click('form[action="/auth/2fa/setup"] button');
	await page.waitForSelector('svg.qr', { timeout: 15000 }).catch(() => {});
	ok(await page.locator('svg.qr').count() === 1,
	    'the QR step shows a QR code (inline SVG)', await content(page));
	const secret = (await page.locator('.secret code').textContent())
	    .replace(/\s+/g, '');
	ok(/^[A-Z2-7]{32}$/.test(secret), 'and the key in text', secret);
	await page.setViewportSize({ width: 390, height: 844 });
	ok(!(await overflows(page)), 'the QR step fits 390 px');
	await shots(page, 'qr');
	await page.fill('#code', totp(secret, 0));
	await page.fill('#password', password);
	await page.click('form[action="/auth/2fa/enable"] button');
	await page.waitForSelector('.codes', { timeout: 15000 }).catch(() => {});
	const codes = await page.locator('.codes code').allTextContents();
	ok(codes.length === 10, 'turned on: ten recovery codes are shown',
	    await content(page));

	// Sign out, sign in with the password and a code.
	await page.goto(`${base}/app/`);
	await page.click('.bar form[action="/auth/logout"] button');
	await page.waitForURL(`${base}/auth/login`);
	ok(await page.locator(loginForm).count() === 1,
	    'the sign-out button of the protected page signs out in one click');
	await page.goto(`${base}/app/`);
	await passwordStep(page);
	await page.waitForSelector('input[name="mfa_token"]', { timeout: 15000 })
	    .catch(() => {});
	ok(await page.locator('#code').count() === 1,
	    'after the password the sign-in asks for a code',
	    await content(page));
	ok(await page.locator('input[name="next"]').inputValue() === '/app/',
	    'the code step keeps next');
	ok(await page.locator('input[name="csrf"]').count() === 1,
	    'the code step carries the CSRF token');
	await shots(page, 'code');
	await page.fill('#code', totp(secret, 30));
	await page.click(`${loginForm} button[type="submit"]`);
	await page.waitForURL(`${base}/app/`).catch(() => {});
	await page.waitForSelector('#secret', { timeout: 15000 }).catch(() => {});
	ok(await page.locator('#secret').count() === 1,
	    'password and code sign in, back on the protected page',
	    await content(page));
	await page.goto(`${base}/app/whoami.cgi`);
	ok(await page.locator('#signed-in').textContent() === user,
	    'the protected page says who is signed in');
	await shots(page, 'protected');

	// A recovery code signs in another browser once.
	const other = await browser.newContext();
	const page2 = await other.newPage();
	await page2.goto(`${base}/app/`);
	await passwordStep(page2);
	await page2.waitForSelector('#code', { timeout: 15000 });
	await page2.fill('#code', codes[0]);
	await page2.click(`${loginForm} button[type="submit"]`);
	await page2.waitForSelector('#secret', { timeout: 15000 }).catch(() => {});
	ok(await page2.locator('#secret').count() === 1,
	    'a recovery code signs in another browser', await content(page2));
	const third = await browser.newContext();
	const page3 = await third.newPage();
	await page3.goto(`${base}/auth/login`);
	await passwordStep(page3);
	await page3.waitForSelector('#code', { timeout: 15000 });
	await page3.fill('#code', codes[0]);
	await page3.click(`${loginForm} button[type="submit"]`);
	await page3.waitForSelector('[role="alert"]', { timeout: 15000 })
	    .catch(() => {});
	ok(await page3.locator('[role="alert"]').count() === 1 &&
	    await page3.locator('#secret').count() === 0,
	    'the same recovery code a second time is refused',
	    await content(page3));
	await third.close();

	// End the other browser's session from the account page.
	await page.goto(`${base}/auth/account`);
	const rows = page.locator('.session');
	ok(await rows.count() === 2, 'the account page lists both sessions');
	const otherRow = rows.filter({ hasNot: page.locator('.badge') });
	await otherRow.locator('button').click();
	await page.waitForSelector('.notice', { timeout: 15000 }).catch(() => {});
	ok(/That device is signed out/.test(
	    await page.locator('.notice').textContent().catch(() => '')),
	    'ending the other session from the account page says so',
	    await content(page));
	ok(await page.locator('.session').count() === 1,
	    'and lists only this one');
	await page2.goto(`${base}/app/`).catch(() => {});
	const refused = await page2.waitForSelector(loginForm,
	    { timeout: 15000 }).then(() => true, () => false);
	ok(refused && await page2.locator('#secret').count() === 0,
	    'the ended browser is refused: it gets the sign-in form',
	    await content(page2));
	await other.close();

	// Sign out.
	await page.goto(`${base}/auth/account`);
	await page.click('form[action="/auth/logout"]:not(:has(input[name="scope"])) button');
	await page.waitForURL(`${base}/auth/login`);
	ok((await main.cookies()).filter((c) => c.name === 'jwtauth_at' ||
	    c.name === 'jwtauth_rt').length === 0, 'signed out: no cookies left');
	ok(violations.length === 0, 'no Content-Security-Policy violation',
	    violations.join('\n'));
} catch (e) {
	ok(false, 'the flow ran to the end', e.stack);
} finally {
	await browser.close();
}
done();
