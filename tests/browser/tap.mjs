// tap.mjs: what the browser walks (flow.mjs, account.mjs, accounts.mjs)
// share: TAP output, the page's HTML for a failure message, Debian's
// chromium started the same way, a record of Content-Security-Policy
// violations reported on a page's console, screenshots at both widths,
// the check that a page fits them, and TOTP codes from oathtool.
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

let n = 0, failed = 0;

// One TAP test: "ok N - name", or "not ok" with detail as a comment.
export function ok(cond, name, detail) {
	n++;
	if (!cond) failed++;
	console.log(`${cond ? '' : 'not '}ok ${n} - ${name}`);
	if (!cond && detail !== undefined)
		console.log(`# ${String(detail).replace(/\n/g, '\n# ')}`);
}

// The page's HTML for a failure message, or a note while it navigates.
export async function content(page) {
	try {
		return await page.content();
	} catch (e) {
		return `(page navigating: ${e.message.split('\n')[0]})`;
	}
}

// Debian's chromium ($CHROMIUM), headless, with nothing of its own on
// the network.
export function launch() {
	return chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic',
		    '--no-first-run', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync'],
	});
}

// The Content-Security-Policy violations page reports, as they come.
export function cspViolations(page) {
	const violations = [];
	page.on('console', (m) => {
		if (/Content Security Policy/i.test(m.text()))
			violations.push(m.text());
	});
	return violations;
}

// Screenshots of page at both widths: OUTDIR/NAME-390.png and
// OUTDIR/NAME-1280.png (the window is left at 1280).
export async function screenshots(page, outdir, name) {
	await page.setViewportSize({ width: 390, height: 844 });
	await page.screenshot({ path: `${outdir}/${name}-390.png`,
	    fullPage: true });
	await page.setViewportSize({ width: 1280, height: 800 });
	await page.screenshot({ path: `${outdir}/${name}-1280.png`,
	    fullPage: true });
}

// Whether the page is wider than the window (a horizontal scroll bar).
export async function overflows(page) {
	return page.evaluate(() =>
	    document.documentElement.scrollWidth > window.innerWidth + 1);
}

// The TOTP code of secret (base32) at now + offset seconds, by oathtool.
export function totp(secret, offset) {
	const t = Math.floor(Date.now() / 1000) + offset;
	return execFileSync('oathtool', ['--totp', '-b', '-N', `@${t}`,
	    secret]).toString().trim();
}

// The plan, then exit: 1 if any test failed.
export function done() {
	console.log(`1..${n}`);
	process.exit(failed ? 1 : 0);
}
