/*
 * common/log.c: see log.h.  Lines are formatted into a stack buffer and
 * written with one write(2) so concurrent threads never interleave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

static const char *log_name = "registry";
static int log_syslog;
static enum log_level log_lvl = LOG_LVL_INFO;
static _Thread_local char log_reqid[40];

void
log_init(const char *name, int use_syslog, enum log_level level)
{
	log_name = name;
	log_syslog = use_syslog;
	log_lvl = level;
	if (use_syslog)
		openlog(name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level level)
{
	log_lvl = level;
}

void
log_set_reqid(const char *id)
{
	if (id == NULL) {
		log_reqid[0] = '\0';
		return;
	}
	(void)snprintf(log_reqid, sizeof(log_reqid), "%s", id);
}

__attribute__((format(printf, 3, 0))) static void
vlog(int prio, const char *errstr, const char *fmt, va_list ap)
{
	char msg[2048], line[2300];
	struct tm tm;
	time_t now;
	int n;

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_syslog) {
		if (errstr != NULL)
			syslog(prio, "%s%s%s: %s", log_reqid,
			    log_reqid[0] ? " " : "", msg, errstr);
		else
			syslog(prio, "%s%s%s", log_reqid,
			    log_reqid[0] ? " " : "", msg);
		return;
	}
	now = time(NULL);
	(void)gmtime_r(&now, &tm);
	n = snprintf(line, sizeof(line),
	    "%04d-%02d-%02dT%02d:%02d:%02dZ %s[%d]: %s%s%s%s%s%s\n",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, log_name, (int)getpid(), log_reqid[0] ? "req=" : "",
	    log_reqid, log_reqid[0] ? " " : "", msg, errstr != NULL ? ": " : "",
	    errstr != NULL ? errstr : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		/* truncated: keep the line terminated */
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

void
log_warn(const char *fmt, ...)
{
	char ebuf[128];
	const char *es;
	int saved = errno;
	va_list ap;

	es = strerror_r(saved, ebuf, sizeof(ebuf));
	va_start(ap, fmt);
	vlog(LOG_ERR, es, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_lvl < LOG_LVL_INFO)
		return;
	va_start(ap, fmt);
	vlog(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_lvl < LOG_LVL_DEBUG)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	char ebuf[128];
	const char *es;
	va_list ap;

	es = strerror_r(errno, ebuf, sizeof(ebuf));
	va_start(ap, fmt);
	vlog(LOG_CRIT, es, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

char *
log_escape(char *dst, size_t dstsz, const char *src, size_t srclen)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (dstsz == 0)
		return dst;
	for (i = 0; i < srclen; i++) {
		unsigned char c = (unsigned char)src[i];
		size_t need = (c < 0x20 || c >= 0x7f || c == '\\') ? 4 : 1;

		if (o + need + 4 > dstsz) {
			if (o + 4 <= dstsz) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 4) {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		} else {
			dst[o++] = (char)c;
		}
	}
	dst[o] = '\0';
	return dst;
}
