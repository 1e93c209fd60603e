/*
 * options.c: the sanitizers' default options, linked only into the
 * ASan+UBSan build of jwtauth.fcgi and authctl (make san).  Compiled in
 * rather than set in the environment, because mod_fcgid passes the
 * program no environment but FcgidInitialEnv, lighttpd none but
 * bin-environment, and suexec strips it.  Reports go to standard error,
 * which is the web server's error log; the tests fail on any.
 *
 * Leak detection is off: a FastCGI worker ends by a signal from the web
 * server, when LeakSanitizer does not run, and libpq and OpenSSL keep
 * memory until exit on purpose.  Valgrind checks leaks in the unit tests
 * instead (make valgrind).
 */
const char	*__asan_default_options(void);
const char	*__ubsan_default_options(void);

const char *
__asan_default_options(void)
{
	return "detect_leaks=0:abort_on_error=0:halt_on_error=1:"
	    "detect_stack_use_after_return=1:strict_string_checks=1:"
	    "check_initialization_order=1";
}

const char *
__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=1";
}
