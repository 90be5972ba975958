#include <string.h>

#include "base/timeutil.h"
#include "core/access.h"
#include "core/entities.h"
#include "jobs/jobs.h"

int gdpr_erase(store_conn *c, long long council, record *per, arena *a)
{
    char now[21];
    time_now_iso(now);
    long long expected = per->version;
    /* Keep the id (the audit trail and household history point at it) and
     * nothing else that identifies them. */
    for (int i = 0; i < person_def.nfields; i++) {
        per->v[i].set = 1;
        per->v[i].null = 1;
    }
    rec_set_str(per, "given_name", "[erased]");
    rec_set_str(per, "family_name", "[erased]");
    rec_set_str(per, "erased_at", arena_strdup(a, now));
    int rc = store_update(c, council, per, expected);
    /* Records from departmental systems: their ids stay (so a system that
     * sends the record again finds it loaded), what they said goes. */
    for (long long after = 0; rc == STORE_OK;) {
        record *sr;
        int ns = 0;
        rc = store_list(c, council, &source_record_def, "person_id", per->id, after, 1000, a, &sr, &ns);
        for (int i = 0; rc == STORE_OK && i < ns; i++) {
            after = sr[i].id;
            long long v = sr[i].version;
            rec_set_str(&sr[i], "fields", "{}");
            int fi = entity_field(&source_record_def, "match_evidence");
            sr[i].v[fi].null = 1;
            rc = store_update(c, council, &sr[i], v);
        }
        if (ns < 1000)
            break;
    }
    record *us;
    int n = 0;
    if (rc == STORE_OK)
        rc = store_list(c, council, &user_def, "person_id", per->id, 0, 1000, a, &us, &n);
    for (int i = 0; rc == STORE_OK && i < n; i++) {
        record *s;
        int ns;
        rc = store_list(c, council, &session_def, "user_id", us[i].id, 0, 1000, a, &s, &ns);
        for (int k = 0; rc == STORE_OK && k < ns; k++)
            rc = store_delete(c, council, &session_def, s[k].id);
        rec_set_str(&us[i], "email", arena_printf(a, "erased-%lld@example.invalid", us[i].id));
        rec_set_str(&us[i], "name", NULL);
        rec_set_str(&us[i], "password_hash", NULL);
        rec_set_int(&us[i], "disabled", 1);
        if (rc == STORE_OK)
            rc = store_update(c, council, &us[i], us[i].version);
    }
    /* Life events about them keep their type and date (the tasks and the
     * audit trail point at them) but not what was recorded from them. */
    record *evs;
    if (rc == STORE_OK)
        rc = store_list(c, council, &life_event_def, "person_id", per->id, 0, 1000, a, &evs, &n);
    for (int i = 0; rc == STORE_OK && i < n; i++) {
        rec_set_str(&evs[i], "details", "{}");
        rec_set_str(&evs[i], "effects", "[]");
        rc = store_update(c, council, &evs[i], evs[i].version);
    }
    /* The messages to them: what they said and where they went goes too; a
     * message not yet sent never will be. */
    record *ms;
    int nm = 0;
    if (rc == STORE_OK)
        rc = store_list(c, council, &notification_def, "person_id", per->id, 0, 1000, a, &ms, &nm);
    for (int i = 0; rc == STORE_OK && i < nm; i++) {
        rec_set_str(&ms[i], "recipient", "[erased]");
        rec_set_str(&ms[i], "subject", NULL);
        rec_set_str(&ms[i], "body", "[erased]");
        if (!strcmp(rec_str(&ms[i], "status"), "queued")) {
            rec_set_str(&ms[i], "status", "failed");
            rec_set_str(&ms[i], "next_attempt_at", NULL);
            rec_set_str(&ms[i], "last_error", "not sent: the person was erased");
        }
        rc = store_update(c, council, &ms[i], ms[i].version);
    }
    return rc;
}
