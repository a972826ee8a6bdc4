/*
 * consistency.c — consistency levels and ack tallies; see consistency.h.
 * Invariant: once state leaves PENDING it never changes.
 */
#include "cluster/consistency.h"

#include <strings.h>

rdb_status_t clu_consistency_parse(const char *s, clu_consistency_t *out, rdb_err_t *err)
{
    if (!strcasecmp(s, "one"))
        *out = CLU_CL_ONE;
    else if (!strcasecmp(s, "quorum"))
        *out = CLU_CL_QUORUM;
    else if (!strcasecmp(s, "all"))
        *out = CLU_CL_ALL;
    else {
        rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                    "invalid consistency level \"%s\"", s);
        rdb_err_hint(err, "Valid levels are one, quorum and all.");
        return RDB_INVALID;
    }
    return RDB_OK;
}

const char *clu_consistency_name(clu_consistency_t cl)
{
    switch (cl) {
    case CLU_CL_ONE:    return "ONE";
    case CLU_CL_QUORUM: return "QUORUM";
    case CLU_CL_ALL:    return "ALL";
    }
    return "?";
}

size_t clu_consistency_required(clu_consistency_t cl, size_t rf)
{
    switch (cl) {
    case CLU_CL_ONE:    return 1;
    case CLU_CL_QUORUM: return rf / 2 + 1;
    case CLU_CL_ALL:    return rf;
    }
    return rf;
}

static clu_tally_state_t tally_eval(clu_tally_t *t)
{
    if (t->state != CLU_TALLY_PENDING)
        return t->state;
    if (t->acks >= t->required)
        t->state = CLU_TALLY_OK;
    else if (t->sent - t->fails < t->required)
        t->state = CLU_TALLY_FAILED;
    return t->state;
}

void clu_tally_init(clu_tally_t *t, clu_consistency_t cl, size_t rf, size_t sent)
{
    t->cl = cl;
    t->rf = rf;
    t->required = clu_consistency_required(cl, rf);
    t->acks = t->fails = 0;
    t->sent = sent;
    t->state = CLU_TALLY_PENDING;
    tally_eval(t);
}

void clu_tally_init_acked(clu_tally_t *t, clu_consistency_t cl, size_t rf, size_t sent,
                          size_t acked)
{
    t->cl = cl;
    t->rf = rf;
    t->required = clu_consistency_required(cl, rf);
    t->acks = acked <= sent ? acked : sent;
    t->fails = 0;
    t->sent = sent;
    t->state = CLU_TALLY_PENDING;
    tally_eval(t);
}

clu_tally_state_t clu_tally_ack(clu_tally_t *t)
{
    if (t->state == CLU_TALLY_PENDING && t->acks + t->fails < t->sent)
        t->acks++;
    return tally_eval(t);
}

void clu_tally_late_ack(clu_tally_t *t)
{
    if (t->acks + t->fails < t->sent)
        t->acks++;
}

clu_tally_state_t clu_tally_fail(clu_tally_t *t)
{
    if (t->state == CLU_TALLY_PENDING && t->acks + t->fails < t->sent)
        t->fails++;
    return tally_eval(t);
}

clu_tally_state_t clu_tally_timeout(clu_tally_t *t)
{
    if (t->state == CLU_TALLY_PENDING)
        t->state = CLU_TALLY_FAILED;
    return t->state;
}

rdb_status_t clu_tally_error(const clu_tally_t *t, rdb_err_t *err)
{
    rdb_err_set(err, RDB_UNAVAILABLE, RDB_SQLSTATE_UNAVAILABLE,
                "consistency level %s not reached: %zu of %zu required replicas answered",
                clu_consistency_name(t->cl), t->acks, t->required);
    rdb_err_detail(err, "%zu of %zu replicas were reachable, %zu refused.", t->sent, t->rf,
                   t->fails);
    return RDB_UNAVAILABLE;
}
