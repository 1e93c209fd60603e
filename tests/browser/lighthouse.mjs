// lighthouse.mjs: Lighthouse's accessibility and best-practices audits
// of our pages in Debian's chromium, printing TAP: for each page, the
// accessibility score is 100 and best practices at least 96, with the
// audits that failed named in a comment when not.
// Usage: node lighthouse.mjs BASE_URL TOKEN PATH...
//   TOKEN: an access token, sent as "Authorization: Bearer TOKEN" with
//   every request of the pages whose PATH starts with "+" (the "+"
//   dropped); "-" for none.  (Chromium drops a Cookie header given as
//   an extra header, and the account page takes either.)
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { done, ok } from './tap.mjs';

const [base, token, ...paths] = process.argv.slice(2);

// The scored audits of a category that did not pass, as "id (score)".
function failed(lhr, category) {
	return lhr.categories[category].auditRefs
	    .map((ref) => lhr.audits[ref.id])
	    .filter((a) => a.score !== null && a.score < 1 &&
		(a.scoreDisplayMode === 'binary' ||
		a.scoreDisplayMode === 'numeric'))
	    .map((a) => `${a.id} (${a.score})`).join(', ');
}

const chrome = await chromeLauncher.launch({
	chromePath: process.env.CHROMIUM || '/usr/bin/chromium',
	chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu',
	    '--no-first-run', '--disable-background-networking',
	    '--disable-component-update', '--disable-sync'],
});
try {
	for (const p of paths) {
		const signedIn = p.startsWith('+');
		const path = signedIn ? p.slice(1) : p;
		const headers = signedIn && token !== '-' ?
		    { Authorization: `Bearer ${token}` } : {};
		const run = await lighthouse(`${base}${path}`, {
			port: chrome.port, logLevel: 'error', output: 'json',
			onlyCategories: ['accessibility', 'best-practices'],
			extraHeaders: headers,
		});
		const lhr = run.lhr;
		const name = path.replace(/token=[^&]+/, 'token=…');
		ok(!lhr.runtimeError, `${name}: Lighthouse ran`,
		    lhr.runtimeError && lhr.runtimeError.message);
		const a11y = Math.round(lhr.categories.accessibility.score * 100);
		const bp = Math.round(lhr.categories['best-practices'].score * 100);
		ok(a11y === 100, `${name}: accessibility ${a11y} (100 wanted)`,
		    failed(lhr, 'accessibility'));
		ok(bp >= 96, `${name}: best practices ${bp} (96 or more wanted)`,
		    failed(lhr, 'best-practices'));
		ok(lhr.finalDisplayedUrl === `${base}${path}`,
		    `${name}: audited where asked, not redirected`,
		    lhr.finalDisplayedUrl);
	}
} catch (e) {
	ok(false, 'the audits ran to the end', e.stack);
} finally {
	await chrome.kill();
}
done();
