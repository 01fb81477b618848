// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes through lexer, parser, resolver and
 * compiler. Any crash, leak or sanitizer report is a bug; every one found
 * becomes a golden error case in tests/golden/errors/.
 */
#include <stddef.h>
#include <stdint.h>

#include "pipeline/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipeline p;

	pipeline_load_mem(&p, "fuzz.conf", (const char *)data, size,
			  STAGE_COMPILE);
	pipeline_free(&p);
	return 0;
}
