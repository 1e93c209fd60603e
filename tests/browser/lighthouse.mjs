// lighthouse.mjs: Lighthouse's accessibility and best-practices audits
// of our pages in Debian's chromium, printing TAP: for each page, the
// accessibility score is 100 and best practices at least 96, with the
// audits that failed named in a comment when not.
// Usage: node lighthouse.mjs BASE_URL TOKEN PATH...
//   TOKEN: an access token, sent as "Authorization: Bearer TOKEN" with
//   every request of the pages whose PATH starts with "+" (the "+"
//   dropped); "-" for none.  (Chromium drops a Cookie header given as
//   an extra header, and the account page takes either.)
//   A PATH starting with "=" is a sign-in form: it is filled with the
//   user and password of LIGHTHOUSE_SIGNIN ("USER\nPASSWORD") and sent,
//   and the page that answers (the second step's code page, which only
//   a POST reaches) is audited in Lighthouse's snapshot mode, driven by
//   puppeteer-core (Lighthouse's own dependency).
import lighthouse, { snapshot } from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import puppeteer from 'puppeteer-core';
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
const only = { onlyCategories: ['accessibility', 'best-practices'] };

// The result of the page that the sign-in form at url answers with.
async function answered(url) {
	const [user, password] = (process.env.LIGHTHOUSE_SIGNIN || '')
	    .split('\n');
	const browser = await puppeteer.connect({
		browserURL: `http://127.0.0.1:${chrome.port}`,
	});
	try {
		const page = await browser.newPage();
		await page.goto(url);
		await page.type('#username', user);
		await page.type('#password', password);
		await Promise.all([page.waitForNavigation(),
		    page.click('form[action$="/login"] button[type=submit]')]);
		const step = await page.$('input[name=mfa_token]');
		const run = await snapshot(page, { config: {
			extends: 'lighthouse:default', settings: only } });
		await page.close();
		return { run, step: step !== null };
	} finally {
		browser.disconnect();
	}
}

try {
	for (const p of paths) {
		if (p.startsWith('=')) {
			const { run, step } = await answered(`${base}${p.slice(1)}`);
			const lhr = run.lhr;
			ok(step, `the page answering ${p.slice(1)} is the second ` +
			    'step (it carries the mfa_token)');
			const a11y = Math.round(lhr.categories.accessibility.score * 100);
			const bp = Math.round(lhr.categories['best-practices'].score * 100);
			ok(a11y === 100, `the page answering ${p.slice(1)}: ` +
			    `accessibility ${a11y} (100 wanted)`,
			    failed(lhr, 'accessibility'));
			ok(bp >= 96, `the page answering ${p.slice(1)}: best ` +
			    `practices ${bp} (96 or more wanted)`,
			    failed(lhr, 'best-practices'));
			continue;
		}
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
