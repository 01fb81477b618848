/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seed's config (examples/seed.conf) as the unit tests embed it: the
 * VPN peer at @peer (a string literal), everyone but it denied IKE on
 * wan1. More text may follow SEED_CONF_POLICY1 before the final "end".
 */
#ifndef LOCALIN_TESTS_SEED_CONF_H
#define LOCALIN_TESTS_SEED_CONF_H

#define SEED_CONF_POLICY1(peer)                         \
	"config firewall address\n"                     \
	"    edit \"remote-vpn\"\n"                     \
	"        set subnet " peer " 255.255.255.255\n" \
	"    next\n"                                    \
	"end\n"                                         \
	"config firewall addrgrp\n"                     \
	"    edit \"All_exceptions\"\n"                 \
	"        set member \"all\"\n"                  \
	"        set exclude enable\n"                  \
	"        set exclude-member \"remote-vpn\"\n"   \
	"    next\n"                                    \
	"end\n"                                         \
	"config firewall local-in-policy\n"             \
	"    edit 1\n"                                  \
	"        set intf \"wan1\"\n"                   \
	"        set srcaddr \"All_exceptions\"\n"      \
	"        set dstaddr \"all\"\n"                 \
	"        set service \"IKE\"\n"                 \
	"        set schedule \"always\"\n"             \
	"    next\n"

#define SEED_CONF(peer) SEED_CONF_POLICY1(peer) "end\n"

#endif
