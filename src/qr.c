/*
 * qr.c: a QR code (ISO/IEC 18004) of a short text as an inline SVG, made
 * on the server with libqrencode: the account page shows the otpauth://
 * URI of a new second factor this way, with no script and no image
 * request.  Error correction level M, 8-bit mode, a quiet zone of four
 * modules; one path of unit squares, dark on a white background so that
 * phones read it in a dark theme too.
 */
#include <errno.h>

#include <qrencode.h>
#include <sodium.h>

#include "jwtauth.h"

#define QR_QUIET	4	/* modules of white around the code */

/*
 * Appends the SVG of the QR code of text to b, labelled label for
 * screen readers.  Returns JA_OK, or JA_EINVAL (text too long for a QR
 * code) or JA_ENOMEM.
 */
int
qr_svg(struct buf *b, const char *text, const char *label)
{
	QRcode	*q;
	int	 x, y, w;

	if ((q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) ==
	    NULL)
		return errno == ENOMEM ? JA_ENOMEM : JA_EINVAL;
	w = q->width + 2 * QR_QUIET;
	buf_printf(b, "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	    "aria-label=\"", w, w, w * 6, w * 6);
	buf_html(b, label);
	buf_printf(b, "\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
	    "<path fill=\"#000\" d=\"", w, w);
	for (y = 0; y < q->width; y++)
		for (x = 0; x < q->width; x++)
			if (q->data[y * q->width + x] & 1)
				buf_printf(b, "M%d %dh1v1h-1z", x + QR_QUIET,
				    y + QR_QUIET);
	buf_puts(b, "\"/></svg>\n");
	/* The modules spell the secret out. */
	sodium_memzero(q->data, (size_t)q->width * (size_t)q->width);
	QRcode_free(q);
	return b->failed ? JA_ENOMEM : JA_OK;
}
