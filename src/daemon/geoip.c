// SPDX-License-Identifier: GPL-2.0
/*
 * The country databases of the config in force (objects/geo.c): checked
 * every GEOIP_CHECK_MS from the loop with a stat, and a file that changed
 * reloads the config, the normal way: a database that does not read, or
 * a config that no longer checks, leaves the running config in force.
 * A change is acted on once the file has stayed the same over two checks,
 * so that a copy still being written is not read half done.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/internal.h"
#include "daemon/diag_fmt.h"

#define GEOIP_CHECK_MS 2000

static void geo_id_now(const char *path, struct geo_file_id *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (stat(path, &st))
		return;
	id->present = true;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = (uint64_t)st.st_size;
	id->mtime_ns =
		(int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

static bool geo_id_same(const struct geo_file_id *a,
			const struct geo_file_id *b)
{
	return a->present == b->present && a->dev == b->dev &&
	       a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns;
}

void geoip_configure(struct daemon *d)
{
	int i;

	for (i = 0; i < 2; i++) {
		const struct obj_geoip_file *f = &d->p->objs.geoip[i];
		struct geo_file_id *id = &d->geo.seen[i];

		memset(id, 0, sizeof(*id));
		d->geo.pending_set[i] = false;
		if (!f->path)
			continue;
		/* What was read, not what is there now: a change since counts. */
		id->present = true;
		id->dev = f->dev;
		id->ino = f->ino;
		id->size = f->size;
		id->mtime_ns = f->mtime_ns;
	}
}

/* Has @i's file changed, and stayed so since the last check? */
static bool geo_changed(struct daemon *d, int i, struct geo_file_id *now)
{
	const struct obj_geoip_file *f = &d->p->objs.geoip[i];

	if (!f->path)
		return false;
	geo_id_now(f->path, now);
	if (geo_id_same(now, &d->geo.seen[i])) {
		d->geo.pending_set[i] = false;
		return false;
	}
	if (d->geo.pending_set[i] && geo_id_same(now, &d->geo.pending[i]))
		return true;
	d->geo.pending[i] = *now;
	d->geo.pending_set[i] = true;
	return false;
}

void geoip_tick(struct daemon *d)
{
	struct geo_file_id now[2];
	__u64 ms = sa_mono_ms();
	bool changed[2];
	char *text = NULL;
	size_t len = 0;
	FILE *answer;
	int i, err;

	if (ms < d->geo.checked_ms + GEOIP_CHECK_MS)
		return;
	d->geo.checked_ms = ms;
	for (i = 0; i < 2; i++)
		changed[i] = geo_changed(d, i, &now[i]);
	if (!changed[0] && !changed[1])
		return;
	for (i = 0; i < 2; i++)
		if (changed[i])
			daemon_msg("geoip database %s %s: reloading %s",
				   d->p->objs.geoip[i].path,
				   now[i].present ? "changed" : "is gone",
				   d->o->config);
	/* daemon_reload() says how it went; the answer is for a client. */
	answer = open_memstream(&text, &len);
	err = daemon_reload(d, answer ? answer : stderr, false, NULL);
	if (answer)
		fclose(answer);
	free(text);
	d->geo.reloads++;
	d->geo.last_failed = err && err != -ENOLINK;
	/* Acted on, either way: a failed reload is not tried again. */
	for (i = 0; i < 2; i++) {
		if (changed[i]) {
			d->geo.seen[i] = now[i];
			d->geo.pending_set[i] = false;
		}
	}
}

void geoip_status(struct daemon *d, FILE *out)
{
	obj_geoip_print(&d->p->objs, "", out);
	if (d->geo.reloads)
		fprintf(out,
			"geoip: %u reload%s for a changed database (the last %s)\n",
			d->geo.reloads, d->geo.reloads == 1 ? "" : "s",
			d->geo.last_failed ?
				"failed: the config before it stays in force" :
				"applied");
}

/*
 * The status's "geoip" object: the databases of obj_geoip_print() (built:
 * null when unknown) and the reloads of geoip_status().
 */
void geoip_status_json(struct daemon *d, FILE *out)
{
	size_t i, n = 0;

	fputs("{\"databases\":[", out);
	for (i = 0; i < 2; i++) {
		const struct obj_geoip_file *f = &d->p->objs.geoip[i];

		if (!f->path)
			continue;
		fprintf(out, "%s{\"family\":%d,\"path\":", n++ ? "," : "",
			i ? 6 : 4);
		diag_json_str(out, f->path);
		fputs(",\"type\":", out);
		diag_json_str(out, f->type);
		fputs(",\"built\":", out);
		diag_json_str(out, *f->date ? f->date : NULL);
		fprintf(out, ",\"ranges\":%zu}", f->nr_nets);
	}
	fprintf(out, "],\"reloads\":%u,\"last_failed\":", d->geo.reloads);
	fputs(!d->geo.reloads	 ? "null}" :
	      d->geo.last_failed ? "true}" :
				   "false}",
	      out);
}
