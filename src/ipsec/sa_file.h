/* SPDX-License-Identifier: GPL-2.0 */
/* The SA file: replay's --sa-file and the daemon's `type file` source. */
#ifndef LOCALIN_IPSEC_SA_FILE_H
#define LOCALIN_IPSEC_SA_FILE_H

#include "conf/diag.h"
#include "dataplane/spi_table.h"

/*
 * Read an SA file: one SA a line, `DESTINATION SPI [PEER [TUNNEL]]`, SPI
 * in hex with or without 0x, `#` comments. Errors are queued on @dl with
 * their position; returns 0, -EINVAL on a bad line, or -errno if the file
 * cannot be read.
 */
int sa_file_load(struct spi_table *t, struct arena *a, const char *path,
		 struct diag_list *dl);

#endif
