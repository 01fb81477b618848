// SPDX-License-Identifier: GPL-2.0
/* Every log line to every output; see logout.h. */
#include "daemon/logout.h"

#include "daemon/internal.h"

void log_out(struct daemon *d, const char *line, size_t len,
	     const struct log_meta *m)
{
	logfile_write(d, line, len);
	alertmail_offer(d, line, len, m);
	syslogd_offer(d, line, len, m);
}
