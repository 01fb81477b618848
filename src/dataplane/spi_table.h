/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live inbound SAs as the data path sees them: a set of (destination,
 * SPI) with the peer and tunnel name for logs and traces: what the loader
 * and the host engine build their SA tables from (sa_table.h). The SA
 * sources (src/ipsec) fill it.
 */
#ifndef LOCALIN_DATAPLANE_SPI_TABLE_H
#define LOCALIN_DATAPLANE_SPI_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#define SA_TUNNEL_MAX 36

/* Which way an SA carries traffic, as its source knows it. */
enum sa_dir {
	SA_DIR_UNKNOWN, /* XFRM before XFRMA_SA_DIR: in if daddr is ours */
	SA_DIR_IN,
	SA_DIR_OUT,
};

struct sa_entry {
	__u8 family;	/* 4 or 6; 0 = free slot */
	__u32 daddr[4]; /* network order, IPv4 in daddr[0] */
	__u32 spi;	/* host order */
	__u8 has_peer;
	__u32 peer[4]; /* the SA's source address: the remote end of an in SA */
	char tunnel[SA_TUNNEL_MAX];
	__u8 dir;   /* enum sa_dir */
	__u8 encap; /* ESP in UDP (NAT-T): ports below, host order */
	__u16 encap_sport, encap_dport;
	__u32 reqid; /* XFRM reqid, or the CHILD_SA's unique id; 0 unknown */
};

struct spi_table {
	struct sa_entry *slots;
	size_t size, nr; /* size is a power of two */
};

void spi_table_init(struct spi_table *t);
void spi_table_free(struct spi_table *t);
/* Add or replace; returns 0 or -ENOMEM. */
int spi_table_add(struct spi_table *t, const struct sa_entry *sa);
const struct sa_entry *spi_table_find(const struct spi_table *t, int family,
				      const __u32 *daddr, __u32 spi);

#endif
