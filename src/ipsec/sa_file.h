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
 * cannot be read (or, SA_FILE_GUARDED, is refused).
 */
int sa_file_load(struct spi_table *t, struct arena *a, const char *path,
		 unsigned int flags, struct diag_list *dl);
/*
 * The daemon's read: it runs as root and the path comes from a config the
 * admin group may write, who must not learn through it what only root may
 * read (`set path "/etc/shadow"`). The file and every symbolic link to it
 * must belong to root or to the daemon's user (CONF_READ_OWNED_FILE,
 * CONF_READ_OWNED_LINKS), others may not write the file (whoever may
 * chose its SPIs: CONF_READ_NOT_WORLD_WRITABLE), and no error quotes a
 * word of it, only where
 * (line, column) and what was wrong. Replay's --sa-file reads as its
 * user, who may read the file: it quotes.
 */
#define SA_FILE_GUARDED 1u

#endif
