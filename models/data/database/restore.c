/* A lost disk (the `lose_data` fault) and the restore after it. The instance forgets what a
 * crash keeps (its store, its WAL, its log) and an incident opens. At its restart it fetches
 * from the backup store the newest full backup and the incrementals taken after it (one
 * message each, sized for its data: the network's bandwidth gives the transfer time), applies
 * them as they arrive (per key the newest version wins), and after the last one a
 * `restore_apply` time; meanwhile it is joining (requests to it fail, it answers no
 * heartbeat or poll, so that a cluster fails over as after a crash). Then it resumes as
 * after a restart: a lone instance serves at once from the restored data (the acknowledged
 * writes after the newest backup point are lost: the consistency oracle counts them at its
 * settle), one of a cluster asks the others who leads and follows the new primary,
 * resynchronising from it (snapshot). One that still hears itself named primary waits for the
 * failover (at most failover_after and four heartbeats, then it resumes with its restored
 * data: nobody else took over). With no backup schedule nothing is restored.
 *
 * The incident's figures: RTO from the loss until the instance serves again (a lone one, or a
 * cluster's that resumed as primary: when it resumes; a replica: when its snapshot is
 * installed), and RPO: the acknowledged writes lost (the oracle's count of the store's lost
 * writes from the loss until the next loss or the end of the run: a write acknowledged after
 * the loss, its reply on the way, counts when the acknowledgement arrives) and the time span they
 * cover, from the restored backup point to the loss (0 when it caught up from a replica, which
 * holds every write it acknowledged under sync replication). docs/backup.md. */
#include "database_int.h"

#include "consistency.h"

#include <stdlib.h>

static uint64_t store_lost(sim_node *n) {
    uint64_t acked = 0, lost = 0;
    consistency_store_writes(consistency_of(n), db__store_of(n), &acked, &lost);
    return lost;
}

static incident *open_incident(db_state *s) {
    return s->in_incident ? &s->incidents[s->nincidents - 1] : NULL;
}

/* An incident's lost writes: what the oracle counted lost in the store since the loss. A
 * write whose acknowledgement was still on its way at the loss is counted when it arrives,
 * perhaps after the instance serves again, so the count is taken again at the next loss and
 * at the end of the run. */
static void count_lost(sim_node *n, incident *inc) {
    inc->writes_lost = store_lost(n) - inc->lost_before;
}

void db__incidents_finish(sim_node *n) {
    db_state *s = sim_state(n);
    if (s->nincidents && s->incidents[s->nincidents - 1].served_at >= 0)
        count_lost(n, &s->incidents[s->nincidents - 1]);
}

void db__lose_data(sim_node *n) {
    db_state *s = sim_state(n);
    db__incidents_finish(n);
    if (s->nincidents == s->capincidents) {
        uint32_t cap = s->capincidents ? 2 * s->capincidents : 4;
        incident *inc = realloc(s->incidents, cap * sizeof *inc);
        if (!inc) {
            sim_out_of_memory(n);
            return;
        }
        s->incidents = inc;
        s->capincidents = cap;
    }
    s->incidents[s->nincidents++] = (incident){.lost_at = sim_now(n),
                                               .restored_at = -1,
                                               .served_at = -1,
                                               .point = -1,
                                               .lost_before = store_lost(n)};
    s->in_incident = true;
    db__clear_data(n);
    db__txn_reset(n);
    s->nlog = 0;
    s->applied = 0;
    sim_idmap_clear(&s->ahead);
    db__backup_rebase(n);
    s->restoring = false; /* a restore under way is abandoned: the ask's answer is ignored */
}

bool db__begin_restore(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    if (!s->in_incident || s->incidents[s->nincidents - 1].restored_at >= 0)
        return false;
    s->role = ROLE_JOINING; /* requests fail, heartbeats and polls go unanswered */
    s->join_epoch = s->epoch;
    s->join_primary = s->primary;
    if (!db__backs_up(c)) {
        db__restored(n); /* nothing to fetch */
        return true;
    }
    s->restoring = true;
    s->parts_got = 0;
    sim_msg *m = sim_msg_new(n, &bk_ask_msg);
    *(bk_ask *)sim_msg_body(m) = (bk_ask){.source = db__store_of(n), .seq = ++s->ask_seq};
    sim_send(n, c->backup_to.first, m);
    return true;
}

void db__on_restore_part(sim_node *n, const bk_part *p) {
    db_state *s = sim_state(n);
    incident *inc = open_incident(s);
    if (!s->restoring || !inc || p->seq != s->ask_seq || p->index != s->parts_got)
        return;
    for (uint64_t i = 0; i < p->count; i++)
        db__put_version(n, p->kv[i].key, p->kv[i].version);
    if (p->parts) {
        s->parts_got++;
        inc->parts++;
        inc->bytes += p->bytes;
        inc->point = p->point;
    }
    if (s->parts_got >= p->parts) /* the last one (or the catalog had none) */
        sim_set_timer(n, db__draw(n, &((const db_config *)sim_config(n))->restore_apply),
                      T_RESTORED, 0);
}

void db__restored(sim_node *n) {
    db_state *s = sim_state(n);
    incident *inc = open_incident(s);
    s->restoring = false;
    if (inc)
        inc->restored_at = sim_now(n);
    db__resume(n);
}

void db__incident_close(sim_node *n, bool caught_up) {
    db_state *s = sim_state(n);
    incident *inc = open_incident(s);
    if (!inc)
        return;
    inc->served_at = sim_now(n);
    inc->caught_up = caught_up;
    count_lost(n, inc);
    s->in_incident = false;
}

bool db__wait_for_failover(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    const incident *inc = open_incident(s);
    if (!inc || !c->failover || s->count < 2 || s->join_primary != s->me ||
        sim_now(n) - inc->lost_at >= c->failover_after + 4 * c->heartbeat)
        return false;
    db__send_view_all(n, &repl_heartbeat_msg, db__view(s));
    sim_set_timer(n, c->heartbeat, T_JOIN, 0);
    return true;
}
