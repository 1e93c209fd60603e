// tap.mjs: what the browser walks (flow.mjs, account.mjs) share: TAP
// output, the page's HTML for a failure message, Debian's chromium
// started the same way, and a record of Content-Security-Policy
// violations reported on a page's console.
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

// The plan, then exit: 1 if any test failed.
export function done() {
	console.log(`1..${n}`);
	process.exit(failed ? 1 : 0);
}
