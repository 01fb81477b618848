/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an SA source (kernel XFRM, strongSwan's VICI, a file) tells the
 * daemon: a stream of SA events. A source parses its own wire format into
 * struct sa_entry and calls one function; it keeps no SA table of its own.
 *
 *   SA_EV_ADD         an SA was installed or updated (also each SA of a dump)
 *   SA_EV_DEL         an SA was deleted or hard-expired
 *   SA_EV_SYNC_BEGIN  a full listing starts (connect, reconnect, resync)
 *   SA_EV_SYNC_END    it is complete: an SA of this source that was not
 *                     reported since SYNC_BEGIN is gone
 *   SA_EV_DOWN        the source cannot be read now (socket closed, charon
 *                     stopped); its SAs stay as they were until it is back
 *
 * @sa is NULL for the last three.
 */
#ifndef LOCALIN_IPSEC_SA_SOURCE_H
#define LOCALIN_IPSEC_SA_SOURCE_H

#include "dataplane/spi_table.h"

enum sa_event {
	SA_EV_ADD,
	SA_EV_DEL,
	SA_EV_SYNC_BEGIN,
	SA_EV_SYNC_END,
	SA_EV_DOWN,
};

typedef void sa_event_fn(void *ctx, enum sa_event ev,
			 const struct sa_entry *sa);

#endif
