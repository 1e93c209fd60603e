/*
 * keyfile.c: reading and writing the secret key files.  A key file holds
 * one line: base64url (or base64) text of 32 to 64 random bytes.  Like
 * OpenBSD's check_file_secrecy(), a file that its group or others may
 * read is refused.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "jwtauth.h"

/*
 * Opens path for reading, refusing a symbolic link (O_NOFOLLOW) and
 * anything but a regular file; *st gets its status.  Returns the file
 * descriptor, or -1 with a message naming the file in err.
 */
static int
keyfile_open(const char *path, struct stat *st, char *err, size_t errlen)
{
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Reads the key in path into key (at most max bytes), its length in
 * *len.  Returns JA_OK, or JA_ECONFIG with a message in err naming the
 * file when it is missing, not a regular file, readable by group or
 * others, empty, not base64, or shorter than JA_KEY_MIN bytes.  The
 * text read is wiped before returning.
 */
int
keyfile_read(const char *path, unsigned char *key, size_t max, size_t *len,
    char *err, size_t errlen)
{
	struct stat	 st;
	char		 text[256];
	ssize_t		 n;
	int		 fd, rc = JA_ECONFIG;

	*len = 0;
	if ((fd = keyfile_open(path, &st, err, errlen)) == -1)
		return JA_ECONFIG;
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen, "%s: readable by group or others "
		    "(chmod 600)", path);
		goto out;
	}
	if ((n = read(fd, text, sizeof(text) - 1)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	text[n] = '\0';
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' ||
	    text[n - 1] == ' ' || text[n - 1] == '\t'))
		text[--n] = '\0';
	if (n == 0) {
		snprintf(err, errlen, "%s: empty key file", path);
		goto out;
	}
	if (sodium_base642bin(key, max, text, (size_t)n, NULL, len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 &&
	    sodium_base642bin(key, max, text, (size_t)n, NULL, len, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0) {
		snprintf(err, errlen, "%s: not base64 text of at most %zu "
		    "bytes", path, max);
		*len = 0;
		goto out;
	}
	if (*len < JA_KEY_MIN) {
		snprintf(err, errlen, "%s: key is %zu bytes, at least %d "
		    "are needed", path, *len, JA_KEY_MIN);
		sodium_memzero(key, max);
		*len = 0;
		goto out;
	}
	rc = JA_OK;
out:
	sodium_memzero(text, sizeof(text));
	close(fd);
	return rc;
}

/*
 * Creates path, which must not exist yet (O_EXCL, no symbolic link),
 * with mode 0600, holding the len bytes at data, synced to disk.  On
 * failure nothing is left behind.  Returns JA_OK, JA_EEXIST, or JA_EIO,
 * with a message in err.  For key files of every kind (keygen.c too).
 */
int
keyfile_create(const char *path, const void *data, size_t len, char *err,
    size_t errlen)
{
	int	 fd, rc = JA_EIO;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return errno == EEXIST ? JA_EEXIST : JA_EIO;
	}
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) == -1)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else
		rc = JA_OK;
	if (close(fd) == -1 && rc == JA_OK) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = JA_EIO;
	}
	if (rc != JA_OK)
		unlink(path);
	return rc;
}

/*
 * Creates path (which must not exist yet) with mode 0600 holding a new
 * 32-byte random key as base64url.  Returns JA_OK, JA_EEXIST, or JA_EIO
 * with a message in err.
 */
int
keyfile_write(const char *path, char *err, size_t errlen)
{
	char	 text[JA_RT_LEN + 2];
	size_t	 len;
	int	 rc;

	if (random_b64url(text, sizeof(text) - 1, JA_KEY_MIN) != JA_OK) {
		snprintf(err, errlen, "%s: no random key", path);
		return JA_EIO;
	}
	len = strlen(text);
	text[len++] = '\n';
	rc = keyfile_create(path, text, len, err, errlen);
	sodium_memzero(text, sizeof(text));
	return rc;
}

#define KEYFILE_PEM_MAX	16384

/*
 * Reads the PEM file path (RFC 7468) into *pem, NUL-terminated, its
 * length in *len; free it with free(3) after sodium_memzero().  A file
 * holding a private key ("PRIVATE KEY" in its text) is refused when its
 * group or others may read it, as keyfile_read() does; a public key may
 * be readable by anyone.  Returns JA_OK, or JA_ECONFIG with a message
 * in err naming the file.
 */
int
keyfile_read_pem(const char *path, char **pem, size_t *len, char *err,
    size_t errlen)
{
	struct stat	 st;
	char		*text = NULL;
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd, rc = JA_ECONFIG;

	*pem = NULL;
	*len = 0;
	if ((fd = keyfile_open(path, &st, err, errlen)) == -1)
		return JA_ECONFIG;
	if ((text = malloc(KEYFILE_PEM_MAX + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while (got < KEYFILE_PEM_MAX && (n = read(fd, text + got,
	    KEYFILE_PEM_MAX - got)) != 0) {
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		got += (size_t)n;
	}
	text[got] = '\0';
	if (got == KEYFILE_PEM_MAX || strlen(text) != got) {
		snprintf(err, errlen, "%s: not a PEM key file", path);
		goto out;
	}
	if (strstr(text, "PRIVATE KEY") != NULL &&
	    (st.st_mode & (S_IRWXG | S_IRWXO))) {
		snprintf(err, errlen, "%s: readable by group or others "
		    "(chmod 600)", path);
		goto out;
	}
	*pem = text;
	*len = got;
	text = NULL;
	rc = JA_OK;
out:
	if (text != NULL) {
		sodium_memzero(text, KEYFILE_PEM_MAX + 1);
		free(text);
	}
	close(fd);
	return rc;
}
