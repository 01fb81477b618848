// SPDX-License-Identifier: GPL-2.0
/* Every log line to every output; see logout.h. */
#include "daemon/logout.h"

#include "daemon/internal.h"

void log_out(struct daemon *d, const char *line, size_t len,
	     const struct log_meta *m)
{
	sink_write(&d->sink, line, len, 1);
	syslogd_offer(d, line, len, m);
}
