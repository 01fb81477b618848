// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "../objects/factory.h"
#include "parser.h"

int conf_load(struct conf_tree *t, const struct conf_source *src,
	      struct diag_list *dl)
{
	const struct conf_source *factory;

	factory = conf_source_mem(t->arena, "<factory>", objects_factory_config,
				  strlen(objects_factory_config), true);
	/* The factory text is ours: an error in it is a bug, counted like any. */
	if (conf_parse(t, factory, dl))
		return -EINVAL;
	return conf_parse(t, src, dl);
}
