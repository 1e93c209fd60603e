// flow.mjs: a real browser (Debian's chromium, driven by playwright-core)
// through the HTML flow of a protected page, printing TAP:
//   protected page -> login form -> log in -> the page -> wait past the
//   access token's lifetime -> reload, still in -> log out -> the
//   protected page shows the login form; the back button too.
// Usage: node flow.mjs BASE_URL USER PASSWORD WAIT_SECONDS OUTDIR
// (screenshots go to OUTDIR/login.png, protected.png, login-phone.png)
import { content, cspViolations, done, launch, ok } from './tap.mjs';

const [base, user, password, waitSeconds, outdir] = process.argv.slice(2);
const browser = await launch();
try {
	const context = await browser.newContext();
	const page = await context.newPage();
	const violations = cspViolations(page);

	// Apache shows the form in place of the page (ErrorDocument 401);
	// lighttpd shows the authorizer's page, which moves on to the form.
	const loginForm = 'form[action="/auth/login"]';
	const formShown = () => page.waitForSelector(loginForm,
	    { timeout: 15000 }).then(() => true, () => false);
	await page.goto(`${base}/app/`);
	ok(await formShown(),
	    'a protected page without a session shows the login form');
	ok(await page.locator('input[name="next"]').inputValue() === '/app/',
	    'the form will lead back to the page asked for');
	ok(await page.locator('label[for="username"]').count() === 1 &&
	    await page.locator('label[for="password"]').count() === 1,
	    'the fields have labels');
	ok(await page.evaluate(() => document.activeElement &&
	    document.activeElement.id) === 'username',
	    'the user name field has the focus');
	await page.setViewportSize({ width: 390, height: 844 });
	await page.screenshot({ path: `${outdir}/login-phone.png` });
	await page.setViewportSize({ width: 1280, height: 800 });
	await page.screenshot({ path: `${outdir}/login.png` });

	await page.fill('#username', user);
	await page.fill('#password', 'not the password');
	await page.click('button[type="submit"]');
	ok(await page.locator('[role="alert"]').count() === 1,
	    'a wrong password shows an error message',
	    await content(page));

	await page.fill('#username', user);
	await page.fill('#password', password);
	await page.click('button[type="submit"]');
	await page.waitForURL(`${base}/app/`);
	await page.waitForSelector('#secret', { timeout: 15000 }).catch(() => {});
	ok(await page.locator('#secret').count() === 1,
	    'after login the browser is back on the protected page',
	    await content(page));
	await page.screenshot({ path: `${outdir}/protected.png` });
	const cookies = await context.cookies();
	const at = cookies.find((c) => c.name === 'jwtauth_at');
	ok(at && at.httpOnly && at.sameSite === 'Lax',
	    'the access cookie is HttpOnly and SameSite=Lax');
	const rt = cookies.find((c) => c.name === 'jwtauth_rt');
	ok(rt && rt.httpOnly && rt.sameSite === 'Strict' && rt.path === '/auth',
	    'the refresh cookie is HttpOnly, SameSite=Strict, Path=/auth');

	await page.goto(`${base}/app/whoami.cgi`);
	ok((await page.locator('#auth-user').textContent()) === user,
	    'the protected CGI script sees AUTH_USER');

	// Past the access token's lifetime (a short access_ttl and no leeway
	// in the test's config): a reload still gets in, through the refresh.
	await page.waitForTimeout(Number(waitSeconds) * 1000);
	await page.goto(`${base}/app/`);
	// The 401 page moves on to /auth/refresh, which comes back here.
	const back = await page.waitForSelector('#secret',
	    { timeout: 15000 }).then(() => true, () => false);
	ok(back, 'after the access token expired a reload still shows the page',
	    await content(page));
	const at2 = (await context.cookies()).find((c) => c.name === 'jwtauth_at');
	ok(at2 && at2.value !== at.value, 'the access cookie was renewed silently');

	// The sign-out button of a static page: one click (our own origin).
	await page.click('form[action="/auth/logout"] button');
	await page.waitForURL(`${base}/auth/login`);
	ok(await page.locator('form[action="/auth/login"]').count() === 1,
	    'after logout the login form is shown');
	const left = (await context.cookies()).filter((c) =>
	    c.name === 'jwtauth_at' || c.name === 'jwtauth_rt');
	ok(left.length === 0, 'logout removed both cookies');

	// The back button, twice: towards the protected page, which is
	// no-store.  No step may show its content.
	let shown = 0;
	for (let i = 0; i < 2; i++) {
		await page.goBack().catch(() => {});
		await page.waitForLoadState().catch(() => {});
		shown += await page.locator('#secret').count();
	}
	ok(shown === 0, 'the back button does not show the protected page again',
	    `${page.url()}`);
	// lighttpd's 401 page moves on to the login form at once (a meta
	// refresh), which may interrupt goto's wait for "load".
	await page.goto(`${base}/app/`).catch(() => {});
	ok(await formShown() && await page.locator('#secret').count() === 0,
	    'the protected page shows the login form after logout');
	ok(violations.length === 0, 'no Content-Security-Policy violation',
	    violations.join('\n'));
} catch (e) {
	ok(false, 'the flow ran to the end', e.stack);
} finally {
	await browser.close();
}
done();
