// SPDX-License-Identifier: GPL-2.0
/* FortiOS's abbreviated keywords; see keyword.h. */
#include "util/keyword.h"
#include "util/logbuf.h"

#include <errno.h>
#include <string.h>

int keyword_index(const char *word, const char *const *words, int n)
{
	size_t len = strlen(word);
	int i, found = -ENOENT, shortest = -1;

	for (i = 0; i < n; i++) {
		if (!strcmp(word, words[i]))
			return i;
		if (!len || strncmp(word, words[i], len))
			continue;
		found = found == -ENOENT ? i : -EAGAIN;
		if (shortest < 0 || strlen(words[i]) < strlen(words[shortest]))
			shortest = i;
	}
	if (found != -EAGAIN)
		return found;
	/* "local": local-in-policy, not local-in-policy6, as on FortiOS. */
	for (i = 0; i < n; i++)
		if (!strncmp(word, words[i], len) &&
		    strncmp(words[shortest], words[i], strlen(words[shortest])))
			return -EAGAIN;
	return shortest;
}

int keyword_candidates(const char *word, const char *const *words, int n,
		       char *buf, size_t size)
{
	size_t len = strlen(word);
	struct logbuf lb;
	int i;

	logbuf_init(&lb, buf, size);
	for (i = 0; i < n; i++)
		if (!strncmp(word, words[i], len))
			logbuf_printf(&lb, "%s%s", lb.len ? ", " : "",
				      words[i]);
	return logbuf_result(&lb);
}
