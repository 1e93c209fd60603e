#!/bin/sh
# A protected CGI script of the demo site: it shows the identity that the
# jwtauth authorizer handed to the web server (AUTH_USER, AUTH_SUB,
# AUTH_SID, and REMOTE_USER where the server sets it), escaped for HTML.
esc() {
	printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' \
	    -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'
}
printf 'Content-Type: text/html; charset=utf-8\r\n'
printf 'Cache-Control: no-store\r\n\r\n'
cat <<HTML
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Who am I</title>
<link rel="stylesheet" href="/auth/style.css">
<link rel="icon" type="image/svg+xml" href="/auth/favicon.svg">
</head>
<body>
<main class="wide">
<div class="bar">
<span>Signed in as <strong id="signed-in">$(esc "${AUTH_USER-}")</strong>.
<a href="/auth/account">Your account</a></span>
<form method="post" action="/auth/logout">
<button type="submit" class="secondary">Sign out</button>
</form>
</div>
<h1>Who am I</h1>
<p>This CGI script received from the web server:</p>
<dl>
<dt>AUTH_USER</dt><dd id="auth-user">$(esc "${AUTH_USER-}")</dd>
<dt>AUTH_SUB</dt><dd id="auth-sub">$(esc "${AUTH_SUB-}")</dd>
<dt>AUTH_SID</dt><dd id="auth-sid">$(esc "${AUTH_SID-}")</dd>
<dt>REMOTE_USER</dt><dd id="remote-user">$(esc "${REMOTE_USER-}")</dd>
</dl>
<p class="back"><a href="/app/">Back to the protected page</a></p>
</main>
</body>
</html>
HTML
