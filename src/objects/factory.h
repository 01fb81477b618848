/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The factory defaults: FortiOS CLI text that conf_load() parses into the
 * tree before the admin's config, as a FortiGate has these objects before
 * anyone configures it. Entries it creates are marked `factory`.
 */
#ifndef LOCALIN_OBJECTS_FACTORY_H
#define LOCALIN_OBJECTS_FACTORY_H

extern const char objects_factory_config[];

#endif
