/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The factory defaults: FortiOS CLI text that conf_load() parses into the
 * tree before the admin's config, as a FortiGate has these objects before
 * anyone configures it. Entries it creates are marked `factory`.
 */
#ifndef LOCALIN_CONF_FACTORY_H
#define LOCALIN_CONF_FACTORY_H

extern const char conf_factory_config[];

#endif
